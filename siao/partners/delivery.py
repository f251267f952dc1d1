"""The webhook worker: claims due events from the outbox, signs and posts them, retries with
exponential backoff, parks them as dead after WEBHOOK_MAX_ATTEMPTS.

At least once, in order per key: an event is claimed only when no earlier event of its
client and key is still pending or dead; a claim is a lease (`locked_until`), so the events
of a worker killed mid-delivery are claimed again when the lease ends. Receivers
deduplicate by the event id (`SIAO-Webhook-Id`)."""

import datetime
import hashlib
import hmac
import json
import math
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from requests.adapters import HTTPAdapter

from .credentials import webhook_secrets
from .enums import EventStatus
from .models import WebhookAttempt, WebhookEvent
from .outbox import blocking_q

SIGNATURE_HEADER = "SIAO-Webhook-Signature"
TIMESTAMP_HEADER = "SIAO-Webhook-Timestamp"
ID_HEADER = "SIAO-Webhook-Id"
TYPE_HEADER = "SIAO-Webhook-Event"


def body_of(event: WebhookEvent) -> bytes:
    document = {
        "id": str(event.event_id),
        "type": event.type,
        "created_at": event.created_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "data": event.payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """`v1=` HMAC-SHA256 over "<id>.<timestamp>.<body>" with the client's webhook secret."""
    message = f"{event_id}.{timestamp}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(event: WebhookEvent, body: bytes, now: int | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": "SI-SIAO-Webhooks/1",
        ID_HEADER: str(event.event_id),
        TYPE_HEADER: event.type,
        TIMESTAMP_HEADER: str(timestamp),
        # Space-separated: two signatures during a secret's rotation, the current one first.
        SIGNATURE_HEADER: " ".join(
            signature(secret, str(event.event_id), timestamp, body) for secret in webhook_secrets(event.client)
        ),
    }


