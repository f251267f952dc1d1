"""The insertion request lifecycle (DOMAIN.md "Households, requests, orientation, stays"):

draft (à compléter) → transmitted (with préconisations) → [sent back: à mettre à jour] →
waiting (checked complete) → oriented (one or several referrals) → the program accepts or
refuses; the household may refuse → admission (a stay starts, the place is occupied) → exit
(the stay ends, the place is freed, the request is closed). Also: cancel and reactivate,
transfer to another first-contact service, priority, direct admission (pseudo-request).

Every action: permission first (PermissionDenied), then validation (ValidationError in French,
nothing changed), rows locked (select_for_update) so that two users at once are serialized,
one transaction with its audit event, and the household's retention clock moved."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from siao.audit.trail import record
from siao.households.actions import touch_household
from siao.households.enums import ExitDestination, HousingSituation, RequestReason
from siao.households.models import Accompaniment, Household
from siao.offer.actions.places import apply_place_state
from siao.offer.enums import PlaceState, ProgramType
from siao.offer.models import Place, Program
from siao.partners.enums import EventType
from siao.partners.outbox import emit_referral

from .eligibility import program_refusal
from .enums import (
    ACTIVE_REFERRAL_STATUSES,
    OPEN_STATUSES,
    REQUEST_TRANSITIONS,
    CancelReason,
    ExitReason,
    HouseholdRefusalReason,
    Priority,
    ProgramRefusalReason,
    ReferralStatus,
    RequestKind,
    RequestStatus,
)
from .models import Recommendation, Referral, Request, RequestStatusChange, Stay
from .permissions import (
    ROLES_ALLOWED,
    can_admit,
    can_decide_referral,
    can_edit_request,
    can_end_stay,
    can_record_household_refusal,
    can_review_request,
)

MAX_TEXT = 5000
UPDATABLE_STATUSES = (RequestStatus.DRAFT, RequestStatus.TO_UPDATE, RequestStatus.TRANSMITTED, RequestStatus.WAITING)


# -- helpers ---------------------------------------------------------------------------------


def _status_label(status: str) -> str:
    return RequestStatus(status).label


def _lock_request(request: Request) -> Request:
    return Request.objects.select_for_update(of=("self",)).select_related("household").get(pk=request.pk)


def _lock_referral(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("request__household", "program")
        .get(pk=referral.pk)
    )


def _move(request: Request, to_status: str, *, actor, comment: str = "") -> None:
    """Change the request's status along REQUEST_TRANSITIONS, with its history."""
    if to_status not in REQUEST_TRANSITIONS[request.status]:
        raise ValidationError(
            f"Une demande « {_status_label(request.status)} » ne peut pas passer à « {_status_label(to_status)} ».",
            code="transition",
        )
    RequestStatusChange.objects.create(
        request=request, from_status=request.status, to_status=to_status, comment=comment, changed_by=actor.user
    )
    request.status = to_status
    request.version += 1


def _save(request: Request, *fields: str) -> None:
    request.save(update_fields=["status", "version", "updated_at", *fields])


def _clean_text(value: str, label: str, *, required: bool = False, field: str | None = None) -> str:
    value = (value or "").strip()
    key = field or label
    if required and not value:
        raise ValidationError({key: f"Indiquez {label}."})
    if len(value) > MAX_TEXT:
        raise ValidationError({key: f"Le texte ne peut pas dépasser {MAX_TEXT} caractères."})
    return value


def _check_request_fields(reason, housing_situation, recommendations) -> list[str]:
    errors = {}
    if reason is not None and reason not in RequestReason.values:
        errors["reason"] = "Choisissez un motif de demande parmi ceux proposés."
    if housing_situation is not None and housing_situation not in HousingSituation.values:
        errors["housing_situation"] = "Choisissez une situation résidentielle parmi celles proposées."
    recommendations = list(dict.fromkeys(recommendations or []))
    if any(value not in ProgramType.values for value in recommendations):
        errors["recommendations"] = "Choisissez les types de dispositifs préconisés parmi ceux proposés."
    if errors:
        raise ValidationError(errors)
    return recommendations


