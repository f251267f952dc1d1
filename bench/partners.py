"""Benchmarks of the partner API (issue 7), not tests: webhook throughput of one worker, API
reads at national size through the real stack (django.test.Client, a real OAuth token), and
vacancy publication. Prints Markdown tables for docs/performance.md.

Needs the national offer and some households (the data of bench/offer.py and
bench/households_generate.py); adds a national operator and a partner client
(bench/partners_generate.py). PostgreSQL, on a copy (never the shared bench databases):

    createdb -U postgres -h 127.0.0.1 siao_bench_partners   # (+ _archive, _stats)
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_partners \\
        ARCHIVE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_partners_archive \\
        STATS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_partners_stats
    .venv/bin/python -m bench.households_generate --households 100000   # offer + households
    make bench-partners                       # or: .venv/bin/python -m bench.partners --events 5000
    .venv/bin/python -m bench.partners --cleanup   # removes the bench partner clients and events
"""

import argparse
import datetime
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_ENV"] = "dev"
os.environ["DEMO_MODE"] = "false"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench_partners.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# -- a partner's webhook receiver, in its own process ---------------------------------------------


def _serve(port_queue, delay: float) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

        def do_POST(self):  # noqa: N802 (http.server's name)
            self.rfile.read(int(self.headers["Content-Length"]))
            if delay:
                time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


def receiver(delay: float):
    """(process, url) of a receiver answering 200 after `delay` seconds."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_serve, args=(queue, delay), daemon=True)
    process.start()
    return process, f"http://127.0.0.1:{queue.get(timeout=10)}/webhooks"


# -- (a) webhook throughput ---------------------------------------------------------------------


def measure_webhooks(operator, events: int, delay: float, batch: int, threads: int) -> dict:
    from django.utils import timezone

    from bench.partners_generate import cleanup, partner_for
    from siao.partners.delivery import deliver_batch, new_session
    from siao.partners.enums import EventStatus, EventType
    from siao.partners.models import WebhookAttempt, WebhookEvent

    process, url = receiver(delay)
    try:
        cleanup()
        client = partner_for(operator, url).client
        now = timezone.now()
        # Three events per referral (proposed, household_accepted, withdrawn), interleaved as
        # they would be written: only the first pending event of each referral is claimable.
        keys = [str(uuid.uuid4()) for _ in range((events + 2) // 3)]
        types = [EventType.REFERRAL_PROPOSED, EventType.REFERRAL_HOUSEHOLD_ACCEPTED, EventType.REFERRAL_WITHDRAWN]
        rows = [
            WebhookEvent(
                client=client,
                type=types[n // len(keys)],
                ordering_key=keys[n % len(keys)],
                payload={"referral": {"id": keys[n % len(keys)], "status": "proposed"}},
                created_at=now,
                next_attempt_at=now,
            )
            for n in range(events)
        ]
        WebhookEvent.objects.bulk_create(rows, batch_size=2000)
        if delay == 0:
            log(explain_claim())
        session = new_session(threads)
        batches, claim_ms = 0, []
        started = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            count = deliver_batch(session, limit=batch, threads=threads)
            claim_ms.append((time.perf_counter() - t0) * 1000)
            if not count:
                break
            batches += 1
        elapsed = time.perf_counter() - started
        delivered = WebhookEvent.objects.filter(client=client, status=EventStatus.DELIVERED).count()
        attempts = WebhookAttempt.objects.filter(event__client=client).count()
        return {
            "events": events,
            "delivered": delivered,
            "attempts": attempts,
            "seconds": elapsed,
            "per_minute": delivered / elapsed * 60,
            "batches": batches,
            "batch_ms_p50": statistics.median(claim_ms[:-1] or claim_ms),
        }
    finally:
        process.terminate()
        process.join()


def explain_claim() -> str:
    """The plan of the claim query (PostgreSQL), for the record."""
    from django.db import connection
    from django.utils import timezone

    from siao.partners.delivery import claimable

    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_webhookevent")
    sql, params = claimable(timezone.now())[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


# -- (b) and (c) the API ------------------------------------------------------------------------


class Api:
    def __init__(self, registered):
        from django.test import Client

        self.registered = registered
        self.http = Client()
        self.refresh()

    def refresh(self):
        response = self.http.post(
            "/api/v1/oauth/token",
            {
                "grant_type": "client_credentials",
                "client_id": self.registered.client.client_id,
                "client_secret": self.registered.client_secret,
            },
        )
        if response.status_code != 200:
            raise RuntimeError(f"token: {response.status_code} {response.content[:300]}")
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    def get(self, path):
        response = self.http.get(path, headers=self.headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.content[:300]}")
        return response

    def post(self, path, data):
        response = self.http.post(
            path,
            data,
            content_type="application/json",
            headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        if response.status_code != 200:
            raise RuntimeError(f"POST {path}: {response.status_code} {response.content[:300]}")
        return response


def timed(calls: int, fn) -> tuple[list[float], int]:
    """Timings (ms) of `calls` calls, after one warm-up call whose queries are counted."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fn(-1)
    timings = []
    for n in range(calls):
        started = time.perf_counter()
        fn(n)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, len(queries)


def paging(api, base: str):
    """Each call reads the next page, following next_cursor; starts over at the end."""
    state = {"cursor": None, "pages": 0, "items": 0}

    def fetch(n):
        joiner = "&" if "?" in base else "?"
        path = base if state["cursor"] is None else f"{base}{joiner}cursor={state['cursor']}"
        body = api.get(path).json()
        state["pages"] += 1
        state["items"] += len(body["items"])
        state["cursor"] = body["next_cursor"]

    return fetch, state


