# SI SIAO — two commands: `make run` (set up everything and serve on SQLite), `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed
DATABASES := default archive stats

.PHONY: run test quality migrate demo install e2e-deps api-schema bench bench-offer bench-households bench-emergency bench-statistics bench-partners clean

$(STAMP): requirements/base.txt requirements/dev.txt requirements/constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 ou plus récent est nécessaire"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt -c requirements/constraints.txt
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	@for db in $(DATABASES); do DJANGO_ENV=dev $(PY) manage.py migrate --database=$$db --no-input -v 0 || exit 1; done

demo: migrate
	DJANGO_ENV=dev $(PY) manage.py seed_demo

run: demo
	@echo "SI SIAO : http://127.0.0.1:$(PORT)/ (comptes de démonstration : http://127.0.0.1:$(PORT)/demo/)"
	@# The background tasks' worker (retention runs asked from the site) and the partners'
	@# webhook worker run beside the server and stop with it.
	DJANGO_ENV=dev $(PY) manage.py db_worker --no-reload -v 0 & worker=$$!; \
		DJANGO_ENV=dev $(PY) manage.py webhook_worker & webhooks=$$!; \
		trap 'kill $$worker $$webhooks 2>/dev/null' EXIT INT TERM; \
		DJANGO_ENV=dev $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Browser tests need npm packages: the OpenID provider and axe-core (node is on the machine; CI installs Chromium).
e2e-deps:
	@for dir in tests/e2e/oidc_provider tests/e2e/a11y; do \
		if command -v npm >/dev/null 2>&1 && [ ! -d $$dir/node_modules ]; then \
			npm ci --prefix $$dir --no-audit --no-fund --loglevel=error || exit 1; fi; done

test: $(STAMP) e2e-deps
	DJANGO_ENV=test $(PY) -m pytest $(PYTEST_ARGS)

# The partner API's contract (docs/api/openapi-v1.json), compared with the served document by a test.
api-schema: $(STAMP)
	DJANGO_ENV=test $(PY) manage.py export_openapi

quality: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_ENV=test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_ENV=production SECRET_KEY=quality-check-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
		ALLOWED_HOSTS=si-siao.example DATABASE_URL=sqlite:////tmp/siao-quality.sqlite3 \
		$(PY) manage.py check --deploy --fail-level WARNING

bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

bench-offer: $(STAMP)
	$(PY) -m bench.offer $(BENCH_ARGS)

bench-households: $(STAMP)
	$(PY) -m bench.households $(BENCH_ARGS)

bench-emergency: $(STAMP)
	$(PY) -m bench.emergency $(BENCH_ARGS)

bench-statistics: $(STAMP)
	$(PY) -m bench.statistics $(BENCH_ARGS)

bench-partners: $(STAMP)
	$(PY) -m bench.partners $(BENCH_ARGS)

clean:
	rm -rf var $(VENV)
