"""Shared helpers of the program tests."""

from siao.accounts.actor import Actor
from siao.audit.models import AuditEvent


def actor_for(membership) -> Actor:
    department_ids = set(membership.organization.departments.values_list("pk", flat=True))
    return Actor.for_membership(membership, department_ids, [membership])


def actions_recorded() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
