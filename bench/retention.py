"""Benchmark of the retention run (issue 6, not a test): on a national-size database (the
households of bench/households_generate.py, the 115 year of bench/emergency_generate.py),
make 10 % of the files expired, then time the statistics refresh, the run (transfer to the
archive and deletion, files per second), the check, and a second run (idempotent: nothing to
do). Prints a Markdown table for docs/performance.md.

DESTRUCTIVE for the database it runs on (it purges 10 % of it): run it on a copy.

    createdb -h 127.0.0.1 -U postgres -T siao_bench_1m siao_bench_retention
    createdb -h 127.0.0.1 -U postgres siao_bench_retention_archive
    createdb -h 127.0.0.1 -U postgres siao_bench_retention_stats
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_retention \\
    ARCHIVE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_retention_archive \\
    STATS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_retention_stats \\
        .venv/bin/python -m bench.retention [--share 0.1] [--batch-size 1000] [--generate 20000]

`--generate N` first generates N households and a short 115 history (an empty database, e.g.
SQLite `var/bench_retention.sqlite3`, the default). The run happens « 26 months from now »
(time travel, as the tests do): every month of the generated activity is closed and frozen,
as it is for files really 24 months old."""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup_django():
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_ENV"] = "dev"
    os.environ["DEMO_MODE"] = "false"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench_retention.sqlite3'}")
    os.environ.setdefault("ARCHIVE_DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench_retention_archive.sqlite3'}")
    os.environ.setdefault("STATS_DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench_retention_stats.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def log(line):
    print(line, file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--share", type=float, default=0.1, help="share of files made expired (default 0.1)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--generate", type=int, default=0, help="households to generate first (empty database)")
    args = parser.parse_args()
    setup_django()

    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    for alias in ("default", "archive", "stats"):
        call_command("migrate", database=alias, verbosity=0)
    if args.generate:
        from bench.emergency_generate import generate_emergency
        from bench.households_generate import generate_households
        from bench.offer_generate import generate_offer

        generate_offer()
        generate_households(args.generate, seed=42, log=log)
        generate_emergency(max(args.generate // 50, 10), 60, seed=42, log=log)

    from siao.households.models import Household
    from siao.retention import purge
    from siao.retention.check import run_checks
    from siao.statistics.feed import refresh

    run_now = timezone.now() + datetime.timedelta(days=26 * 31)
    expired_at = purge.months_before(run_now, 25)
    fresh_at = run_now - datetime.timedelta(days=1)
    modulo = round(1 / args.share)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        table = Household._meta.db_table
        cursor.execute(
            f"UPDATE {table} SET last_action_at = CASE WHEN id %% %s = 0 THEN %s ELSE %s END",  # noqa: S608
            [modulo, expired_at, fresh_at],
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")  # noqa: S608
    total = Household.objects.count()
    log(f"{total} files, 1 in {modulo} made expired ({time.perf_counter() - started:.1f} s)")

    rows = []
    started = time.perf_counter()
    plan = purge.plan(run_now)
    rows.append(("dry run (report)", time.perf_counter() - started, f"{plan['files']} files past retention"))
    log(rows[-1])

    started = time.perf_counter()
    stats = refresh(today=timezone.localdate(run_now))
    rows.append(("statistics refresh (every month, first build)", time.perf_counter() - started, str(stats)[:120]))
    log(rows[-1])
    started = time.perf_counter()
    refresh(today=timezone.localdate(run_now))
    rows.append(("statistics refresh (daily: open months only)", time.perf_counter() - started, ""))
    log(rows[-1])

    started = time.perf_counter()
    report = purge.execute(now=run_now, batch_size=args.batch_size, progress=_printer())
    elapsed = time.perf_counter() - started
    rows.append(
        (
            "retention run (refresh + transfer + delete)",
            elapsed,
            f"{report['transferred']} files, {report['files_per_second']} files/s in the batches "
            f"({report['seconds']} s: {report['phase_seconds']}), rows deleted: {sum(report['deleted_rows'].values())}",
        )
    )
    log(rows[-1])

    started = time.perf_counter()
    check = run_checks(run_now)
    rows.append(("retention_check", time.perf_counter() - started, "OK" if check.ok else "FAILED"))
    log(rows[-1])
    if not check.ok:
        for finding in check.findings:
            log(f"  {'OK' if finding.ok else 'FAILED'} {finding.label} {finding.detail}")

    started = time.perf_counter()
    again = purge.execute(now=run_now, batch_size=args.batch_size)
    rows.append(("second run (nothing to do)", time.perf_counter() - started, f"{again['transferred']} files"))

    print(f"\n{connections['default'].vendor}, {total} files, batch {args.batch_size}\n")
    print("| Step | Time | Notes |\n|---|---|---|")
    for label, seconds, notes in rows:
        print(f"| {label} | {seconds:.1f} s | {notes} |")


def _printer():
    last = {"at": 0.0}

    def progress(run, fields):
        if "step" in fields:
            log(f"  {fields['step']}")
        now = time.perf_counter()
        if "done" in fields and now - last["at"] > 5:
            last["at"] = now
            log(f"  {run.done}/{run.total} ({run.percent} %)")

    return progress


if __name__ == "__main__":
    main()
