"""What operators do with the offer of their programs: create place groups (and their
places), change a place's state (optimistic locking: two users at once, one wins, the other
is told), attach support measures and provisions."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from siao.audit.trail import record
from siao.offer.enums import PLACE_TRANSITIONS, PlaceState, UnavailabilityReason, ValidationStatus
from siao.offer.models import Place, PlaceGroup, PlaceStateChange, Program, Provision, SupportMeasure
from siao.offer.permissions import can_change_place_state, can_manage_place_groups

MAX_PLACE_GROUP_CAPACITY = 500


def _ensure_may_manage_offer(actor, program: Program) -> None:
    """Owners of a program that cannot hold offer are told why in French (a program not yet
    validated here; Premier accueil by the model itself, whatever the caller); others get 403."""
    if can_manage_place_groups(actor, program):
        return
    # The same roles and ownership rule as place groups, without their conditions on the program.
    if not can_change_place_state(actor, program):
        raise PermissionDenied("Vous ne pouvez pas gérer l'offre de ce dispositif.")
    if program.validation_status != ValidationStatus.VALIDATED:
        raise ValidationError(
            "Ce dispositif n'est pas encore validé : ses places, mesures et prestations pourront être "
            "ajoutées après sa validation."
        )


def _lock_program(program: Program) -> Program:
    return Program.objects.select_for_update(of=("self",)).get(pk=program.pk)


@transaction.atomic
def create_place_group(
    *,
    actor,
    program: Program,
    name: str,
    unit_kind: str,
    place_type: str,
    place_category: str,
    capacity: int,
    publics=None,
    address: str = "",
    postal_code: str = "",
    city: str = "",
) -> PlaceGroup:
    """A place group with its `capacity` places, all available, each with its first state."""
    program = _lock_program(program)
    _ensure_may_manage_offer(actor, program)
    if not isinstance(capacity, int) or capacity < 1:
        raise ValidationError({"capacity": "La capacité est d'au moins une place."})
    if capacity > MAX_PLACE_GROUP_CAPACITY:
        raise ValidationError(
            {"capacity": f"Un groupe compte au plus {MAX_PLACE_GROUP_CAPACITY} places : créez-en plusieurs."}
        )
    group = PlaceGroup(
        program=program,
        name=name.strip(),
        unit_kind=unit_kind,
        place_type=place_type,
        place_category=place_category,
        capacity=capacity,
        address=address.strip(),
        postal_code=postal_code.strip(),
        city=city.strip(),
        created_by=actor.user,
    )
    group.full_clean(exclude=["program", "created_by", "publics"])
    group.save()  # Premier accueil: the model raises its own ValidationError here.
    group.publics.set(list(program.publics.all()) if publics is None else publics)
    _add_places(group, program, range(1, capacity + 1), actor)
    record(
        "offer.place_group_created",
        actor=actor,
        obj=group,
        target_organization=program.operator_id,
        data={"program": str(program.public_id), "capacity": capacity, "place_type": place_type},
    )
    return group


def _add_places(group: PlaceGroup, program: Program, numbers, actor) -> list[Place]:
    now = timezone.now()
    places = Place.objects.bulk_create(
        Place(place_group=group, label=f"Place {n}", department_id=program.department_id, state_changed_at=now)
        for n in numbers
    )
    PlaceStateChange.objects.bulk_create(
        PlaceStateChange(
            place=place, from_state="", to_state=PlaceState.AVAILABLE, changed_at=now, changed_by=actor.user
        )
        for place in places
    )
    return places


@transaction.atomic
def change_place_group_capacity(*, actor, place_group: PlaceGroup, capacity: int) -> PlaceGroup:
    """More places are added (available); fewer removes available places only, the last first."""
    group = PlaceGroup.objects.select_for_update(of=("self",)).select_related("program").get(pk=place_group.pk)
    _ensure_may_manage_offer(actor, group.program)
    if not isinstance(capacity, int) or capacity < 1:
        raise ValidationError({"capacity": "La capacité est d'au moins une place."})
    if capacity > MAX_PLACE_GROUP_CAPACITY:
        raise ValidationError({"capacity": f"Un groupe compte au plus {MAX_PLACE_GROUP_CAPACITY} places."})
    places = list(Place.objects.select_for_update(of=("self",)).filter(place_group=group))
    before = len(places)
    if capacity > before:
        used = {place.label for place in places}
        numbers, n = [], 0
        while len(numbers) < capacity - before:
            n += 1
            if f"Place {n}" not in used:
                numbers.append(n)
        _add_places(group, group.program, numbers, actor)
    elif capacity < before:
        available = sorted(
            (p for p in places if p.state == PlaceState.AVAILABLE),
            key=lambda p: (len(p.label), p.label),
            reverse=True,
        )
        to_remove = before - capacity
        if len(available) < to_remove:
            raise ValidationError(
                {
                    "capacity": f"Seules les places disponibles peuvent être retirées : ce groupe en compte "
                    f"{len(available)}, il en faudrait {to_remove}."
                }
            )
        Place.objects.filter(pk__in=[p.pk for p in available[:to_remove]]).delete()
    group.capacity = capacity
    group.save(update_fields=["capacity", "updated_at"])
    record(
        "offer.place_group_capacity_changed",
        actor=actor,
        obj=group,
        target_organization=group.program.operator_id,
        data={"from": before, "to": capacity},
    )
    return group


def _state_label(state: str) -> str:
    return PlaceState(state).label if state in PlaceState.values else state


def _has_current_stay(place: Place) -> bool:
    """A current stay, or a 115 orientation holding or occupying the place."""
    from siao.emergency.models import Placement
    from siao.orientation.models import Stay

    return (
        Stay.objects.filter(place=place, ended_on__isnull=True).exists()
        or Placement.objects.filter(place=place, released_at__isnull=True).exists()
    )


def apply_place_state(*, place: Place, to_state: str, user, reason: str = "", until=None) -> None:
    """Write a place's new state and its history. The caller has locked the place
    (select_for_update), checked the permission and the transition (PLACE_TRANSITIONS)."""
    if to_state not in PLACE_TRANSITIONS[place.state]:
        raise ValidationError(
            f"Une place « {_state_label(place.state)} » ne peut pas passer à l'état « {_state_label(to_state)} ».",
            code="place_transition",
        )
    from_state, now = place.state, timezone.now()
    place.state, place.unavailability_reason, place.unavailable_until = to_state, reason, until
    place.version += 1
    place.state_changed_at = now
    place.save(
        update_fields=[
            "state",
            "unavailability_reason",
            "unavailable_until",
            "version",
            "state_changed_at",
            "updated_at",
        ]
    )
    PlaceStateChange.objects.create(
        place=place,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        until=until,
        changed_at=now,
        changed_by=user,
    )


@transaction.atomic
def change_place_state(
    *,
    actor,
    place: Place,
    to_state: str,
    expected_version: int,
    reason: str = "",
    until: datetime.date | None = None,
) -> Place:
    """Change a place's state if nobody changed it since `expected_version` was read."""
    place = Place.objects.select_for_update(of=("self",)).select_related("place_group__program").get(pk=place.pk)
    program = place.place_group.program
    if not can_change_place_state(actor, program):
        raise PermissionDenied("Vous ne pouvez pas changer l'état des places de ce dispositif.")
    if not program.holds_offer:
        raise ValidationError("Un dispositif de Premier accueil n'a pas de places.")
    if expected_version != place.version:
        raise ValidationError(
            f"Cette place a changé entre-temps : elle est maintenant « {_state_label(place.state)} ». "
            "Rechargez la page.",
            code="stale_version",
        )
    if to_state not in PlaceState.values:
        raise ValidationError({"to_state": "Choisissez un état de place parmi ceux proposés."})
    if to_state not in PLACE_TRANSITIONS[place.state]:
        raise ValidationError(
            {
                "to_state": f"Une place « {_state_label(place.state)} » ne peut pas passer à l'état "
                f"« {_state_label(to_state)} »."
            }
        )
    if to_state == PlaceState.UNAVAILABLE:
        if reason not in UnavailabilityReason.values:
            raise ValidationError({"reason": "Indiquez le motif de l'indisponibilité."})
        if until is not None and until < timezone.localdate():
            raise ValidationError({"until": "La date de fin d'indisponibilité ne peut pas être dans le passé."})
    else:
        reason, until = "", None  # leaving (or not entering) unavailability clears its details
    if place.state in (PlaceState.OCCUPIED, PlaceState.HELD) and _has_current_stay(place):
        raise ValidationError(
            "Cette place est occupée par une prise en charge en cours : enregistrez la sortie du ménage, "
            "elle libérera la place."
            if place.state == PlaceState.OCCUPIED
            else "Cette place est réservée par le 115 pour cette nuit : elle se libère si la personne ne vient pas.",
            code="current_stay",
        )
    from_state = place.state
    apply_place_state(place=place, to_state=to_state, user=actor.user, reason=reason, until=until)
    record(
        "offer.place_state_changed",
        actor=actor,
        obj=place,
        target_organization=program.operator_id,
        data={"from": from_state, "to": to_state, "reason": reason, "until": until, "version": place.version},
    )
    return place


@transaction.atomic
def create_support_measure(
    *, actor, program: Program, kind: str, capacity: int = 0, description: str = ""
) -> SupportMeasure:
    program = _lock_program(program)
    _ensure_may_manage_offer(actor, program)
    measure = SupportMeasure(program=program, kind=kind, capacity=capacity, description=description.strip())
    measure.full_clean(exclude=["program"])
    measure.save()  # Premier accueil: refused by the model
    record(
        "offer.support_measure_created",
        actor=actor,
        obj=measure,
        target_organization=program.operator_id,
        data={"program": str(program.public_id), "kind": kind, "capacity": capacity},
    )
    return measure


@transaction.atomic
def create_provision(*, actor, program: Program, kind: str, description: str = "") -> Provision:
    program = _lock_program(program)
    _ensure_may_manage_offer(actor, program)
    provision = Provision(program=program, kind=kind, description=description.strip())
    provision.full_clean(exclude=["program"])
    provision.save()  # Premier accueil: refused by the model
    record(
        "offer.provision_created",
        actor=actor,
        obj=provision,
        target_organization=program.operator_id,
        data={"program": str(program.public_id), "kind": kind},
    )
    return provision
