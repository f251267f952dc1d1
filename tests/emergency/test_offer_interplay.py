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


def test_nights_granted_beyond_an_early_exit_are_withdrawn():
    import datetime

    from siao.emergency.models import EmergencyRequest, Night
    from siao.emergency.nights import tonight
    from siao.orientation import actions as orientation
    from siao.orientation.models import Stay

    world = EmergencyWorld.build()
    emergency_request = world.sheltered()
    today = actions.timezone.localdate()
    started = today - datetime.timedelta(days=2)
    # Sheltered two nights ago, renewed night by night until last night.
    Stay.objects.filter(pk=emergency_request.stay_id).update(started_on=started)
    Night.objects.filter(stay_id=emergency_request.stay_id).update(night=started)
    Night.objects.create(
        stay_id=emergency_request.stay_id, night=started + datetime.timedelta(days=1), recorded_by=world.handler.user
    )
    EmergencyRequest.objects.filter(pk=emergency_request.pk).update(
        night_of=started, last_night=started + datetime.timedelta(days=1)
    )
    emergency_request.refresh_from_db()
    actions.renew_nights(
        actor=world.handler, emergency_requests=[emergency_request], until=tonight() + datetime.timedelta(days=3)
    )
    stay = Stay.objects.get(pk=emergency_request.stay_id)
    orientation.end_stay(actor=world.manager, stay=stay, ended_on=today, exit_reason="voluntary", exit_destination=7)
    emergency_request.refresh_from_db()
    assert list(Night.objects.filter(stay=stay).values_list("night", flat=True)) == [
        started,
        started + datetime.timedelta(days=1),
    ]
    assert emergency_request.last_night == started + datetime.timedelta(days=1)
    assert emergency_request.status == "closed"


def test_the_groups_made_for_the_household_come_first():
    from siao.emergency.queries import places_for_tonight
    from siao.offer.enums import PlaceType
    from siao.offer.models import Public
    from tests.factories import PlaceGroupFactory

    world = EmergencyWorld.build(composition="single_man")
    families = world.group  # "Urgence hommes et femmes", no public declared: open to all
    men = PlaceGroupFactory(program=world.shelter, name="Zénith dortoir hommes", place_type=PlaceType.EMERGENCY)
    men.publics.set(Public.objects.filter(code="single_man"))
    groups = list(places_for_tonight(world.household, world.household.department_id))
    assert groups == [men, families]
