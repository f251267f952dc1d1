"""Every measure of the statistics base, computed by refresh() on a small world whose figures
are counted by hand; months are Paris months."""

import datetime

import pytest

from siao.emergency.enums import EmergencyStatus, UnmetReason
from siao.offer.enums import ProgramType, UnitKind
from siao.orientation.enums import RequestKind, RequestStatus
from siao.statistics import feed
from siao.statistics.models import Cell
from tests.factories import PlaceGroupFactory, ProgramFactory, department, household_with

from .helpers import STATS, cells, emergency_request, insertion_request, paris, referral, stay

pytestmark = pytest.mark.django_db(databases=STATS)

MARCH, APRIL, MAY = datetime.date(2025, 3, 1), datetime.date(2025, 4, 1), datetime.date(2025, 5, 1)
TODAY = datetime.date(2025, 5, 20)
SLEEPS_OUTSIDE, EVICTION = 203, 204


@pytest.fixture
def world():
    """Households: A (a woman alone), B (a mother and two children), C (held in the 29)."""
    chrs = ProgramFactory(type=ProgramType.CHRS)
    hotel = ProgramFactory(type=ProgramType.HOTEL)
    return {
        "chrs": chrs,
        "hotel": hotel,
        "a": household_with(),
        "b": household_with(composition="single_woman_with_children", children=2),
        "c": household_with(code="29"),
    }


def test_requests_count_transmitted_and_pseudo_requests_in_their_paris_month(world):
    a, b, c = world["a"], world["b"], world["c"]
    # 31 March 23:30 in Paris is still March; 1 April 00:30 in Paris (22:30 UTC on 31 March) is April.
    insertion_request(a, transmitted_at=paris(MARCH.replace(day=31), 23, 30), reason=SLEEPS_OUTSIDE)
    insertion_request(b, transmitted_at=paris(APRIL, 0, 30), reason=EVICTION, status=RequestStatus.ORIENTED)
    insertion_request(
        a,
        transmitted_at=None,
        is_pseudo=True,
        status=RequestStatus.ADMITTED,
        created_at=paris(APRIL.replace(day=10)),
    )
    insertion_request(b, transmitted_at=None, status=RequestStatus.DRAFT)  # never transmitted: not a request
    insertion_request(c, transmitted_at=paris(MARCH.replace(day=5)), code="29", kind=RequestKind.EMERGENCY)

    feed.refresh(today=TODAY)

    assert cells("requests", MARCH) == {"": (1, 1, 0)}
    assert cells("requests", APRIL) == {"": (2, 4, 0)}
    assert cells("requests", MARCH, code="29") == {"": (1, 1, 0)}
    assert cells("requests", APRIL, "reason") == {str(EVICTION): (1, 3, 0), "unknown": (1, 1, 0)}
    assert cells("requests", APRIL, "outcome") == {"oriented": (1, 3, 0), "admitted": (1, 1, 0)}
    assert cells("requests", APRIL, "composition") == {
        "single_woman_with_children": (1, 3, 0),
        "single_woman": (1, 1, 0),
    }
    assert cells("requests", MARCH, "kind", code="29") == {"emergency": (1, 1, 0)}
    assert cells("requests", MAY) == {}


def test_persons_are_the_current_members_and_count_once_per_month(world):
    from siao.households.models import Household, HouseholdMember

    b = world["b"]
    insertion_request(b, transmitted_at=paris(MARCH.replace(day=2)))
    insertion_request(b, transmitted_at=paris(MARCH.replace(day=20)))
    # A child left the household (the household actions keep member_count in step).
    child = HouseholdMember.objects.filter(household=b, relationship="child").first()
    HouseholdMember.objects.filter(pk=child.pk).update(left_on=datetime.date(2025, 1, 1))
    Household.objects.filter(pk=b.pk).update(member_count=2, children_count=1)
    emergency_request(world["a"], night_of=MARCH.replace(day=3))

    feed.refresh(today=TODAY)

    assert cells("requests", MARCH) == {"": (2, 2, 0)}
    # B's two remaining members (insertion), A (emergency): three distinct persons.
    assert cells("persons", MARCH) == {"": (3, 3, 0)}
    assert cells("persons", MARCH, "kind") == {"insertion": (2, 2, 0), "emergency": (1, 1, 0)}


