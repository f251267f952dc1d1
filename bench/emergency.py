"""Benchmarks of the 115 (issue 5, not tests): the call screen and the places for tonight at
national data size, one call handler alone, then 50 handlers working at once on the same SIAO
(Paris). Data: the households of bench/households_generate.py, then the year of 115 activity of
bench/emergency_generate.py. Prints Markdown tables for docs/performance.md.

    .venv/bin/python -m bench.emergency --households 5000 --calls-per-day 300 --days 60   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_1m \\
        .venv/bin/python -m bench.emergency --households 1000000 [--explain] \\
        [--concurrency 2x25,1x50] [--iterations 10]

Steps, as an Écoutant 115 of the Paris SIAO (ecoutantNN.75@bench-emergency.example):
- alone: the desk, the call screen of tonight's pending requests (places for tonight shown),
  the search on the call screen, places_for_tonight() alone, the call flow's actions, the
  renewal page, the daily figures over 7 and 31 nights; p50/p95/max and query counts;
- at once: `--concurrency PxT` = P processes × T threads (each thread its own Client and its own
  database connection), every worker running the call flow `--iterations` times: desk → log a
  call → search the household on the call screen → attach it → create tonight's request → the
  call screen (places for tonight) → orient to a place group (places held) → release → record
  the request unmet. Per-step p50/p95, throughput, and the double-booking check (places with more
  than one active Placement, places held by a placement but not marked held/occupied).

A URL answering 404 (its view not written yet) is skipped with a printed note."""

import argparse
import contextlib
import datetime
import itertools
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
DEPARTMENT = "75"


def setup_django():
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_ENV"] = "dev"
    os.environ["DEMO_MODE"] = "false"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench_emergency.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _p95(timings):
    return statistics.quantiles(timings, n=20, method="inclusive")[-1] if len(timings) >= 2 else timings[0]


class Skip(Exception):
    """A page whose view is not written yet (404), or which fails to render yet."""


# -- the handler -------------------------------------------------------------------------------


class Handler:
    """One call handler of the Paris SIAO: its actor (for the actions) and its logged-in
    Client (for the pages), in the current thread's database connection."""

    def __init__(self, n: int):
        from django.test import Client

        from bench.emergency_generate import handler_email
        from bench.measure import BACKEND
        from siao.accounts.actions import SESSION_ACTIVE_MEMBERSHIP
        from siao.accounts.actor import Actor
        from siao.accounts.enums import Role
        from siao.accounts.models import Membership

        membership = Membership.objects.select_related("user", "organization").get(
            user__email=handler_email(DEPARTMENT, n), role=Role.CALL_HANDLER
        )
        departments = set(membership.organization.departments.values_list("pk", flat=True))
        self.actor = Actor.for_membership(membership, departments)
        self.department_id = next(iter(departments))
        self.client = Client()
        self.client.force_login(membership.user, backend=BACKEND)
        session = self.client.session
        session[SESSION_ACTIVE_MEMBERSHIP] = str(membership.public_id)
        session.save()

    def get(self, url):
        response = self.client.get(url)
        if response.status_code == 404:
            raise Skip(f"{url}: 404")
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
        return response


def _page_or_skip(handler, url, notes, name):
    """GET once (warm-up); None and a printed note when the view does not exist yet."""
    if url is None:
        notes.append(f"{name}: no URL (view not written): skipped")
        return None
    try:
        handler.get(url)
    except Skip as exc:
        notes.append(f"{name}: {exc} (view not written yet): skipped")
        return None
    except Exception as exc:  # a view being written: a missing template, say
        notes.append(f"{name}: {type(exc).__name__}: {exc}: skipped")
        return None
    return url


# -- the call flow -----------------------------------------------------------------------------


FLOW = [
    "desk page",
    "log_call()",
    "call screen, search (last + first name)",
    "attach_household()",
    "create_emergency_request()",
    "call screen, pending request (places for tonight)",
    "places_for_tonight() alone",
    "orient_emergency_request()",
    "release_orientation()",
    "record_unmet()",
]