def _set_recommendations(request: Request, recommendations: list[str]) -> None:
    request.recommendations.exclude(program_type__in=recommendations).delete()
    existing = set(request.recommendations.values_list("program_type", flat=True))
    Recommendation.objects.bulk_create(
        Recommendation(request=request, program_type=value) for value in recommendations if value not in existing
    )


def _siao_departments(actor) -> frozenset[int]:
    return actor.perimeter.department_ids


def _withdraw_active_referrals(request: Request, *, actor, comment: str) -> None:
    """The request's referrals still in progress are withdrawn (cancelled, or admitted elsewhere)."""
    now = timezone.now()
    for referral in request.referrals.active().select_related("program").select_for_update(of=("self",)):
        referral.status, referral.decided_by, referral.decided_at = ReferralStatus.WITHDRAWN, actor.user, now
        referral.decision_comment = comment
        referral.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
        emit_referral(EventType.REFERRAL_WITHDRAWN, referral)


def _start_stay(*, household_id, program, place, request, started_on, actor, referral=None) -> Stay:
    """The stay, on a place already locked and occupied; the database's one-current-stay-per-place
    constraint is the last guard."""
    try:
        with transaction.atomic():
            return Stay.objects.create(
                household_id=household_id,
                program=program,
                place=place,
                request=request,
                referral=referral,
                started_on=started_on,
                admitted_by=actor.user,
            )
    except IntegrityError:
        raise ValidationError(
            {"place": ValidationError("Cette place est déjà occupée.", code="place_taken")}
        ) from None


def _back_to_waiting_if_no_active_referral(request: Request, *, actor) -> None:
    if request.status == RequestStatus.ORIENTED and not request.referrals.active().exists():
        _move(request, RequestStatus.WAITING, actor=actor, comment="Aucune orientation en cours.")
        _save(request)


# -- the prescriber's side -------------------------------------------------------------------


@transaction.atomic
def create_request(
    *,
    actor,
    household: Household,
    reason: int | None = None,
    housing_situation: int | None = None,
    recommendations=(),
    comment: str = "",
    department=None,
) -> Request:
    """A draft insertion request ("à compléter") for a household the actor sees."""
    from siao.households.permissions import can_view_household

    if actor.role not in ROLES_ALLOWED["create_request"] or not can_view_household(actor, household):
        raise PermissionDenied("Vous ne pouvez pas créer de demande pour ce ménage.")
    recommendations = _check_request_fields(reason, housing_situation, recommendations)
    comment = _clean_text(comment, "les éléments de la demande", field="comment")
    program = actor.membership.program if actor.membership.program_id else None
    if program is not None:
        department_id = program.department_id
    elif department is not None:
        department_id = department.pk
    else:
        department_id = household.department_id
    if not actor.membership.program_id and department_id not in _siao_departments(actor):
        raise ValidationError({"department": "Vous ne pouvez adresser une demande qu'à votre SIAO."})
    request = Request.objects.create(
        household=household,
        kind=RequestKind.INSERTION,
        department_id=department_id,
        origin_program=program,
        reason=reason,
        housing_situation=housing_situation,
        comment=comment,
        created_by=actor.user,
    )
    _set_recommendations(request, recommendations)
    RequestStatusChange.objects.create(request=request, to_status=RequestStatus.DRAFT, changed_by=actor.user)
    touch_household(household.pk)
    record(
        "orientation.request_created",
        actor=actor,
        obj=request,
        data={"household": str(household.public_id), "reason": reason, "recommendations": recommendations},
    )
    return request


@transaction.atomic
def update_request(
    *,
    actor,
    request: Request,
    reason: int | None,
    housing_situation: int | None,
    recommendations=(),
    comment: str = "",
) -> Request:
    request = _lock_request(request)
    if not can_edit_request(actor, request):
        raise PermissionDenied("Vous ne pouvez pas modifier cette demande.")
    if request.status not in UPDATABLE_STATUSES:
        raise ValidationError(
            f"Une demande « {_status_label(request.status)} » ne peut plus être modifiée.", code="transition"
        )
    recommendations = _check_request_fields(reason, housing_situation, recommendations)
    request.comment = _clean_text(comment, "les éléments de la demande", field="comment")
    request.reason, request.housing_situation = reason, housing_situation
    request.version += 1
    request.save(update_fields=["reason", "housing_situation", "comment", "version", "updated_at"])
    _set_recommendations(request, recommendations)
    touch_household(request.household_id)
    record(
        "orientation.request_updated",
        actor=actor,
        obj=request,
        data={"reason": reason, "housing_situation": housing_situation, "recommendations": recommendations},
    )
    return request


