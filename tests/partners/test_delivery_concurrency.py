"""Two webhook workers at once (PostgreSQL: SKIP LOCKED): never the same event twice within a
lease, never two events of one key in flight together, every key delivered in order.

SQLite serializes write transactions (and the in-memory test database locks its tables), so
these run on PostgreSQL: `DATABASE_URL=postgres://… pytest tests/partners`."""

import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from siao.partners import delivery
from siao.partners.enums import EventStatus, EventType
from siao.partners.models import WebhookEvent
from siao.partners.outbox import emit
from tests.orientation.helpers import World

from .helpers import register
from .test_delivery import Receiver, assert_delivered_in_order

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="SQLite serializes write transactions: no real concurrency"
    ),
    pytest.mark.django_db(transaction=True),
]

KEYS = 30
EVENTS_PER_KEY = 4


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


def outbox(receiver):
    world = World.build()
    register([world.target.operator], webhook_url=receiver.url)
    operator_id = world.target.operator_id
    # Interleaved: the events of one key are spread over the table.
    for n in range(EVENTS_PER_KEY):
        with transaction.atomic():
            for k in range(KEYS):
                emit(
                    EventType.REFERRAL_PROPOSED,
                    operator_id=operator_id,
                    ordering_key=f"key-{k:02}",
                    data={"referral": {"id": f"key-{k:02}", "n": n}},
                )
    return KEYS * EVENTS_PER_KEY


def in_threads(target, count=2):
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait()
            target(index)
        except Exception as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_two_claims_at_once_share_the_due_events_without_overlap(receiver):
    outbox(receiver)
    claimed = {}

    def claim(index):
        claimed[index] = delivery.claim(100)

    in_threads(claim)
    ids = [event.pk for events in claimed.values() for event in events]
    assert len(ids) == len(set(ids))  # no event leased twice
    keys = [event.ordering_key for events in claimed.values() for event in events]
    assert Counter(keys).most_common(1)[0][1] == 1  # one event per key in flight
    assert len(keys) == KEYS  # the first event of each key, and only it
    first = {e.ordering_key: e.pk for e in WebhookEvent.objects.order_by("-pk")}
    assert all(first[event.ordering_key] == event.pk for events in claimed.values() for event in events)


def test_two_workers_deliver_every_event_once_in_order(receiver, monkeypatch):
    total = outbox(receiver)
    receiver.delay = 0.002
    leases = []
    lock = threading.Lock()
    real_claim = delivery.claim

    def recording_claim(limit, now=None, lease_seconds=None):
        events = real_claim(limit, now=now, lease_seconds=lease_seconds)
        with lock:
            leases.extend((threading.get_ident(), event.pk, event.lease) for event in events)
        return events

    monkeypatch.setattr(delivery, "claim", recording_claim)
    workers = Counter()

    def work(index):
        session = delivery.new_session(3)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            count = delivery.deliver_batch(session, limit=7, threads=3)
            workers[index] += count
            if not count:
                if not WebhookEvent.objects.filter(status=EventStatus.PENDING).exists():
                    return
                time.sleep(0.005)

    in_threads(work)
    # Each event claimed once (the leases never ended here), delivered once, in order per key.
    assert Counter(pk for _, pk, _ in leases).most_common(1)[0][1] == 1
    assert len(leases) == total
    assert len(receiver.accepted()) == total
    assert_delivered_in_order(receiver)
    assert sum(workers.values()) == total