def test_a_person_asking_both_ways_counts_once_in_the_persons_total(world):
    a = world["a"]
    insertion_request(a, transmitted_at=paris(MARCH.replace(day=2)))
    emergency_request(a, night_of=MARCH.replace(day=3))
    emergency_request(a, night_of=MARCH.replace(day=4), status=EmergencyStatus.UNMET, unmet_reason="no_place")

    feed.refresh(today=TODAY)

    assert cells("persons", MARCH) == {"": (1, 1, 0)}
    assert cells("persons", MARCH, "kind") == {"insertion": (1, 1, 0), "emergency": (1, 1, 0)}


def test_emergency_requests_and_unmet_requests(world):
    a, b = world["a"], world["b"]
    emergency_request(a, night_of=MARCH.replace(day=31), status=EmergencyStatus.SHELTERED, reason=SLEEPS_OUTSIDE)
    emergency_request(
        b, night_of=MARCH.replace(day=30), status=EmergencyStatus.UNMET, unmet_reason=UnmetReason.NO_PLACE
    )
    emergency_request(
        b, night_of=MARCH.replace(day=29), status=EmergencyStatus.UNMET, unmet_reason=UnmetReason.HUNG_UP
    )
    emergency_request(a, night_of=APRIL, status=EmergencyStatus.UNMET, unmet_reason=UnmetReason.NO_PLACE)
    # Persons not linked to the request: the number recorded on it, once per household and cell.
    emergency_request(
        world["c"], night_of=MARCH.replace(day=1), code="29", status=EmergencyStatus.NO_CALLBACK, with_persons=False
    )
    emergency_request(
        world["c"], night_of=MARCH.replace(day=2), code="29", status=EmergencyStatus.NO_CALLBACK, with_persons=False
    )

    feed.refresh(today=TODAY)

    assert cells("emergency_requests", MARCH) == {"": (3, 4, 0)}
    assert cells("emergency_requests", MARCH, "outcome") == {"sheltered": (1, 1, 0), "unmet": (2, 3, 0)}
    assert cells("emergency_requests", MARCH, "composition") == {
        "single_woman": (1, 1, 0),
        "single_woman_with_children": (2, 3, 0),
    }
    assert cells("emergency_requests", MARCH, "reason") == {str(SLEEPS_OUTSIDE): (1, 1, 0), "unknown": (2, 3, 0)}
    assert cells("unmet", MARCH) == {"": (2, 3, 0)}
    # B's two unmet nights fall under two reasons: its 3 persons are shared between them (1.5
    # each, counted 1): a cell's persons are never more than the truth.
    assert cells("unmet", MARCH, "reason") == {"no_place": (1, 1, 0), "hung_up": (1, 1, 0)}
    assert cells("unmet", APRIL) == {"": (1, 1, 0)}
    assert cells("emergency_requests", MARCH, code="29") == {"": (2, 1, 0)}
    assert cells("emergency_requests", MARCH, "outcome", code="29") == {"no_callback": (2, 1, 0)}


def test_admissions_and_exits_by_program_type_and_destination(world):
    a, b, c = world["a"], world["b"], world["c"]
    stay(a, world["chrs"], started_on=MARCH.replace(day=31), ended_on=APRIL.replace(day=15), destination=2)
    stay(b, world["hotel"], started_on=APRIL, ended_on=APRIL.replace(day=30), destination=4)
    stay(c, ProgramFactory(type=ProgramType.CHRS, department=department("29")), started_on=MARCH.replace(day=3))

    feed.refresh(today=TODAY)

    assert cells("stays_started", MARCH) == {"": (1, 1, 0)}
    assert cells("stays_started", APRIL, "program_type") == {"hotel": (1, 3, 0)}
    assert cells("stays_started", MARCH, code="29") == {"": (1, 1, 0)}
    assert cells("exits", APRIL) == {"": (2, 4, 0)}
    assert cells("exits", APRIL, "destination") == {"2": (1, 1, 0), "4": (1, 3, 0)}
    assert cells("exits", APRIL, "program_type") == {"chrs": (1, 1, 0), "hotel": (1, 3, 0)}
    assert cells("exits", MARCH) == {}