def missing_for_transmission(request: Request) -> list[str]:
    """What a request lacks before it can be transmitted (French, for the page too)."""
    missing = []
    if request.reason is None:
        missing.append("le motif de la demande")
    if request.housing_situation is None:
        missing.append("la situation résidentielle actuelle")
    if not request.recommendations.exists():
        missing.append("au moins une préconisation (type de dispositif)")
    household = request.household
    if not household.head_id:
        missing.append("la personne de référence du ménage")
    if not household.composition_id:
        missing.append("la composition familiale")
    return missing


@transaction.atomic
def transmit_request(*, actor, request: Request) -> Request:
    """To the SIAO. The first transmission starts the seniority; a retransmission after an
    update keeps it."""
    request = _lock_request(request)
    if actor.role not in ROLES_ALLOWED["transmit_request"] or not can_edit_request(actor, request):
        raise PermissionDenied("Vous ne pouvez pas transmettre cette demande.")
    _move(request, RequestStatus.TRANSMITTED, actor=actor)  # refuses what isn't a draft or to update
    missing = missing_for_transmission(request)
    if missing:
        raise ValidationError("La demande est incomplète : indiquez " + ", ".join(missing) + ".", code="incomplete")
    now = timezone.now()
    if request.transmitted_at is None:
        request.transmitted_at = now
        request.seniority_from = now
    request.sent_back_reason = ""
    _save(request, "transmitted_at", "seniority_from", "sent_back_reason")
    touch_household(request.household_id)
    record("orientation.request_transmitted", actor=actor, obj=request, data={"version": request.version})
    return request


@transaction.atomic
def cancel_request(*, actor, request: Request, reason: str, comment: str = "") -> Request:
    request = _lock_request(request)
    allowed = actor.role in ROLES_ALLOWED["cancel_request"] and (
        can_edit_request(actor, request) or can_review_request(actor, request)
    )
    if not allowed:
        raise PermissionDenied("Vous ne pouvez pas annuler cette demande.")
    if reason not in CancelReason.values:
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    comment = _clean_text(comment, "des précisions", field="comment")
    if reason == CancelReason.OTHER and not comment:
        raise ValidationError({"comment": "Précisez le motif de l'annulation."})
    before = request.status
    _move(request, RequestStatus.CANCELLED, actor=actor, comment=comment)
    _withdraw_active_referrals(request, actor=actor, comment="Demande annulée.")
    request.status_before_cancel = RequestStatus.WAITING if before == RequestStatus.ORIENTED else before
    request.cancel_reason, request.cancel_comment = reason, comment
    _save(request, "status_before_cancel", "cancel_reason", "cancel_comment")
    touch_household(request.household_id)
    record("orientation.request_cancelled", actor=actor, obj=request, data={"reason": reason, "from": before})
    return request


@transaction.atomic
def reactivate_request(*, actor, request: Request) -> Request:
    request = _lock_request(request)
    allowed = actor.role in ROLES_ALLOWED["cancel_request"] and (
        can_edit_request(actor, request) or can_review_request(actor, request)
    )
    if not allowed:
        raise PermissionDenied("Vous ne pouvez pas réactiver cette demande.")
    if request.status != RequestStatus.CANCELLED:
        raise ValidationError("Seule une demande annulée peut être réactivée.", code="transition")
    _move(request, request.status_before_cancel or RequestStatus.DRAFT, actor=actor, comment="Réactivation.")
    request.status_before_cancel, request.cancel_reason, request.cancel_comment = "", "", ""
    _save(request, "status_before_cancel", "cancel_reason", "cancel_comment")
    touch_household(request.household_id)
    record("orientation.request_reactivated", actor=actor, obj=request, data={"to": request.status})
    return request


