"""The webhook worker against a real HTTP receiver on 127.0.0.1: signatures (and their
rotation), backoff, dead letters and replay, and the fault tests of issue 7: the worker killed
mid-delivery, the partner's endpoint down for an hour then back."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from siao.orientation import actions as orientation
from siao.partners import actions, delivery
from siao.partners.enums import EventStatus, EventType
from siao.partners.models import WebhookAttempt, WebhookEvent
from siao.partners.outbox import emit
from tests.factories import household_with
from tests.orientation.helpers import World

from .helpers import national_admin, register

pytestmark = pytest.mark.django_db


class Receiver:
    """A partner's webhook endpoint: records every delivery (in arrival order) and answers
    200, or `fail_with` (500…); `stop()` closes the port (connection refused), `start()`
    opens it again on the same port."""

    def __init__(self):
        self.deliveries: list[dict] = []
        self.fail_with: int | None = None
        self.delay = 0.0
        self.lock = threading.Lock()
        self.server = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks"

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.delay:
                    threading.Event().wait(receiver.delay)
                status = receiver.fail_with or 200
                with receiver.lock:
                    receiver.deliveries.append(
                        {
                            "headers": dict(self.headers),
                            "body": body,
                            "status": status,
                            "thread": threading.get_ident(),
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[dict]:
        """The deliveries answered 200, as documents."""
        with self.lock:
            return [json.loads(d["body"]) for d in self.deliveries if d["status"] == 200]

    def first_deliveries(self) -> list[dict]:
        """Each event once, at its first accepted delivery, in arrival order."""
        seen, result = set(), []
        for document in self.accepted():
            if document["id"] not in seen:
                seen.add(document["id"])
                result.append(document)
        return result


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


def partner_of(world, receiver, **kwargs):
    return register([world.target.operator], webhook_url=receiver.url, **kwargs)


def key_of(document) -> str:
    return document["data"]["referral"]["id"]


def events_by_key() -> dict[str, list[str]]:
    """The outbox's events per key, in creation order."""
    order: dict[str, list[str]] = {}
    for key, event_id in WebhookEvent.objects.order_by("pk").values_list("ordering_key", "event_id"):
        order.setdefault(key, []).append(str(event_id))
    return order


def assert_delivered_in_order(receiver):
    """Every event delivered at least once, none lost or dead, and for each key the receiver
    saw the first delivery of its events in their creation order."""
    expected = events_by_key()
    assert sum(map(len, expected.values())) > 0
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {EventStatus.DELIVERED}
    seen: dict[str, list[str]] = {}
    for document in receiver.first_deliveries():
        seen.setdefault(key_of(document), []).append(document["id"])
    assert seen == expected


def emit_for(operator_id, key, count, event_type=EventType.REFERRAL_PROPOSED):
    with transaction.atomic():
        for n in range(count):
            emit(event_type, operator_id=operator_id, ordering_key=key, data={"referral": {"id": key, "n": n}})


def new_referral(world):
    world.household = household_with(program=world.origin)
    return world.oriented()


def verify(secret: str, headers: dict, body: bytes) -> list[bool]:
    message = f"{headers['SIAO-Webhook-Id']}.{headers['SIAO-Webhook-Timestamp']}.".encode() + body
    expected = "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return [hmac.compare_digest(expected, candidate) for candidate in headers["SIAO-Webhook-Signature"].split()]


# -- signature -----------------------------------------------------------------------------------


