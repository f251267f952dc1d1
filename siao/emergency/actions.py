"""What the 115 and the street outreach teams do (DOMAIN.md "Emergency (115)").

A call is logged the moment it is taken → the household is found (tolerant search) or created
→ an emergency request records tonight's vulnerability → the handler orients it to a place
group available tonight (the places are held at once: nobody else can give them away) or
records why it is unmet (DNP) → the program confirms the arrival (a stay starts, its first
night is recorded) or says the person did not come → the 115 renews the nights (reconduction);
a stay that is not renewed ends. `rollover_nights` closes what the night left open.

Every action: permission first (PermissionDenied), then validation (ValidationError in French,
nothing changed), rows locked so that two handlers at once are serialized (one wins), one
transaction with its audit event (ids and codes only), the household's retention clock moved."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from siao.audit.trail import record
from siao.geo.models import Department
from siao.households.actions import touch_household
from siao.households.enums import HousingSituation, RequestReason
from siao.households.models import Household, HouseholdMember
from siao.offer.actions.places import apply_place_state
from siao.offer.enums import PlaceState
from siao.offer.models import Place, PlaceGroup
from siao.orientation.enums import ExitReason
from siao.orientation.models import Stay

from .enums import (
    EMERGENCY_TRANSITIONS,
    CallerType,
    EmergencyStatus,
    EncounterNeed,
    Provision,
    SignalStatus,
    SleepingPlace,
    UnmetReason,
)
from .models import Call, EmergencyRequest, Night, OutreachEncounter, OutreachSignal, Placement
from .nights import last_renewable_night, nights_between, tonight
from .permissions import (
    CALL_TAKERS,
    can_confirm_arrival,
    can_handle_request,
    can_record_encounter,
    can_take_call,
)
from .queries import fitting_place_groups, places_needed

MAX_TEXT = 5000
# SI SIAO exit situation codes for the 115's own outcomes.
EXIT_NO_CALLBACK = 42  # « La personne n'a pas rappelé le 115 »
NOT_A_CALL_TAKER = "Seuls l'écoutant 115 et l'opérateur SIAO de ce SIAO traitent les appels et les demandes d'urgence."


# -- helpers ---------------------------------------------------------------------------------


def _clean_text(value, label: str, *, field: str, required: bool = False, max_length: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"Indiquez {label}."})
    if len(value) > max_length:
        raise ValidationError({field: f"{label[0].upper()}{label[1:]} : {max_length} caractères au plus."})
    return value


def _status_label(status: str) -> str:
    return EmergencyStatus(status).label


def _lock(emergency_request: EmergencyRequest) -> EmergencyRequest:
    return (
        EmergencyRequest.objects.select_for_update(of=("self",))
        .select_related("household", "program", "place_group")
        .get(pk=emergency_request.pk)
    )


def _move(emergency_request: EmergencyRequest, to_status: str) -> None:
    current = emergency_request.status
    if to_status not in EMERGENCY_TRANSITIONS[current]:
        if not EMERGENCY_TRANSITIONS[current]:
            message = f"Cette demande est déjà close (« {_status_label(current)} ») : rien n'a été modifié."
        elif current == EmergencyStatus.PENDING and to_status == EmergencyStatus.PENDING:
            message = "Aucune place n'est réservée pour cette demande : il n'y a rien à libérer."
        else:
            message = f"Une demande « {_status_label(current)} » ne peut pas passer à « {_status_label(to_status)} »."
        raise ValidationError(message, code="transition")
    emergency_request.status = to_status


def _save(emergency_request: EmergencyRequest) -> None:
    emergency_request.version += 1
    emergency_request.save()


def _set_outcome(emergency_request: EmergencyRequest, user, comment: str = "") -> None:
    emergency_request.outcome_at = timezone.now()
    emergency_request.outcome_by = user
    emergency_request.outcome_comment = comment


def _require_call_taker(actor, department_id) -> None:
    if not can_take_call(actor, department_id):
        raise PermissionDenied(NOT_A_CALL_TAKER)


def _release_placements(emergency_request: EmergencyRequest, *, user) -> int:
    """The request's places become available again (held or occupied by it)."""
    placements = list(
        Placement.objects.filter(request=emergency_request, released_at__isnull=True).values_list("pk", "place_id")
    )
    if not placements:
        return 0
    places = Place.objects.select_for_update(of=("self",)).filter(pk__in=[place_id for _, place_id in placements])
    for place in places:
        if place.state in (PlaceState.HELD, PlaceState.OCCUPIED):
            apply_place_state(place=place, to_state=PlaceState.AVAILABLE, user=user)
    Placement.objects.filter(pk__in=[pk for pk, _ in placements]).update(released_at=timezone.now())
    return len(placements)