@transaction.atomic
def transfer_request(*, actor, request: Request, to_program: Program, comment: str = "") -> Request:
    """Hand the request (and the household's accompaniment) to another first-contact service
    or program of the same département."""
    request = _lock_request(request)
    allowed = actor.role in ROLES_ALLOWED["transfer_request"] and (
        can_edit_request(actor, request) or can_review_request(actor, request)
    )
    if not allowed:
        raise PermissionDenied("Vous ne pouvez pas transférer cette demande.")
    if request.status not in OPEN_STATUSES:
        raise ValidationError(
            f"Une demande « {_status_label(request.status)} » ne peut plus être transférée.", code="transition"
        )
    if to_program.pk == request.origin_program_id:
        raise ValidationError({"to_program": "La demande est déjà instruite par ce service."})
    if to_program.validation_status != "validated" or not Program.objects.open().filter(pk=to_program.pk).exists():
        raise ValidationError({"to_program": "Choisissez un service validé et ouvert."})
    if to_program.department_id != request.department_id:
        raise ValidationError({"to_program": "Choisissez un service du département de la demande."})
    comment = _clean_text(comment, "des précisions", field="comment")
    previous = request.origin_program_id
    today = timezone.localdate()
    if previous:
        Accompaniment.objects.filter(
            household_id=request.household_id, program_id=previous, ended_on__isnull=True
        ).update(ended_on=today)
    Accompaniment.objects.get_or_create(
        household_id=request.household_id, program=to_program, ended_on=None, defaults={"started_by": actor.user}
    )
    request.origin_program = to_program
    request.version += 1
    request.save(update_fields=["origin_program", "version", "updated_at"])
    RequestStatusChange.objects.create(
        request=request,
        from_status=request.status,
        to_status=request.status,
        comment=f"Transférée à « {to_program.name} ». {comment}".strip(),
        changed_by=actor.user,
    )
    touch_household(request.household_id)
    record(
        "orientation.request_transferred",
        actor=actor,
        obj=request,
        target_organization=to_program.operator_id,
        data={"from_program": previous, "to_program": str(to_program.public_id)},
    )
    return request


# -- the SIAO's side ---------------------------------------------------------------------------


def _ensure_reviewer(actor, request: Request) -> None:
    if not can_review_request(actor, request):
        raise PermissionDenied("Cette demande ne relève pas de votre SIAO.")


@transaction.atomic
def mark_request_complete(*, actor, request: Request) -> Request:
    request = _lock_request(request)
    _ensure_reviewer(actor, request)
    if request.status != RequestStatus.TRANSMITTED:
        raise ValidationError(
            f"Une demande « {_status_label(request.status)} » ne peut pas être déclarée complète.", code="transition"
        )
    _move(request, RequestStatus.WAITING, actor=actor, comment="Dossier complet.")
    _save(request)
    touch_household(request.household_id)
    record("orientation.request_checked", actor=actor, obj=request)
    return request


@transaction.atomic
def send_back_request(*, actor, request: Request, reason: str) -> Request:
    """ "À mettre à jour": back to the prescriber with what to complete."""
    request = _lock_request(request)
    _ensure_reviewer(actor, request)
    reason = _clean_text(reason, "ce qui doit être complété", required=True, field="reason")
    _move(request, RequestStatus.TO_UPDATE, actor=actor, comment=reason)
    request.sent_back_reason = reason
    _save(request, "sent_back_reason")
    touch_household(request.household_id)
    record("orientation.request_sent_back", actor=actor, obj=request)
    return request


@transaction.atomic
def set_request_priority(*, actor, request: Request, priority: int, comment: str = "") -> Request:
    request = _lock_request(request)
    _ensure_reviewer(actor, request)
    if priority not in Priority.values:
        raise ValidationError({"priority": "Choisissez une priorité parmi celles proposées."})
    if request.status not in (RequestStatus.TRANSMITTED, RequestStatus.WAITING, RequestStatus.ORIENTED):
        raise ValidationError("La priorité ne se règle que sur une demande en cours au SIAO.", code="transition")
    comment = _clean_text(comment, "des précisions", field="comment")
    before = request.priority
    request.priority = priority
    request.version += 1
    request.save(update_fields=["priority", "version", "updated_at"])
    touch_household(request.household_id)
    record("orientation.request_priority_set", actor=actor, obj=request, data={"from": before, "to": priority})
    return request


