"""The occupation at a past date, computed from the changes since, equals the state each place
was in then (its latest change up to then), whatever the history."""

import datetime
import random

import pytest
from django.utils import timezone

from siao.accounts.enums import Role
from siao.offer.enums import PLACE_TRANSITIONS, PlaceState
from siao.offer.models import Place, PlaceStateChange
from siao.offer.queries import end_of_day
from tests.factories import PlaceGroupFactory, ProgramFactory

URL = "/offre/capacites/"


def random_history(place, rng, start):
    """A consistent history, as the actions write it: created available, then legal moves."""
    state, when = PlaceState.AVAILABLE, start
    changes = [PlaceStateChange(place=place, from_state="", to_state=state, changed_at=when)]
    for _ in range(rng.randint(0, 6)):
        when += datetime.timedelta(hours=rng.randint(1, 120))
        new = rng.choice(sorted(PLACE_TRANSITIONS[state]))
        changes.append(PlaceStateChange(place=place, from_state=state, to_state=new, changed_at=when))
        state = new
    PlaceStateChange.objects.bulk_create(changes)
    Place.objects.filter(pk=place.pk).update(
        state=state, unavailability_reason="works" if state == PlaceState.UNAVAILABLE else ""
    )
    return changes


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_occupation_at_a_date_matches_each_places_state_then(client_as, seed):
    rng = random.Random(seed)
    start = timezone.now() - datetime.timedelta(days=40)
    programs = [ProgramFactory() for _ in range(3)]
    histories = {}
    for program in programs:
        group = PlaceGroupFactory(program=program, capacity=rng.randint(2, 6))
        for place in group.places.all():
            # Some places are created later than others, some after the chosen dates.
            histories[place.pk] = (
                program.pk,
                random_history(place, rng, start + datetime.timedelta(days=rng.randint(0, 30))),
            )
    client = client_as(Role.DEPARTMENT_ADMIN)
    for days_ago in (35, 20, 10, 3, 0):
        day = timezone.localdate() - datetime.timedelta(days=days_ago)
        moment = end_of_day(day)
        expected = dict.fromkeys((p.pk for p in programs), 0)
        for program_pk, changes in histories.values():
            before = [c for c in changes if c.changed_at < moment]
            if before and before[-1].to_state == PlaceState.OCCUPIED:
                expected[program_pk] += 1
        response = client.get(URL, {"date": day.isoformat()})
        rows = {row.key: row.occupied_at for row in response.context["table"].rows}
        assert rows == expected, days_ago