class Flow:
    """The call flow of one handler, step by step, each step timed (and its queries counted)."""

    def __init__(self, handler, households, rng, count_queries=False, pages=True, think=0.0):
        from django.urls import reverse

        self.handler, self.households, self.rng = handler, households, rng
        self.think = think  # seconds between two steps (a handler listens, types, talks)
        self.count_queries, self.pages = count_queries, pages
        self.timings = {name: [] for name in FLOW}
        self.queries = {name: set() for name in FLOW}
        self.conflicts = 0  # places taken by another handler meanwhile (refused, retried)
        self.desk_url = reverse("emergency:desk")

    def step(self, name, fn, record=True):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        if self.count_queries:
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = fn()
                elapsed = (time.perf_counter() - started) * 1000
            self.queries[name].add(len(queries))
        else:
            started = time.perf_counter()
            result = fn()
            elapsed = (time.perf_counter() - started) * 1000
        if record:
            self.timings[name].append(elapsed)
            if self.think:
                time.sleep(self.rng.uniform(0.5, 1.5) * self.think)
        return result

    def run(self, record=True):
        from django.core.exceptions import ValidationError
        from django.urls import reverse

        from siao.emergency import actions
        from siao.emergency.enums import CallerType, UnmetReason
        from siao.emergency.queries import places_for_tonight
        from siao.households.models import Household

        handler, actor = self.handler, self.handler.actor
        household_id, last_name, first_name = next(self.households)
        if self.pages:
            self.step("desk page", lambda: handler.get(self.desk_url), record)
        call = self.step("log_call()", lambda: actions.log_call(actor=actor, caller_type=CallerType.PERSON), record)
        call_url = reverse("emergency:call_detail", kwargs={"public_id": call.public_id})
        if self.pages:
            query = urlencode({"last_name": last_name, "first_name": first_name})
            self.step("call screen, search (last + first name)", lambda: handler.get(f"{call_url}?{query}"), record)
        household = Household.objects.get(pk=household_id)
        call = self.step(
            "attach_household()", lambda: actions.attach_household(actor=actor, call=call, household=household), record
        )
        request = self.step(
            "create_emergency_request()",
            lambda: actions.create_emergency_request(actor=actor, call=call, sleeping_place="street"),
            record,
        )
        if self.pages:
            self.step("call screen, pending request (places for tonight)", lambda: handler.get(call_url), record)
        groups = self.step(
            "places_for_tonight() alone",
            lambda: list(places_for_tonight(household, request.department_id)),
            record,
        )
        oriented = False
        for group in self.rng.sample(groups[:20], min(3, len(groups))):  # handlers choose differently
            try:
                request = self.step(
                    "orient_emergency_request()",
                    lambda group=group, pending=request: actions.orient_emergency_request(
                        actor=actor, emergency_request=pending, place_group=group
                    ),
                    record,
                )
            except ValidationError:
                self.conflicts += 1  # taken meanwhile: another group
                continue
            oriented = True
            break
        if oriented:
            request = self.step(
                "release_orientation()",
                lambda: actions.release_orientation(actor=actor, emergency_request=request),
                record,
            )
        self.step(
            "record_unmet()",
            lambda: actions.record_unmet(actor=actor, emergency_request=request, reason=UnmetReason.NO_PLACE),
            record,
        )


def free_households(count: int, seed: int):
    """Paris households without an emergency request tonight, with their head's names (in a
    random order: each worker takes its own slice)."""
    from siao.emergency.models import EmergencyRequest
    from siao.emergency.nights import tonight
    from siao.households.models import Household

    busy = EmergencyRequest.objects.filter(night_of=tonight()).values("household_id")
    rows = list(
        Household.objects.filter(department__code=DEPARTMENT, head__isnull=False)
        .exclude(pk__in=busy)
        .order_by("pk")
        .values_list("pk", "head__last_name", "head__first_name")
    )
    random.Random(seed).shuffle(rows)
    if len(rows) < count:
        raise RuntimeError(f"{len(rows)} free Paris households for {count} flows")
    return rows[:count]