@transaction.atomic
def orient_request(*, actor, request: Request, programs, place: Place | None = None, comment: str = "") -> list:
    """Propose the household to one or several programs (the SIAO may put several candidates
    on one vacancy: a referral never holds the place)."""
    request = _lock_request(request)
    _ensure_reviewer(actor, request)
    if actor.role not in ROLES_ALLOWED["orient_request"]:
        raise PermissionDenied("Vous ne pouvez pas orienter de demande.")
    programs = list(dict.fromkeys(programs))
    if not programs:
        raise ValidationError({"programs": "Choisissez au moins un dispositif."})
    if request.status not in (RequestStatus.TRANSMITTED, RequestStatus.WAITING, RequestStatus.ORIENTED):
        raise ValidationError(
            f"Une demande « {_status_label(request.status)} » ne peut pas être orientée.", code="transition"
        )
    comment = _clean_text(comment, "un commentaire", field="comment")
    household = request.household
    errors = [
        message
        for program in programs
        if (message := program_refusal(program, household, _siao_departments(actor))) is not None
    ]
    already = set(request.referrals.active().filter(program__in=programs).values_list("program__name", flat=True))
    errors += [f"Le ménage est déjà orienté vers « {name} »." for name in sorted(already)]
    if place is not None:
        place = Place.objects.select_related("place_group").get(pk=place.pk)
        if len(programs) != 1 or place.place_group.program_id != programs[0].pk:
            errors.append("La place choisie doit appartenir au dispositif choisi.")
        elif place.state not in (PlaceState.AVAILABLE, PlaceState.HELD):
            errors.append("Cette place n'est plus disponible.")
    if errors:
        raise ValidationError({"programs": errors})
    referrals = []
    for program in programs:
        try:
            with transaction.atomic():
                referral = Referral.objects.create(
                    request=request, program=program, place=place, comment=comment, proposed_by=actor.user
                )
        except IntegrityError:  # the same orientation made at the same time by someone else
            raise ValidationError({"programs": f"Le ménage est déjà orienté vers « {program.name} »."}) from None
        referrals.append(referral)
        record(
            "orientation.referral_proposed",
            actor=actor,
            obj=referral,
            target_organization=program.operator_id,
            data={"request": str(request.public_id), "program": str(program.public_id)},
        )
        emit_referral(EventType.REFERRAL_PROPOSED, referral)
    _move(request, RequestStatus.ORIENTED, actor=actor, comment=", ".join(p.name for p in programs))
    _save(request)
    touch_household(request.household_id)
    return referrals


@transaction.atomic
def withdraw_referral(*, actor, referral: Referral, comment: str = "") -> Referral:
    referral = _lock_referral(referral)
    request = _lock_request(referral.request)
    _ensure_reviewer(actor, request)
    if referral.status not in ACTIVE_REFERRAL_STATUSES:
        raise ValidationError("Cette orientation n'est plus en cours.", code="transition")
    referral.status, referral.decided_by, referral.decided_at = ReferralStatus.WITHDRAWN, actor.user, timezone.now()
    referral.decision_comment = _clean_text(comment, "un commentaire", field="comment")
    referral.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
    _back_to_waiting_if_no_active_referral(request, actor=actor)
    touch_household(request.household_id)
    record(
        "orientation.referral_withdrawn", actor=actor, obj=referral, target_organization=referral.program.operator_id
    )
    emit_referral(EventType.REFERRAL_WITHDRAWN, referral)
    return referral


# -- the program's side ------------------------------------------------------------------------


