"""Months as the statistics base counts them: a month is its first day, in Paris local time."""

import datetime
import re

from django.utils import timezone


def first_day(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from `first` to `last`, both included."""
    months, month = [], first_day(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_key(month: datetime.date) -> int:
    """The integer the SQL of feed_queries.py groups by: 202603 for March 2026."""
    return month.year * 100 + month.month


def from_key(key: int) -> datetime.date:
    return datetime.date(int(key) // 100, int(key) % 100, 1)


def local_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, Paris time (aware)."""
    return datetime.datetime.combine(day, datetime.time.min, timezone.get_default_timezone())


def current_month(today: datetime.date | None = None) -> datetime.date:
    return first_day(today or timezone.localdate())


FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def month_label(month: datetime.date) -> str:
    return f"{FRENCH_MONTHS[month.month - 1]} {month.year}"


def short_month_label(month: datetime.date) -> str:
    return f"{month:%m/%Y}"


def year_period(year: int, current: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The months the dashboards publish for `year`: January to December, or to the current
    month for the current year (a calendar year is the only period offered: docs/statistics.md)."""
    return datetime.date(year, 1, 1), min(datetime.date(year, 12, 1), first_day(current))


def legacy_year(value: str) -> int | None:
    """The year of an old `du`/`au` month (AAAA-MM or MM/AAAA), None when unreadable."""
    match = re.fullmatch(r"\s*(?:(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4}))\s*", value)
    if not match:
        return None
    year, month = (match[1], match[2]) if match[1] else (match[4], match[3])
    return int(year) if 1 <= int(month) <= 12 else None
