"""The 115 permission matrix: for every role, which actions are allowed (PermissionDenied
otherwise), and what each role sees (visible_to) — the SIAO of 35 sees 35's calls, requests and
signals, not 56's; a program sees the requests oriented to it once oriented; an outreach team
its encounters and signals; everyone else nothing identified."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from siao.accounts.enums import OrganizationKind, Role
from siao.emergency import actions
from siao.emergency.enums import CallerType, EmergencyStatus, SleepingPlace, UnmetReason
from siao.emergency.models import Call, EmergencyRequest, OutreachEncounter, OutreachSignal
from siao.emergency.nights import tonight
from siao.emergency.permissions import ROLES_ALLOWED, has_role_for
from siao.households.models import Household
from siao.offer.enums import PlaceType, ProgramType
from tests.factories import (
    MembershipFactory,
    OperatorFactory,
    PlaceGroupFactory,
    ProgramFactory,
    default_organization,
    department,
    household_with,
    membership_for,
)

from .helpers import EmergencyWorld, actor_for

pytestmark = pytest.mark.django_db

DESK = {"view_desk"}
CALL_TAKER_ACTIONS = {
    "log_call",
    "update_call_notes",
    "attach_household",
    "create_emergency_request",
    "orient_emergency_request",
    "release_orientation",
    "record_unmet",
    "record_no_callback",
    "record_no_show",
    "renew_nights",
    "close_signal",
}
SHELTER_ACTIONS = {"confirm_arrival", "record_no_show"}
OUTREACH_ACTIONS = {"record_encounter", "send_signal"}


# --- the matrix as data -----------------------------------------------------------------------------

EXPECTED_ROLES = {
    Role.NATIONAL_ADMIN: {"view_figures"},
    Role.DEPARTMENT_ADMIN: {"view_figures"},
    Role.ANALYST: {"view_figures"},
    Role.SIAO_ADMIN: {"view_desk", "view_figures"},
    Role.SIAO_OPERATOR: {
        "view_desk",
        "view_figures",
        "log_call",
        "create_emergency_request",
        "orient_emergency_request",
        "record_outcome",
        "renew_nights",
        "handle_signal",
    },
    Role.OPERATOR_MANAGER: set(),
    Role.ASSISTANT: set(),
    Role.PROGRAM_MANAGER: {"view_program_arrivals", "confirm_arrival", "record_encounter"},
    Role.SOCIAL_WORKER: {"view_program_arrivals", "confirm_arrival", "record_encounter"},
}
EXPECTED_ROLES[Role.CALL_HANDLER] = EXPECTED_ROLES[Role.SIAO_OPERATOR]


def test_every_role_has_its_line_in_the_matrix():
    assert set(EXPECTED_ROLES) == set(Role.values)


@pytest.mark.parametrize("role", Role.values)
def test_the_roles_allowed_table(role):
    actor = SimpleNamespace(role=role)
    allowed = {action for action in ROLES_ALLOWED if has_role_for(action)(actor)}
    assert allowed == EXPECTED_ROLES[role]


# --- every action, for every role --------------------------------------------------------------------


def _pending(world):
    return world.request(household=household_with())


def _oriented(world):
    return world.oriented(household=household_with())


def _encounter(world):
    return actions.record_encounter(actor=world.outreach_worker, location="Gare")


def _signal(world):
    return actions.send_signal(actor=world.outreach_worker, encounter=_encounter(world), message="Dort dehors")


def _call(world):
    return actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)


def _call_with_household(world):
    return world.call(household=household_with())


def _sheltered(world):
    return world.sheltered(household=household_with())


# Each action: (prepare with the 115 or the team, act as the actor under test).
ACTIONS = {
    "log_call": (lambda w: None, lambda a, _: actions.log_call(actor=a, caller_type=CallerType.PERSON)),
    "update_call_notes": (_call, lambda a, call: actions.update_call_notes(actor=a, call=call, comment="Rappel")),
    "attach_household": (
        lambda w: (_call(w), household_with()),
        lambda a, prepared: actions.attach_household(actor=a, call=prepared[0], household=prepared[1]),
    ),
    "create_emergency_request": (
        _call_with_household,
        lambda a, call: actions.create_emergency_request(actor=a, call=call, sleeping_place=SleepingPlace.STREET),
    ),
    "orient_emergency_request": (
        lambda w: (_pending(w), w.group),
        lambda a, p: actions.orient_emergency_request(actor=a, emergency_request=p[0], place_group=p[1]),
    ),
    "release_orientation": (_oriented, lambda a, er: actions.release_orientation(actor=a, emergency_request=er)),
    "record_unmet": (
        _pending,
        lambda a, er: actions.record_unmet(actor=a, emergency_request=er, reason=UnmetReason.NO_PLACE),
    ),
    "record_no_callback": (_pending, lambda a, er: actions.record_no_callback(actor=a, emergency_request=er)),
    "record_no_show": (_oriented, lambda a, er: actions.record_no_show(actor=a, emergency_request=er)),
    "confirm_arrival": (_oriented, lambda a, er: actions.confirm_arrival(actor=a, emergency_request=er)),
    "renew_nights": (
        _sheltered,
        lambda a, er: actions.renew_nights(
            actor=a, emergency_requests=[er], until=tonight() + datetime.timedelta(days=1)
        ),
    ),
    "record_encounter": (lambda w: None, lambda a, _: actions.record_encounter(actor=a, location="Parc")),
    "send_signal": (_encounter, lambda a, enc: actions.send_signal(actor=a, encounter=enc, message="Vu")),
    "close_signal": (_signal, lambda a, signal: actions.close_signal(actor=a, signal=signal)),
}


def _membership(world, who):
    kind, role = who
    if kind == "shelter":
        return membership_for(role, organization=world.shelter.operator, program=world.shelter)
    if kind == "outreach":
        return membership_for(role, organization=world.outreach.operator, program=world.outreach)
    if kind == "56":
        return membership_for(role, code="56")
    if kind == "siao_analyst":  # an analyst held in the SIAO itself
        return MembershipFactory(role=role, organization=default_organization(OrganizationKind.SIAO, "35"))
    return membership_for(role)  # program roles: a CHRS of 35, neither the shelter nor a team


CASES = [
    (("35", Role.CALL_HANDLER), CALL_TAKER_ACTIONS),
    (("35", Role.SIAO_OPERATOR), CALL_TAKER_ACTIONS),
    (("35", Role.SIAO_ADMIN), set()),
    (("35", Role.NATIONAL_ADMIN), set()),
    (("35", Role.DEPARTMENT_ADMIN), set()),
    (("35", Role.ANALYST), set()),
    (("siao_analyst", Role.ANALYST), set()),
    (("35", Role.OPERATOR_MANAGER), set()),
    (("35", Role.ASSISTANT), set()),
    (("35", Role.PROGRAM_MANAGER), set()),
    (("35", Role.SOCIAL_WORKER), set()),
    (("shelter", Role.PROGRAM_MANAGER), SHELTER_ACTIONS),
    (("shelter", Role.SOCIAL_WORKER), SHELTER_ACTIONS),
    (("outreach", Role.PROGRAM_MANAGER), OUTREACH_ACTIONS),
    (("outreach", Role.SOCIAL_WORKER), OUTREACH_ACTIONS),
    # Another SIAO: calls of its own département only, nothing on 35's calls, requests, signals.
    (("56", Role.CALL_HANDLER), {"log_call"}),
    (("56", Role.SIAO_OPERATOR), {"log_call"}),
]


def test_every_role_is_in_the_cases():
    assert {role for (_, role), _ in CASES} == set(Role.values)


@pytest.mark.parametrize("who, allowed", CASES, ids=[f"{kind}-{role}" for (kind, role), _ in CASES])
def test_who_may_do_what(who, allowed):
    world = EmergencyWorld.build(places=10)
    actor = actor_for(_membership(world, who))
    done, denied = set(), set()
    for name, (prepare, act) in ACTIONS.items():
        prepared = prepare(world)
        try:
            act(actor, prepared)
        except PermissionDenied:
            denied.add(name)
        else:
            done.add(name)
    assert done == allowed
    assert denied == set(ACTIONS) - allowed


def test_the_56_call_handler_works_on_its_own_departement():
    handler = actor_for(membership_for(Role.CALL_HANDLER, code="56"))
    call = actions.log_call(actor=handler, caller_type=CallerType.PERSON)
    assert call.department.code == "56"
    call = actions.attach_household(actor=handler, call=call, household=household_with(code="56"))
    er = actions.create_emergency_request(actor=handler, call=call, sleeping_place=SleepingPlace.SQUAT)
    assert er.department.code == "56"
    with pytest.raises(PermissionDenied, match="Ce département n'est pas dans votre périmètre."):
        actions.log_call(actor=handler, caller_type=CallerType.PERSON, department=department("35"))


def test_an_outreach_team_member_of_an_ordinary_program_records_no_encounter():
    world = EmergencyWorld.build()
    with pytest.raises(PermissionDenied, match="Seules les équipes de maraude"):
        actions.record_encounter(actor=world.manager, location="Gare")


# --- what each role sees -------------------------------------------------------------------------


def _site(code: str, handler_membership=None):
    """A département's 115: a handler, a shelter with places, an outreach team; a call, a pending
    request, an oriented request, an encounter signalled and one not."""
    operator = OperatorFactory(department_codes=[code])
    shelter = ProgramFactory(operator=operator, type=ProgramType.NON_CHRS, department=department(code))
    group = PlaceGroupFactory(program=shelter, place_type=PlaceType.EMERGENCY, capacity=2)
    outreach = ProgramFactory(operator=operator, type=ProgramType.OUTREACH, department=department(code))
    handler = actor_for(handler_membership or membership_for(Role.CALL_HANDLER, code=code))
    worker = actor_for(membership_for(Role.SOCIAL_WORKER, organization=operator, program=outreach))

    def request(household):
        call = actions.log_call(actor=handler, caller_type=CallerType.PERSON)
        call = actions.attach_household(actor=handler, call=call, household=household)
        return call, actions.create_emergency_request(actor=handler, call=call, sleeping_place=SleepingPlace.STREET)

    call, pending = request(household_with(code=code))
    _, oriented = request(household_with(code=code))
    oriented = actions.orient_emergency_request(actor=handler, emergency_request=oriented, place_group=group)
    signalled = actions.record_encounter(actor=worker, location="Gare")
    signal = actions.send_signal(actor=worker, encounter=signalled, message="Dort dehors")
    quiet = actions.record_encounter(actor=worker, location="Parc")
    return SimpleNamespace(
        shelter=shelter,
        outreach=outreach,
        operator=operator,
        handler=handler,
        calls={call, pending.call, oriented.call},
        pending=pending,
        oriented=oriented,
        signalled=signalled,
        quiet=quiet,
        signal=signal,
    )


def visible(actor) -> dict[str, set]:
    return {
        "calls": set(Call.objects.visible_to(actor)),
        "requests": set(EmergencyRequest.objects.visible_to(actor)),
        "encounters": set(OutreachEncounter.objects.visible_to(actor)),
        "signals": set(OutreachSignal.objects.visible_to(actor)),
    }


NOTHING = {"calls": set(), "requests": set(), "encounters": set(), "signals": set()}


@pytest.mark.parametrize("role", [Role.CALL_HANDLER, Role.SIAO_OPERATOR, Role.SIAO_ADMIN])
def test_the_siao_desk_sees_its_departement_only(role):
    ille = _site("35")
    _site("56")
    actor = actor_for(membership_for(role, code="35"))
    assert visible(actor) == {
        "calls": ille.calls,
        "requests": {ille.pending, ille.oriented},
        "encounters": {ille.signalled},  # signalled to it; not the encounter kept by the team
        "signals": {ille.signal},
    }


@pytest.mark.parametrize(
    "role",
    [Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.ANALYST, Role.OPERATOR_MANAGER, Role.ASSISTANT],
)
def test_other_roles_see_nothing_identified(role):
    ille = _site("35")
    if role in (Role.OPERATOR_MANAGER, Role.ASSISTANT):  # even the operator of the shelter and the team
        membership = membership_for(role, organization=ille.operator)
    else:
        membership = membership_for(role, code="35")
    assert visible(actor_for(membership)) == NOTHING


@pytest.mark.parametrize("role", [Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER])
def test_a_program_sees_the_requests_oriented_to_it_once_oriented(role):
    ille = _site("35")
    actor = actor_for(membership_for(role, organization=ille.operator, program=ille.shelter))
    assert visible(actor) == {**NOTHING, "requests": {ille.oriented}}
    households = set(Household.objects.visible_to(actor))
    assert ille.oriented.household in households and ille.pending.household not in households
    # Sheltered: still its own (the request and, through the stay, the household).
    actions.confirm_arrival(actor=actor, emergency_request=ille.oriented)
    assert visible(actor)["requests"] == {ille.oriented}
    assert ille.oriented.household in set(Household.objects.visible_to(actor))
    # Released by the 115 before the arrival: no longer its own.
    other = ille.pending
    other = actions.orient_emergency_request(
        actor=ille.handler, emergency_request=other, place_group=ille.shelter.place_groups.get()
    )
    assert visible(actor)["requests"] == {ille.oriented, other}
    actions.release_orientation(actor=ille.handler, emergency_request=other)
    assert visible(actor)["requests"] == {ille.oriented}
    assert other.household not in set(Household.objects.visible_to(actor))


@pytest.mark.parametrize("role", [Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER])
def test_a_program_keeps_seeing_the_outcome_it_recorded(role):
    ille = _site("35")
    actor = actor_for(membership_for(role, organization=ille.operator, program=ille.shelter))
    actions.record_no_show(actor=actor, emergency_request=ille.oriented)
    assert EmergencyRequest.objects.visible_to(actor).get() == ille.oriented
    assert EmergencyRequest.objects.get(pk=ille.oriented.pk).status == EmergencyStatus.NO_SHOW


@pytest.mark.parametrize("role", [Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER])
def test_an_outreach_team_sees_its_encounters_and_signals(role):
    ille = _site("35")
    _site("56")
    other_team = ProgramFactory(type=ProgramType.OUTREACH, name="Maraude - Autre")
    other_worker = actor_for(membership_for(Role.SOCIAL_WORKER, organization=other_team.operator, program=other_team))
    actions.record_encounter(actor=other_worker, location="Ailleurs")
    actor = actor_for(membership_for(role, organization=ille.operator, program=ille.outreach))
    assert visible(actor) == {**NOTHING, "encounters": {ille.signalled, ille.quiet}, "signals": {ille.signal}}


@pytest.mark.parametrize("role", [Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER])
def test_another_program_sees_nothing(role):
    _site("35")
    assert visible(actor_for(membership_for(role, code="35"))) == NOTHING


def test_the_desk_of_a_siao_with_two_departements_sees_both_and_chooses_the_call_departement():
    ille = _site("35")
    morbihan = _site("56")
    siao = default_organization(OrganizationKind.SIAO, "35")
    siao.departments.add(department("56"))
    actor = actor_for(MembershipFactory(role=Role.CALL_HANDLER, organization=siao))
    seen = visible(actor)
    assert seen["requests"] == {ille.pending, ille.oriented, morbihan.pending, morbihan.oriented}
    assert seen["signals"] == {ille.signal, morbihan.signal}
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Choisissez le département de l'appel."):
        actions.log_call(actor=actor, caller_type=CallerType.PERSON)
    call = actions.log_call(actor=actor, caller_type=CallerType.PERSON, department=department("56"))
    assert call.department.code == "56"