# -- mode (a): one handler alone -----------------------------------------------------------------


def measure_alone(repeat: int, explain: bool, notes: list):
    from django.db import connection
    from django.urls import NoReverseMatch, reverse

    from bench.households import _time
    from siao.emergency.enums import EmergencyStatus
    from siao.emergency.models import EmergencyRequest
    from siao.emergency.nights import tonight
    from siao.emergency.queries import places_for_tonight

    def url(name, **kwargs):
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            return None

    handler = Handler(1)
    rows = []

    def add(name, fn, n=repeat):
        timings, queries = _time(fn, n)
        rows.append((name, timings, queries))

    # Tonight's pending requests of Paris, with their call: the call screen shows the places.
    pending = list(
        EmergencyRequest.objects.filter(
            department_id=handler.department_id, night_of=tonight(), status=EmergencyStatus.PENDING, call__isnull=False
        )
        .select_related("household", "call")
        .order_by("pk")[: repeat + 1]
    )
    print(f"Paris tonight: {len(pending)} pending requests used", file=sys.stderr)
    desk = _page_or_skip(handler, url("emergency:desk"), notes, "desk page")
    if desk:
        add("desk page (signals, tonight's open requests, my recent calls)", lambda: handler.get(desk))
    call_urls = [url("emergency:call_detail", public_id=r.call.public_id) for r in pending]
    if pending and _page_or_skip(handler, call_urls[0], notes, "call screen"):
        cycle = itertools.cycle(call_urls)
        add("call screen, household with a pending request (places for tonight)", lambda: handler.get(next(cycle)))
    cycle = itertools.cycle(pending)

    def places():
        request = next(cycle)
        list(places_for_tonight(request.household, request.department_id))

    if pending:
        add("places_for_tonight() alone", places)
    renewals = _page_or_skip(handler, url("emergency:renewal_list"), notes, "renewal page")
    if renewals:
        sheltered = EmergencyRequest.objects.filter(
            department_id=handler.department_id, status=EmergencyStatus.SHELTERED
        ).count()
        add(f"renewal page ({sheltered} sheltered households)", lambda: handler.get(renewals))
    figures = _page_or_skip(handler, url("emergency:daily_figures"), notes, "daily figures")
    if figures:
        night = tonight()
        for nights in (7, 31):
            query = urlencode(
                {"du": (night - datetime.timedelta(days=nights - 1)).isoformat(), "au": night.isoformat()}
            )
            add(f"daily figures, {nights} nights", lambda query=query: handler.get(f"{figures}?{query}"))

    # The call flow, step by step (one handler): query counts and timings per step.
    households = iter(free_households(repeat + 1, seed=1))
    flow = Flow(handler, households, random.Random(1), count_queries=True, pages=bool(desk))
    flow.run(record=False)  # warm-up
    for _ in range(repeat):
        flow.run()
    for name in FLOW:
        if flow.timings[name]:
            counts = flow.queries[name]
            queries = str(min(counts)) if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"
            rows.append((f"flow: {name}", flow.timings[name], queries))
    if explain and connection.vendor == "postgresql":
        _explain(handler, pending, desk, renewals, figures)
    return rows


