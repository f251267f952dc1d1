"""Two handlers at the same moment: orienting two households to the same last place (one wins,
the other is told the place is gone and picks another, nothing is double-booked); creating a
request for the same household and night (one request); taking the same outreach signal (one
call takes it).

SQLite serializes write transactions (and the in-memory test database locks its tables), so
the races are run on PostgreSQL: `DATABASE_URL=postgres://… pytest tests/emergency`. Their
sequential forms run everywhere (tests/emergency/test_actions.py)."""

import contextlib
import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from siao.accounts.enums import Role
from siao.emergency import actions
from siao.emergency.enums import CallerType, EmergencyStatus, SignalStatus, SleepingPlace
from siao.emergency.models import Call, EmergencyRequest, Placement
from siao.households.enums import ExitDestination
from siao.offer.enums import PlaceState, PlaceType
from siao.offer.models import Place, PlaceStateChange
from siao.orientation import actions as orientation_actions
from siao.orientation.enums import ExitReason
from siao.orientation.models import Stay
from tests.factories import PlaceGroupFactory, household_with, membership_for

from .helpers import EmergencyWorld, actor_for

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="SQLite serializes write transactions: no real concurrency"
    ),
    pytest.mark.django_db(transaction=True),
]


def race(*calls):
    """Run the calls in threads released together; each outcome is its result or its
    ValidationError, in the order of the calls."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except ValidationError as exc:
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def codes(exc: ValidationError) -> set:
    if hasattr(exc, "error_dict"):
        return {error.code for errors in exc.error_dict.values() for error in errors}
    return {error.code for error in exc.error_list}


def test_two_handlers_orienting_to_the_same_last_place_one_wins_the_other_picks_another():
    world = EmergencyWorld.build(places=1)
    other_group = PlaceGroupFactory(
        program=world.shelter, place_type=PlaceType.EMERGENCY, capacity=1, name="Autre groupe"
    )
    first = world.request()
    colleague = actor_for(membership_for(Role.SIAO_OPERATOR))
    second = world.request(actor=colleague, household=household_with())
    (place,) = Place.objects.filter(place_group=world.group)

    outcomes = race(
        lambda: actions.orient_emergency_request(
            actor=world.handler, emergency_request=first, place_group=world.group
        ),
        lambda: actions.orient_emergency_request(actor=colleague, emergency_request=second, place_group=world.group),
    )
    winners = [o for o in outcomes if isinstance(o, EmergencyRequest)]
    losers = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert codes(losers[0]) == {"place_taken"}
    assert "Choisissez une autre solution" in " ".join(losers[0].messages)

    # Nothing double-booked: one active placement, the place held once.
    assert Placement.objects.filter(place=place, released_at__isnull=True).count() == 1
    assert Place.objects.get(pk=place.pk).state == PlaceState.HELD
    assert PlaceStateChange.objects.filter(place=place, to_state=PlaceState.HELD).count() == 1
    winner = EmergencyRequest.objects.get(pk=winners[0].pk)
    loser = EmergencyRequest.objects.get(pk={first.pk, second.pk}.difference({winner.pk}).pop())
    assert winner.status == EmergencyStatus.ORIENTED and winner.place_group == world.group
    assert loser.status == EmergencyStatus.PENDING and loser.version == 0 and loser.place_group is None

    # The loser picks another place.
    loser_actor = world.handler if loser.pk == first.pk else colleague
    actions.orient_emergency_request(actor=loser_actor, emergency_request=loser, place_group=other_group)
    assert EmergencyRequest.objects.get(pk=loser.pk).status == EmergencyStatus.ORIENTED
    assert Placement.objects.filter(released_at__isnull=True).count() == 2
    assert set(Place.objects.values_list("state", flat=True)) == {PlaceState.HELD}


def test_two_handlers_orienting_two_families_to_a_group_with_room_for_one():
    world = EmergencyWorld.build(places=4, composition="single_woman_with_children", children=2)
    first = world.request()
    colleague = actor_for(membership_for(Role.SIAO_OPERATOR))
    second = world.request(actor=colleague, household=household_with(composition="couple_with_children", children=2))
    outcomes = race(
        lambda: actions.orient_emergency_request(
            actor=world.handler, emergency_request=first, place_group=world.group
        ),
        lambda: actions.orient_emergency_request(actor=colleague, emergency_request=second, place_group=world.group),
    )
    assert sum(isinstance(o, EmergencyRequest) for o in outcomes) == 1, outcomes
    (loser,) = [o for o in outcomes if isinstance(o, ValidationError)]
    assert codes(loser) == {"place_taken"}
    assert Placement.objects.filter(released_at__isnull=True).count() == 3
    assert sorted(Place.objects.values_list("state", flat=True)) == [PlaceState.AVAILABLE] + [PlaceState.HELD] * 3


def test_two_handlers_creating_a_request_for_the_same_household_and_night_make_one():
    world = EmergencyWorld.build()
    colleague = actor_for(membership_for(Role.SIAO_OPERATOR))
    calls = [world.call(), world.call(actor=colleague)]
    outcomes = race(
        lambda: actions.create_emergency_request(
            actor=world.handler, call=calls[0], sleeping_place=SleepingPlace.STREET
        ),
        lambda: actions.create_emergency_request(actor=colleague, call=calls[1], sleeping_place=SleepingPlace.VEHICLE),
    )
    assert sum(isinstance(o, EmergencyRequest) for o in outcomes) == 1, outcomes
    (refusal,) = [o for o in outcomes if isinstance(o, ValidationError)]
    assert refusal.code == "duplicate"
    assert "Ce ménage a déjà une demande d'urgence en cours pour cette nuit" in " ".join(refusal.messages)
    assert EmergencyRequest.objects.filter(household=world.household).count() == 1


def test_two_handlers_taking_the_same_signal_one_takes_it():
    world = EmergencyWorld.build()
    known = household_with(program=world.outreach)
    encounter = actions.record_encounter(actor=world.outreach_worker, location="Gare", household=known)
    signal = actions.send_signal(actor=world.outreach_worker, encounter=encounter, message="Dort dehors")
    colleague = actor_for(membership_for(Role.SIAO_OPERATOR))
    outcomes = race(
        lambda: actions.log_call(actor=world.handler, caller_type=CallerType.OUTREACH, signal=signal),
        lambda: actions.log_call(actor=colleague, caller_type=CallerType.OUTREACH, signal=signal),
    )
    calls = [o for o in outcomes if isinstance(o, Call)]
    assert len(calls) == 1, outcomes
    (refusal,) = [o for o in outcomes if isinstance(o, ValidationError)]
    assert refusal.code == "taken"
    assert Call.objects.filter(signal=signal).count() == 1
    signal.refresh_from_db()
    assert signal.status == SignalStatus.TAKEN and signal.taken_by_id == calls[0].handler_id


def test_a_renewal_while_the_program_ends_the_stay_does_not_deadlock(monkeypatch):
    """The program's end_stay locks the stay, then the request (on_stay_ended); the renewal and
    the rollover must take them in the same order, or PostgreSQL kills one of the two. The
    hooks hold each side once it has its first lock, until the other has its own."""
    world = EmergencyWorld.build(places=1)
    er = world.sheltered()
    hold = threading.Barrier(2, timeout=3)
    original_lock, original_on_stay_ended = actions._lock, actions.on_stay_ended

    def wait():
        with contextlib.suppress(threading.BrokenBarrierError):  # the other side waits for our lock: go on
            hold.wait()

    def lock_then_wait(emergency_request):
        locked = original_lock(emergency_request)
        wait()
        return locked

    def wait_then_on_stay_ended(stay, *, user):
        wait()
        original_on_stay_ended(stay, user=user)

    monkeypatch.setattr(actions, "_lock", lock_then_wait)
    monkeypatch.setattr(actions, "on_stay_ended", wait_then_on_stay_ended)
    outcomes = [None, None]

    def run(index, call):
        try:
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - a deadlock is a DatabaseError: recorded, asserted below
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=run,
            args=(
                0,
                lambda: actions.renew_nights(
                    actor=world.handler, emergency_requests=[er], until=er.night_of + datetime.timedelta(days=2)
                ),
            ),
        ),
        threading.Thread(
            target=run,
            args=(
                1,
                lambda: orientation_actions.end_stay(
                    actor=world.manager,
                    stay=er.stay,
                    ended_on=timezone.localdate(),
                    exit_reason=ExitReason.VOLUNTARY,
                    exit_destination=ExitDestination.values[0],
                ),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    renewal, ending = outcomes
    assert isinstance(ending, Stay), outcomes  # the program's exit always goes through
    assert isinstance(renewal, list | ValidationError), outcomes  # renewed first, or told it ended
    er = EmergencyRequest.objects.get(pk=er.pk)
    assert er.status == EmergencyStatus.CLOSED
    assert set(Place.objects.values_list("state", flat=True)) == {PlaceState.AVAILABLE}