def measure_api(operator, calls: int) -> list[tuple[str, list[float], int]]:
    from django.utils import timezone

    from bench.partners_generate import cleanup, partner_for
    from siao.offer.enums import PlaceState
    from siao.offer.models import Place, Program
    from siao.orientation.models import Referral

    cleanup()
    api = Api(partner_for(operator, ""))
    rows = []
    # (b) reads: the default page (50), then pages of 200 (the most a client may ask)
    fetch, state = paging(api, "/api/v1/places")
    rows.append(("GET /api/v1/places (default page of 50, cursor paging through the operator)", *timed(calls, fetch)))
    fetch, state = paging(api, "/api/v1/referrals")
    rows.append(("GET /api/v1/referrals (default page of 50, cursor paging)", *timed(calls, fetch)))
    api.refresh()
    fetch, state = paging(api, "/api/v1/places?limit=200")
    rows.append(("GET /api/v1/places?limit=200 (cursor paging through the operator)", *timed(calls, fetch)))
    log(f"places feed: {state['pages']} pages, {state['items']} places")
    api.refresh()
    fetch, state = paging(api, "/api/v1/programs?limit=200")
    rows.append(("GET /api/v1/programs?limit=200 (cursor paging)", *timed(calls, fetch)))
    rows.append(
        ("GET /api/v1/programs (first page, default limit)", *timed(calls, lambda n: api.get("/api/v1/programs")))
    )
    referrals = list(
        Referral.objects.filter(program__operator=operator).order_by("-pk").values_list("public_id", flat=True)[:calls]
    )
    log(f"referrals of the operator: {Referral.objects.filter(program__operator=operator).count()}")
    if referrals:
        rows.append(
            (
                "GET /api/v1/referrals/{id}",
                *timed(calls, lambda n: api.get(f"/api/v1/referrals/{referrals[n % len(referrals)]}")),
            )
        )
    api.refresh()
    # (c) vacancy publication: available places taken out (works) and published again.
    places = list(
        Place.objects.filter(place_group__program__operator=operator, state=PlaceState.AVAILABLE)
        .order_by("pk")
        .values_list("public_id", flat=True)[: max(calls, 100 * 25)]
    )
    log(f"available places of the operator used for publication: {len(places)}")
    since = (timezone.now() - datetime.timedelta(seconds=1)).isoformat().replace("+00:00", "Z")

    def state(n):
        place = places[(n // 2) % len(places)] if n >= 0 else places[0]
        body = {"state": "unavailable", "reason": "works"} if n % 2 == 0 else {"state": "available"}
        api.post(f"/api/v1/places/{place}/state", body)

    rows.append(("POST /api/v1/places/{id}/state (unavailable, then available)", *timed(2 * (calls // 2), state)))
    group = 50
    groups = [places[i : i + group] for i in range(0, len(places) - group + 1, group)]

    def vacancies(n):
        chosen = groups[(n // 2) % len(groups)] if n >= 0 else groups[0]
        item = {"state": "unavailable", "reason": "works"} if n % 2 == 0 else {"state": "available"}
        api.post("/api/v1/vacancies", {"items": [{"place": str(p), **item} for p in chosen]})

    api.refresh()
    rows.append((f"POST /api/v1/vacancies ({group} items, all or nothing)", *timed(100, vacancies)))
    # The warm-up calls left places[0] (and the first group) unavailable: published again.
    api.post("/api/v1/vacancies", {"items": [{"place": str(p), "state": "available"} for p in groups[0]]})
    api.refresh()
    rows.append(
        (
            "GET /api/v1/places?updated_since=(the publications above)&limit=200",
            *timed(calls, lambda n: api.get(f"/api/v1/places?limit=200&updated_since={since}")),
        )
    )
    total = Program.objects.filter(operator=operator).count()
    log(f"operator programs: {total}")
    return rows


def table(rows) -> str:
    lines = ["| measure | calls | p50 ms | p95 ms | max ms | queries |", "|---|---|---|---|---|---|"]
    for name, timings, queries in rows:
        p95 = statistics.quantiles(timings, n=20)[-1]
        lines.append(
            f"| {name} | {len(timings)} | {statistics.median(timings):.1f} | {p95:.1f} | {max(timings):.1f} | {queries} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--skip-webhooks", action="store_true")
    parser.add_argument("--cleanup", action="store_true", help="remove the bench partner clients, then stop")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection

    from bench.partners_generate import biggest_operator, cleanup, national_operator

    if args.cleanup:
        log(f"removed {cleanup()} bench partner client(s)")
        return
    call_command("migrate", verbosity=0)
    # Outside Django's test runner, each request would close the connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    from bench.offer_generate import generate_offer

    generate_offer()
    national_operator()
    operator, places = biggest_operator()
    log(f"partner tied to {operator.name} ({places} places) on {connection.vendor}")
    print(f"\n{connection.vendor}; operator with the most places: {places} places\n")
    if not args.skip_webhooks:
        print("| webhooks | events | delivered | seconds | deliveries/min | batch p50 ms |")
        print("|---|---|---|---|---|---|")
        for delay in (0.0, 0.05):
            result = measure_webhooks(operator, args.events, delay, args.batch_size, args.threads)
            print(
                f"| receiver answering in {delay * 1000:.0f} ms (batch {args.batch_size}, {args.threads} threads) "
                f"| {result['events']} | {result['delivered']} | {result['seconds']:.1f} "
                f"| {result['per_minute']:.0f} | {result['batch_ms_p50']:.1f} |",
                flush=True,
            )
    if not args.skip_api:
        print()
        print(table(measure_api(operator, args.calls)))
    cleanup()


if __name__ == "__main__":
    main()