def test_a_delivery_is_signed_over_id_timestamp_and_body(receiver):
    world = World.build()
    partner = partner_of(world, receiver)
    referral = world.oriented()
    assert delivery.deliver_due() == 1
    [received] = receiver.deliveries
    headers, body = received["headers"], received["body"]
    assert verify(partner.webhook_secret, headers, body) == [True]
    assert abs(int(headers["SIAO-Webhook-Timestamp"]) - timezone.now().timestamp()) < 5
    assert headers["SIAO-Webhook-Event"] == "referral.proposed"
    document = json.loads(body)
    assert document["id"] == headers["SIAO-Webhook-Id"]
    assert document["data"]["referral"]["id"] == str(referral.public_id)
    # Thin events: no person in the body.
    assert "persons" not in body.decode() and "household" not in document["data"]["referral"]
    # A changed body, id or timestamp does not verify.
    assert verify(partner.webhook_secret, headers, body + b" ") == [False]
    assert verify(partner.webhook_secret, {**headers, "SIAO-Webhook-Timestamp": "1"}, body) == [False]
    assert verify("whsec_other", headers, body) == [False]
    event = WebhookEvent.objects.get()
    assert (event.status, event.attempts, event.locked_until) == (EventStatus.DELIVERED, 1, None)
    attempt = WebhookAttempt.objects.get()
    assert attempt.succeeded and attempt.status_code == 200


def test_two_signatures_during_a_webhook_secret_rotation(receiver, time_machine):
    time_machine.move_to(timezone.now(), tick=True)
    world = World.build(places=2)
    partner = partner_of(world, receiver)
    old = partner.webhook_secret
    new = actions.rotate_webhook_secret(actor=national_admin(), client=partner.client, grace_days=7)
    assert new != old
    new_referral(world)
    delivery.deliver_due()
    headers, body = receiver.deliveries[-1]["headers"], receiver.deliveries[-1]["body"]
    # The current secret's signature first, then the previous one's.
    assert verify(new, headers, body) == [True, False]
    assert verify(old, headers, body) == [False, True]
    # After the overlap, only the new secret signs.
    time_machine.shift(datetime.timedelta(days=8))
    new_referral(world)
    delivery.deliver_due()
    headers, body = receiver.deliveries[-1]["headers"], receiver.deliveries[-1]["body"]
    assert verify(new, headers, body) == [True]
    assert verify(old, headers, body) == [False]


def test_a_rotation_without_overlap_signs_with_the_new_secret_only(receiver):
    world = World.build()
    partner = partner_of(world, receiver)
    new = actions.rotate_webhook_secret(actor=national_admin(), client=partner.client, grace_days=0)
    world.oriented()
    delivery.deliver_due()
    headers, body = receiver.deliveries[-1]["headers"], receiver.deliveries[-1]["body"]
    assert verify(new, headers, body) == [True]
    assert verify(partner.webhook_secret, headers, body) == [False]


# -- backoff, dead letters, replay ---------------------------------------------------------------


def test_backoff_grows_and_caps(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_SECONDS = 3600
    for attempts, base in [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 960), (7, 1920)]:
        for _ in range(20):
            assert base * 0.9 <= delivery.backoff(attempts).total_seconds() <= base * 1.1
    for attempts in (8, 9, 15, 100, 10_000):
        for _ in range(20):
            assert 3600 * 0.9 <= delivery.backoff(attempts).total_seconds() <= 3600


