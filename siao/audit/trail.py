"""The one API to write to the audit trail: `record(...)`. Call it inside the transaction of
the action it records, so that the event and the change commit or roll back together."""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from siao.core.context import get_request_context

from .models import AuditChainHead, AuditEvent

HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "action",
    "actor_user_id",
    "actor_email",
    "actor_role",
    "actor_organization_id",
    "actor_organization_name",
    "target_organization_id",
    "object_type",
    "object_id",
    "ip_address",
    "correlation_id",
    "data",
    "prev_hash",
)


def compute_hash(event: AuditEvent) -> str:
    values = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if name == "occurred_at":
            value = value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
        values[name] = value
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def object_reference(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(getattr(obj, "public_id", obj.pk))


def record(
    action: str,
    *,
    actor=None,
    user=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    target_organization=None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one event. `actor` (request.actor) gives who, with the active role and
    organization; `user` alone is for events without a role yet (logins, failed logins)."""
    if obj is not None:
        object_type, object_id = object_reference(obj)
    context = get_request_context()
    membership = getattr(actor, "membership", None)
    user = getattr(actor, "user", None) or user
    event = AuditEvent(
        occurred_at=timezone.now(),
        action=action,
        actor_user_id=user.pk if user else None,
        actor_email=user.email if user else "",
        actor_role=membership.role if membership else "",
        actor_organization_id=membership.organization_id if membership else None,
        actor_organization_name=membership.organization.name if membership else "",
        target_organization_id=getattr(target_organization, "pk", target_organization),
        object_type=object_type,
        object_id=str(object_id),
        ip_address=context.ip_address if context else None,
        correlation_id=context.correlation_id if context else "",
        data=json.loads(json.dumps(data or {}, default=str)),
    )
    with transaction.atomic():
        head = _locked_head()
        event.sequence = head.sequence + 1
        event.prev_hash = head.last_hash
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.sequence, head.last_hash = event.sequence, event.hash
        head.save(update_fields=["sequence", "last_hash"])
    return event


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head, _ = AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    broken_sequence: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_sequence is None


def verify_chain(batch_size: int = 5000) -> ChainCheck:
    """Recompute every hash in order; name the first broken link."""
    head = AuditChainHead.objects.filter(pk=1).first()
    expected_sequence = (head.anchor_sequence if head else 0) + 1
    previous_hash = head.anchor_hash if head else ""
    checked = 0
    # Only up to the head read above: events appended while the check runs are left for the next.
    events = AuditEvent.objects.filter(sequence__lte=head.sequence if head else 0)
    for event in events.order_by("sequence").iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            return ChainCheck(checked, event.sequence, f"numéro attendu {expected_sequence} : un événement manque")
        if event.prev_hash != previous_hash:
            return ChainCheck(checked, event.sequence, "l'empreinte précédente ne correspond pas")
        if compute_hash(event) != event.hash:
            return ChainCheck(checked, event.sequence, "le contenu de l'événement a été modifié")
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    # Also when nothing is left after the anchor: an emptied trail is a broken one.
    if head and (head.sequence != expected_sequence - 1 or head.last_hash != previous_hash):
        return ChainCheck(checked, expected_sequence, "les derniers événements ont été supprimés")
    return ChainCheck(checked)
