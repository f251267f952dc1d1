"""Benchmarks of the platform (not tests): generate national-size accounts and audit data,
then time the pages and operations that grow with it. Prints a Markdown table for
docs/performance.md.

    make bench                                   # SQLite file var/bench.sqlite3
    make bench BENCH_ARGS="--users 30000 --events 1000000"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench make bench
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_ENV"] = "dev"
os.environ["DEMO_MODE"] = "false"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=30_000)
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from bench.generate import generate
    from bench.measure import measure_all

    started = time.perf_counter()
    counts = generate(users=args.users, events=args.events)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh bulk inserts: give the planner statistics
    print(f"data: {counts} ({time.perf_counter() - started:.1f} s) on {connection.vendor}", file=sys.stderr)
    rows = measure_all(repeat=args.repeat)
    print(f"\n{connection.vendor}, {counts}\n")
    print("| measure | p50 ms | p95 ms | queries |")
    print("|---|---|---|---|")
    for name, timings, queries in rows:
        p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
        print(f"| {name} | {statistics.median(timings):.1f} | {p95:.1f} | {queries} |")


if __name__ == "__main__":
    main()
