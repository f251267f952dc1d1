"""Creation requests: anyone (no account needed) asks for an operator and/or a program to be
created; the SIAO administrators of the département are told, and the staff answer it."""

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Membership
from siao.audit.trail import record
from siao.geo.models import Department
from siao.offer.access_requests import creation_requests_visible_to
from siao.offer.models import CreationRequest, CreationRequestStatus

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: a reference read over the phone or copied by hand stays unambiguous.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 6

PER_IP_PER_HOUR_DEFAULT = 5
PER_HOUR_DEFAULT = 200

TOO_MANY_FROM_ADDRESS_MESSAGE = (
    "Vous avez déjà envoyé plusieurs demandes depuis ce poste au cours de la dernière heure. Votre demande n'a "
    "pas été enregistrée : réessayez dans une heure, ou adressez-vous directement au SIAO de votre département."
)
TOO_MANY_OVERALL_MESSAGE = (
    "Le service reçoit en ce moment un nombre inhabituel de demandes. Votre demande n'a pas été enregistrée : "
    "réessayez dans une heure, ou adressez-vous directement au SIAO de votre département."
)
ALREADY_ANSWERED_MESSAGE = "Cette demande a déjà reçu une réponse : elle ne peut plus être modifiée."


class RequestRefused(Exception):
    """The request was not recorded; `message` is what the requester reads (French)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class CreationRequestInput:
    requester_first_name: str
    requester_last_name: str
    requester_email: str
    operator_name: str
    operator_siren: str
    department: Department
    requester_phone: str = ""
    requester_role: str = ""
    program_type: str = ""
    program_name: str = ""
    program_siret: str = ""
    description: str = ""


def new_reference(year: int | None = None) -> str:
    year = year or timezone.localdate().year
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"DEM-{year}-{suffix}"


def _check_rate_limits(client_ip: str | None) -> None:
    since = timezone.now() - datetime.timedelta(hours=1)
    recent = CreationRequest.objects.filter(created_at__gte=since)
    per_ip = getattr(settings, "OFFER_CREATION_REQUESTS_PER_IP_PER_HOUR", PER_IP_PER_HOUR_DEFAULT)
    if client_ip and recent.filter(client_ip=client_ip).count() >= per_ip:
        raise RequestRefused(TOO_MANY_FROM_ADDRESS_MESSAGE, "throttled_ip")
    overall = getattr(settings, "OFFER_CREATION_REQUESTS_PER_HOUR", PER_HOUR_DEFAULT)
    if recent.count() >= overall:
        raise RequestRefused(TOO_MANY_OVERALL_MESSAGE, "throttled_overall")


@transaction.atomic
def submit_creation_request(
    *, data: CreationRequestInput, client_ip: str | None, site_url: str = ""
) -> CreationRequest:
    """Record a public request (no actor), tell the requester and the département's SIAO
    administrators. Refused, with nothing saved, past the hourly limits."""
    _check_rate_limits(client_ip)
    creation_request = CreationRequest(
        requester_first_name=data.requester_first_name,
        requester_last_name=data.requester_last_name,
        requester_email=data.requester_email,
        requester_phone=data.requester_phone,
        requester_role=data.requester_role,
        operator_name=data.operator_name,
        operator_siren=data.operator_siren,
        program_type=data.program_type,
        program_name=data.program_name,
        program_siret=data.program_siret,
        department=data.department,
        description=data.description,
        client_ip=client_ip,
    )
    for attempt in range(5):
        creation_request.reference = new_reference()
        try:
            with transaction.atomic():
                creation_request.save(force_insert=True)
        except IntegrityError:
            # A reference already taken (one chance in a billion): draw another one.
            creation_request.pk = None
            if attempt == 4:
                raise
        else:
            break
    record(
        "offer.creation_request_received",
        obj=creation_request,
        data={
            "reference": creation_request.reference,
            "department": data.department.code,
            "program_type": data.program_type,
        },
    )
    transaction.on_commit(lambda: _notify_received(creation_request, site_url))
    return creation_request


def _siao_admin_emails(department: Department) -> list[str]:
    return sorted(
        set(
            Membership.objects.active()
            .filter(
                role=Role.SIAO_ADMIN, organization__kind=OrganizationKind.SIAO, organization__departments=department
            )
            .values_list("user__email", flat=True)
        )
    )


def _notify_received(creation_request: CreationRequest, site_url: str) -> None:
    # The requester's address is not verified: the confirmation repeats nothing the form's
    # author typed, so that the form cannot relay someone's text to a third party.
    send_mail(
        subject=f"Votre demande de création {creation_request.reference} a bien été reçue",
        message=render_to_string(
            "offer/requests/emails/received_requester.txt", {"creation_request": creation_request}
        ),
        from_email=None,
        recipient_list=[creation_request.requester_email],
    )
    recipients = _siao_admin_emails(creation_request.department)
    if not recipients:
        logger.warning(
            "Demande de création %s : aucun administrateur SIAO actif pour le département %s.",
            creation_request.reference,
            creation_request.department.code,
        )
        return
    url = site_url + reverse("offer:request_detail", args=[creation_request.public_id])
    send_mail(
        subject=f"Nouvelle demande de création {creation_request.reference} ({creation_request.department})",
        message=render_to_string(
            "offer/requests/emails/received_siao.txt", {"creation_request": creation_request, "url": url}
        ),
        from_email=None,
        recipient_list=recipients,
    )


def record_creation_request_viewed(*, actor, creation_request: CreationRequest) -> None:
    """A request holds the requester's personal data: reading it is traced."""
    record(
        "offer.creation_request_viewed",
        actor=actor,
        obj=creation_request,
        data={"reference": creation_request.reference},
    )


