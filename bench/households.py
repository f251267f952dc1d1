"""Benchmarks of the household file and insertion requests (issue 4, not tests): generate
national-size households and requests (bench/households_generate.py, on top of the offer of
bench/offer_generate.py), then time, as an Opérateur SIAO of the biggest SIAO (Paris), the
duplicate search, the household file page, the SIAO queue and the orientation action. Prints a
Markdown table for docs/performance.md.

    .venv/bin/python -m bench.households --households 20000     # SQLite file var/bench_households.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_households \\
        .venv/bin/python -m bench.households --households 1000000 [--explain]
"""

import argparse
import itertools
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
DEPARTMENT = "75"  # the biggest SIAO


def setup_django():
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_ENV"] = "dev"
    os.environ["DEMO_MODE"] = "false"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench_households.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _url(names, **kwargs):
    """The page's URL when the view exists (None before it is written)."""
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def _time(fn, repeat):
    """Timings (ms) of `repeat` calls after one warm-up, and the query counts seen (every call:
    a count that varies from one household to the next would show an N+1)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, counts = [], set()
    for n in range(repeat + 1):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            fn()
            elapsed = (time.perf_counter() - started) * 1000
        counts.add(len(queries))
        if n:
            timings.append(elapsed)
    low, high = min(counts), max(counts)
    return timings, str(low) if low == high else f"{low}–{high}"


def _get(client, urls):
    """GET the next URL of `urls` (cycled) and insist on a 200."""
    cycle = itertools.cycle(urls)

    def fetch():
        url = next(cycle)
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")

    return fetch


def _typo(rng, value: str) -> str:
    """One keyboard slip: two letters swapped, one dropped or one doubled."""
    if len(value) < 4:
        return value + value[-1]
    i = rng.randrange(1, len(value) - 2)
    return rng.choice(
        [
            value[:i] + value[i + 1] + value[i] + value[i + 2 :],
            value[:i] + value[i + 1 :],
            value[:i] + value[i] + value[i:],
        ]
    )


def measure_households(repeat: int, explain: bool = False):
    import random

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection, transaction
    from django.db.models import Count

    from bench.measure import _client_for
    from siao.accounts.actor import Actor
    from siao.accounts.enums import OrganizationKind, Role
    from siao.accounts.models import Membership, Organization, User
    from siao.households.models import Household
    from siao.households.search import find_similar_persons
    from siao.orientation.enums import SIAO_QUEUE_STATUSES, RequestStatus
    from siao.orientation.models import Request

    # Outside Django's test runner, each request would close the connection (and lose the log).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    rng = random.Random(7)
    siao = Organization.objects.get(kind=OrganizationKind.SIAO, departments__code=DEPARTMENT)
    client = _client_for(Role.SIAO_OPERATOR, siao)
    user = User.objects.get(email=f"bench.{Role.SIAO_OPERATOR}.{siao.pk}@bench-admin.example")
    membership = Membership.objects.select_related("organization").get(
        user=user, role=Role.SIAO_OPERATOR, organization=siao
    )
    actor = Actor.for_membership(membership, set(siao.departments.values_list("pk", flat=True)))
    rows = []

    def add(name, fn, n=repeat):
        timings, queries = _time(fn, n)
        rows.append((name, timings, queries))

    # Duplicate search: persons of the SIAO typed again with a slip, a swap, no birth date.
    heads = list(
        Household.objects.filter(department__code=DEPARTMENT)
        .order_by("pk")
        .values_list("head__last_name", "head__first_name", "head__birth_date")[:5000]
    )
    heads = rng.sample(heads, min(len(heads), 200))
    typed = [(_typo(rng, last), first, birth) for last, first, birth in heads]
    swapped = [(first, _typo(rng, last), None) for last, first, _ in heads]
    for name, cases in [
        ("duplicate search, SIAO 75, last name with a typo + birth date", typed),
        ("duplicate search, SIAO 75, names swapped + typo, no birth date", swapped),
    ]:
        found, pending = [], itertools.cycle(cases)

        def search(found=found, pending=pending):
            last, first, birth = next(pending)
            matches = find_similar_persons(actor, last_name=last, first_name=first, birth_date=birth)
            found.append(len(matches))

        add(name, search)
        print(f"{name}: {statistics.mean(found):.1f} matches on average", file=sys.stderr)
    search_url = _url(["households:household_list", "households:list"])
    if search_url:
        add(
            "household search page, SIAO 75 (typo + birth date)",
            _get(client, [f"{search_url}?{urlencode({'nom': n, 'prenom': f, 'naissance': b})}" for n, f, b in typed]),
        )
        add("household list page, SIAO 75 (page 1, last actions first)", _get(client, [search_url]))

    # The household file page: files with a long history (several requests, referrals, notes).
    files = list(
        Request.objects.filter(department__code=DEPARTMENT, household__department__code=DEPARTMENT)
        .values("household_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=4)
        .order_by("household_id")
        .values_list("household__public_id", flat=True)[:30]
    )
    detail_urls = [_url(["households:household_detail", "households:detail"], public_id=p) for p in files]
    if files and detail_urls[0]:
        add("household file page, SIAO 75 (files with ≥ 4 requests)", _get(client, detail_urls))
    else:
        print("household file page not found: measuring get_household_for() and its reads", file=sys.stderr)
        add("household file reads (no view yet), SIAO 75", _household_reads(actor, itertools.cycle(files)))

    # The SIAO queue (page 1) and its size.
    queue = Request.objects.visible_to(actor).filter(status__in=SIAO_QUEUE_STATUSES)
    print(f"SIAO {DEPARTMENT} queue: {queue.count()} requests", file=sys.stderr)
    queue_url = _url(["orientation:queue"])
    if queue_url:
        add("SIAO queue page, SIAO 75 (page 1, all statuses)", _get(client, [queue_url]))
        add(
            "SIAO queue page, SIAO 75, waiting, page 10",
            _get(client, [f"{queue_url}?statut={RequestStatus.WAITING}&page=10"]),
        )
    else:
        print("orientation:queue not found: measuring the queue's querysets", file=sys.stderr)

        def queue_page():
            list(queue.siao_queue().select_related("household__head", "household__composition")[:50])
            queue.count()

        add("SIAO queue queryset, SIAO 75 (first 50 + count)", queue_page)

    # A waiting request: its page, the orientation page (programs that fit), the action.
    waiting = list(queue.filter(status=RequestStatus.WAITING).siao_queue()[: repeat + 1])
    request_urls = [_url(["orientation:request_detail"], public_id=r.public_id) for r in waiting]
    if request_urls and request_urls[0]:
        add("request page, SIAO 75 (waiting requests)", _get(client, request_urls))
    orient_urls = [_url(["orientation:request_orient"], public_id=r.public_id) for r in waiting]
    if orient_urls and orient_urls[0]:
        add("orientation page, SIAO 75 (programs that fit)", _get(client, orient_urls))
    try:
        from siao.orientation.actions import orient_request
        from siao.orientation.eligibility import orientable_programs
    except ImportError:
        orient_request = None
        print("siao.orientation.actions.orient_request not importable: not measured", file=sys.stderr)
    if orient_request is not None and len(waiting) > 1:
        # The program is chosen before timing (the orientation page above measures that choice).
        departments = actor.perimeter.department_ids
        pending = iter([(r, orientable_programs(r, departments).order_by("pk").first()) for r in waiting])

        def orient():
            request, program = next(pending)
            with transaction.atomic():
                orient_request(actor=actor, request=request, programs=[program], comment="Banc d'essai")
                transaction.set_rollback(True)

        add("orient_request() to a program that fits, rolled back", orient, n=len(waiting) - 1)

    if explain and connection.vendor == "postgresql":
        _explain(actor, typed[0], queue, waiting[0] if waiting else None)
    return rows


def _household_reads(actor, public_ids):
    """What the file page will read, until the view exists: the file, its members, requests
    (with referrals and stays) and the last notes."""
    from django.db.models import Prefetch

    from siao.households.access import get_household_for
    from siao.orientation.models import Referral

    def read():
        household = get_household_for(actor, next(public_ids))
        list(household.members.select_related("person").order_by("joined_on", "pk"))
        list(
            household.requests.order_by("-created_at").prefetch_related(
                "recommendations", Prefetch("referrals", queryset=Referral.objects.select_related("program"))
            )
        )
        list(household.stays.select_related("program").order_by("-started_on"))
        list(household.notes.select_related("author")[:20])

    return read


def _explain(actor, typed, queue, waiting):
    from django.db.models import Count

    from siao.households.models import Household, Person
    from siao.households.search import candidates_q

    last, first, birth = typed
    queries = [
        (
            "duplicate search candidates",
            Person.objects.visible_to(actor).filter(candidates_q(last, first, birth))[:300],
        ),
        ("household list, page 1", Household.objects.visible_to(actor).order_by("-last_action_at", "-pk")[:25]),
        ("household list, count", Household.objects.visible_to(actor).values("department").annotate(n=Count("pk"))),
        ("SIAO queue, page 1", queue.siao_queue()[:50]),
        ("SIAO queue, count", queue.values("department").annotate(n=Count("pk")).order_by()),
    ]
    try:
        from siao.orientation.eligibility import orientable_programs

        if waiting is not None:
            queries.append(("programs that fit", orientable_programs(waiting, actor.perimeter.department_ids)))
    except ImportError:
        pass
    for name, queryset in queries:
        print(f"\n-- EXPLAIN ANALYZE {name}\n{queryset.explain(analyze=True)}", file=sys.stderr)


def table_sizes(limit: int = 16) -> str:
    """The biggest tables (with their indexes and TOAST) and the database's size (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, pg_size_pretty(pg_total_relation_size(c.oid)),
                      pg_size_pretty(pg_indexes_size(c.oid)), c.reltuples::bigint
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind = 'r' AND n.nspname = 'public'
               ORDER BY pg_total_relation_size(c.oid) DESC LIMIT %s""",
            [limit],
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (total,) = cursor.fetchone()
    lines = [f"database: {total}", "| table | total (with indexes) | indexes | rows (estimate) |", "|---|---|---|---|"]
    lines += [f"| {name} | {size} | {indexes} | {rows} |" for name, size, indexes, rows in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, help="generator processes (default: 2 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the main queries (PostgreSQL)")
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from bench.households_generate import generate_households
    from bench.offer_generate import generate_offer

    started = time.perf_counter()
    offer = generate_offer()
    print(f"offer: {offer} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    started = time.perf_counter()
    counts = generate_households(
        args.households, seed=args.seed, workers=args.workers, log=lambda line: print(line, file=sys.stderr)
    )
    print(f"data: {counts} ({time.perf_counter() - started:.1f} s) on {connection.vendor}", file=sys.stderr)
    if connection.vendor == "postgresql":
        print(table_sizes(), file=sys.stderr)
    rows = measure_households(repeat=args.repeat, explain=args.explain)
    print(f"\n{connection.vendor}, {counts}\n")
    print("| measure | p50 ms | p95 ms | max ms | queries |")
    print("|---|---|---|---|---|")
    for name, timings, queries in rows:
        p95 = statistics.quantiles(timings, n=20, method="inclusive")[-1] if len(timings) >= 2 else timings[0]
        print(f"| {name} | {statistics.median(timings):.1f} | {p95:.1f} | {max(timings):.1f} | {queries} |")


if __name__ == "__main__":
    main()
