"""Two responsables admit two households into the last free place at the same moment:
exactly one admission happens, the other is told in French, the place is occupied once.

SQLite serializes write transactions (and the in-memory test database locks its tables), so
the race is run on PostgreSQL: `DATABASE_URL=postgres://… pytest tests/orientation`."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from siao.offer.enums import PlaceState
from siao.offer.models import Place
from siao.orientation import actions
from siao.orientation.enums import ReferralStatus, RequestStatus
from siao.orientation.models import Referral, Stay
from tests.factories import household_with

from .helpers import World, actor_for, days_ago, program_role


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serializes write transactions: no real concurrency")
@pytest.mark.django_db(transaction=True)
def test_two_admissions_into_the_last_free_place_one_succeeds():
    world = World.build(places=1)
    first = world.accepted()
    # A second household oriented to the same program and accepted, by another responsable.
    world.household = household_with(program=world.origin)
    second = world.accepted()
    place = world.places()[0]
    managers = [world.manager, actor_for(program_role(world.target))]
    barrier = threading.Barrier(2)
    outcomes = []

    def admit(actor, referral):
        try:
            barrier.wait()
            actions.admit(actor=actor, referral=referral, place=place, started_on=days_ago(0))
            outcomes.append("admitted")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=admit, args=(actor, referral))
        for actor, referral in zip(managers, [first, second], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("admitted") == 1, outcomes
    refusal = next(outcome for outcome in outcomes if outcome != "admitted")
    assert refusal.startswith("Cette place n'est plus disponible")
    assert Stay.objects.filter(place=place).count() == 1
    assert Place.objects.get(pk=place.pk).state == PlaceState.OCCUPIED
    statuses = sorted(Referral.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses == sorted([ReferralStatus.ADMITTED, ReferralStatus.ACCEPTED])
    loser = Referral.objects.get(status=ReferralStatus.ACCEPTED, pk__in=[first.pk, second.pk])
    assert loser.request.status == RequestStatus.ORIENTED  # nothing changed for the loser
