import datetime

import pytest

from siao.emergency import actions
from siao.emergency.enums import EmergencyStatus
from siao.emergency.nights import tonight
from siao.emergency.queries import places_for_tonight
from siao.offer.enums import PlaceState

from .helpers import EmergencyWorld

pytestmark = pytest.mark.django_db


def test_call_to_renewal_to_end():
    world = EmergencyWorld.build()
    er = world.request()
    assert list(places_for_tonight(world.household, er.department_id)) == [world.group]
    er = actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=world.group)
    assert er.status == EmergencyStatus.ORIENTED
    assert sorted(world.group.places.values_list("state", flat=True)) == [PlaceState.AVAILABLE, PlaceState.HELD]
    stay = actions.confirm_arrival(actor=world.manager, emergency_request=er)
    er.refresh_from_db()
    assert er.status == EmergencyStatus.SHELTERED and stay.nights.count() == 1
    actions.renew_nights(actor=world.handler, emergency_requests=[er], until=tonight() + datetime.timedelta(days=2))
    assert stay.nights.count() == 3
    later = actions.timezone.now() + datetime.timedelta(days=4)
    assert actions.rollover_nights(later) == {"no_callback": 0, "no_show": 0, "stays_ended": 1}
    er.refresh_from_db()
    stay.refresh_from_db()
    assert er.status == EmergencyStatus.CLOSED and stay.ended_on == tonight() + datetime.timedelta(days=3)
    assert set(world.group.places.values_list("state", flat=True)) == {PlaceState.AVAILABLE}
