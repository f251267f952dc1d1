"""Webhook events, written to the outbox in the transaction of the change they tell: the
change and its event commit or roll back together; the worker (delivery.py) sends them.

Events are thin: identifiers, statuses and the API address to read the object. The persons
are read through the API (authenticated, audited), never carried in the outbox or its log."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .enums import EVENT_SCOPES, EventType
from .models import PartnerClient, WebhookEvent


def _clients_of(operator_id: int, event_type: str) -> list[PartnerClient]:
    scope = EVENT_SCOPES[event_type]
    clients = PartnerClient.objects.active().filter(operators=operator_id).exclude(webhook_url="")
    return [c for c in clients.only("pk", "scopes") if scope in c.scopes]


def emit(event_type: str, *, operator_id: int, ordering_key: str, data: dict) -> list[WebhookEvent]:
    """Queue `event_type` for every active partner of the operator subscribed to it. Must be
    called inside the action's transaction."""
    if event_type not in EventType.values:
        raise ValueError(event_type)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("Webhook events are written in the transaction of the change they tell.")
    now = timezone.now()
    events = [
        WebhookEvent(
            client=client,
            type=event_type,
            ordering_key=ordering_key,
            payload=data,
            created_at=now,
            next_attempt_at=now,
        )
        for client in _clients_of(operator_id, event_type)
    ]
    return WebhookEvent.objects.bulk_create(events) if events else []


def referral_data(referral) -> dict:
    return {
        "referral": {
            "id": str(referral.public_id),
            "status": referral.status,
            "program": str(referral.program.public_id),
            "url": f"/api/v1/referrals/{referral.public_id}",
        }
    }


def emit_referral(event_type: str, referral) -> list[WebhookEvent]:
    return emit(
        event_type,
        operator_id=referral.program.operator_id,
        ordering_key=str(referral.public_id),
        data=referral_data(referral),
    )


def emit_program(event_type: str, program) -> list[WebhookEvent]:
    return emit(
        event_type,
        operator_id=program.operator_id,
        ordering_key=str(program.public_id),
        data={
            "program": {
                "id": str(program.public_id),
                "validation_status": program.validation_status,
                "url": f"/api/v1/programs/{program.public_id}",
            }
        },
    )


def blocking_q() -> Q:
    """Events that hold back the later events of their key: not delivered yet, or parked."""
    from .enums import EventStatus

    return Q(status__in=[EventStatus.PENDING, EventStatus.DEAD])
