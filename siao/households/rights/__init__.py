"""The rights of households on their data (RGPD articles 12 to 21): the requests a person
makes (access, rectification, erasure, limitation, opposition), recorded on the file and
answered by the SIAO holding it within a month; and the export of everything held on a
person, which answers an access request.

Who (from siao/households/permissions.py ROLES_ALLOWED):
- recording a request: the roles that edit the file ("edit_household": Opérateur SIAO,
  Écoutant 115, Responsable de dispositif, Travailleur social), and the Administrateur SIAO,
  who receives the letters and the DPO's requests at the SIAO; on a file of their perimeter;
- answering, exporting: the Opérateur SIAO and the Administrateur SIAO of the SIAO holding
  the file (the SIAO answers for the controller); the register: they and the national
  administrator.

Recording a request moves the retention clock (an action on the file); answering, exporting
and reading do not. Every step is audited."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from siao.accounts.enums import OrganizationKind, PerimeterKind, Role
from siao.audit.reports import DATA_EXPORTED
from siao.audit.trail import record
from siao.households.actions import touch_household
from siao.households.enums import RightsRequestChannel, RightsRequestKind, RightsRequestStatus
from siao.households.models import Household, HouseholdMember, Person, RightsRequest
from siao.households.permissions import ROLES_ALLOWED

from .export import export_display, person_export

__all__ = [
    "ANSWER_ROLES",
    "RECORD_ROLES",
    "answer_rights_request",
    "can_answer_rights_requests",
    "can_record_rights_request",
    "can_view_register",
    "export_display",
    "export_person_data",
    "holds_file",
    "open_access_requests",
    "person_export",
    "record_rights_request",
    "register_for",
]

RECORD_ROLES: frozenset[str] = ROLES_ALLOWED["edit_household"] | {Role.SIAO_ADMIN}
ANSWER_ROLES: frozenset[str] = frozenset({Role.SIAO_OPERATOR, Role.SIAO_ADMIN})

RIGHTS_REQUEST_RECORDED = "households.rights_request_recorded"
RIGHTS_REQUEST_ANSWERED = "households.rights_request_answered"
TEXT_MAX_LENGTH = 5000
# A refusal gives its reasons and the remedies (RGPD article 12.4): at least a sentence, and the
# possibility of a complaint to the CNIL.
REFUSAL_MIN_LENGTH = 30
REFUSAL_TOO_SHORT = (
    f"Un refus est motivé : donnez ses motifs en une phrase au moins ({REFUSAL_MIN_LENGTH} caractères) "
    "et la possibilité de saisir la CNIL."
)
REFUSAL_WITHOUT_CNIL = (
    "Un refus mentionne la possibilité d'adresser une réclamation à la CNIL : ajoutez-la à la réponse."
)
REFUSAL_AFTER_EXPORT = (
    "Un export des données a déjà été remis pour cette demande d'accès : elle ne peut plus être refusée. "
    "Enregistrez-la comme satisfaite."
)
REPRESENTATIVE_WITHOUT_BOX = "Cochez « présentée par un représentant » ou effacez le nom."

NOT_ALLOWED = "Votre profil ne permet pas d'enregistrer une demande d'exercice des droits."
NOT_HOLDER = (
    "Seuls l'opérateur et l'administrateur du SIAO qui tient le dossier répondent aux demandes d'exercice "
    "des droits et produisent l'export des données."
)


# --- who -------------------------------------------------------------------------------------


def can_record_rights_request(actor) -> bool:
    return actor.role in RECORD_ROLES


def can_answer_rights_requests(actor) -> bool:
    return actor.role in ANSWER_ROLES and actor.perimeter.kind == PerimeterKind.SIAO


def holds_file(actor, household: Household) -> bool:
    """The actor answers for the SIAO holding the file (not a SIAO the file was only sent to)."""
    return can_answer_rights_requests(actor) and household.department_id in actor.perimeter.department_ids


def can_view_register(actor) -> bool:
    return actor.role == Role.NATIONAL_ADMIN or can_answer_rights_requests(actor)


def add_one_month(day: datetime.date) -> datetime.date:
    """The same day next month, or that month's last day (31 January → 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def register_for(actor, *, status: str = ""):
    """The rights requests of the actor's SIAO (all of them for the national administrator),
    overdue first, then by due date."""
    requests = RightsRequest.objects.select_related("household__department", "person", "organization")
    if actor.role != Role.NATIONAL_ADMIN:
        requests = requests.filter(household__department_id__in=actor.perimeter.department_ids)
    today = timezone.localdate()
    overdue = Q(status=RightsRequestStatus.RECEIVED, due_on__lt=today)
    if status == "overdue":
        requests = requests.filter(overdue)
    elif status in RightsRequestStatus.values:
        requests = requests.filter(status=status)
    late = Case(When(overdue, then=Value(1)), default=Value(0), output_field=IntegerField())
    opened = Case(When(status=RightsRequestStatus.RECEIVED, then=Value(1)), default=Value(0))
    return requests.annotate(late=late, opened=opened).order_by("-late", "-opened", "due_on", "pk")