ANSWER_STATUSES = {
    CreationRequestStatus.HANDLED: "offer.creation_request_handled",
    CreationRequestStatus.REJECTED: "offer.creation_request_rejected",
}


@transaction.atomic
def handle_creation_request(*, actor, request: CreationRequest, status: str, answer: str) -> CreationRequest:
    """Answer a new request: handled (the operator or program is being created) or rejected
    (with a reason). The requester is told by email."""
    if status not in ANSWER_STATUSES:
        raise ValidationError({"status": "Choisissez « Traitée » ou « Rejetée »."})
    answer = (answer or "").strip()
    if status == CreationRequestStatus.REJECTED and not answer:
        raise ValidationError({"answer": "Indiquez le motif du rejet : il sera transmis au demandeur."})
    # Locked and re-read within the actor's territory: two administrators answering at once,
    # the second is told it is already answered.
    locked = creation_requests_visible_to(actor).select_for_update(of=("self",)).filter(pk=request.pk).first()
    if locked is None:
        raise PermissionDenied("Cette demande n'est pas de votre ressort.")
    if locked.status != CreationRequestStatus.NEW:
        raise ValidationError(ALREADY_ANSWERED_MESSAGE, code="already_answered")
    locked.status, locked.answer = status, answer
    locked.handled_by, locked.handled_at = actor.user, timezone.now()
    locked.save(update_fields=["status", "answer", "handled_by", "handled_at", "updated_at"])
    record(
        ANSWER_STATUSES[status],
        actor=actor,
        obj=locked,
        data={"reference": locked.reference, "status": status},
    )
    transaction.on_commit(lambda: _notify_answered(locked))
    return locked


def _notify_answered(creation_request: CreationRequest) -> None:
    rejected = creation_request.status == CreationRequestStatus.REJECTED
    send_mail(
        subject=(
            f"Votre demande de création {creation_request.reference} "
            f"{'n’a pas été retenue' if rejected else 'a été traitée'}"
        ),
        message=render_to_string(
            "offer/requests/emails/rejected.txt" if rejected else "offer/requests/emails/handled.txt",
            {"creation_request": creation_request},
        ),
        from_email=None,
        recipient_list=[creation_request.requester_email],
    )
