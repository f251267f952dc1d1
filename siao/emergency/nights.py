"""Nights: a night belongs to the evening it starts (the night of the 3rd runs to the morning
of the 4th). A call at 2 a.m. concerns the night that began the evening before, until
EMERGENCY_NIGHT_CHANGE_HOUR."""

import datetime

from django.conf import settings
from django.utils import timezone


def tonight(now: datetime.datetime | None = None) -> datetime.date:
    local = timezone.localtime(now or timezone.now())
    if local.hour < settings.EMERGENCY_NIGHT_CHANGE_HOUR:
        return local.date() - datetime.timedelta(days=1)
    return local.date()


def last_renewable_night(now: datetime.datetime | None = None) -> datetime.date:
    """The furthest night a renewal may reach (tonight counts as the first of the window)."""
    return tonight(now) + datetime.timedelta(days=settings.EMERGENCY_RENEWAL_WINDOW_NIGHTS - 1)


def nights_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
