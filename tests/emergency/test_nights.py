"""Nights: which night a moment belongs to (around EMERGENCY_NIGHT_CHANGE_HOUR), the renewal
window, and the morning rollover that closes what the past nights left open — idempotent, and
tested by time travel through its `now` argument."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from siao.audit.models import AuditEvent
from siao.emergency import actions
from siao.emergency.actions import EXIT_NO_CALLBACK, rollover_nights
from siao.emergency.enums import EmergencyStatus
from siao.emergency.models import EmergencyRequest, Night, Placement
from siao.emergency.nights import last_renewable_night, nights_between, tonight
from siao.offer.enums import PlaceState
from siao.offer.models import Place
from siao.orientation.enums import ExitReason
from siao.orientation.models import Stay
from tests.factories import household_with

from .helpers import EmergencyWorld
from .test_actions import snapshot

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DAY = datetime.timedelta(days=1)


def at(day: datetime.date, hour: int, minute: int = 0, tz=PARIS) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


def morning_after(night: datetime.date, hour: int = 9) -> datetime.datetime:
    """The rollover job's run: the morning that ends `night`."""
    return at(night + DAY, hour)


# --- tonight ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, expected",
    [
        (at(datetime.date(2026, 3, 3), 7, 59), datetime.date(2026, 3, 2)),
        (at(datetime.date(2026, 3, 3), 8, 0), datetime.date(2026, 3, 3)),
        (at(datetime.date(2026, 3, 3), 12), datetime.date(2026, 3, 3)),
        (at(datetime.date(2026, 3, 3), 23, 59), datetime.date(2026, 3, 3)),
        (at(datetime.date(2026, 3, 4), 0, 0), datetime.date(2026, 3, 3)),
        (at(datetime.date(2026, 3, 4), 2, 30), datetime.date(2026, 3, 3)),
        # 06:30 UTC is 07:30 in Paris in winter (still the night before), 08:30 in summer.
        (at(datetime.date(2026, 1, 10), 6, 30, tz=datetime.UTC), datetime.date(2026, 1, 9)),
        (at(datetime.date(2026, 7, 10), 6, 30, tz=datetime.UTC), datetime.date(2026, 7, 10)),
        # New Year's Eve: the night of the 31st runs into the new year.
        (at(datetime.date(2027, 1, 1), 3), datetime.date(2026, 12, 31)),
    ],
)
def test_tonight_changes_at_the_night_change_hour(settings, moment, expected):
    settings.EMERGENCY_NIGHT_CHANGE_HOUR = 8
    assert tonight(moment) == expected


def test_the_night_change_hour_is_a_setting(settings):
    moment = at(datetime.date(2026, 3, 3), 7)
    settings.EMERGENCY_NIGHT_CHANGE_HOUR = 6
    assert tonight(moment) == datetime.date(2026, 3, 3)
    settings.EMERGENCY_NIGHT_CHANGE_HOUR = 10
    assert tonight(moment) == datetime.date(2026, 3, 2)
    assert tonight(at(datetime.date(2026, 3, 3), 10)) == datetime.date(2026, 3, 3)


def test_tonight_without_argument_is_now(settings):
    settings.EMERGENCY_NIGHT_CHANGE_HOUR = 8
    assert tonight() == tonight(timezone.now())


def test_the_renewal_window_counts_tonight_as_its_first_night(settings):
    settings.EMERGENCY_NIGHT_CHANGE_HOUR = 8
    settings.EMERGENCY_RENEWAL_WINDOW_NIGHTS = 7
    assert last_renewable_night(at(datetime.date(2026, 3, 3), 20)) == datetime.date(2026, 3, 9)
    assert last_renewable_night(at(datetime.date(2026, 3, 4), 2)) == datetime.date(2026, 3, 9)
    settings.EMERGENCY_RENEWAL_WINDOW_NIGHTS = 1
    assert last_renewable_night(at(datetime.date(2026, 3, 3), 20)) == datetime.date(2026, 3, 3)


def test_nights_between_includes_both_ends():
    first = datetime.date(2026, 2, 27)
    assert nights_between(first, datetime.date(2026, 3, 1)) == [
        datetime.date(2026, 2, 27),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 1),
    ]
    assert nights_between(first, first) == [first]


# --- the rollover ----------------------------------------------------------------------------------


def test_the_rollover_leaves_tonights_requests_alone():
    world = EmergencyWorld.build(places=3)
    world.request()
    world.oriented(household=household_with())
    world.sheltered(household=household_with())
    before = snapshot()
    assert rollover_nights() == {"no_callback": 0, "no_show": 0, "stays_ended": 0}
    assert rollover_nights(at(tonight() + DAY, 7, 59)) == {"no_callback": 0, "no_show": 0, "stays_ended": 0}
    assert snapshot() == before


def test_the_morning_after_a_pending_request_becomes_no_callback():
    world = EmergencyWorld.build()
    er = world.request()
    assert rollover_nights(morning_after(er.night_of)) == {"no_callback": 1, "no_show": 0, "stays_ended": 0}
    er = EmergencyRequest.objects.get(pk=er.pk)
    assert er.status == EmergencyStatus.NO_CALLBACK and er.version == 1
    assert er.outcome_by is None and er.outcome_comment.startswith("Automatique")
    event = AuditEvent.objects.filter(action="emergency.request_no_callback").get()
    assert event.actor_user_id is None and event.object_id == str(er.public_id)
    assert event.data == {"automatic": True, "night_of": str(er.night_of)}