def _explain(handler, pending, desk, renewals, figures):
    """EXPLAIN ANALYZE the slowest queries of each page (captured, re-run as they were sent)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from siao.emergency.queries import places_for_tonight

    request = pending[0]
    print(
        f"\n-- EXPLAIN ANALYZE places_for_tonight\n"
        f"{places_for_tonight(request.household, request.department_id).explain(analyze=True)}",
        file=sys.stderr,
    )
    from django.urls import reverse

    from siao.emergency.nights import tonight

    night = tonight()
    pages = [
        ("desk", desk),
        ("call screen", reverse("emergency:call_detail", kwargs={"public_id": request.call.public_id})),
        ("renewals", renewals),
        ("figures, 31 nights", figures and f"{figures}?du={night - datetime.timedelta(days=30)}&au={night}"),
    ]
    for name, url in pages:
        if not url:
            continue
        with CaptureQueriesContext(connection) as queries:
            handler.get(url)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        for query in slowest:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"\n-- {name}: {query['time']} s\n{query['sql'][:600]}\n{plan}", file=sys.stderr)


# -- mode (b): handlers at once ------------------------------------------------------------------


def _worker_thread(n, households, iterations, barrier, results, errors, think=0.0):
    from django.db import connection

    try:
        handler = Handler(n)
        flow = Flow(handler, iter(households), random.Random(n), think=think)
        flow.run(record=False)  # warm-up (templates, connection)
        barrier.wait()
        started = time.perf_counter()
        for _ in range(iterations):
            flow.run()
        results[n] = (flow.timings, flow.conflicts, started, time.perf_counter())
    except Exception as exc:  # reported, the others go on
        errors.append(f"handler {n}: {type(exc).__name__}: {exc}")
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.abort()
    finally:
        connection.close()


def _process(task):
    """One process: T threads, each its own handler, Client and database connection."""
    from django.db import connections

    connections.close_all()
    first, threads, iterations, households, think = task
    barrier = threading.Barrier(threads)
    results, errors = {}, []
    pool = [
        threading.Thread(
            target=_worker_thread,
            args=(
                first + k,
                households[k * (iterations + 1) : (k + 1) * (iterations + 1)],
                iterations,
                barrier,
                results,
                errors,
                think,
            ),  # fmt: skip
        )
        for k in range(threads)
    ]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results, errors


def measure_concurrent(processes: int, threads: int, iterations: int, seed: int, think: float = 0.0):
    """P processes × T threads running the call flow at once; per-step timings, throughput."""
    from django.db import connections

    workers = processes * threads
    households = free_households(workers * (iterations + 1), seed=seed)
    per = threads * (iterations + 1)
    tasks = [
        (1 + p * threads, threads, iterations, households[p * per : (p + 1) * per], think) for p in range(processes)
    ]
    connections.close_all()
    cpu = os.times()
    if processes == 1:
        outputs = [_process(tasks[0])]
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            outputs = pool.map(_process, tasks)
    cpu_after = os.times()
    results, errors = {}, []
    for result, error in outputs:
        results.update(result)
        errors += error
    if not results:
        raise RuntimeError(f"no worker finished: {errors}")
    start = min(r[2] for r in results.values())
    end = max(r[3] for r in results.values())
    timings = {name: [t for r in results.values() for t in r[0][name]] for name in FLOW}
    flows = len(results) * iterations
    return {
        "label": f"{processes} process{'es' if processes > 1 else ''} × {threads} threads"
        + (f", {think:g} s between steps" if think else ""),
        "workers": len(results),
        "timings": timings,
        "wall": end - start,
        "flows": flows,
        "conflicts": sum(r[1] for r in results.values()),
        "errors": errors,
        "cpu": (cpu_after.children_user + cpu_after.children_system - cpu.children_user - cpu.children_system)
        + (cpu_after.user + cpu_after.system - cpu.user - cpu.system),
        "double_booked": double_booking(),
    }


def double_booking() -> dict:
    from django.db.models import Count

    from siao.emergency.models import Placement
    from siao.offer.enums import PlaceState
    from siao.orientation.models import Stay

    active = Placement.objects.filter(released_at__isnull=True)
    return {
        "places with > 1 active placement": active.values("place").annotate(n=Count("pk")).filter(n__gt=1).count(),
        "active placements on a place neither held nor occupied": active.exclude(
            place__state__in=[PlaceState.HELD, PlaceState.OCCUPIED]
        ).count(),
        "places with > 1 current stay": Stay.objects.filter(ended_on__isnull=True, place__isnull=False)
        .values("place")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count(),
    }


# -- output --------------------------------------------------------------------------------------


def print_alone(rows, title):
    print(f"\n{title}\n")
    print("| step | p50 ms | p95 ms | max ms | queries |")
    print("|---|---|---|---|---|")
    for name, timings, queries in rows:
        print(f"| {name} | {statistics.median(timings):.1f} | {_p95(timings):.1f} | {max(timings):.1f} | {queries} |")


def print_concurrent(runs):
    print("\n| step | " + " | ".join(f"{run['label']} p50 | p95" for run in runs) + " |")
    print("|---|" + "---|---|" * len(runs))
    for name in FLOW:
        cells = []
        for run in runs:
            timings = run["timings"][name]
            cells.append(f"{statistics.median(timings):.0f} | {_p95(timings):.0f}" if timings else "– | –")
        print(f"| {name} | " + " | ".join(cells) + " |")
    for run in runs:
        steps = sum(len(t) for t in run["timings"].values())
        print(
            f"\n{run['label']}: {run['workers']} handlers, {run['flows']} call flows in {run['wall']:.1f} s = "
            f"{run['flows'] / run['wall']:.2f} flows/s ({steps / run['wall']:.1f} steps/s), CPU of the client "
            f"processes {run['cpu']:.0f} s, places taken meanwhile (retried) {run['conflicts']}, "
            f"double booking {run['double_booked']}" + (f", errors {run['errors'][:3]}" if run["errors"] else "")
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=5_000)
    parser.add_argument("--calls-per-day", type=int, default=300, help="national 115 calls a day (generation)")
    parser.add_argument("--days", type=int, default=60, help="nights of 115 history (generation)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--iterations", type=int, default=10, help="call flows per handler (concurrent mode)")
    parser.add_argument(
        "--concurrency", default="1x50,2x25", help="PxT runs: P processes × T threads (default 1x50,2x25)"
    )
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds between two steps of a handler (0: back to back, a stress)"
    )
    parser.add_argument("--skip-alone", action="store_true")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slow queries (PostgreSQL)")
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection

    from bench.emergency_generate import generate_emergency
    from bench.households_generate import generate_households
    from bench.offer_generate import generate_offer

    def log(line):
        print(line, file=sys.stderr, flush=True)

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    log(f"offer: {generate_offer()} ({time.perf_counter() - started:.1f} s)")
    started = time.perf_counter()
    households = generate_households(args.households, seed=args.seed, log=log)
    log(f"households: {households} ({time.perf_counter() - started:.1f} s)")
    started = time.perf_counter()
    volumes = generate_emergency(args.calls_per_day, args.days, seed=args.seed, log=log)
    log(f"115: {volumes} ({time.perf_counter() - started:.1f} s) on {connection.vendor}")
    # Outside Django's test runner, each request would close the connection (and lose the log).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    print(f"\n{connection.vendor}, {households}, {volumes}")
    notes = []
    if not args.skip_alone:
        rows = measure_alone(args.repeat, args.explain, notes)
        print_alone(rows, f"One handler alone, {args.repeat} repetitions, p50/p95/max in ms")
    runs = []
    for spec in filter(None, args.concurrency.split(",")):
        processes, threads = (int(part) for part in spec.lower().split("x"))
        if connection.vendor == "sqlite" and processes * threads > 1:  # 1x1 runs
            log(f"{spec}: SQLite has one writer (database is locked under concurrent writes): skipped")
            continue
        log(f"running {processes} × {threads} handlers, {args.iterations} call flows each…")
        runs.append(
            measure_concurrent(processes, threads, args.iterations, seed=args.seed + len(runs) + 1, think=args.think)
        )
    if runs:
        print_concurrent(runs)
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