def test_a_failed_delivery_is_retried_later_and_later(receiver, time_machine, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 15
    time_machine.move_to(timezone.now(), tick=True)
    world = World.build()
    partner_of(world, receiver)
    world.oriented()
    receiver.fail_with = 500
    delays = []
    for _ in range(5):
        started = timezone.now()
        assert delivery.deliver_due() == 1
        event = WebhookEvent.objects.get()
        assert event.status == EventStatus.PENDING and event.locked_until is None
        assert event.last_error == "Le partenaire a répondu HTTP 500."
        delays.append((event.next_attempt_at - started).total_seconds())
        assert delivery.deliver_due() == 0  # not due yet
        time_machine.move_to(event.next_attempt_at + datetime.timedelta(seconds=1), tick=True)
    assert WebhookEvent.objects.get().attempts == 5
    assert all(later > earlier * 1.5 for earlier, later in zip(delays, delays[1:], strict=False)), delays
    assert [a.status_code for a in WebhookAttempt.objects.order_by("pk")] == [500] * 5
    receiver.fail_with = None
    assert delivery.deliver_due() == 1
    assert WebhookEvent.objects.get().status == EventStatus.DELIVERED


def test_dead_after_max_attempts_holds_its_key_back_until_replayed_in_order(receiver, time_machine, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    time_machine.move_to(timezone.now(), tick=True)
    world = World.build()
    partner = partner_of(world, receiver)
    operator_id = world.target.operator_id
    emit_for(operator_id, "key-a", 3)
    emit_for(operator_id, "key-b", 2)
    receiver.fail_with = 503
    for _ in range(3):
        delivery.deliver_due()
        time_machine.shift(datetime.timedelta(hours=2))
    statuses = dict(WebhookEvent.objects.values_list("payload__referral__n", "status").filter(ordering_key="key-a"))
    assert statuses == {0: EventStatus.DEAD, 1: EventStatus.PENDING, 2: EventStatus.PENDING}
    assert WebhookEvent.objects.filter(status=EventStatus.DEAD).count() == 2  # the first of each key
    assert WebhookEvent.objects.get(ordering_key="key-a", payload__referral__n=0).attempts == 3
    # The receiver is back, but a dead event holds the later events of its key back.
    receiver.fail_with = None
    time_machine.shift(datetime.timedelta(hours=2))
    assert delivery.deliver_due() == 0
    assert receiver.accepted() == []
    # Replayed: delivered again, in their order.
    assert actions.replay_events(actor=national_admin(), client=partner.client) == 2
    assert delivery.deliver_due() == 5
    assert_delivered_in_order(receiver)


def test_replay_of_chosen_events(receiver, time_machine, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    time_machine.move_to(timezone.now(), tick=True)
    world = World.build()
    partner = partner_of(world, receiver)
    emit_for(world.target.operator_id, "key-a", 2)
    emit_for(world.target.operator_id, "key-b", 1)
    receiver.fail_with = 500
    delivery.deliver_due()
    dead = list(WebhookEvent.objects.filter(status=EventStatus.DEAD).order_by("pk"))
    assert [e.ordering_key for e in dead] == ["key-a", "key-b"]
    receiver.fail_with = None
    assert actions.replay_events(actor=national_admin(), client=partner.client, events=[dead[1]]) == 1
    delivery.deliver_due()
    assert [key_of(d) for d in receiver.accepted()] == ["key-b"]
    assert WebhookEvent.objects.get(pk=dead[0].pk).status == EventStatus.DEAD
    actions.replay_events(actor=national_admin(), client=partner.client)
    delivery.deliver_due()
    assert_delivered_in_order(receiver)


def test_events_of_an_inactive_client_wait(receiver):
    world = World.build()
    partner = partner_of(world, receiver)
    world.oriented()
    actions.set_client_active(actor=national_admin(), client=partner.client, active=False)
    assert delivery.deliver_due() == 0
    actions.set_client_active(actor=national_admin(), client=partner.client, active=True)
    assert delivery.deliver_due() == 1


def test_a_settle_after_the_lease_was_lost_changes_only_the_log(receiver, time_machine, settings):
    """A slow worker whose lease ended: another worker claimed the event again and delivered
    it; the slow worker's failure must not put the event back in the queue."""
    time_machine.move_to(timezone.now(), tick=True)
    world = World.build()
    partner_of(world, receiver)
    world.oriented()
    [slow] = delivery.claim(10)
    time_machine.shift(datetime.timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS + 1))
    [fast] = delivery.claim(10)
    assert delivery.deliver_due() == 0  # leased by `fast`
    delivery.settle(slow, delivery.Outcome(False, 500, "HTTP 500", 10))
    event = WebhookEvent.objects.get()
    assert (event.status, event.attempts, event.locked_until) == (EventStatus.PENDING, 0, fast.lease)
    delivery.settle(fast, delivery.Outcome(True, 200, "", 10))
    event.refresh_from_db()
    assert (event.status, event.attempts) == (EventStatus.DELIVERED, 1)
    assert WebhookAttempt.objects.count() == 2


def test_the_worker_command_once_delivers(receiver):
    world = World.build()
    partner_of(world, receiver)
    world.oriented()
    call_command("webhook_worker", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(receiver.accepted()) == 1
    assert WebhookEvent.objects.get().status == EventStatus.DELIVERED


# -- fault tests (issue 7) -----------------------------------------------------------------------


def lifecycle(world, count):
    """`count` referrals, each with its events proposed → household_accepted → withdrawn,
    made step by step across the referrals so that their events interleave in the outbox."""
    referrals = [new_referral(world) for _ in range(count)]
    referrals = [
        orientation.decide_referral(actor=world.manager, referral=referral, accept=True) for referral in referrals
    ]
    for referral in referrals:
        orientation.record_household_acceptance(actor=world.siao, referral=referral)
    for referral in referrals[: count // 2]:
        orientation.withdraw_referral(actor=world.siao, referral=referral)
    return referrals


class Killed(Exception):
    """The worker process dying."""


@pytest.mark.parametrize("dies", ["before_posting", "after_posting"])
def test_the_worker_killed_mid_delivery(receiver, time_machine, monkeypatch, settings, dies):
    time_machine.move_to(timezone.now(), tick=True)
    world = World.build(places=6)
    partner_of(world, receiver)
    lifecycle(world, 4)
    total = WebhookEvent.objects.count()
    assert total == 4 + 4 + 2

    with monkeypatch.context() as patch:
        if dies == "before_posting":

            def post(session, event):
                raise Killed

            patch.setattr(delivery, "post", post)
        else:

            def settle_many(results, now=None):
                raise Killed

            patch.setattr(delivery, "settle_many", settle_many)
        with pytest.raises(Killed):
            delivery.deliver_batch(delivery.new_session(), limit=50, threads=4)
    leased = WebhookEvent.objects.filter(locked_until__gt=timezone.now())
    assert leased.count() == 4  # the first event of each referral, leased, never settled
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {EventStatus.PENDING}
    assert len(receiver.accepted()) == (4 if dies == "after_posting" else 0)
    # Another worker finds nothing while the lease runs…
    assert delivery.deliver_due() == 0
    # …and everything once it has ended.
    time_machine.shift(datetime.timedelta(seconds=delivery.lease_for(50, 4) + 1))
    assert delivery.deliver_due() == total
    assert_delivered_in_order(receiver)
    duplicates = len(receiver.accepted()) - total
    assert duplicates == (4 if dies == "after_posting" else 0)  # at least once: the receiver deduplicates


def test_the_endpoint_down_for_an_hour_then_back(receiver, time_machine, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 15
    time_machine.move_to(timezone.now(), tick=True)
    world = World.build(places=8)
    partner_of(world, receiver)
    lifecycle(world, 6)
    # More events keep coming while the partner is down (in another referral, and a program).
    total = WebhookEvent.objects.count()
    assert total == 6 + 6 + 3
    started = timezone.now()
    # Down: the port closed (connection refused) for half an hour, then answering 503.
    receiver.stop()
    runs = 0
    while timezone.now() < started + datetime.timedelta(hours=1):
        if timezone.now() >= started + datetime.timedelta(minutes=30) and receiver.fail_with is None:
            receiver.fail_with = 503
            receiver.start()
        delivery.deliver_due()
        runs += 1
        time_machine.shift(datetime.timedelta(minutes=3))
    assert receiver.accepted() == []
    assert WebhookEvent.objects.filter(status=EventStatus.DELIVERED).count() == 0
    assert not WebhookEvent.objects.filter(status=EventStatus.DEAD).exists()
    first = WebhookEvent.objects.order_by("pk").first()
    assert first.attempts >= 6  # retried along the hour with a growing backoff
    errors = set(WebhookAttempt.objects.values_list("error", flat=True))
    assert "Le partenaire a répondu HTTP 503." in errors and any(
        e.startswith("Connexion impossible") for e in errors
    ), errors
    # Back.
    receiver.fail_with = None
    for _ in range(40):
        delivery.deliver_due()
        if not WebhookEvent.objects.filter(status=EventStatus.PENDING).exists():
            break
        time_machine.shift(datetime.timedelta(minutes=5))
    assert_delivered_in_order(receiver)
    # Once back, at most one backoff period (≤ 1 h) before each key is delivered.
    assert timezone.now() - started < datetime.timedelta(hours=2, minutes=10)