def test_the_morning_after_an_oriented_request_is_a_no_show_and_its_places_are_freed():
    world = EmergencyWorld.build(places=3, composition="single_woman_with_children", children=2)
    er = world.oriented()
    assert rollover_nights(morning_after(er.night_of)) == {"no_callback": 0, "no_show": 1, "stays_ended": 0}
    er = EmergencyRequest.objects.get(pk=er.pk)
    assert er.status == EmergencyStatus.NO_SHOW and er.outcome_by is None
    assert set(Place.objects.filter(place_group=world.group).values_list("state", flat=True)) == {PlaceState.AVAILABLE}
    assert not Placement.objects.filter(request=er, released_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="emergency.request_no_show").get().data["automatic"] is True


def test_a_stay_not_renewed_ends_the_morning_after_its_last_night():
    world = EmergencyWorld.build(places=3, composition="single_woman_with_children", children=2)
    er = world.sheltered()
    last = tonight() + 2 * DAY
    actions.renew_nights(actor=world.handler, emergency_requests=[er], until=last)
    # The nights granted are not over: nothing happens, even late at night or before the change hour.
    for moment in (at(last, 23), morning_after(last, hour=7)):
        assert rollover_nights(moment) == {"no_callback": 0, "no_show": 0, "stays_ended": 0}
    assert Stay.objects.get(pk=er.stay_id).ended_on is None
    assert rollover_nights(morning_after(last)) == {"no_callback": 0, "no_show": 0, "stays_ended": 1}
    er = EmergencyRequest.objects.get(pk=er.pk)
    stay = Stay.objects.get(pk=er.stay_id)
    assert er.status == EmergencyStatus.CLOSED
    assert stay.ended_on == last + DAY
    assert stay.exit_reason == ExitReason.NOT_RENEWED and stay.exit_destination == EXIT_NO_CALLBACK
    assert set(Place.objects.filter(place_group=world.group).values_list("state", flat=True)) == {PlaceState.AVAILABLE}
    assert not Placement.objects.filter(request=er, released_at__isnull=True).exists()
    assert Night.objects.filter(stay=stay).count() == 3
    event = AuditEvent.objects.filter(action="emergency.stay_not_renewed").get()
    assert event.data == {"automatic": True, "night_of": str(er.night_of)}


def test_the_rollover_closes_everything_at_once_and_twice_changes_nothing():
    world = EmergencyWorld.build(places=4)
    pending = world.request()
    oriented = world.oriented(household=household_with())
    sheltered = world.sheltered(household=household_with())
    renewed = world.sheltered(household=household_with())
    actions.renew_nights(actor=world.handler, emergency_requests=[renewed], until=tonight() + DAY)
    morning = morning_after(tonight())
    assert rollover_nights(morning) == {"no_callback": 1, "no_show": 1, "stays_ended": 1}
    statuses = dict(EmergencyRequest.objects.values_list("pk", "status"))
    assert statuses == {
        pending.pk: EmergencyStatus.NO_CALLBACK,
        oriented.pk: EmergencyStatus.NO_SHOW,
        sheltered.pk: EmergencyStatus.CLOSED,
        renewed.pk: EmergencyStatus.SHELTERED,  # renewed for the coming night
    }
    states = sorted(Place.objects.filter(place_group=world.group).values_list("state", flat=True))
    assert states == [PlaceState.AVAILABLE] * 3 + [PlaceState.OCCUPIED]
    before = snapshot()
    assert rollover_nights(morning) == {"no_callback": 0, "no_show": 0, "stays_ended": 0}
    assert rollover_nights(morning + datetime.timedelta(hours=3)) == {"no_callback": 0, "no_show": 0, "stays_ended": 0}
    assert snapshot() == before
    # The next morning, the renewed stay ends in turn.
    assert rollover_nights(morning + DAY) == {"no_callback": 0, "no_show": 0, "stays_ended": 1}
    assert Stay.objects.get(pk=EmergencyRequest.objects.get(pk=renewed.pk).stay_id).ended_on == tonight() + 2 * DAY
    assert set(Place.objects.filter(place_group=world.group).values_list("state", flat=True)) == {PlaceState.AVAILABLE}


def test_a_stay_ended_by_the_program_is_not_ended_again_by_the_rollover():
    from siao.households.enums import ExitDestination
    from siao.orientation import actions as orientation_actions

    world = EmergencyWorld.build(places=2)
    er = world.sheltered()
    orientation_actions.end_stay(
        actor=world.manager,
        stay=er.stay,
        ended_on=timezone.localdate(),
        exit_reason=ExitReason.VOLUNTARY,
        exit_destination=ExitDestination.values[0],
    )
    before = snapshot()
    assert rollover_nights(morning_after(tonight() + DAY)) == {"no_callback": 0, "no_show": 0, "stays_ended": 0}
    assert snapshot() == before
    assert Stay.objects.get(pk=er.stay_id).exit_reason == ExitReason.VOLUNTARY
