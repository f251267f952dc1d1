"""Retention of the audit trail: events older than the retention period are deleted in
batches; the anchor moves to the last deleted event so that the chain still verifies."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent, AuditPurgePermit
from .trail import _locked_head, record


def purge_expired_events(*, days: int | None = None, dry_run: bool = False, batch_size: int = 5000) -> int:
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    expired = AuditEvent.objects.filter(occurred_at__lt=cutoff)
    if dry_run:
        return expired.count()
    deleted = 0
    while True:
        with transaction.atomic():
            head = _locked_head()
            batch = list(expired.order_by("sequence").values_list("sequence", "hash")[:batch_size])
            if not batch:
                break
            last_sequence, last_hash = batch[-1]
            permit = AuditPurgePermit.objects.create()
            count, _ = AuditEvent.objects.filter(sequence__lte=last_sequence)._purge()
            permit.delete()
            AuditChainHead.objects.filter(pk=head.pk).update(anchor_sequence=last_sequence, anchor_hash=last_hash)
            deleted += count
    if deleted:
        record("audit.purged", data={"deleted": deleted, "retention_days": days, "before": cutoff.isoformat()})
    return deleted