def _department_of(actor, department: Department | None) -> Department:
    ids = actor.perimeter.department_ids
    if department is not None:
        if department.pk not in ids:
            raise PermissionDenied("Ce département n'est pas dans votre périmètre.")
        return department
    if len(ids) != 1:
        raise ValidationError({"department": "Choisissez le département de l'appel."})
    return Department.objects.get(pk=next(iter(ids)))


# -- calls -----------------------------------------------------------------------------------


@transaction.atomic
def log_call(
    *,
    actor,
    caller_type: str,
    caller_detail: str = "",
    department: Department | None = None,
    signal: OutreachSignal | None = None,
    comment: str = "",
) -> Call:
    """Log a call the moment it is taken. From an outreach signal: the signal is taken (by one
    handler only) and the call starts with the household the team identified, if any."""
    if actor.role not in CALL_TAKERS:  # permission first, before asking which département
        raise PermissionDenied(NOT_A_CALL_TAKER)
    department = _department_of(actor, department)
    _require_call_taker(actor, department.pk)
    if caller_type not in CallerType.values:
        raise ValidationError({"caller_type": "Indiquez qui appelle."})
    caller_detail = _clean_text(caller_detail, "la précision sur l'appelant", field="caller_detail", max_length=200)
    comment = _clean_text(comment, "les notes de l'appel", field="comment")
    household = None
    if signal is not None:
        signal = (
            OutreachSignal.objects.select_for_update(of=("self",))
            .select_related("encounter")
            .filter(pk=signal.pk, department=department)
            .first()
        )
        if signal is None:
            raise PermissionDenied("Ce signalement n'est pas adressé à votre SIAO.")
        if signal.status != SignalStatus.NEW:
            raise ValidationError("Ce signalement a déjà été pris en charge par un autre écoutant.", code="taken")
        signal.status, signal.taken_by, signal.taken_at = SignalStatus.TAKEN, actor.user, timezone.now()
        signal.save(update_fields=["status", "taken_by", "taken_at", "updated_at"])
        household = (
            Household.objects.visible_to(actor).filter(pk=signal.encounter.household_id).first()
            if signal.encounter.household_id
            else None
        )
    call = Call.objects.create(
        department=department,
        caller_type=caller_type,
        caller_detail=caller_detail,
        handler=actor.user,
        household=household,
        signal=signal,
        comment=comment,
    )
    record(
        "emergency.call_logged",
        actor=actor,
        obj=call,
        data={"caller_type": caller_type, "signal": str(signal.public_id) if signal else ""},
    )
    if household is not None:
        touch_household(household)
    return call


@transaction.atomic
def update_call_notes(*, actor, call: Call, comment: str, caller_detail: str | None = None) -> Call:
    call = Call.objects.select_for_update(of=("self",)).get(pk=call.pk)
    _require_call_taker(actor, call.department_id)
    call.comment = _clean_text(comment, "les notes de l'appel", field="comment")
    fields = ["comment", "updated_at"]
    if caller_detail is not None:
        call.caller_detail = _clean_text(
            caller_detail, "la précision sur l'appelant", field="caller_detail", max_length=200
        )
        fields.append("caller_detail")
    call.save(update_fields=fields)
    if call.household_id:
        touch_household(call.household_id)
    record("emergency.call_updated", actor=actor, obj=call)
    return call


