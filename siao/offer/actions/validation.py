"""The validation circuits of a program: pre-validation by the Administrateur SIAO, then
validation by the Administrateur départemental (or directly by the SIAO for the seed's
"cas particuliers"), refusal with a reason at each step. Each transition is audited and told
to the requester (and, after a pre-validation, to the DDETS that must validate)."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Membership, Organization
from siao.audit.trail import record
from siao.offer.enums import ValidationStatus
from siao.offer.models import Program
from siao.offer.permissions import can_prevalidate_program, can_refuse_program, can_validate_program
from siao.partners.enums import EventType
from siao.partners.outbox import emit_program

DECIDED = frozenset({ValidationStatus.VALIDATED, ValidationStatus.REFUSED})
REFUSAL_REASON_MAX_LENGTH = 2000


def _lock(program: Program) -> Program:
    return (
        Program.objects.select_for_update(of=("self",))
        .select_related("operator", "department", "submitted_by")
        .get(pk=program.pk)
    )


def _ensure_allowed(actor, locked: Program, expected_status: str, predicate: Callable) -> None:
    """A program decided (or moved on) since the actor's page was shown is a race lost, told
    as such; anything else the predicate refuses is a permission matter."""
    if locked.validation_status in DECIDED or locked.validation_status != expected_status:
        raise ValidationError(
            f"Ce dispositif a déjà été traité : il est maintenant « {locked.get_validation_status_display()} ». "
            "Rechargez la page.",
            code="already_decided",
        )
    if not predicate(actor, locked):
        raise PermissionDenied("Votre profil actif ne peut pas prendre cette décision sur ce dispositif.")


def _program_url(program: Program, site_url: str) -> str:
    return f"{site_url}{reverse('offer:program_detail', args=[program.public_id])}"


def _send(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    if recipients:
        send_mail(
            subject=subject,
            message=render_to_string(f"offer/programs/emails/{template}", context),
            from_email=None,
            recipient_list=recipients,
        )


def _tell_requester(program: Program, *, template: str, subject: str, site_url: str) -> None:
    requester = program.submitted_by
    if requester is None or not requester.email:
        return
    context = {"program": program, "requester": requester, "url": _program_url(program, site_url)}
    transaction.on_commit(lambda: _send(subject, template, context, [requester.email]))


def department_admin_emails(program: Program) -> list[str]:
    """The DDETS administrators of the program's département (active memberships only)."""
    return sorted(
        set(
            Membership.objects.active()
            .filter(
                role=Role.DEPARTMENT_ADMIN,
                organization__kind=OrganizationKind.STATE_DEPARTMENT,
                organization__departments=program.department_id,
            )
            .values_list("user__email", flat=True)
        )
    )


@transaction.atomic
def prevalidate_program(*, actor, program: Program, expected_status: str | None = None, site_url: str = "") -> Program:
    """The Administrateur SIAO's pre-validation: the program goes to the DDETS for validation."""
    expected = expected_status or program.validation_status
    program = _lock(program)
    _ensure_allowed(actor, program, expected, can_prevalidate_program)
    program.validation_status = ValidationStatus.PREVALIDATED
    program.prevalidated_by, program.prevalidated_at = actor.user, timezone.now()
    program.save(update_fields=["validation_status", "prevalidated_by", "prevalidated_at", "updated_at"])
    record("offer.program_prevalidated", actor=actor, obj=program, target_organization=program.operator)
    _tell_requester(
        program,
        template="program_prevalidated.txt",
        subject=f"Votre dispositif « {program.name} » est pré-validé",
        site_url=site_url,
    )
    recipients = department_admin_emails(program)
    context = {"program": program, "actor": actor, "url": _program_url(program, site_url)}
    transaction.on_commit(
        lambda: _send(f"Dispositif à valider : « {program.name} »", "program_to_validate.txt", context, recipients)
    )
    return program


@transaction.atomic
def validate_program(*, actor, program: Program, expected_status: str | None = None, site_url: str = "") -> Program:
    """The final validation: the program is open to orientations (within its dates), and an
    operator created through the wizard becomes valid with its first program."""
    expected = expected_status or program.validation_status
    program = _lock(program)
    _ensure_allowed(actor, program, expected, can_validate_program)
    program.validation_status = ValidationStatus.VALIDATED
    program.validated_by, program.validated_at = actor.user, timezone.now()
    program.save(update_fields=["validation_status", "validated_by", "validated_at", "updated_at"])
    record("offer.program_validated", actor=actor, obj=program, target_organization=program.operator)
    emit_program(EventType.PROGRAM_VALIDATED, program)
    operator = program.operator
    newly_valid = Organization.objects.filter(pk=operator.pk, validation_status=ValidationStatus.SUBMITTED).update(
        validation_status=ValidationStatus.VALIDATED, updated_at=timezone.now()
    )
    if newly_valid:
        operator.validation_status = ValidationStatus.VALIDATED
        record(
            "offer.operator_validated",
            actor=actor,
            obj=operator,
            target_organization=operator,
            data={"with_program": str(program.public_id)},
        )
    operator.departments.add(program.department_id)
    _tell_requester(
        program,
        template="program_validated.txt",
        subject=f"Votre dispositif « {program.name} » est validé",
        site_url=site_url,
    )
    return program


@transaction.atomic
def refuse_program(
    *, actor, program: Program, reason: str, expected_status: str | None = None, site_url: str = ""
) -> Program:
    """A refusal, at either step, always with a reason the requester reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du refus : il est transmis au demandeur."})
    if len(reason) > REFUSAL_REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Le motif ne peut pas dépasser {REFUSAL_REASON_MAX_LENGTH} caractères."})
    expected = expected_status or program.validation_status
    program = _lock(program)
    _ensure_allowed(actor, program, expected, can_refuse_program)
    from_status = program.validation_status
    program.validation_status = ValidationStatus.REFUSED
    program.refused_by, program.refused_at, program.refusal_reason = actor.user, timezone.now(), reason
    program.save(update_fields=["validation_status", "refused_by", "refused_at", "refusal_reason", "updated_at"])
    record(
        "offer.program_refused",
        actor=actor,
        obj=program,
        target_organization=program.operator,
        data={"from_status": from_status, "reason": reason},
    )
    _tell_requester(
        program,
        template="program_refused.txt",
        subject=f"Votre dispositif « {program.name} » n'a pas été validé",
        site_url=site_url,
    )
    emit_program(EventType.PROGRAM_REFUSED, program)
    return program