def backoff(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min… with ±10 % jitter so that retries don't align, capped at
    WEBHOOK_RETRY_MAX_SECONDS (1 h) jitter included."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** min(max(attempts - 1, 0), 32)
    jittered = base * random.uniform(0.9, 1.1)  # noqa: S311 (jitter, not a secret)
    return datetime.timedelta(seconds=min(jittered, settings.WEBHOOK_RETRY_MAX_SECONDS))


def claimable(now):
    """Due, not leased (or the lease ended), of an active client, and no earlier event of its
    key still pending or dead. Walks the partial index `webhook_pending_due`; the check of
    earlier events uses `webhook_order_key`."""
    earlier_blocking = WebhookEvent.objects.filter(
        blocking_q(), client_id=OuterRef("client_id"), ordering_key=OuterRef("ordering_key"), id__lt=OuterRef("id")
    )
    return (
        WebhookEvent.objects.filter(status=EventStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .filter(client__is_active=True)
        .exclude(Exists(earlier_blocking))
        .order_by("next_attempt_at", "id")
    )


def lease_for(limit: int, threads: int) -> int:
    """A lease long enough for a whole batch whose receivers all time out, so that a slow batch
    is not claimed again by another worker while it is still being delivered."""
    rounds = math.ceil(max(limit, 1) / max(threads, 1))
    return max(settings.WEBHOOK_LEASE_SECONDS, math.ceil(rounds * settings.WEBHOOK_TIMEOUT_SECONDS) + 5)


def claim(limit: int, now=None, lease_seconds: int | None = None) -> list[WebhookEvent]:
    """Lease up to `limit` due events (PostgreSQL: SKIP LOCKED, so that workers share). Each
    event carries its lease (`event.lease`): settling checks it, so that a worker whose lease
    ended and whose events were claimed again changes nothing but the log."""
    now = now or timezone.now()
    lease = now + datetime.timedelta(seconds=lease_seconds or settings.WEBHOOK_LEASE_SECONDS)
    with transaction.atomic():
        queryset = claimable(now)
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        events = list(queryset.select_related("client")[:limit])
        if events:
            WebhookEvent.objects.filter(pk__in=[e.pk for e in events]).update(locked_until=lease)
    for event in events:
        event.locked_until = event.lease = lease
    return events


@dataclass
class Outcome:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int


def post(session: requests.Session, event: WebhookEvent) -> Outcome:
    body = body_of(event)
    started = time.monotonic()
    try:
        response = session.post(
            event.client.webhook_url,
            data=body,
            headers=signed_headers(event, body),
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return Outcome(False, None, network_error(exc)[:500], int((time.monotonic() - started) * 1000))
    duration = int((time.monotonic() - started) * 1000)
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code, "", duration)
    return Outcome(False, response.status_code, f"Le partenaire a répondu HTTP {response.status_code}.", duration)


def network_error(exc: requests.RequestException) -> str:
    """What the delivery log says, in French; the exception's class for the technical team."""
    if isinstance(exc, requests.Timeout):
        reason = f"Pas de réponse du partenaire dans le délai ({settings.WEBHOOK_TIMEOUT_SECONDS:g} s)."
    elif isinstance(exc, requests.exceptions.SSLError):
        reason = "Échec de la connexion sécurisée (certificat TLS du partenaire)."
    elif isinstance(exc, requests.ConnectionError):
        reason = "Connexion impossible à l'adresse du partenaire (refusée ou injoignable)."
    else:
        reason = "Erreur réseau lors de l'envoi."
    return f"{reason} ({type(exc).__name__})"


def settle(event: WebhookEvent, outcome: Outcome, now=None) -> None:
    settle_many([(event, outcome)], now=now)


def settle_many(results: list[tuple[WebhookEvent, Outcome]], now=None) -> None:
    """Write a batch's attempts and the events' new states in one transaction: the attempts in
    one insert, the delivered events in one update, each failure in its own (its backoff and
    error are its own). An event whose lease is no longer ours (it ended and another worker
    claimed the event again, or it was delivered meanwhile) changes nothing but the log."""
    if not results:
        return
    now = now or timezone.now()
    delivered: dict[datetime.datetime, list[int]] = {}
    with transaction.atomic():
        WebhookAttempt.objects.bulk_create(
            WebhookAttempt(
                event_id=event.pk,
                attempted_at=now,
                succeeded=outcome.ok,
                status_code=outcome.status_code,
                duration_ms=outcome.duration_ms,
                error=outcome.error,
            )
            for event, outcome in results
        )
        for event, outcome in results:
            if outcome.ok:
                delivered.setdefault(_lease_of(event), []).append(event.pk)
                continue
            attempts = event.attempts + 1
            if attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                values = {"status": EventStatus.DEAD}
            else:
                values = {"next_attempt_at": now + backoff(attempts)}
            WebhookEvent.objects.filter(pk=event.pk, status=EventStatus.PENDING, locked_until=_lease_of(event)).update(
                attempts=F("attempts") + 1, locked_until=None, last_error=outcome.error, **values
            )
        for lease, pks in delivered.items():
            WebhookEvent.objects.filter(pk__in=pks, status=EventStatus.PENDING, locked_until=lease).update(
                attempts=F("attempts") + 1,
                locked_until=None,
                status=EventStatus.DELIVERED,
                delivered_at=now,
                last_error="",
            )


def _lease_of(event: WebhookEvent):
    return getattr(event, "lease", event.locked_until)


def new_session(threads: int = 8) -> requests.Session:
    """A session whose connection pool keeps one connection per thread to each receiver."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=16, pool_maxsize=max(threads, 1))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def deliver_batch(session: requests.Session, limit: int = 50, threads: int = 8) -> int:
    """Claim and deliver one batch; the events of one key are never in flight together."""
    events = claim(limit, lease_seconds=lease_for(limit, threads))
    if not events:
        return 0
    if threads <= 1 or len(events) == 1:
        outcomes = [post(session, event) for event in events]
    else:
        with ThreadPoolExecutor(max_workers=min(threads, len(events))) as pool:
            outcomes = list(pool.map(lambda e: post(session, e), events))
    settle_many(list(zip(events, outcomes, strict=True)))
    return len(events)


def deliver_due(limit: int = 50, threads: int = 8, session: requests.Session | None = None) -> int:
    """Deliver until nothing is due (tests and `webhook_worker --once`)."""
    session = session or new_session(threads)
    total = 0
    while True:
        count = deliver_batch(session, limit=limit, threads=threads)
        if not count:
            return total
        total += count
