"""Benchmarks of the offer (not tests): generate a national-size offer (~10 000 programs,
~250 000 places with their state history), then time the vacancy board and the capacity
dashboard for a département and for the nation. Prints a Markdown table for
docs/performance.md.

    .venv/bin/python -m bench.offer                      # SQLite file var/bench_offer.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_offer .venv/bin/python -m bench.offer
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_ENV"] = "dev"
os.environ["DEMO_MODE"] = "false"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench_offer.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def measure_offer(repeat: int):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.utils import timezone

    from bench.measure import _client_for, _page, _time
    from siao.accounts.enums import OrganizationKind, Role
    from siao.accounts.models import Organization
    from siao.geo.models import Department

    # Outside Django's test runner, each request would close the connection (and lose the log).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    siao_35 = _client_for(
        Role.SIAO_ADMIN,
        Organization.objects.filter(kind=OrganizationKind.SIAO, departments__code="35").order_by("pk").first(),
    )
    # No SIAO spans the nation; this one does, to measure the board's worst case.
    national_siao, created = Organization.objects.get_or_create(
        kind=OrganizationKind.SIAO, name="SIAO national (banc d'essai)"
    )
    if created:
        national_siao.departments.set(Department.objects.all())
    siao_all = _client_for(Role.SIAO_ADMIN, national_siao)
    ddets_35 = _client_for(
        Role.DEPARTMENT_ADMIN, Organization.objects.get(kind=OrganizationKind.STATE_DEPARTMENT, departments__code="35")
    )
    national = _client_for(Role.NATIONAL_ADMIN, Organization.objects.get(kind=OrganizationKind.NATIONAL))
    past = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    board = "/offre/places-disponibles/"
    dashboard = "/offre/capacites/"
    rows = []
    for name, fn in [
        ("vacancy board, SIAO 35", _page(siao_35, board)),
        ("vacancy board, SIAO 35, htmx refresh", _htmx(siao_35, board)),
        ("vacancy board, SIAO 35, public + type filters", _page(siao_35, f"{board}?public=single_man&type=insertion")),
        ("vacancy board, nation (page 1 of 50 programs)", _page(siao_all, board)),
        ("capacity dashboard, DDETS 35 (programs)", _page(ddets_35, dashboard)),
        ("capacity dashboard, DDETS 35, at a date 30 days ago", _page(ddets_35, f"{dashboard}?date={past}")),
        ("capacity dashboard, DDETS 35, CSV export", _page(ddets_35, f"{dashboard}?format=csv")),
        ("capacity dashboard, national (départements)", _page(national, dashboard)),
        ("capacity dashboard, national, at a date 30 days ago", _page(national, f"{dashboard}?date={past}")),
        ("capacity dashboard, national (operators, page 1)", _page(national, f"{dashboard}?vue=entites")),
        ("capacity dashboard, national, XLSX export of départements", _page(national, f"{dashboard}?format=xlsx")),
    ]:
        timings, queries = _time(fn, repeat)
        rows.append((name, timings, queries))
    return rows


def _htmx(client, url):
    def fetch():
        response = client.get(url, headers={"HX-Request": "true"})
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")

    return fetch


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from bench.offer_generate import generate_offer

    started = time.perf_counter()
    counts = generate_offer()
    print(f"data: {counts} ({time.perf_counter() - started:.1f} s) on {connection.vendor}", file=sys.stderr)
    rows = measure_offer(repeat=args.repeat)
    print(f"\n{connection.vendor}, {counts}\n")
    print("| measure | p50 ms | p95 ms | queries |")
    print("|---|---|---|---|")
    for name, timings, queries in rows:
        p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
        print(f"| {name} | {statistics.median(timings):.1f} | {p95:.1f} | {queries} |")


if __name__ == "__main__":
    main()