def _siao_of(household: Household):
    from siao.accounts.models import Organization

    return (
        Organization.objects.filter(kind=OrganizationKind.SIAO, departments=household.department_id)
        .values_list("pk", flat=True)
        .first()
    )


def _clean_text(value, *, field: str, label: str, required: bool = False, errors: dict) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = f"Saisissez {label}."
    elif len(value) > TEXT_MAX_LENGTH:
        errors[field] = f"Ce texte compte au plus {TEXT_MAX_LENGTH} caractères."
    return value


def refusal_errors(answer: str) -> dict:
    """What a refusal's text lacks: its reasons (a sentence at least) or the CNIL."""
    if len(answer.strip()) < REFUSAL_MIN_LENGTH:
        return {"answer": REFUSAL_TOO_SHORT}
    if "cnil" not in answer.lower():
        return {"answer": REFUSAL_WITHOUT_CNIL}
    return {}


# --- actions ---------------------------------------------------------------------------------


@transaction.atomic
def record_rights_request(
    *,
    actor,
    household: Household,
    kind: str,
    received_on: datetime.date,
    channel: str,
    person: Person | None = None,
    by_representative: bool = False,
    representative: str = "",
    details: str = "",
) -> RightsRequest:
    """Record a request received from a person (or the whole household: `person` None)."""
    if not can_record_rights_request(actor):
        raise PermissionDenied(NOT_ALLOWED)
    if not Household.objects.visible_to(actor).filter(pk=household.pk).exists():
        raise PermissionDenied("Ce dossier n'est pas dans votre périmètre.")
    errors: dict = {}
    today = timezone.localdate()
    if kind not in RightsRequestKind.values:
        errors["kind"] = "Choisissez le droit exercé."
    if not isinstance(received_on, datetime.date):
        errors["received_on"] = "Indiquez la date de réception de la demande."
    elif received_on > today:
        errors["received_on"] = "La date de réception ne peut pas être dans le futur."
    elif received_on < today - datetime.timedelta(days=366):
        errors["received_on"] = "Une demande reçue il y a plus d'un an ne s'enregistre plus : vérifiez la date."
    if channel not in RightsRequestChannel.values:
        errors["channel"] = "Indiquez comment la demande a été reçue."
    if person is not None and not HouseholdMember.objects.filter(household=household, person=person).exists():
        errors["person"] = "Cette personne ne fait pas partie de ce ménage."
    if not by_representative and (representative or "").strip():
        errors["representative"] = REPRESENTATIVE_WITHOUT_BOX
    representative = _clean_text(
        representative if by_representative else "",
        field="representative",
        label="le nom et la qualité du représentant",
        required=bool(by_representative),
        errors=errors,
    )
    details = _clean_text(details, field="details", label="l'objet de la demande", errors=errors)
    if errors:
        raise ValidationError(errors)
    rights_request = RightsRequest.objects.create(
        household=household,
        person=person,
        kind=kind,
        received_on=received_on,
        due_on=add_one_month(received_on),
        channel=channel,
        by_representative=bool(by_representative),
        representative=representative,
        details=details,
        recorded_by=actor.user,
        organization=actor.organization,
    )
    touch_household(household)
    record(
        RIGHTS_REQUEST_RECORDED,
        actor=actor,
        obj=rights_request,
        target_organization=_siao_of(household),
        data={
            "household": str(household.public_id),
            "person": str(person.public_id) if person else "",
            "kind": kind,
            "channel": channel,
            "by_representative": bool(by_representative),
        },
    )
    return rights_request


