"""Changes to a program's complementary information and to an operator's description, after
their creation."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from siao.accounts.actor import Actor
from siao.accounts.models import Organization
from siao.audit.trail import record
from siao.offer.models import Program
from siao.offer.permissions import can_edit_operator, can_edit_program_complements

COMPLEMENT_FIELDS = [
    "commune",
    "address",
    "address_complement",
    "postal_code",
    "city",
    "contact_phone",
    "contact_email",
    "cancel_non_smo_authorizations",
    "crod_coverage",
    "starts_on",
    "ends_on",
]
OPERATOR_FIELDS = [
    "name",
    "legal_status",
    "address",
    "postal_code",
    "city",
    "accreditation",
    "collective_agreement",
    "p177_agreement",
    "referents",
]


def _changed(instance, values: dict, fields: list[str]) -> list[str]:
    changed = []
    for name in fields:
        if name in values and getattr(instance, name) != values[name]:
            setattr(instance, name, values[name])
            changed.append(name)
    return changed


@transaction.atomic
def update_program_complements(*, actor: Actor, program: Program, values: dict) -> list[str]:
    locked = Program.objects.select_for_update(of=("self",)).get(pk=program.pk)
    if not can_edit_program_complements(actor, locked):
        raise PermissionDenied("Votre profil ne permet pas de modifier ce dispositif.")
    changed = _changed(locked, values, COMPLEMENT_FIELDS)
    if changed:
        locked.full_clean(exclude=["operator", "department", "publics", "orienting_siaos"])
        locked.save(update_fields=[*changed, "updated_at"])
        record(
            "offer.program_updated",
            actor=actor,
            obj=locked,
            target_organization=locked.operator,
            data={"fields": changed},
        )
    return changed


@transaction.atomic
def update_operator(*, actor: Actor, operator: Organization, values: dict) -> list[str]:
    locked = Organization.objects.select_for_update(of=("self",)).get(pk=operator.pk)
    if not can_edit_operator(actor, locked):
        raise PermissionDenied("Votre profil ne permet pas de modifier cette entité gestionnaire.")
    changed = _changed(locked, values, OPERATOR_FIELDS)
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
        record("offer.operator_updated", actor=actor, obj=locked, target_organization=locked, data={"fields": changed})
    return changed
