"""A small world for the statistics tests: requests, referrals, stays and emergency requests
created directly with the dates each test needs (the actions always date them now)."""

import datetime

from django.utils import timezone

from siao.emergency.enums import SleepingPlace
from siao.emergency.models import EmergencyRequest
from siao.offer.models import Public
from siao.orientation.enums import RequestKind, RequestStatus
from siao.orientation.models import Referral, Request, Stay
from siao.statistics.models import Cell, MonthState
from tests.factories import UserFactory, department

STATS = ["default", "stats"]


def paris(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


_user = None


def user():
    global _user
    if _user is None or not type(_user).objects.filter(pk=_user.pk).exists():
        _user = UserFactory()
    return _user


def insertion_request(
    household,
    *,
    transmitted_at,
    code: str = "35",
    kind: str = RequestKind.INSERTION,
    reason: int | None = None,
    status: str = RequestStatus.WAITING,
    is_pseudo: bool = False,
    created_at=None,
) -> Request:
    request = Request.objects.create(
        household=household,
        department=department(code),
        kind=kind,
        reason=reason,
        status=status,
        is_pseudo=is_pseudo,
        transmitted_at=transmitted_at,
    )
    if created_at is not None:
        Request.objects.filter(pk=request.pk).update(created_at=created_at)
    return request


def referral(request, program, *, proposed_at) -> Referral:
    return Referral.objects.create(request=request, program=program, proposed_by=user(), proposed_at=proposed_at)


def stay(household, program, *, started_on, ended_on=None, request=None, destination=None, place=None) -> Stay:
    return Stay.objects.create(
        household=household,
        program=program,
        request=request,
        started_on=started_on,
        ended_on=ended_on,
        exit_destination=destination,
        exit_reason="end_of_support" if ended_on else "",
        place=place,
        admitted_by=user(),
    )


def emergency_request(
    household,
    *,
    night_of: datetime.date,
    status: str = "pending",
    code: str = "35",
    reason: int | None = None,
    unmet_reason: str = "",
    with_persons: bool = True,
) -> EmergencyRequest:
    request = EmergencyRequest.objects.create(
        household=household,
        department=department(code),
        night_of=night_of,
        status=status,
        sleeping_place=SleepingPlace.STREET,
        reason=reason,
        unmet_reason=unmet_reason,
        composition=household.composition or Public.objects.get(code="single_woman"),
        member_count=household.member_count,
        children_count=household.children_count,
        created_by=user(),
    )
    if with_persons:
        request.persons.set([member.person_id for member in household.current_members()])
    return request


def cells(measure: str, month: datetime.date, dimension: str = "", code: str = "35") -> dict[str, tuple]:
    """value → (count, persons, total) of a measure's cells in one month and département."""
    return {
        cell.value: (cell.count, cell.persons, cell.total)
        for cell in Cell.objects.filter(measure=measure, month=month, dimension=dimension, department=code)
    }


def put_cell(month, measure, dimension="", value="", count=0, persons=0, total=0.0, code="35") -> Cell:
    return Cell.objects.create(
        month=month,
        department=code,
        measure=measure,
        dimension=dimension,
        value=value,
        count=count,
        persons=persons,
        total=total,
    )


def computed_month(month, *, frozen=False) -> MonthState:
    now = timezone.now()
    return MonthState.objects.create(month=month, computed_at=now, frozen_at=now if frozen else None)