@transaction.atomic
def decide_referral(*, actor, referral: Referral, accept: bool, reason: str = "", comment: str = "") -> Referral:
    """The Responsable de dispositif met the household: accepted, or refused with a reason."""
    referral = _lock_referral(referral)
    if not can_decide_referral(actor, referral):
        raise PermissionDenied("Cette orientation ne concerne pas votre dispositif.")
    if referral.status != ReferralStatus.PROPOSED:
        raise ValidationError(
            f"Cette orientation est déjà « {ReferralStatus(referral.status).label} ».", code="transition"
        )
    comment = _clean_text(comment, "un commentaire", field="comment")
    if not accept:
        if reason not in ProgramRefusalReason.values:
            raise ValidationError({"reason": "Indiquez le motif du refus."})
        if reason == ProgramRefusalReason.OTHER and not comment:
            raise ValidationError({"comment": "Précisez le motif du refus."})
    referral.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.REFUSED_BY_PROGRAM
    referral.program_refusal_reason = "" if accept else reason
    referral.decision_comment, referral.decided_by, referral.decided_at = comment, actor.user, timezone.now()
    referral.save(
        update_fields=[
            "status",
            "program_refusal_reason",
            "decision_comment",
            "decided_by",
            "decided_at",
            "updated_at",
        ]
    )
    request = _lock_request(referral.request)
    if not accept:
        _back_to_waiting_if_no_active_referral(request, actor=actor)
    touch_household(request.household_id)
    record(
        "orientation.referral_accepted" if accept else "orientation.referral_refused",
        actor=actor,
        obj=referral,
        target_organization=referral.program.operator_id,
        data={"reason": reason if not accept else ""},
    )
    return referral


@transaction.atomic
def record_household_refusal(
    *, actor, referral: Referral, reason: str, justified: bool, comment: str = ""
) -> Referral:
    """The household refuses the orientation. An unjustified refusal resets its seniority."""
    referral = _lock_referral(referral)
    if not can_record_household_refusal(actor, referral):
        raise PermissionDenied("Vous ne pouvez pas enregistrer le refus du ménage pour cette orientation.")
    if referral.status not in ACTIVE_REFERRAL_STATUSES:
        raise ValidationError("Cette orientation n'est plus en cours.", code="transition")
    if reason not in HouseholdRefusalReason.values:
        raise ValidationError({"reason": "Indiquez le motif du refus du ménage."})
    if not isinstance(justified, bool):
        raise ValidationError({"justified": "Indiquez si le refus est justifié."})
    comment = _clean_text(comment, "un commentaire", field="comment")
    if reason == HouseholdRefusalReason.OTHER and not comment:
        raise ValidationError({"comment": "Précisez le motif du refus."})
    referral.status = ReferralStatus.REFUSED_BY_HOUSEHOLD
    referral.household_refusal_reason, referral.household_refusal_justified = reason, justified
    referral.decision_comment, referral.decided_by, referral.decided_at = comment, actor.user, timezone.now()
    referral.save(
        update_fields=[
            "status",
            "household_refusal_reason",
            "household_refusal_justified",
            "decision_comment",
            "decided_by",
            "decided_at",
            "updated_at",
        ]
    )
    request = _lock_request(referral.request)
    if not justified:
        request.seniority_from = timezone.now()
        request.version += 1
        request.save(update_fields=["seniority_from", "version", "updated_at"])
    _back_to_waiting_if_no_active_referral(request, actor=actor)
    touch_household(request.household_id)
    record(
        "orientation.household_refused",
        actor=actor,
        obj=referral,
        target_organization=referral.program.operator_id,
        data={"reason": reason, "justified": justified, "seniority_reset": not justified},
    )
    emit_referral(EventType.REFERRAL_HOUSEHOLD_REFUSED, referral)
    return referral


@transaction.atomic
def record_household_acceptance(*, actor, referral: Referral) -> Referral:
    """The household visited and accepts the place or dwelling the program accepted it for:
    the program (and its partner system) is told, and may confirm the arrival."""
    referral = _lock_referral(referral)
    if not can_record_household_refusal(actor, referral):
        raise PermissionDenied("Vous ne pouvez pas enregistrer l'accord du ménage pour cette orientation.")
    if referral.status != ReferralStatus.ACCEPTED:
        raise ValidationError(
            "L'accord du ménage suit l'acceptation de l'orientation par le dispositif.", code="transition"
        )
    if referral.household_accepted_at is not None:
        raise ValidationError("L'accord du ménage est déjà enregistré.", code="transition")
    referral.household_accepted_at, referral.household_accepted_by = timezone.now(), actor.user
    referral.save(update_fields=["household_accepted_at", "household_accepted_by", "updated_at"])
    touch_household(referral.request.household_id)
    record(
        "orientation.household_accepted",
        actor=actor,
        obj=referral,
        target_organization=referral.program.operator_id,
    )
    emit_referral(EventType.REFERRAL_HOUSEHOLD_ACCEPTED, referral)
    return referral


