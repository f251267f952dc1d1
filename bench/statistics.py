"""Benchmark of the statistics base (issue 6, not a test): the full build of every month, then
the daily refresh (the open months only), at national data size; then the dashboard's
publication and exports. Prints Markdown tables for docs/performance.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_1m \\
    STATS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_1m_stats \\
    ARCHIVE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_1m_archive \\
        .venv/bin/python -m bench.statistics [--today 2026-11-29] [--repeat 5] [--explain]

It reads the transactional base (the households of bench/households_generate.py and the year
of 115 activity of bench/emergency_generate.py) and never writes to it: it migrates the `stats`
database only, and empties it before the full build. `--generate N` first generates N
households and 60 nights of 115 activity (an empty SQLite base: var/bench_statistics.sqlite3).

Measures: the full build (every month since the first request, by spans of
feed.SPAN_MONTHS months), each measure's queries on the open months, the daily refresh (target
< 60 s), a second daily refresh (idempotency), then publish() and the CSV/XLSX exports of a
national table over 12 months, and the dashboard page itself (national administrator)."""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup_django():
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_ENV"] = "dev"
    os.environ["DEMO_MODE"] = "false"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench_statistics.sqlite3'}")
    os.environ.setdefault("STATS_DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench_statistics_stats.sqlite3'}")
    os.environ.setdefault("ARCHIVE_DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench_statistics_archive.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def measure_sources(today: datetime.date) -> list[tuple[str, float, int]]:
    """Each measure's queries over the open months (what the daily refresh runs)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from siao.statistics import feed, sources

    months = feed.months_to_compute(today)
    span = sources.Span(first=months[0], last=months[-1], today=today)
    rows = []
    with feed.reading():
        for name in ("requests", "emergency_requests", "persons", "stays", "delays", "occupancy"):
            figures = sources.Figures()
            with CaptureQueriesContext(connection) as queries:
                _, seconds = timed(lambda name=name, figures=figures: getattr(sources, name)(figures, span))
            rows.append((f"{name} ({len(months)} months)", seconds, len(queries)))
    return rows


def explain_open_months(today: datetime.date) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from siao.statistics import feed, sources

    months = feed.months_to_compute(today)
    span = sources.Span(first=months[0], last=months[-1], today=today)
    with CaptureQueriesContext(connection) as queries:
        sources.compute(span)
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:4]:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        log(f"\n-- {query['time']} s\n{query['sql'][:800]}\n{plan}")


def national_actor():
    """A national administrator role lent in memory to an existing user (nothing written)."""
    from siao.accounts.actor import Actor
    from siao.accounts.enums import OrganizationKind, Role
    from siao.accounts.models import Membership, Organization, User

    organization = Organization.objects.get(kind=OrganizationKind.NATIONAL)
    user = User.objects.order_by("pk").first()
    membership = Membership(user=user, role=Role.NATIONAL_ADMIN, organization=organization)
    return Actor.for_membership(membership, set(), (membership,))


def measure_reading(today: datetime.date, repeat: int) -> list[tuple[str, list[float], int | str]]:
    from django.db import connections
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from siao.geo.models import Department
    from siao.statistics import exports, views
    from siao.statistics.disclosure import publish
    from siao.statistics.months import add_months, current_month

    last = current_month(today)
    first = add_months(last, -11)
    labels = {code: f"{code} – {name}" for code, name in Department.objects.values_list("code", "name")}

    def national(dimension):
        return lambda: publish(
            measure="requests", dimension=dimension, first=first, last=last, department=None, department_labels=labels
        )

    cases = [
        ("publish(): requests by reason, national, 12 months", national("reason")),
        (
            "publish(): requests by outcome, Paris, 12 months",
            lambda: publish(measure="requests", dimension="outcome", first=first, last=last, department="75"),
        ),
        (
            "publish(): exits by destination, national, 12 months",
            lambda: publish(measure="exits", dimension="destination", first=first, last=last, department=None),
        ),
    ]
    publication = national("reason")()
    for export in ("csv", "xlsx"):
        cases.append(
            (
                f"{export.upper()} export (the publication above)",
                lambda export=export: exports.export_response(
                    publication, export, scope_code="national", scope_label="National", updated_at=None
                ),
            )
        )
    actor = national_actor()
    query = f"mesure=requests&ventilation=reason&annee={last:%Y}"

    def page():
        request = RequestFactory().get(f"/statistiques/?{query}")
        request.actor, request.user, request.csp_nonce = actor, actor.user, "bench"
        response = views.dashboard(request)
        if response.status_code != 200:
            raise RuntimeError(response.status_code)

    cases.append(("dashboard page, national, requests by reason, 12 months", page))
    rows = []
    for name, fn in cases:
        with CaptureQueriesContext(connections["stats"]) as queries:
            fn()
        timings = [timed(fn)[1] * 1000 for _ in range(repeat)]
        rows.append((name, timings, len(queries)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--today", type=datetime.date.fromisoformat, help="the refresh's date (default: today)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--generate", type=int, default=0, help="generate N households first (empty base)")
    parser.add_argument("--skip-full", action="store_true", help="keep the statistics base, daily refresh only")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries (PostgreSQL)")
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from siao.statistics import feed
    from siao.statistics.models import Cell, MonthState

    if args.generate:
        from bench.emergency_generate import generate_emergency
        from bench.households_generate import generate_households
        from bench.offer_generate import generate_offer

        call_command("migrate", verbosity=0)
        generate_offer()
        generate_households(args.generate, seed=42, log=log)
        generate_emergency(300, 60, seed=42, log=log)
    call_command("migrate", database="stats", verbosity=0)
    today = args.today or timezone.localdate()
    rows: list[tuple[str, float, str]] = []

    if not args.skip_full:
        Cell.objects.using("stats").all().delete()
        MonthState.objects.using("stats").all().delete()

        def progress(label, done, total):
            log(f"{time.strftime('%H:%M:%S')} {label} ({done}/{total})")

        report, seconds = timed(lambda: feed.refresh(today=today, progress=progress))
        log(f"full build: {report}")
        rows.append((f"full build: {report['months_computed']} months", seconds, f"{report['cells_written']} cells"))

    for name, seconds, queries in measure_sources(today):
        rows.append((f"  {name}", seconds, f"{queries} queries"))
    for label in ("daily refresh", "daily refresh again (idempotent)"):
        report, seconds = timed(lambda: feed.refresh(today=today))
        log(f"{label}: {report}")
        rows.append((f"{label}: {report['months_computed']} open months", seconds, f"{report['cells_written']} cells"))
    if args.explain and connection.vendor == "postgresql":
        explain_open_months(today)

    cells = Cell.objects.using("stats").count()
    print(
        f"\n{connection.vendor} (transactional), {connections['stats'].vendor} (statistics), today {today}, {cells} cells\n"
    )
    print("| step | seconds | written / queries |")
    print("|---|---|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.1f} | {note} |")

    reading = measure_reading(today, args.repeat)
    print("\n| reading | p50 ms | max ms | stats queries |")
    print("|---|---|---|---|")
    for name, timings, queries in reading:
        print(f"| {name} | {statistics.median(timings):.1f} | {max(timings):.1f} | {queries} |")


if __name__ == "__main__":
    main()