@transaction.atomic
def answer_rights_request(
    *, actor, rights_request: RightsRequest, outcome: str, answer: str, answered_on: datetime.date | None = None
) -> RightsRequest:
    """Close the request: answered (the right was satisfied) or refused (with the reasons and
    the remedies, RGPD article 12.4). Once closed, a request is not answered again."""
    household = rights_request.household
    if not holds_file(actor, household):
        raise PermissionDenied(NOT_HOLDER)
    locked = RightsRequest.objects.select_for_update().get(pk=rights_request.pk)
    if locked.status != RightsRequestStatus.RECEIVED:
        when = f" le {locked.answered_on:%d/%m/%Y}" if locked.answered_on else ""
        raise ValidationError(
            f"Cette demande a déjà reçu une réponse{when} ({locked.get_status_display().lower()}) : elle est close.",
            code="closed",
        )
    errors: dict = {}
    today = timezone.localdate()
    answered_on = answered_on or today
    if outcome not in (RightsRequestStatus.ANSWERED, RightsRequestStatus.REFUSED):
        errors["outcome"] = "Indiquez si la demande est satisfaite ou refusée."
    label = (
        "les motifs du refus et les voies de recours (CNIL)"
        if outcome == RightsRequestStatus.REFUSED
        else "la réponse apportée à la personne"
    )
    answer = _clean_text(answer, field="answer", label=label, required=True, errors=errors)
    if outcome == RightsRequestStatus.REFUSED:
        if locked.export_count:
            errors["outcome"] = REFUSAL_AFTER_EXPORT
        if answer and "answer" not in errors:
            errors.update(refusal_errors(answer))
    if not isinstance(answered_on, datetime.date):
        errors["answered_on"] = "Indiquez la date de la réponse."
    elif answered_on > today:
        errors["answered_on"] = "La date de la réponse ne peut pas être dans le futur."
    elif answered_on < locked.received_on:
        errors["answered_on"] = "La réponse ne peut pas précéder la réception de la demande."
    if errors:
        raise ValidationError(errors)
    locked.status = outcome
    locked.answer = answer
    locked.answered_on = answered_on
    locked.answered_by = actor.user
    locked.save(update_fields=["status", "answer", "answered_on", "answered_by", "updated_at"])
    record(
        RIGHTS_REQUEST_ANSWERED,
        actor=actor,
        obj=locked,
        target_organization=_siao_of(household),
        data={"kind": locked.kind, "outcome": outcome, "late": answered_on > locked.due_on},
    )
    for name in ("status", "answer", "answered_on", "answered_by"):
        setattr(rights_request, name, getattr(locked, name))
    return locked


def open_access_requests(household: Household, person: Person):
    """The access requests an export of `person` may answer: open, of this person or of the
    whole household."""
    return household.rights_requests.filter(
        Q(person=person) | Q(person__isnull=True),
        kind=RightsRequestKind.ACCESS,
        status=RightsRequestStatus.RECEIVED,
    ).order_by("received_on", "pk")


@transaction.atomic
def export_person_data(*, actor, rights_request: RightsRequest, person: Person, output: str = "html") -> dict:
    """Everything held on `person`, given in answer to an open access request: the export is
    recorded on the request and audited on every file it covers."""
    household = rights_request.household
    if not holds_file(actor, household):
        raise PermissionDenied(NOT_HOLDER)
    locked = RightsRequest.objects.select_for_update().get(pk=rights_request.pk)
    if locked.kind != RightsRequestKind.ACCESS or locked.status != RightsRequestStatus.RECEIVED:
        raise ValidationError("L'export répond à une demande d'accès en cours : choisissez-en une ou enregistrez-la.")
    if locked.person_id not in (None, person.pk) or not household.members.filter(person=person).exists():
        raise ValidationError("Cette demande d'accès ne concerne pas cette personne.")
    export = person_export(person)
    export["export"]["prepared_by"] = actor.organization.name
    export["export"]["rights_request"] = str(locked.public_id)
    now = timezone.now()
    locked.export_count += 1
    locked.last_exported_at = now
    locked.last_exported_by = actor.user
    locked.save(update_fields=["export_count", "last_exported_at", "last_exported_by", "updated_at"])
    for file in export["households"]:
        record(
            DATA_EXPORTED,
            actor=actor,
            object_type="households.household",
            object_id=file["file"]["file_number"],
            target_organization=_siao_of(household),
            data={"rights_request": str(locked.public_id), "person": str(person.public_id), "format": output},
        )
    for name in ("export_count", "last_exported_at", "last_exported_by"):
        setattr(rights_request, name, getattr(locked, name))
    return export