@transaction.atomic
def attach_household(*, actor, call: Call, household: Household) -> Call:
    """The call concerns this household (found by the search, or just created)."""
    call = Call.objects.select_for_update(of=("self",)).get(pk=call.pk)
    _require_call_taker(actor, call.department_id)
    if not Household.objects.visible_to(actor).filter(pk=household.pk).exists():
        raise PermissionDenied("Ce dossier n'est pas dans votre périmètre.")
    if call.requests.exclude(household=household).exists():
        raise ValidationError("Une demande d'urgence a déjà été créée pour un autre ménage pendant cet appel.")
    call.household = household
    call.save(update_fields=["household", "updated_at"])
    touch_household(household)
    record("emergency.call_household_set", actor=actor, obj=call, data={"household": str(household.public_id)})
    return call


# -- emergency requests ----------------------------------------------------------------------


def _check_code(value, choices, field: str, message: str):
    if value in (None, ""):
        return None
    if value not in choices.values:
        raise ValidationError({field: message})
    return value


@transaction.atomic
def create_emergency_request(
    *,
    actor,
    call: Call,
    sleeping_place: str,
    housing_situation: int | None = None,
    reason: int | None = None,
    health_urgency: bool = False,
    violence: bool = False,
    reduced_mobility: bool = False,
    with_animal: bool = False,
    comment: str = "",
) -> EmergencyRequest:
    """The emergency request for tonight, with the household's vulnerability. One open
    request per household and night (the database refuses a second one)."""
    call = Call.objects.select_for_update(of=("self",)).select_related("household").get(pk=call.pk)
    _require_call_taker(actor, call.department_id)
    household = call.household
    if household is None:
        raise ValidationError("Identifiez d'abord le ménage (recherche ou création).", code="no_household")
    errors = {}
    if sleeping_place not in SleepingPlace.values:
        errors["sleeping_place"] = "Indiquez où la personne dormira ce soir."
    try:
        housing_situation = _check_code(
            housing_situation, HousingSituation, "housing_situation", "Choisissez une situation de la liste."
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        reason = _check_code(reason, RequestReason, "reason", "Choisissez un motif de la liste.")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    comment = _clean_text(comment, "les éléments de la demande", field="comment")
    night = tonight()
    sheltered = (
        EmergencyRequest.objects.filter(household=household, status=EmergencyStatus.SHELTERED, last_night__gte=night)
        .select_related("program")
        .first()
    )
    if sheltered is not None:
        raise ValidationError(
            f"Ce ménage est déjà mis à l'abri à « {sheltered.program.name} » jusqu'à la nuit du "
            f"{sheltered.last_night:%d/%m/%Y} : pas de nouvelle demande pour cette nuit. Si la prise en charge "
            "s'est arrêtée, le dispositif enregistre d'abord la sortie.",
            code="sheltered",
        )
    if EmergencyRequest.objects.filter(
        household=household, night_of=night, status__in=(EmergencyStatus.PENDING, EmergencyStatus.ORIENTED)
    ).exists():
        raise ValidationError(
            "Ce ménage a déjà une demande d'urgence en cours pour cette nuit : reprenez-la plutôt que d'en créer une autre.",
            code="duplicate",
        )
    try:
        with transaction.atomic():
            emergency_request = EmergencyRequest.objects.create(
                household=household,
                call=call,
                department_id=call.department_id,
                night_of=night,
                sleeping_place=sleeping_place,
                housing_situation=housing_situation,
                reason=reason,
                health_urgency=bool(health_urgency),
                violence=bool(violence),
                reduced_mobility=bool(reduced_mobility),
                with_animal=bool(with_animal),
                comment=comment,
                composition_id=household.composition_id,
                member_count=max(household.member_count, 1),
                children_count=household.children_count,
                created_by=actor.user,
            )
    except IntegrityError:
        raise ValidationError(
            "Ce ménage a déjà une demande d'urgence en cours pour cette nuit : reprenez-la.", code="duplicate"
        ) from None
    person_ids = HouseholdMember.objects.filter(household=household, left_on__isnull=True).values_list(
        "person_id", flat=True
    )
    emergency_request.persons.set(list(person_ids))
    touch_household(household)
    record(
        "emergency.request_created",
        actor=actor,
        obj=emergency_request,
        data={
            "household": str(household.public_id),
            "night_of": night,
            "sleeping_place": sleeping_place,
            "health_urgency": bool(health_urgency),
            "violence": bool(violence),
        },
    )
    return emergency_request


@transaction.atomic
def orient_emergency_request(
    *, actor, emergency_request: EmergencyRequest, place_group: PlaceGroup
) -> EmergencyRequest:
    """Orient to a place group available tonight: its places are held at once. Of two handlers
    giving away the last places, the second waits for the first, then is told they are gone."""
    emergency_request = _lock(emergency_request)
    if not can_handle_request(actor, emergency_request):
        raise PermissionDenied(NOT_A_CALL_TAKER)
    if emergency_request.status != EmergencyStatus.PENDING:
        raise ValidationError(
            f"Une demande « {_status_label(emergency_request.status)} » ne peut pas être orientée"
            + (
                " : libérez d'abord la place réservée."
                if emergency_request.status == EmergencyStatus.ORIENTED
                else "."
            ),
            code="transition",
        )
    if emergency_request.night_of != tonight():
        raise ValidationError("Cette demande concerne une nuit passée : créez une demande pour cette nuit.")
    household = emergency_request.household
    # The group row serializes the handlers who give away places of this group.
    group = (
        PlaceGroup.objects.select_for_update(of=("self",)).select_related("program").filter(pk=place_group.pk).first()
    )
    if (
        group is None
        or not fitting_place_groups(household, emergency_request.department_id).filter(pk=group.pk).exists()
    ):
        raise ValidationError(
            {
                "place_group": ValidationError(
                    "Ce groupe de places ne convient pas à ce ménage cette nuit (type de places, public, territoire).",
                    code="not_available",
                )
            }
        )
    needed = places_needed(household, group)
    places = list(
        Place.objects.select_for_update(of=("self",))
        .filter(place_group=group, state=PlaceState.AVAILABLE)
        .order_by("label", "pk")[:needed]
    )
    if len(places) < needed:
        raise ValidationError(
            {
                "place_group": ValidationError(
                    f"Il ne reste plus assez de places libres dans « {group.name} » : elles viennent "
                    "d'être attribuées. Choisissez une autre solution.",
                    code="place_taken",
                )
            }
        )
    try:
        with transaction.atomic():
            Placement.objects.bulk_create(Placement(request=emergency_request, place=place) for place in places)
    except IntegrityError:
        raise ValidationError(
            {
                "place_group": ValidationError(
                    "Ces places viennent d'être attribuées : choisissez une autre solution.", code="place_taken"
                )
            }
        ) from None
    for place in places:
        apply_place_state(place=place, to_state=PlaceState.HELD, user=actor.user)
    _move(emergency_request, EmergencyStatus.ORIENTED)
    emergency_request.program, emergency_request.place_group = group.program, group
    emergency_request.oriented_at, emergency_request.oriented_by = timezone.now(), actor.user
    _save(emergency_request)
    touch_household(household)
    record(
        "emergency.request_oriented",
        actor=actor,
        obj=emergency_request,
        target_organization=group.program.operator_id,
        data={
            "program": str(group.program.public_id),
            "place_group": str(group.public_id),
            "places": [str(place.public_id) for place in places],
        },
    )
    return emergency_request


@transaction.atomic
def release_orientation(*, actor, emergency_request: EmergencyRequest, comment: str = "") -> EmergencyRequest:
    """Give the held places back and look for another solution (the request is pending again)."""
    emergency_request = _lock(emergency_request)
    if not can_handle_request(actor, emergency_request):
        raise PermissionDenied(NOT_A_CALL_TAKER)
    comment = _clean_text(comment, "un commentaire", field="comment")
    _move(emergency_request, EmergencyStatus.PENDING)
    released = _release_placements(emergency_request, user=actor.user)
    program_operator = emergency_request.program.operator_id if emergency_request.program_id else None
    emergency_request.program = emergency_request.place_group = None
    emergency_request.oriented_at = emergency_request.oriented_by = None
    if comment:  # why the place was given back: kept with the request, never in the audit trail
        emergency_request.outcome_comment = comment
    _save(emergency_request)
    touch_household(emergency_request.household_id)
    record(
        "emergency.orientation_released",
        actor=actor,
        obj=emergency_request,
        target_organization=program_operator,
        data={"places": released},
    )
    return emergency_request


@transaction.atomic
def record_unmet(*, actor, emergency_request: EmergencyRequest, reason: str, comment: str = "") -> EmergencyRequest:
    """Demande non pourvue (DNP), with its reason; held places, if any, are released."""
    emergency_request = _lock(emergency_request)
    if not can_handle_request(actor, emergency_request):
        raise PermissionDenied(NOT_A_CALL_TAKER)
    if reason not in UnmetReason.values:
        raise ValidationError({"unmet_reason": "Indiquez pourquoi la demande n'a pas pu être pourvue."})
    comment = _clean_text(comment, "des précisions", field="outcome_comment", required=reason == UnmetReason.OTHER)
    _move(emergency_request, EmergencyStatus.UNMET)
    _release_placements(emergency_request, user=actor.user)
    emergency_request.unmet_reason = reason
    _set_outcome(emergency_request, actor.user, comment)
    _save(emergency_request)
    touch_household(emergency_request.household_id)
    record("emergency.request_unmet", actor=actor, obj=emergency_request, data={"reason": reason})
    return emergency_request


@transaction.atomic
def record_no_callback(*, actor, emergency_request: EmergencyRequest, comment: str = "") -> EmergencyRequest:
    """The person was to call back and did not."""
    emergency_request = _lock(emergency_request)
    if not can_handle_request(actor, emergency_request):
        raise PermissionDenied(NOT_A_CALL_TAKER)
    comment = _clean_text(comment, "des précisions", field="outcome_comment")
    _move(emergency_request, EmergencyStatus.NO_CALLBACK)
    _set_outcome(emergency_request, actor.user, comment)
    _save(emergency_request)
    touch_household(emergency_request.household_id)
    record("emergency.request_no_callback", actor=actor, obj=emergency_request)
    return emergency_request


@transaction.atomic
def record_no_show(*, actor, emergency_request: EmergencyRequest, comment: str = "") -> EmergencyRequest:
    """The person did not come to the place: the places are freed. Said by the program or the 115."""
    emergency_request = _lock(emergency_request)
    if not (can_handle_request(actor, emergency_request) or can_confirm_arrival(actor, emergency_request)):
        raise PermissionDenied("Seuls le 115 et le dispositif d'accueil enregistrent cette issue.")
    comment = _clean_text(comment, "des précisions", field="outcome_comment")
    _move(emergency_request, EmergencyStatus.NO_SHOW)
    _release_placements(emergency_request, user=actor.user)
    _set_outcome(emergency_request, actor.user, comment)
    _save(emergency_request)
    touch_household(emergency_request.household_id)
    record(
        "emergency.request_no_show",
        actor=actor,
        obj=emergency_request,
        target_organization=emergency_request.program.operator_id,
    )
    return emergency_request


@transaction.atomic
def confirm_arrival(*, actor, emergency_request: EmergencyRequest) -> Stay:
    """The program confirms the person arrived: the stay starts on the night asked for, the
    held places are occupied, the first night is recorded."""
    emergency_request = _lock(emergency_request)
    if not can_confirm_arrival(actor, emergency_request):
        raise PermissionDenied("Seul le dispositif vers lequel la demande est orientée confirme l'arrivée.")
    _move(emergency_request, EmergencyStatus.SHELTERED)
    program = emergency_request.program
    if Stay.objects.filter(
        household_id=emergency_request.household_id, program=program, ended_on__isnull=True
    ).exists():
        raise ValidationError("Ce ménage est déjà pris en charge dans votre dispositif.", code="current_stay")
    placements = list(Placement.objects.filter(request=emergency_request, released_at__isnull=True).order_by("pk"))
    places = list(
        Place.objects.select_for_update(of=("self",)).filter(pk__in=[p.place_id for p in placements]).order_by("label")
    )
    if not places:
        raise ValidationError("Aucune place n'est réservée pour cette demande.", code="no_place")
    for place in places:
        apply_place_state(place=place, to_state=PlaceState.OCCUPIED, user=actor.user)
    try:
        with transaction.atomic():
            stay = Stay.objects.create(
                household_id=emergency_request.household_id,
                program=program,
                place=places[0],
                started_on=emergency_request.night_of,
                admitted_by=actor.user,
            )
    except IntegrityError:
        raise ValidationError("Cette place est déjà occupée.", code="place_taken") from None
    Night.objects.create(stay=stay, night=emergency_request.night_of, recorded_by=actor.user)
    emergency_request.stay = stay
    emergency_request.last_night = emergency_request.night_of
    _set_outcome(emergency_request, actor.user)
    _save(emergency_request)
    touch_household(emergency_request.household_id)
    record(
        "emergency.arrival_confirmed",
        actor=actor,
        obj=emergency_request,
        target_organization=program.operator_id,
        data={"stay": str(stay.public_id), "night_of": emergency_request.night_of},
    )
    return stay


def _lock_stay_of(request_pk: int) -> Stay | None:
    """Lock the stay of an emergency request (before the request itself, as end_stay does)."""
    stay_id = EmergencyRequest.objects.filter(pk=request_pk).values_list("stay_id", flat=True).first()
    return Stay.objects.select_for_update(of=("self",)).filter(pk=stay_id).first() if stay_id else None


@transaction.atomic
def renew_nights(*, actor, emergency_requests, until: datetime.date) -> list[EmergencyRequest]:
    """Reconduction: grant the nights up to `until` to one or several sheltered households, in
    one action. All or nothing: one request that cannot be renewed and nothing changes."""
    if not isinstance(until, datetime.date):
        raise ValidationError({"until": "Indiquez jusqu'à quelle nuit reconduire."})
    limit = last_renewable_night()
    if until > limit:
        raise ValidationError(
            {
                "until": f"On reconduit au plus jusqu'à la nuit du {limit:%d/%m/%Y} : au-delà, la nuit est trop lointaine."
            }
        )
    requests = list(dict.fromkeys(emergency_requests))
    if not requests:
        raise ValidationError("Choisissez au moins une prise en charge à reconduire.")
    locked, errors = [], []
    for emergency_request in sorted(requests, key=lambda r: r.pk):
        # The stay first, then the request: the order the program's end_stay locks them in
        # (the other order deadlocks with an exit recorded at the same moment).
        stay = _lock_stay_of(emergency_request.pk)
        emergency_request = _lock(emergency_request)
        if not can_handle_request(actor, emergency_request):
            raise PermissionDenied(NOT_A_CALL_TAKER)
        name = str(emergency_request.household)
        if (
            emergency_request.status != EmergencyStatus.SHELTERED
            or stay is None
            or stay.pk != emergency_request.stay_id
            or stay.ended_on is not None
        ):
            errors.append(f"{name} : la prise en charge est terminée, elle ne peut plus être reconduite.")
            continue
        if until <= emergency_request.last_night:
            errors.append(
                f"{name} : les nuits sont déjà accordées jusqu'à la nuit du {emergency_request.last_night:%d/%m/%Y}."
            )
            continue
        locked.append((emergency_request, stay))
    if errors:
        raise ValidationError({"until": errors})
    for emergency_request, stay in locked:
        first = emergency_request.last_night + datetime.timedelta(days=1)
        Night.objects.bulk_create(
            Night(stay=stay, night=night, recorded_by=actor.user) for night in nights_between(first, until)
        )
        emergency_request.last_night = until
        _save(emergency_request)
        touch_household(emergency_request.household_id)
        record(
            "emergency.nights_renewed",
            actor=actor,
            obj=emergency_request,
            data={"stay": str(stay.public_id), "from": first, "until": until},
        )
    return [emergency_request for emergency_request, _ in locked]


def on_stay_ended(stay: Stay, *, user) -> None:
    """Called by the orientation's end_stay (in its transaction): an emergency stay ended by the
    program frees all its places and closes its request."""
    emergency_request = EmergencyRequest.objects.select_for_update(of=("self",)).filter(stay=stay).first()
    if emergency_request is None:
        return
    _release_placements(emergency_request, user=user)
    # Nights granted beyond the exit were not spent: they are withdrawn.
    Night.objects.filter(stay=stay, night__gte=stay.ended_on).delete()
    spent = Night.objects.filter(stay=stay).order_by("-night").values_list("night", flat=True).first()
    if emergency_request.last_night != spent:
        emergency_request.last_night = spent
    if emergency_request.status == EmergencyStatus.SHELTERED:
        _move(emergency_request, EmergencyStatus.CLOSED)
    _save(emergency_request)


# -- the night's rollover (a daily job) -------------------------------------------------------


def rollover_nights(now: datetime.datetime | None = None) -> dict[str, int]:
    """Close what the past nights left open, idempotently, one request per transaction:
    pending requests of a past night → the person did not call back; oriented → did not come
    (places freed); sheltered whose nights were not renewed → the stay ends the morning after
    its last night (places freed). Run each morning after EMERGENCY_NIGHT_CHANGE_HOUR."""
    night = tonight(now)
    counts = {"no_callback": 0, "no_show": 0, "stays_ended": 0}
    stale = EmergencyRequest.objects.filter(night_of__lt=night)
    for pk in stale.filter(status=EmergencyStatus.PENDING).values_list("pk", flat=True).iterator():
        counts["no_callback"] += _rollover_one(pk, EmergencyStatus.PENDING, night)
    for pk in stale.filter(status=EmergencyStatus.ORIENTED).values_list("pk", flat=True).iterator():
        counts["no_show"] += _rollover_one(pk, EmergencyStatus.ORIENTED, night)
    unrenewed = EmergencyRequest.objects.filter(status=EmergencyStatus.SHELTERED, last_night__lt=night)
    for pk in unrenewed.values_list("pk", flat=True).iterator():
        counts["stays_ended"] += _rollover_one(pk, EmergencyStatus.SHELTERED, night)
    return counts


@transaction.atomic
def _rollover_one(pk: int, expected: str, night: datetime.date) -> int:
    if expected == EmergencyStatus.SHELTERED:
        _lock_stay_of(pk)  # the stay first, as end_stay does (no deadlock with an exit at once)
    emergency_request = EmergencyRequest.objects.select_for_update(of=("self",)).filter(pk=pk, status=expected).first()
    if emergency_request is None:  # changed meanwhile (a handler was faster): nothing to do
        return 0
    automatic = "Automatique : la nuit est passée sans suite."
    if expected == EmergencyStatus.PENDING:
        _move(emergency_request, EmergencyStatus.NO_CALLBACK)
        _set_outcome(emergency_request, None, automatic)
        action = "emergency.request_no_callback"
    elif expected == EmergencyStatus.ORIENTED:
        _move(emergency_request, EmergencyStatus.NO_SHOW)
        _release_placements(emergency_request, user=None)
        _set_outcome(emergency_request, None, automatic)
        action = "emergency.request_no_show"
    else:
        if emergency_request.last_night >= night:
            return 0
        stay = Stay.objects.select_for_update(of=("self",)).filter(pk=emergency_request.stay_id).first()
        if stay is not None and stay.ended_on is None:
            stay.ended_on = emergency_request.last_night + datetime.timedelta(days=1)
            stay.exit_reason, stay.exit_destination = ExitReason.NOT_RENEWED, EXIT_NO_CALLBACK
            stay.exit_comment = "Automatique : nuitée non reconduite."
            stay.save(update_fields=["ended_on", "exit_reason", "exit_destination", "exit_comment", "updated_at"])
        _release_placements(emergency_request, user=None)
        _move(emergency_request, EmergencyStatus.CLOSED)
        action = "emergency.stay_not_renewed"
    _save(emergency_request)
    record(action, obj=emergency_request, data={"automatic": True, "night_of": emergency_request.night_of})
    return 1


# -- street outreach -------------------------------------------------------------------------


def _check_choices(values, choices, field: str, label: str) -> list[str]:
    values = list(dict.fromkeys(values or []))
    unknown = [value for value in values if value not in choices.values]
    if unknown:
        raise ValidationError({field: f"Choisissez {label} dans la liste proposée."})
    return values


@transaction.atomic
def record_encounter(
    *,
    actor,
    location: str,
    occurred_at: datetime.datetime | None = None,
    persons_count: int = 1,
    household: Household | None = None,
    description: str = "",
    needs=(),
    provisions=(),
    comment: str = "",
) -> OutreachEncounter:
    """An outreach team records an encounter (where, when, who if known, needs, provisions)."""
    if not can_record_encounter(actor):
        raise PermissionDenied("Seules les équipes de maraude enregistrent des rencontres.")
    program = actor.membership.program
    errors = {}
    now = timezone.now()
    occurred_at = occurred_at or now
    if not isinstance(occurred_at, datetime.datetime):
        errors["occurred_at"] = "Indiquez la date et l'heure de la rencontre."
    elif occurred_at > now + datetime.timedelta(minutes=5):
        errors["occurred_at"] = "La rencontre ne peut pas être dans le futur."
    elif occurred_at < now - datetime.timedelta(days=30):
        errors["occurred_at"] = "Une rencontre s'enregistre dans les 30 jours."
    if not isinstance(persons_count, int) or not 1 <= persons_count <= 99:
        errors["persons_count"] = "Indiquez le nombre de personnes rencontrées (de 1 à 99)."
    checks = {
        "location": lambda: _clean_text(
            location, "le lieu de la rencontre", field="location", required=True, max_length=255
        ),
        "description": lambda: _clean_text(description, "la description", field="description", max_length=255),
        "comment": lambda: _clean_text(comment, "les observations", field="comment"),
        "needs": lambda: _check_choices(needs, EncounterNeed, "needs", "les besoins"),
        "provisions": lambda: _check_choices(provisions, Provision, "provisions", "les prestations"),
    }
    cleaned = {}
    for field, check in checks.items():
        try:
            cleaned[field] = check()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if household is not None and not Household.objects.visible_to(actor).filter(pk=household.pk).exists():
        errors["household"] = "Ce ménage n'est pas suivi par votre équipe."
    if errors:
        raise ValidationError(errors)
    encounter = OutreachEncounter.objects.create(
        program=program,
        department_id=program.department_id,
        occurred_at=occurred_at,
        household=household,
        persons_count=persons_count,
        recorded_by=actor.user,
        **cleaned,
    )
    if household is not None:
        touch_household(household)
    record(
        "emergency.encounter_recorded",
        actor=actor,
        obj=encounter,
        target_organization=program.operator_id,
        data={
            "household": str(household.public_id) if household else "",
            "needs": cleaned["needs"],
            "provisions": cleaned["provisions"],
        },
    )
    return encounter


@transaction.atomic
def send_signal(*, actor, encounter: OutreachEncounter, message: str, is_urgent: bool = False) -> OutreachSignal:
    """Pass a signal to the 115 of the team's département (one per encounter)."""
    if not can_record_encounter(actor) or encounter.program_id != actor.membership.program_id:
        raise PermissionDenied("Seule l'équipe qui a fait la rencontre peut la signaler au 115.")
    message = _clean_text(message, "le message pour le 115", field="message", required=True)
    if OutreachSignal.objects.filter(encounter=encounter).exists():
        raise ValidationError("Cette rencontre a déjà été signalée au 115.", code="duplicate")
    try:
        with transaction.atomic():
            signal = OutreachSignal.objects.create(
                encounter=encounter,
                department_id=encounter.department_id,
                message=message,
                is_urgent=bool(is_urgent),
                sent_by=actor.user,
            )
    except IntegrityError:
        raise ValidationError("Cette rencontre a déjà été signalée au 115.", code="duplicate") from None
    record(
        "emergency.signal_sent",
        actor=actor,
        obj=signal,
        data={"encounter": str(encounter.public_id), "urgent": bool(is_urgent)},
    )
    return signal


@transaction.atomic
def close_signal(*, actor, signal: OutreachSignal, comment: str = "") -> OutreachSignal:
    """The 115 closes a signal (handled, or nothing to do)."""
    signal = OutreachSignal.objects.select_for_update(of=("self",)).get(pk=signal.pk)
    _require_call_taker(actor, signal.department_id)
    if signal.status == SignalStatus.CLOSED:
        raise ValidationError("Ce signalement est déjà clos.", code="transition")
    signal.status, signal.closed_at = SignalStatus.CLOSED, timezone.now()
    if signal.taken_by_id is None:
        signal.taken_by, signal.taken_at = actor.user, signal.closed_at
    signal.save(update_fields=["status", "closed_at", "taken_by", "taken_at", "updated_at"])
    record("emergency.signal_closed", actor=actor, obj=signal)
    return signal