def _check_admission_date(started_on) -> None:
    if not isinstance(started_on, datetime.date):
        raise ValidationError({"started_on": "Indiquez la date d'admission."})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": "La date d'admission ne peut pas être dans le futur."})


def _occupy(place: Place, program: Program, *, actor) -> Place:
    """Lock the place and occupy it: of two admissions into the last free place, the second
    waits for the first, then finds it occupied."""
    locked = Place.objects.select_for_update(of=("self",)).select_related("place_group").filter(pk=place.pk).first()
    if locked is None or locked.place_group.program_id != program.pk:
        raise ValidationError({"place": "Choisissez une place de votre dispositif."})
    if locked.state not in (PlaceState.AVAILABLE, PlaceState.HELD) or (
        locked.state == PlaceState.HELD and locked.emergency_placements.filter(released_at__isnull=True).exists()
    ):
        # The code is on the field's error (a dict's own `code` would be lost): callers such
        # as the partner API tell a taken place (409) from a wrong choice.
        raise ValidationError(
            {
                "place": ValidationError(
                    "Cette place n'est plus disponible : elle vient d'être attribuée. Choisissez-en une autre.",
                    code="place_taken",
                )
            }
        )
    apply_place_state(place=locked, to_state=PlaceState.OCCUPIED, user=actor.user)
    return locked


@transaction.atomic
def admit(*, actor, referral: Referral, place: Place, started_on: datetime.date) -> Stay:
    """Admission after an accepted referral: the stay starts, the place is occupied, the other
    referrals of the request are withdrawn."""
    referral = _lock_referral(referral)
    program = referral.program
    if not can_admit(actor, program):
        raise PermissionDenied("Vous ne pouvez pas admettre dans ce dispositif.")
    if referral.status == ReferralStatus.ADMITTED:
        raise ValidationError("Le ménage est déjà admis au titre de cette orientation.", code="transition")
    if referral.status != ReferralStatus.ACCEPTED:
        message = (
            "L'admission suit l'acceptation de l'orientation : acceptez-la d'abord."
            if referral.status == ReferralStatus.PROPOSED
            else f"Cette orientation est « {ReferralStatus(referral.status).label} » : aucune admission possible."
        )
        raise ValidationError(message, code="transition")
    _check_admission_date(started_on)
    if started_on < timezone.localdate(referral.proposed_at):
        raise ValidationError(
            {
                "started_on": "La date d'admission ne peut pas précéder l'orientation "
                f"(du {timezone.localdate(referral.proposed_at):%d/%m/%Y})."
            }
        )
    request = _lock_request(referral.request)
    if Stay.objects.filter(household_id=request.household_id, program=program, ended_on__isnull=True).exists():
        raise ValidationError("Ce ménage est déjà pris en charge dans votre dispositif.", code="current_stay")
    _move(request, RequestStatus.ADMITTED, actor=actor, comment=program.name)
    place = _occupy(place, program, actor=actor)
    stay = _start_stay(
        household_id=request.household_id,
        program=program,
        place=place,
        request=request,
        referral=referral,
        started_on=started_on,
        actor=actor,
    )
    referral.status = ReferralStatus.ADMITTED
    referral.save(update_fields=["status", "updated_at"])
    _withdraw_active_referrals(request, actor=actor, comment=f"Ménage admis à « {program.name} ».")
    _save(request)
    touch_household(request.household_id)
    record(
        "orientation.admitted",
        actor=actor,
        obj=stay,
        target_organization=program.operator_id,
        data={"referral": str(referral.public_id), "place": str(place.public_id), "started_on": started_on},
    )
    return stay