def test_delays_from_transmission_to_the_first_orientation_and_to_admission(world):
    a, b = world["a"], world["b"]
    chrs = world["chrs"]
    request_a = insertion_request(a, transmitted_at=paris(datetime.date(2025, 2, 20), 23, 30))
    referral(request_a, chrs, proposed_at=paris(MARCH.replace(day=2), 9))  # 10 days
    referral(request_a, world["hotel"], proposed_at=paris(APRIL.replace(day=2)))  # not the first: ignored
    request_b = insertion_request(b, transmitted_at=paris(MARCH.replace(day=1), 8))
    referral(request_b, chrs, proposed_at=paris(MARCH.replace(day=3), 0, 15))  # 2 days (Paris dates)
    stay(b, chrs, started_on=APRIL.replace(day=30), request=request_b)  # 60 days
    stay(a, chrs, started_on=APRIL.replace(day=5))  # direct admission: no delay

    feed.refresh(today=TODAY)

    assert cells("delay_orientation", MARCH) == {"": (2, 4, 12.0)}
    assert cells("delay_orientation", MARCH, "bucket") == {"0-7": (1, 3, 2.0), "8-30": (1, 1, 10.0)}
    assert cells("delay_orientation", APRIL) == {}
    assert cells("delay_admission", APRIL) == {"": (1, 3, 60.0)}
    assert cells("delay_admission", APRIL, "bucket") == {"31-90": (1, 3, 60.0)}


def test_occupancy_counts_place_nights_clipped_to_the_month_and_to_tonight(world):
    a, b = world["a"], world["b"]
    chrs, hotel = world["chrs"], world["hotel"]
    PlaceGroupFactory(program=chrs, capacity=10)
    dwellings = PlaceGroupFactory(program=hotel, capacity=2, unit_kind=UnitKind.DWELLING)
    room = dwellings.places.create(label="Chambre 1", department=hotel.department)
    # A: 30 March → 3 April, one place: 2 nights in March, 2 in April.
    stay(a, chrs, started_on=MARCH.replace(day=30), ended_on=APRIL.replace(day=3))
    # B (3 persons) in a dwelling since 28 April, still there on 20 May: 3 nights in April, 20 in May.
    stay(b, hotel, started_on=APRIL.replace(day=28), place=room)
    # B also in the CHRS from 10 to 12 March: 2 nights × 3 places.
    stay(b, chrs, started_on=MARCH.replace(day=10), ended_on=MARCH.replace(day=12))

    feed.refresh(today=TODAY)

    assert cells("occupancy", MARCH, "program_type") == {"chrs": (2 + 6, 4, 10.0 * 31), "hotel": (0, 0, 2.0 * 31)}
    assert cells("occupancy", MARCH) == {"": (8, 4, 10.0 * 31 + 2 * 31)}
    assert cells("occupancy", APRIL, "program_type") == {"chrs": (2, 1, 300.0), "hotel": (3, 3, 60.0)}
    # May is the current month: counted up to tonight (nights 1…20), capacity too.
    assert cells("occupancy", MAY, "program_type") == {"chrs": (0, 0, 200.0), "hotel": (20, 3, 40.0)}


def test_programs_opened_or_closed_during_the_month_count_their_open_days_only(world):
    program = ProgramFactory(type=ProgramType.NON_CHRS, starts_on=MARCH.replace(day=21), ends_on=APRIL.replace(day=10))
    PlaceGroupFactory(program=program, capacity=4)
    refused = ProgramFactory(type=ProgramType.NON_CHRS, validation_status="refused")
    PlaceGroupFactory(program=refused, capacity=50)
    insertion_request(world["a"], transmitted_at=paris(MARCH.replace(day=2)))  # the first month with data

    feed.refresh(today=TODAY)

    assert cells("occupancy", MARCH, "program_type") == {"non_chrs": (0, 0, 4.0 * 11)}
    assert cells("occupancy", APRIL, "program_type") == {"non_chrs": (0, 0, 4.0 * 10)}
    assert cells("occupancy", MAY, "program_type") == {}


def test_no_cell_holds_a_person(world):
    insertion_request(world["a"], transmitted_at=paris(MARCH.replace(day=2)))
    feed.refresh(today=TODAY)
    fields = {field.name for field in Cell._meta.get_fields()}
    assert fields == {
        "id",
        "month",
        "department",
        "measure",
        "dimension",
        "value",
        "count",
        "persons",
        "total",
        "computed_at",
    }
