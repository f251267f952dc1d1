"""The 115 and the rest of the offer: a place the 115 holds is nobody else's."""

import pytest

from siao.emergency import actions
from siao.offer.enums import PlaceState

from .helpers import EmergencyWorld

pytestmark = pytest.mark.django_db


def test_a_place_held_by_the_115_cannot_be_given_by_an_admission():
    from django.core.exceptions import ValidationError

    from siao.orientation import actions as orientation
    from tests.factories import household_with

    world = EmergencyWorld.build(places=1)
    world.oriented()
    held = world.group.places.get()
    other = household_with(program=world.shelter)
    with pytest.raises(ValidationError) as error:
        orientation.direct_admission(
            actor=world.manager, household=other, place=held, started_on=actions.timezone.localdate()
        )
    assert error.value.message_dict["place"][0].startswith("Cette place n'est plus disponible")
    held.refresh_from_db()
    assert held.state == PlaceState.HELD
