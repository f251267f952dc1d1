"""The 115 actions end to end: a call to a request to places held at once to an arrival to
renewals to the end; the places a household may be offered tonight; every refused transition
and bad input (French message, nothing changed); the retention clock; the audit trail (ids and
codes only); street outreach encounters and signals."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from siao.accounts.enums import OrganizationKind, Role
from siao.audit.models import AuditEvent
from siao.emergency import actions
from siao.emergency.enums import (
    CallerType,
    EmergencyStatus,
    EncounterNeed,
    Provision,
    SignalStatus,
    SleepingPlace,
    UnmetReason,
)
from siao.emergency.models import Call, EmergencyRequest, Night, OutreachEncounter, OutreachSignal, Placement
from siao.emergency.nights import tonight
from siao.emergency.queries import fitting_place_groups, places_for_tonight
from siao.households.enums import ExitDestination, HousingSituation, RequestReason
from siao.households.models import Household
from siao.offer.actions.places import change_place_state
from siao.offer.enums import PlaceState, PlaceType, ProgramType, UnitKind, ValidationStatus
from siao.offer.models import Place, PlaceStateChange, Public
from siao.orientation import actions as orientation_actions
from siao.orientation.enums import ExitReason
from siao.orientation.models import Stay
from tests.factories import (
    OperatorFactory,
    PlaceGroupFactory,
    ProgramFactory,
    default_organization,
    department,
    household_with,
    membership_for,
)
from tests.offer.programs.helpers import actions_recorded

from .helpers import EmergencyWorld, actor_for

pytestmark = pytest.mark.django_db

DESTINATION = ExitDestination.values[0]


def snapshot():
    """Everything a 115 action may write: compared before and after a refused action."""
    return (
        list(EmergencyRequest.objects.order_by("pk").values()),
        list(Placement.objects.order_by("pk").values()),
        list(Place.objects.order_by("pk").values("pk", "state", "version")),
        PlaceStateChange.objects.count(),
        list(Night.objects.order_by("pk").values()),
        list(Stay.objects.order_by("pk").values()),
        list(Call.objects.order_by("pk").values()),
        list(OutreachEncounter.objects.order_by("pk").values()),
        list(OutreachSignal.objects.order_by("pk").values()),
        list(Household.objects.order_by("pk").values_list("last_action_at", flat=True)),
        len(actions_recorded()),
    )


def error_codes(exc: ValidationError) -> set:
    if hasattr(exc, "error_dict"):
        return {error.code for errors in exc.error_dict.values() for error in errors}
    return {error.code for error in exc.error_list}


def refused(call, *, expected: str, exception=ValidationError, code: str | None = None):
    before = snapshot()
    with pytest.raises(exception) as info:
        call()
    assert expected in " ".join(getattr(info.value, "messages", [str(info.value)]))
    if code is not None:
        assert code in error_codes(info.value)
    assert snapshot() == before
    return info.value


def states(group) -> list[str]:
    return sorted(Place.objects.filter(place_group=group).values_list("state", flat=True))


def active_placements(emergency_request) -> list[int]:
    return sorted(
        Placement.objects.filter(request=emergency_request, released_at__isnull=True).values_list(
            "place_id", flat=True
        )
    )


def reload(emergency_request) -> EmergencyRequest:
    return EmergencyRequest.objects.get(pk=emergency_request.pk)


def emergency_group(program, capacity=2, **kwargs):
    return PlaceGroupFactory(
        program=program, place_type=kwargs.pop("place_type", PlaceType.EMERGENCY), capacity=capacity, **kwargs
    )


def family_of_three():
    return household_with(composition="single_woman_with_children", children=2)


# --- the lifecycle -----------------------------------------------------------------------------


def test_a_call_leads_to_places_held_then_an_arrival_then_renewals():
    world = EmergencyWorld.build(places=2)
    call = actions.log_call(actor=world.handler, caller_type=CallerType.SERVICE, caller_detail="Urgences")
    assert call.department.code == "35" and call.handler == world.handler.user and call.household is None
    call = actions.attach_household(actor=world.handler, call=call, household=world.household)
    er = actions.create_emergency_request(
        actor=world.handler,
        call=call,
        sleeping_place=SleepingPlace.STREET,
        housing_situation=HousingSituation.values[0],
        reason=RequestReason.values[0],
        health_urgency=True,
    )
    assert er.status == EmergencyStatus.PENDING and er.night_of == tonight() and er.version == 0
    assert er.call == call and er.department.code == "35" and er.health_urgency
    assert er.composition.code == "single_woman" and er.member_count == 1 and er.children_count == 0
    assert list(er.persons.all()) == [world.household.head]

    er = actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=world.group)
    er = reload(er)
    assert er.status == EmergencyStatus.ORIENTED and er.version == 1
    assert er.program == world.shelter and er.place_group == world.group
    assert er.oriented_by == world.handler.user and er.oriented_at is not None
    assert states(world.group) == [PlaceState.AVAILABLE, PlaceState.HELD]
    (held,) = active_placements(er)
    assert Place.objects.get(pk=held).state == PlaceState.HELD

    stay = actions.confirm_arrival(actor=world.manager, emergency_request=er)
    er = reload(er)
    assert er.status == EmergencyStatus.SHELTERED and er.stay == stay and er.last_night == er.night_of
    assert er.outcome_by == world.manager.user and er.version == 2
    assert stay.program == world.shelter and stay.place_id == held and stay.started_on == er.night_of
    assert stay.ended_on is None and stay.admitted_by == world.manager.user
    assert list(stay.nights.values_list("night", flat=True)) == [er.night_of]
    assert Place.objects.get(pk=held).state == PlaceState.OCCUPIED
    assert active_placements(er) == [held]  # the placement stays active while the place is occupied

    until = tonight() + datetime.timedelta(days=2)
    (renewed,) = actions.renew_nights(actor=world.handler, emergency_requests=[er], until=until)
    assert renewed.last_night == until and reload(er).version == 3
    assert list(stay.nights.values_list("night", flat=True)) == [
        tonight() + datetime.timedelta(days=n) for n in range(3)
    ]
    assert actions_recorded()[-6:] == [
        "emergency.call_logged",
        "emergency.call_household_set",
        "emergency.request_created",
        "emergency.request_oriented",
        "emergency.arrival_confirmed",
        "emergency.nights_renewed",
    ]


def test_a_call_log_can_be_completed():
    world = EmergencyWorld.build()
    call = actions.log_call(actor=world.handler, caller_type=CallerType.THIRD_PARTY)
    call = actions.update_call_notes(actor=world.handler, call=call, comment="  A rappelé  ", caller_detail="Voisin")
    assert call.comment == "A rappelé" and call.caller_detail == "Voisin"
    assert actions_recorded()[-1] == "emergency.call_updated"


def test_bad_call_input_is_refused():
    world = EmergencyWorld.build()
    refused(
        lambda: actions.log_call(actor=world.handler, caller_type="martian"),
        expected="Indiquez qui appelle.",
    )
    refused(
        lambda: actions.log_call(actor=world.handler, caller_type=CallerType.PERSON, caller_detail="x" * 201),
        expected="200 caractères au plus",
    )
    refused(
        lambda: actions.log_call(actor=world.handler, caller_type=CallerType.PERSON, department=department("56")),
        expected="Ce département n'est pas dans votre périmètre.",
        exception=PermissionDenied,
    )


def test_a_call_concerns_a_household_of_the_siao_only():
    world = EmergencyWorld.build()
    call = actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)
    elsewhere = household_with(code="56")
    refused(
        lambda: actions.attach_household(actor=world.handler, call=call, household=elsewhere),
        expected="pas dans votre périmètre",
        exception=PermissionDenied,
    )


def test_a_call_with_a_request_cannot_switch_to_another_household():
    world = EmergencyWorld.build()
    er = world.request()
    other = household_with()
    refused(
        lambda: actions.attach_household(actor=world.handler, call=er.call, household=other),
        expected="Une demande d'urgence a déjà été créée pour un autre ménage",
    )


def test_a_request_needs_an_identified_household():
    world = EmergencyWorld.build()
    call = actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)
    error = refused(
        lambda: actions.create_emergency_request(actor=world.handler, call=call, sleeping_place=SleepingPlace.STREET),
        expected="Identifiez d'abord le ménage",
    )
    assert error.code == "no_household"


def test_bad_request_fields_are_refused_together_in_french():
    world = EmergencyWorld.build()
    call = world.call()
    error = refused(
        lambda: actions.create_emergency_request(
            actor=world.handler, call=call, sleeping_place="moon", housing_situation=999, reason=999
        ),
        expected="Indiquez où la personne dormira ce soir.",
    )
    assert set(error.message_dict) == {"sleeping_place", "housing_situation", "reason"}
    refused(
        lambda: actions.create_emergency_request(
            actor=world.handler, call=call, sleeping_place=SleepingPlace.STREET, comment="x" * 5001
        ),
        expected="5000 caractères au plus",
    )


def test_one_open_request_per_household_and_night():
    world = EmergencyWorld.build()
    first = world.request()
    call = world.call()
    error = refused(
        lambda: actions.create_emergency_request(actor=world.handler, call=call, sleeping_place=SleepingPlace.STREET),
        expected="Ce ménage a déjà une demande d'urgence en cours pour cette nuit",
    )
    assert error.code == "duplicate"
    # Once the first one has its outcome, a new call may open a new request for the night.
    actions.record_unmet(actor=world.handler, emergency_request=first, reason=UnmetReason.HUNG_UP)
    second = world.request()
    assert second.status == EmergencyStatus.PENDING and second.night_of == first.night_of


# --- the places offered tonight --------------------------------------------------------------------


def test_a_family_of_three_takes_three_places_in_one_group():
    world = EmergencyWorld.build(places=3, composition="single_woman_with_children", children=2)
    small = emergency_group(world.shelter, capacity=2, name="Petit groupe")
    assert world.household.member_count == 3
    assert list(places_for_tonight(world.household, world.group.program.department_id)) == [world.group]
    offered = places_for_tonight(world.household, world.group.program.department_id).get()
    assert offered.available == 3
    er = world.request()
    assert er.member_count == 3 and er.children_count == 2 and er.persons.count() == 3
    refused(
        lambda: actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=small),
        expected="Il ne reste plus assez de places libres dans « Petit groupe »",
        code="place_taken",
    )
    er = actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=world.group)
    assert states(world.group) == [PlaceState.HELD] * 3
    assert states(small) == [PlaceState.AVAILABLE] * 2
    assert len(active_placements(er)) == 3

    stay = actions.confirm_arrival(actor=world.manager, emergency_request=er)
    assert states(world.group) == [PlaceState.OCCUPIED] * 3
    assert stay.place_id in active_placements(er)
    assert stay.nights.count() == 1
    assert Stay.objects.filter(household=world.household).count() == 1


def test_a_dwelling_group_gives_one_unit_to_a_family():
    world = EmergencyWorld.build(places=1)
    family = family_of_three()
    dwelling = emergency_group(
        world.shelter, capacity=2, place_type=PlaceType.HOTEL, unit_kind=UnitKind.DWELLING, name="Chambres familiales"
    )
    assert list(places_for_tonight(family, world.shelter.department_id)) == [dwelling]
    er = world.request(household=family)
    er = actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=dwelling)
    assert len(active_placements(er)) == 1
    assert states(dwelling) == [PlaceState.AVAILABLE, PlaceState.HELD]


def test_a_group_whose_publics_exclude_the_household_is_not_offered():
    world = EmergencyWorld.build(places=2)  # a woman alone
    men = emergency_group(world.shelter, name="Hommes seuls")
    men.publics.set([Public.objects.get(code="single_man")])
    everyone = emergency_group(world.shelter, name="Tout public")
    everyone.publics.set([Public.objects.get(code="all_public")])
    victims = emergency_group(world.shelter, name="FVV")
    victims.publics.set([Public.objects.get(code="violence_victims")])
    women = emergency_group(world.shelter, name="Femmes")
    women.publics.set([Public.objects.get(code="single_woman")])
    offered = set(places_for_tonight(world.household, world.shelter.department_id))
    assert offered == {world.group, everyone, women}
    er = world.request()
    for group in (men, victims):
        refused(
            lambda group=group: actions.orient_emergency_request(
                actor=world.handler, emergency_request=er, place_group=group
            ),
            expected="Ce groupe de places ne convient pas à ce ménage cette nuit",
            code="not_available",
        )
    # A household with the specific public is offered the FVV group.
    world.household.specific_publics.add(Public.objects.get(code="violence_victims"))
    assert victims in set(places_for_tonight(world.household, world.shelter.department_id))


@pytest.mark.parametrize(
    "place_type", [PlaceType.INSERTION, PlaceType.HOUSING, PlaceType.ASYLUM, PlaceType.HEALTH_BED]
)
def test_places_that_are_not_for_the_night_are_not_offered(place_type):
    world = EmergencyWorld.build(places=2, place_type=place_type)
    assert list(places_for_tonight(world.household, world.shelter.department_id)) == []
    er = world.request()
    refused(
        lambda: actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=world.group),
        expected="ne convient pas",
        code="not_available",
    )


@pytest.mark.parametrize(
    "place_type", [PlaceType.EMERGENCY, PlaceType.HOTEL, PlaceType.WINTER, PlaceType.NIGHT_SHELTER]
)
def test_places_for_the_night_are_offered(place_type):
    world = EmergencyWorld.build(places=1, place_type=place_type)
    assert list(places_for_tonight(world.household, world.shelter.department_id)) == [world.group]


def test_another_departements_group_is_not_offered_unless_it_lets_the_siao_orient():
    world = EmergencyWorld.build(places=1)
    Place.objects.filter(place_group=world.group).update(state=PlaceState.UNAVAILABLE, unavailability_reason="works")
    program = ProgramFactory(
        name="CHU Vannes", operator=OperatorFactory(department_codes=["56"]), department=department("56")
    )
    group = emergency_group(program, name="Urgence Vannes")
    assert list(places_for_tonight(world.household, world.shelter.department_id)) == []
    er = world.request()
    refused(
        lambda: actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=group),
        expected="territoire",
        code="not_available",
    )
    program.orienting_siaos.add(default_organization(OrganizationKind.SIAO, "35"))
    assert list(places_for_tonight(world.household, world.shelter.department_id)) == [group]


@pytest.mark.parametrize(
    "program_kwargs",
    [
        {"validation_status": ValidationStatus.SUBMITTED},
        {"validation_status": ValidationStatus.REFUSED},
        {"starts_on": datetime.date(2020, 1, 1), "ends_on": datetime.date(2020, 12, 31)},
        {"starts_on": datetime.date(2999, 1, 1)},
    ],
    ids=["submitted", "refused", "closed", "not_yet_open"],
)
def test_a_closed_or_unvalidated_programs_places_are_not_offered(program_kwargs):
    world = EmergencyWorld.build(places=1)
    program = ProgramFactory(operator=world.shelter.operator, type=ProgramType.NON_CHRS, **program_kwargs)
    group = emergency_group(program, name="Fermé")
    assert list(fitting_place_groups(world.household, world.shelter.department_id)) == [world.group]
    er = world.request()
    refused(
        lambda: actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=group),
        expected="ne convient pas",
        code="not_available",
    )


def test_an_orientation_to_a_group_with_no_place_available_tonight_is_refused():
    world = EmergencyWorld.build(places=2)
    Place.objects.filter(place_group=world.group, label="Place 1").update(
        state=PlaceState.UNAVAILABLE, unavailability_reason="works"
    )
    Place.objects.filter(place_group=world.group, label="Place 2").update(state=PlaceState.OCCUPIED)
    assert list(places_for_tonight(world.household, world.shelter.department_id)) == []
    er = world.request()
    refused(
        lambda: actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=world.group),
        expected="Il ne reste plus assez de places libres",
        code="place_taken",
    )
    assert reload(er).status == EmergencyStatus.PENDING and reload(er).version == 0


def test_the_last_place_given_away_the_second_handler_is_told_and_picks_another():
    """The sequential form of tests/emergency/test_concurrency.py (SQLite has no real race)."""
    world = EmergencyWorld.build(places=1)
    other = emergency_group(world.shelter, capacity=1, name="Autre groupe")
    first = world.request()
    second = world.request(actor=actor_for(membership_for(Role.SIAO_OPERATOR)), household=household_with())
    actions.orient_emergency_request(actor=world.handler, emergency_request=first, place_group=world.group)
    assert world.group not in set(places_for_tonight(second.household, second.department_id))
    refused(
        lambda: actions.orient_emergency_request(
            actor=world.handler, emergency_request=second, place_group=world.group
        ),
        expected="elles viennent d'être attribuées",
        code="place_taken",
    )
    actions.orient_emergency_request(actor=world.handler, emergency_request=second, place_group=other)
    assert Placement.objects.filter(released_at__isnull=True).count() == 2
    assert states(world.group) == [PlaceState.HELD] and states(other) == [PlaceState.HELD]
    assert reload(first).place_group == world.group and reload(second).place_group == other


def test_an_orientation_for_a_past_night_is_refused():
    world = EmergencyWorld.build()
    er = world.request()
    EmergencyRequest.objects.filter(pk=er.pk).update(night_of=er.night_of - datetime.timedelta(days=1))
    refused(
        lambda: actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=world.group),
        expected="Cette demande concerne une nuit passée",
    )


# --- outcomes ---------------------------------------------------------------------------------------


def test_release_returns_the_places_and_the_request_is_pending_again():
    world = EmergencyWorld.build(places=3, composition="single_woman_with_children", children=2)
    er = world.oriented()
    held = active_placements(er)
    er = actions.release_orientation(actor=world.handler, emergency_request=er, comment="Préfère un hôtel")
    er = reload(er)
    assert er.status == EmergencyStatus.PENDING and er.program is None and er.place_group is None
    assert er.oriented_at is None and er.oriented_by is None and er.version == 2
    assert states(world.group) == [PlaceState.AVAILABLE] * 3
    assert active_placements(er) == []
    assert Placement.objects.filter(request=er, place_id__in=held, released_at__isnull=False).count() == 3
    # The places may be given again (to this household or another).
    er = actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=world.group)
    assert states(world.group) == [PlaceState.HELD] * 3
    event = AuditEvent.objects.filter(action="emergency.orientation_released").get()
    assert event.data == {"places": 3} and event.target_organization_id == world.shelter.operator_id


def test_an_unmet_request_needs_a_reason():
    world = EmergencyWorld.build()
    er = world.request()
    for reason in ("", None, "because"):
        refused(
            lambda reason=reason: actions.record_unmet(actor=world.handler, emergency_request=er, reason=reason),
            expected="Indiquez pourquoi la demande n'a pas pu être pourvue.",
        )
    refused(
        lambda: actions.record_unmet(actor=world.handler, emergency_request=er, reason=UnmetReason.OTHER, comment=" "),
        expected="Indiquez des précisions.",
    )
    er = actions.record_unmet(actor=world.handler, emergency_request=er, reason=UnmetReason.NO_PLACE)
    er = reload(er)
    assert er.status == EmergencyStatus.UNMET and er.unmet_reason == UnmetReason.NO_PLACE
    assert er.outcome_by == world.handler.user and er.outcome_at is not None
    assert AuditEvent.objects.filter(action="emergency.request_unmet").get().data == {"reason": "no_place"}


def test_unmet_after_orientation_frees_the_places():
    world = EmergencyWorld.build(places=2)
    er = world.oriented()
    actions.record_unmet(
        actor=world.handler, emergency_request=er, reason=UnmetReason.REFUSED_BY_PERSON, comment="Trop loin"
    )
    er = reload(er)
    assert er.status == EmergencyStatus.UNMET and er.outcome_comment == "Trop loin"
    assert states(world.group) == [PlaceState.AVAILABLE] * 2 and active_placements(er) == []


def test_no_callback_closes_a_pending_request():
    world = EmergencyWorld.build()
    er = world.request()
    actions.record_no_callback(actor=world.handler, emergency_request=er)
    er = reload(er)
    assert er.status == EmergencyStatus.NO_CALLBACK and er.outcome_by == world.handler.user


@pytest.mark.parametrize("who", ["program", "handler"])
def test_no_show_frees_the_places(who):
    world = EmergencyWorld.build(places=3, composition="single_woman_with_children", children=2)
    er = world.oriented()
    actor = world.manager if who == "program" else world.handler
    actions.record_no_show(actor=actor, emergency_request=er, comment="Pas venue à 22 h")
    er = reload(er)
    assert er.status == EmergencyStatus.NO_SHOW and er.outcome_by == actor.user
    assert states(world.group) == [PlaceState.AVAILABLE] * 3 and active_placements(er) == []
    event = AuditEvent.objects.filter(action="emergency.request_no_show").get()
    assert event.target_organization_id == world.shelter.operator_id


def test_another_program_cannot_say_the_person_did_not_come():
    world = EmergencyWorld.build()
    er = world.oriented()
    other = actor_for(membership_for(Role.PROGRAM_MANAGER))
    refused(
        lambda: actions.record_no_show(actor=other, emergency_request=er),
        expected="Seuls le 115 et le dispositif d'accueil",
        exception=PermissionDenied,
    )
    refused(
        lambda: actions.confirm_arrival(actor=other, emergency_request=er),
        expected="Seul le dispositif vers lequel la demande est orientée",
        exception=PermissionDenied,
    )


def test_a_household_already_staying_in_the_program_is_not_sheltered_twice():
    world = EmergencyWorld.build(places=2)
    er = world.oriented()
    Stay.objects.create(
        household=world.household, program=world.shelter, started_on=tonight(), admitted_by=world.manager.user
    )
    error = refused(
        lambda: actions.confirm_arrival(actor=world.manager, emergency_request=er),
        expected="Ce ménage est déjà pris en charge dans votre dispositif.",
    )
    assert error.code == "current_stay"


def _pending(world):
    return world.request()


def _oriented(world):
    return world.oriented()


def _sheltered(world):
    return world.sheltered()


def _unmet(world):
    return actions.record_unmet(actor=world.handler, emergency_request=world.request(), reason=UnmetReason.NO_PLACE)


def _unmet_after_orientation(world):
    return actions.record_unmet(actor=world.handler, emergency_request=world.oriented(), reason=UnmetReason.HUNG_UP)


def _no_callback(world):
    return actions.record_no_callback(actor=world.handler, emergency_request=world.request())


def _no_show(world):
    return actions.record_no_show(actor=world.handler, emergency_request=world.oriented())


def _closed(world):
    er = world.sheltered()
    orientation_actions.end_stay(
        actor=world.manager,
        stay=er.stay,
        ended_on=timezone.localdate(),
        exit_reason=ExitReason.VOLUNTARY,
        exit_destination=DESTINATION,
    )
    return reload(er)


def _orient(world, er):
    return actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=world.group)


def _confirm(world, er):
    return actions.confirm_arrival(actor=world.manager, emergency_request=er)


def _release(world, er):
    return actions.release_orientation(actor=world.handler, emergency_request=er)


def _record_unmet(world, er):
    return actions.record_unmet(actor=world.handler, emergency_request=er, reason=UnmetReason.NO_PLACE)


def _no_callback_of(world, er):
    return actions.record_no_callback(actor=world.handler, emergency_request=er)


def _no_show_by_program(world, er):
    return actions.record_no_show(actor=world.manager, emergency_request=er)


def _no_show_by_handler(world, er):
    return actions.record_no_show(actor=world.handler, emergency_request=er)


@pytest.mark.parametrize(
    "state, action, expected",
    [
        (_oriented, _orient, "Une demande « Orientée (place réservée) » ne peut pas être orientée : libérez d'abord"),
        (_sheltered, _orient, "Une demande « Mise à l'abri » ne peut pas être orientée."),
        (_unmet, _orient, "Une demande « Non pourvue » ne peut pas être orientée."),
        (_no_callback, _orient, "Une demande « N'a pas rappelé le 115 » ne peut pas être orientée."),
        (_no_show, _orient, "ne peut pas être orientée"),
        (_closed, _orient, "Une demande « Terminée » ne peut pas être orientée."),
        (_sheltered, _confirm, "« Mise à l'abri » ne peut pas passer à « Mise à l'abri »"),
        (_unmet_after_orientation, _confirm, "déjà close (« Non pourvue »)"),
        (_no_show, _confirm, "déjà close (« Ne s'est pas présenté(e) »)"),
        (_oriented, _no_callback_of, "« Orientée (place réservée) » ne peut pas passer à « N'a pas rappelé le 115 »"),
        (_sheltered, _no_callback_of, "ne peut pas passer à « N'a pas rappelé le 115 »"),
        (_unmet, _no_callback_of, "déjà close (« Non pourvue »)"),
        (
            _pending,
            _no_show_by_handler,
            "« En attente de solution » ne peut pas passer à « Ne s'est pas présenté(e) »",
        ),
        (_sheltered, _no_show_by_program, "« Mise à l'abri » ne peut pas passer à « Ne s'est pas présenté(e) »"),
        (_unmet_after_orientation, _no_show_by_program, "déjà close (« Non pourvue »)"),
        (_pending, _release, "Aucune place n'est réservée pour cette demande"),
        (_sheltered, _release, "« Mise à l'abri » ne peut pas passer à « En attente de solution »"),
        (_sheltered, _record_unmet, "« Mise à l'abri » ne peut pas passer à « Non pourvue »"),
        (_no_show, _record_unmet, "déjà close (« Ne s'est pas présenté(e) »)"),
        (_no_callback, _record_unmet, "déjà close (« N'a pas rappelé le 115 »)"),
        (_closed, _record_unmet, "déjà close (« Terminée »)"),
    ],
)
def test_transitions_that_do_not_exist_are_refused(state, action, expected):
    world = EmergencyWorld.build(places=2)
    er = state(world)
    error = refused(lambda: action(world, er), expected=expected)
    assert error_codes(error) == {"transition"}


def test_the_program_cannot_confirm_the_arrival_of_a_request_not_oriented_to_it():
    world = EmergencyWorld.build()
    er = world.request()
    refused(
        lambda: actions.confirm_arrival(actor=world.manager, emergency_request=er),
        expected="Seul le dispositif vers lequel la demande est orientée",
        exception=PermissionDenied,
    )
    # Released: no longer oriented to it either.
    er = actions.release_orientation(actor=world.handler, emergency_request=world.oriented(household=household_with()))
    refused(
        lambda: actions.confirm_arrival(actor=world.manager, emergency_request=er),
        expected="Seul le dispositif",
        exception=PermissionDenied,
    )


# --- renewal ----------------------------------------------------------------------------------------


def nights(er) -> list[datetime.date]:
    return list(Night.objects.filter(stay_id=reload(er).stay_id).values_list("night", flat=True))


def test_renewal_adds_exactly_the_missing_nights():
    world = EmergencyWorld.build(places=2)
    er = world.sheltered()
    day = tonight()
    actions.renew_nights(actor=world.handler, emergency_requests=[er], until=day + datetime.timedelta(days=1))
    assert nights(er) == [day, day + datetime.timedelta(days=1)]
    # Renewed again further: only the new nights, no duplicate.
    actions.renew_nights(actor=world.handler, emergency_requests=[er, er], until=day + datetime.timedelta(days=4))
    assert nights(er) == [day + datetime.timedelta(days=n) for n in range(5)]
    assert reload(er).last_night == day + datetime.timedelta(days=4) and reload(er).version == 4
    events = AuditEvent.objects.filter(action="emergency.nights_renewed").order_by("sequence")
    assert [(e.data["from"], e.data["until"]) for e in events] == [
        (str(day + datetime.timedelta(days=1)), str(day + datetime.timedelta(days=1))),
        (str(day + datetime.timedelta(days=2)), str(day + datetime.timedelta(days=4))),
    ]


def test_renewal_to_nights_already_granted_is_refused():
    world = EmergencyWorld.build(places=2)
    er = world.sheltered()
    actions.renew_nights(actor=world.handler, emergency_requests=[er], until=tonight() + datetime.timedelta(days=2))
    for until in (tonight() + datetime.timedelta(days=2), tonight(), tonight() - datetime.timedelta(days=3)):
        refused(
            lambda until=until: actions.renew_nights(actor=world.handler, emergency_requests=[er], until=until),
            expected="les nuits sont déjà accordées jusqu'à la nuit du",
        )


def test_renewal_beyond_the_allowed_window_is_refused(settings):
    settings.EMERGENCY_RENEWAL_WINDOW_NIGHTS = 7
    world = EmergencyWorld.build(places=2)
    er = world.sheltered()
    limit = tonight() + datetime.timedelta(days=6)
    refused(
        lambda: actions.renew_nights(
            actor=world.handler, emergency_requests=[er], until=limit + datetime.timedelta(days=1)
        ),
        expected=f"On reconduit au plus jusqu'à la nuit du {limit:%d/%m/%Y}",
    )
    actions.renew_nights(actor=world.handler, emergency_requests=[er], until=limit)
    assert len(nights(er)) == 7


def test_renewal_without_a_date_or_a_household_is_refused():
    world = EmergencyWorld.build(places=2)
    er = world.sheltered()
    refused(
        lambda: actions.renew_nights(actor=world.handler, emergency_requests=[er], until="demain"),
        expected="Indiquez jusqu'à quelle nuit reconduire.",
    )
    refused(
        lambda: actions.renew_nights(actor=world.handler, emergency_requests=[], until=tonight()),
        expected="Choisissez au moins une prise en charge à reconduire.",
    )


@pytest.mark.parametrize("state", [_pending, _oriented, _closed, _no_show])
def test_renewal_of_a_request_that_is_not_a_current_stay_is_refused(state):
    world = EmergencyWorld.build(places=2)
    er = state(world)
    refused(
        lambda: actions.renew_nights(
            actor=world.handler, emergency_requests=[er], until=tonight() + datetime.timedelta(days=1)
        ),
        expected="la prise en charge est terminée, elle ne peut plus être reconduite.",
    )


def test_renewal_of_several_households_is_all_or_nothing():
    world = EmergencyWorld.build(places=3)
    first = world.sheltered()
    second = world.sheltered(household=household_with())
    third = world.sheltered(household=household_with())
    orientation_actions.end_stay(
        actor=world.manager,
        stay=reload(second).stay,
        ended_on=timezone.localdate(),
        exit_reason=ExitReason.VOLUNTARY,
        exit_destination=DESTINATION,
    )
    until = tonight() + datetime.timedelta(days=2)
    error = refused(
        lambda: actions.renew_nights(actor=world.handler, emergency_requests=[first, second, third], until=until),
        expected="la prise en charge est terminée",
    )
    assert len(error.message_dict["until"]) == 1
    assert nights(first) == [tonight()] and nights(third) == [tonight()]
    renewed = actions.renew_nights(actor=world.handler, emergency_requests=[third, first], until=until)
    assert {r.pk for r in renewed} == {first.pk, third.pk}
    assert len(nights(first)) == 3 and len(nights(third)) == 3


def test_renewal_of_another_siaos_stay_is_not_allowed():
    world = EmergencyWorld.build(places=2)
    er = world.sheltered()
    for actor in (actor_for(membership_for(Role.CALL_HANDLER, code="56")), world.manager):
        refused(
            lambda actor=actor: actions.renew_nights(
                actor=actor, emergency_requests=[er], until=tonight() + datetime.timedelta(days=1)
            ),
            expected="Seuls l'écoutant 115 et l'opérateur SIAO",
            exception=PermissionDenied,
        )


# --- the program's side: the end of the stay, the places' states -----------------------------------


def test_the_end_of_an_emergency_stay_frees_all_its_places_and_closes_the_request():
    world = EmergencyWorld.build(places=3, composition="single_woman_with_children", children=2)
    er = world.sheltered()
    assert states(world.group) == [PlaceState.OCCUPIED] * 3
    stay = orientation_actions.end_stay(
        actor=world.manager,
        stay=er.stay,
        ended_on=timezone.localdate(),
        exit_reason=ExitReason.END_OF_SUPPORT,
        exit_destination=DESTINATION,
    )
    assert stay.ended_on == timezone.localdate()
    er = reload(er)
    assert er.status == EmergencyStatus.CLOSED and er.version == 3
    assert states(world.group) == [PlaceState.AVAILABLE] * 3 and active_placements(er) == []
    assert "orientation.stay_ended" in actions_recorded()
    # The freed places go to the next household.
    other = world.request(household=family_of_three())
    actions.orient_emergency_request(actor=world.handler, emergency_request=other, place_group=world.group)
    assert states(world.group) == [PlaceState.HELD] * 3


def test_the_program_cannot_free_a_place_held_or_occupied_by_the_115():
    world = EmergencyWorld.build(places=2)
    er = world.oriented()
    (place_id,) = active_placements(er)
    place = Place.objects.get(pk=place_id)
    error = refused(
        lambda: change_place_state(
            actor=world.manager, place=place, to_state=PlaceState.AVAILABLE, expected_version=place.version
        ),
        expected="Cette place est réservée par le 115 pour cette nuit",
    )
    assert error.code == "current_stay"
    actions.confirm_arrival(actor=world.manager, emergency_request=er)
    place.refresh_from_db()
    refused(
        lambda: change_place_state(
            actor=world.manager, place=place, to_state=PlaceState.AVAILABLE, expected_version=place.version
        ),
        expected="Cette place est occupée par une prise en charge en cours",
    )


def test_once_released_the_program_manages_the_place_again():
    world = EmergencyWorld.build(places=1)
    er = world.oriented()
    actions.record_no_show(actor=world.manager, emergency_request=er)
    place = Place.objects.get(place_group=world.group)
    place = change_place_state(
        actor=world.manager,
        place=place,
        to_state=PlaceState.UNAVAILABLE,
        expected_version=place.version,
        reason="works",
    )
    assert place.state == PlaceState.UNAVAILABLE
    assert list(places_for_tonight(world.household, world.shelter.department_id)) == []


# --- the retention clock and the audit trail ---------------------------------------------------------


def test_every_action_moves_the_household_retention_clock():
    world = EmergencyWorld.build(places=2)
    world.household = household_with(program=world.outreach)  # known to the outreach team too
    old = timezone.now() - datetime.timedelta(days=400)

    def step(action):
        Household.objects.filter(pk=world.household.pk).update(last_action_at=old)
        result = action()
        assert Household.objects.get(pk=world.household.pk).last_action_at > old, action
        return result

    encounter = step(
        lambda: actions.record_encounter(actor=world.outreach_worker, location="Gare", household=world.household)
    )
    signal = actions.send_signal(actor=world.outreach_worker, encounter=encounter, message="Dort dehors")
    call = step(lambda: actions.log_call(actor=world.handler, caller_type=CallerType.OUTREACH, signal=signal))
    assert call.household == world.household
    call = step(lambda: actions.attach_household(actor=world.handler, call=call, household=world.household))
    er = step(
        lambda: actions.create_emergency_request(actor=world.handler, call=call, sleeping_place=SleepingPlace.STREET)
    )
    step(lambda: _orient(world, er))
    step(lambda: _release(world, er))
    step(lambda: _orient(world, er))
    step(lambda: _confirm(world, er))
    step(
        lambda: actions.renew_nights(
            actor=world.handler, emergency_requests=[er], until=tonight() + datetime.timedelta(days=1)
        )
    )
    # The outcomes of other requests.
    for outcome in (
        lambda r: _record_unmet(world, r),
        lambda r: _no_callback_of(world, r),
    ):
        world.household = household_with()
        other = world.request()
        step(lambda other=other, outcome=outcome: outcome(other))
    world.household = household_with()
    other = world.oriented()
    step(lambda: _no_show_by_program(world, other))


def test_audit_events_hold_ids_and_codes_only():
    world = EmergencyWorld.build(places=2)
    known = household_with(program=world.outreach)
    secret = "Texte-Libre-Confidentiel"
    encounter = actions.record_encounter(
        actor=world.outreach_worker,
        location=f"{secret} lieu",
        household=known,
        description=f"{secret} description",
        needs=[EncounterNeed.SHELTER, EncounterNeed.FOOD],
        provisions=[Provision.HOT_DRINK],
        comment=f"{secret} observations",
    )
    signal = actions.send_signal(actor=world.outreach_worker, encounter=encounter, message=f"{secret} message")
    call = actions.log_call(
        actor=world.handler,
        caller_type=CallerType.OUTREACH,
        signal=signal,
        caller_detail=f"{secret} appelant",
        comment=f"{secret} notes",
    )
    actions.update_call_notes(actor=world.handler, call=call, comment=f"{secret} notes 2")
    actions.close_signal(actor=world.handler, signal=signal, comment=f"{secret} clos")
    er = actions.create_emergency_request(
        actor=world.handler, call=call, sleeping_place=SleepingPlace.VEHICLE, comment=f"{secret} demande"
    )
    er = actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=world.group)
    actions.release_orientation(actor=world.handler, emergency_request=er, comment=f"{secret} libération")
    er = actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=world.group)
    stay = actions.confirm_arrival(actor=world.manager, emergency_request=er)
    until = tonight() + datetime.timedelta(days=1)
    actions.renew_nights(actor=world.handler, emergency_requests=[er], until=until)
    other = world.request(household=household_with())
    actions.record_unmet(
        actor=world.handler, emergency_request=other, reason=UnmetReason.OTHER, comment=f"{secret} motif"
    )
    other = world.request(household=household_with())
    actions.record_no_callback(actor=world.handler, emergency_request=other, comment=f"{secret} rappel")
    other = world.oriented(household=household_with())
    actions.record_no_show(actor=world.manager, emergency_request=other, comment=f"{secret} absent")

    events = list(AuditEvent.objects.filter(action__startswith="emergency.").order_by("sequence"))
    assert [e.action for e in events] == [
        "emergency.encounter_recorded",
        "emergency.signal_sent",
        "emergency.call_logged",
        "emergency.call_updated",
        "emergency.signal_closed",
        "emergency.request_created",
        "emergency.request_oriented",
        "emergency.orientation_released",
        "emergency.request_oriented",
        "emergency.arrival_confirmed",
        "emergency.nights_renewed",
        "emergency.call_logged",
        "emergency.call_household_set",
        "emergency.request_created",
        "emergency.request_unmet",
        "emergency.call_logged",
        "emergency.call_household_set",
        "emergency.request_created",
        "emergency.request_no_callback",
        "emergency.call_logged",
        "emergency.call_household_set",
        "emergency.request_created",
        "emergency.request_oriented",
        "emergency.request_no_show",
    ]
    names = [
        value
        for household in Household.objects.select_related("head")
        for value in (household.head.last_name, household.head.first_name)
    ]
    for event in events:
        dumped = json.dumps(event.data)
        assert secret not in dumped, event.action
        assert not any(name in dumped for name in names), event.action
        assert event.object_id, event.action
    by_action = {e.action: e for e in events}
    assert by_action["emergency.encounter_recorded"].data == {
        "household": str(known.public_id),
        "needs": ["shelter", "food"],
        "provisions": ["hot_drink"],
    }
    assert by_action["emergency.signal_sent"].data == {"encounter": str(encounter.public_id), "urgent": False}
    assert events[2].data == {"caller_type": "outreach", "signal": str(signal.public_id)}
    assert events[5].data == {
        "household": str(known.public_id),
        "night_of": str(tonight()),
        "sleeping_place": "vehicle",
        "health_urgency": False,
        "violence": False,
    }
    oriented = events[6]
    assert oriented.object_id == str(er.public_id) and oriented.target_organization_id == world.shelter.operator_id
    assert oriented.data["program"] == str(world.shelter.public_id)
    assert oriented.data["place_group"] == str(world.group.public_id)
    assert oriented.data["places"] == [str(p.public_id) for p in Place.objects.filter(pk__in=active_placements(er))]
    assert by_action["emergency.arrival_confirmed"].data == {"stay": str(stay.public_id), "night_of": str(tonight())}
    assert by_action["emergency.nights_renewed"].data == {
        "stay": str(stay.public_id),
        "from": str(until),
        "until": str(until),
    }
    assert by_action["emergency.request_unmet"].data == {"reason": "other"}
    assert by_action["emergency.request_no_callback"].data == {}
    assert by_action["emergency.request_no_show"].data == {}
    assert {e.actor_role for e in events} == {Role.SOCIAL_WORKER, Role.CALL_HANDLER, Role.PROGRAM_MANAGER}


# --- street outreach: encounters and signals --------------------------------------------------------


def test_an_encounter_is_recorded_with_its_needs_and_provisions():
    world = EmergencyWorld.build()
    known = household_with(program=world.outreach)
    when = timezone.now() - datetime.timedelta(hours=2)
    encounter = actions.record_encounter(
        actor=world.outreach_worker,
        location="  Place de la République  ",
        occurred_at=when,
        persons_count=2,
        household=known,
        needs=[EncounterNeed.SHELTER, EncounterNeed.SHELTER, EncounterNeed.HEALTH],
        provisions=[Provision.BLANKET],
        comment="Fatigué",
    )
    assert encounter.program == world.outreach and encounter.department.code == "35"
    assert encounter.location == "Place de la République" and encounter.occurred_at == when
    assert encounter.needs == ["shelter", "health"] and encounter.provisions == ["blanket"]
    assert encounter.persons_count == 2 and encounter.household == known
    assert encounter.recorded_by == world.outreach_worker.user
    assert encounter.needs_labels() == ["Mise à l'abri", "Soins"]
    # Someone not known: a description, no household.
    anonymous = actions.record_encounter(
        actor=world.outreach_worker, location="Quai", description="Homme, la quarantaine, avec un chien"
    )
    assert anonymous.household is None and anonymous.needs == []


@pytest.mark.parametrize(
    "kwargs, field, expected",
    [
        ({"occurred_at": "hier"}, "occurred_at", "Indiquez la date et l'heure de la rencontre."),
        ({"occurred_at": "future"}, "occurred_at", "La rencontre ne peut pas être dans le futur."),
        ({"occurred_at": "old"}, "occurred_at", "Une rencontre s'enregistre dans les 30 jours."),
        ({"needs": ["shelter", "teleportation"]}, "needs", "Choisissez les besoins dans la liste proposée."),
        ({"provisions": ["champagne"]}, "provisions", "Choisissez les prestations dans la liste proposée."),
        ({"location": "   "}, "location", "Indiquez le lieu de la rencontre."),
        ({"location": ""}, "location", "Indiquez le lieu de la rencontre."),
        ({"location": "x" * 256}, "location", "255 caractères au plus"),
        ({"persons_count": 0}, "persons_count", "Indiquez le nombre de personnes rencontrées"),
        ({"persons_count": 100}, "persons_count", "Indiquez le nombre de personnes rencontrées"),
        ({"household": "not_followed"}, "household", "Ce ménage n'est pas suivi par votre équipe."),
    ],
)
def test_bad_encounters_are_refused_in_french(kwargs, field, expected):
    world = EmergencyWorld.build()
    now = timezone.now()
    special = {
        "future": now + datetime.timedelta(hours=1),
        "old": now - datetime.timedelta(days=31),
        "not_followed": world.household,  # held by the SIAO, not followed by the team
    }
    kwargs = {key: special.get(value, value) if isinstance(value, str) else value for key, value in kwargs.items()}
    kwargs = {"location": "Gare", **kwargs}
    error = refused(lambda: actions.record_encounter(actor=world.outreach_worker, **kwargs), expected=expected)
    assert list(error.message_dict) == [field]


def test_all_the_errors_of_an_encounter_are_given_at_once():
    world = EmergencyWorld.build()
    error = refused(
        lambda: actions.record_encounter(
            actor=world.outreach_worker,
            location="",
            occurred_at=timezone.now() + datetime.timedelta(days=1),
            needs=["nope"],
            household=world.household,
        ),
        expected="Indiquez le lieu de la rencontre.",
    )
    assert set(error.message_dict) == {"location", "occurred_at", "needs", "household"}


def test_a_signal_is_sent_once_by_the_team_that_met_the_person():
    world = EmergencyWorld.build()
    encounter = actions.record_encounter(actor=world.outreach_worker, location="Gare")
    refused(
        lambda: actions.send_signal(actor=world.outreach_worker, encounter=encounter, message="  "),
        expected="Indiquez le message pour le 115.",
    )
    colleague = actor_for(
        membership_for(Role.PROGRAM_MANAGER, organization=world.outreach.operator, program=world.outreach)
    )
    signal = actions.send_signal(actor=colleague, encounter=encounter, message="Personne âgée", is_urgent=True)
    assert signal.status == SignalStatus.NEW and signal.department.code == "35" and signal.is_urgent
    assert signal.sent_by == colleague.user
    error = refused(
        lambda: actions.send_signal(actor=world.outreach_worker, encounter=encounter, message="Encore"),
        expected="Cette rencontre a déjà été signalée au 115.",
    )
    assert error.code == "duplicate"
    other_team = ProgramFactory(type=ProgramType.OUTREACH, name="Maraude - Jour")
    other_worker = actor_for(membership_for(Role.SOCIAL_WORKER, organization=other_team.operator, program=other_team))
    other_encounter = actions.record_encounter(actor=other_worker, location="Parc")
    refused(
        lambda: actions.send_signal(actor=world.outreach_worker, encounter=other_encounter, message="Vu"),
        expected="Seule l'équipe qui a fait la rencontre",
        exception=PermissionDenied,
    )


def test_taking_a_signal_logs_a_call_with_the_household_the_team_identified():
    world = EmergencyWorld.build()
    known = household_with(program=world.outreach)
    encounter = actions.record_encounter(actor=world.outreach_worker, location="Gare", household=known)
    signal = actions.send_signal(actor=world.outreach_worker, encounter=encounter, message="Dort dehors")
    call = actions.log_call(actor=world.handler, caller_type=CallerType.OUTREACH, signal=signal)
    assert call.signal == signal and call.household == known and call.handler == world.handler.user
    signal.refresh_from_db()
    assert signal.status == SignalStatus.TAKEN and signal.taken_by == world.handler.user and signal.taken_at
    # The household is there: the request follows.
    er = actions.create_emergency_request(actor=world.handler, call=call, sleeping_place=SleepingPlace.STREET)
    assert er.household == known
    # Taken: another handler cannot take it again.
    colleague = actor_for(membership_for(Role.SIAO_OPERATOR))
    error = refused(
        lambda: actions.log_call(actor=colleague, caller_type=CallerType.OUTREACH, signal=signal),
        expected="Ce signalement a déjà été pris en charge par un autre écoutant.",
    )
    assert error.code == "taken"


def test_a_signal_without_an_identified_household_starts_an_anonymous_call():
    world = EmergencyWorld.build()
    encounter = actions.record_encounter(actor=world.outreach_worker, location="Gare", description="Femme seule")
    signal = actions.send_signal(actor=world.outreach_worker, encounter=encounter, message="À rappeler")
    call = actions.log_call(actor=world.handler, caller_type=CallerType.OUTREACH, signal=signal)
    assert call.household is None and call.signal == signal


def test_a_signal_to_another_siao_cannot_be_taken_or_closed():
    world = EmergencyWorld.build()
    team = ProgramFactory(
        type=ProgramType.OUTREACH, operator=OperatorFactory(department_codes=["56"]), department=department("56")
    )
    worker = actor_for(membership_for(Role.SOCIAL_WORKER, organization=team.operator, program=team))
    encounter = actions.record_encounter(actor=worker, location="Vannes")
    signal = actions.send_signal(actor=worker, encounter=encounter, message="Vu au port")
    assert signal.department.code == "56"
    refused(
        lambda: actions.log_call(actor=world.handler, caller_type=CallerType.OUTREACH, signal=signal),
        expected="Ce signalement n'est pas adressé à votre SIAO.",
        exception=PermissionDenied,
    )
    refused(
        lambda: actions.close_signal(actor=world.handler, signal=signal),
        expected="Seuls l'écoutant 115",
        exception=PermissionDenied,
    )


def test_closing_a_signal():
    world = EmergencyWorld.build()
    encounter = actions.record_encounter(actor=world.outreach_worker, location="Gare")
    signal = actions.send_signal(actor=world.outreach_worker, encounter=encounter, message="Rien d'urgent")
    signal = actions.close_signal(actor=world.handler, signal=signal)
    assert signal.status == SignalStatus.CLOSED and signal.closed_at is not None
    assert signal.taken_by == world.handler.user  # closed untaken: the closer handled it
    error = refused(
        lambda: actions.close_signal(actor=world.handler, signal=signal), expected="Ce signalement est déjà clos."
    )
    assert error.code == "transition"
    refused(
        lambda: actions.log_call(actor=world.handler, caller_type=CallerType.OUTREACH, signal=signal),
        expected="déjà été pris en charge",
    )
    # Taken by one handler, closed by another: who took it stays.
    encounter = actions.record_encounter(actor=world.outreach_worker, location="Parc")
    signal = actions.send_signal(actor=world.outreach_worker, encounter=encounter, message="Vu")
    actions.log_call(actor=world.handler, caller_type=CallerType.OUTREACH, signal=signal)
    colleague = actor_for(membership_for(Role.SIAO_OPERATOR))
    signal = actions.close_signal(actor=colleague, signal=signal)
    assert signal.status == SignalStatus.CLOSED and signal.taken_by == world.handler.user