@transaction.atomic
def direct_admission(
    *,
    actor,
    household: Household,
    place: Place,
    started_on: datetime.date,
    reason: int | None = None,
    housing_situation: int | None = None,
    comment: str = "",
) -> Stay:
    """A household received without a SIAO orientation: a pseudo-request (is_pseudo) and its
    stay, so that the stay exists in the file and in the statistics."""
    from siao.households.permissions import can_view_household

    program = actor.membership.program if actor.membership.program_id else None
    if actor.role not in ROLES_ALLOWED["direct_admission"] or program is None:
        raise PermissionDenied("Seul un responsable de dispositif enregistre une admission directe.")
    if not can_view_household(actor, household):
        raise PermissionDenied("Ce ménage n'est pas suivi par votre dispositif.")
    if not program.holds_offer:
        raise ValidationError("Un service de Premier accueil n'admet pas de ménage.")
    _check_admission_date(started_on)
    _check_request_fields(reason, housing_situation, [])
    comment = _clean_text(comment, "les éléments de la demande", field="comment")
    if Stay.objects.filter(household=household, program=program, ended_on__isnull=True).exists():
        raise ValidationError("Ce ménage est déjà pris en charge dans votre dispositif.")
    place = _occupy(place, program, actor=actor)
    request = Request.objects.create(
        household=household,
        department_id=program.department_id,
        origin_program=program,
        status=RequestStatus.ADMITTED,
        reason=reason,
        housing_situation=housing_situation,
        comment=comment,
        is_pseudo=True,
        created_by=actor.user,
    )
    RequestStatusChange.objects.create(
        request=request, to_status=RequestStatus.ADMITTED, comment="Admission directe.", changed_by=actor.user
    )
    stay = _start_stay(
        household_id=household.pk, program=program, place=place, request=request, started_on=started_on, actor=actor
    )
    touch_household(household.pk)
    record(
        "orientation.direct_admission",
        actor=actor,
        obj=stay,
        target_organization=program.operator_id,
        data={"request": str(request.public_id), "place": str(place.public_id), "started_on": started_on},
    )
    return stay


@transaction.atomic
def end_stay(
    *,
    actor,
    stay: Stay,
    ended_on: datetime.date,
    exit_reason: str,
    exit_destination: int | None,
    comment: str = "",
) -> Stay:
    """The exit: the stay ends, the place becomes available, the request is closed."""
    stay = Stay.objects.select_for_update(of=("self",)).select_related("program").get(pk=stay.pk)
    if not can_end_stay(actor, stay):
        raise PermissionDenied("Cette prise en charge ne relève pas de votre dispositif.")
    if stay.ended_on is not None:
        raise ValidationError("Cette prise en charge est déjà terminée.", code="transition")
    errors = {}
    if not isinstance(ended_on, datetime.date):
        errors["ended_on"] = "Indiquez la date de sortie."
    elif ended_on < stay.started_on:
        errors["ended_on"] = "La date de sortie ne peut pas précéder la date d'admission."
    elif ended_on > timezone.localdate():
        errors["ended_on"] = "La date de sortie ne peut pas être dans le futur."
    if exit_reason not in ExitReason.values:
        errors["exit_reason"] = "Indiquez le motif de sortie."
    if exit_destination not in ExitDestination.values:
        errors["exit_destination"] = "Indiquez la situation du ménage à la sortie."
    if errors:
        raise ValidationError(errors)
    stay.ended_on, stay.exit_reason, stay.exit_destination = ended_on, exit_reason, exit_destination
    stay.exit_comment, stay.ended_by = _clean_text(comment, "des précisions", field="comment"), actor.user
    stay.save(update_fields=["ended_on", "exit_reason", "exit_destination", "exit_comment", "ended_by", "updated_at"])
    if stay.place_id:
        place = Place.objects.select_for_update(of=("self",)).get(pk=stay.place_id)
        if place.state == PlaceState.OCCUPIED:
            apply_place_state(place=place, to_state=PlaceState.AVAILABLE, user=actor.user)
    from siao.emergency.actions import on_stay_ended  # a 115 stay: its other places, its request

    on_stay_ended(stay, user=actor.user)
    if stay.request_id:
        request = _lock_request(stay.request)
        if request.status == RequestStatus.ADMITTED:
            _move(request, RequestStatus.CLOSED, actor=actor, comment="Sortie du dispositif.")
            _save(request)
    touch_household(stay.household_id)
    record(
        "orientation.stay_ended",
        actor=actor,
        obj=stay,
        target_organization=stay.program.operator_id,
        data={"ended_on": ended_on, "exit_reason": exit_reason, "exit_destination": exit_destination},
    )
    return stay
