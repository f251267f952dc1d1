"""Feeding the statistics base: `refresh()` recomputes every month not frozen yet from the
transactional base, then freezes the months old enough. Run daily (refresh_statistics, or the
task), and by the retention run before it purges files.

Why freezing: a frozen month is never recomputed, so purging a file (which only ever removes
data, and only files without action for 24 months) cannot change a published total. The
current month and the STATISTICS_OPEN_MONTHS before it stay open, so that late entries (an
exit recorded a few weeks late, an outcome changed) still count.

Atomicity: each month's cells are replaced in one transaction on the `stats` database, so a
killed refresh leaves every month either as it was or fully recomputed."""

import contextlib
import datetime
import time

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max, Min
from django.utils import timezone

from siao.emergency.models import EmergencyRequest
from siao.orientation.models import Request, Stay

from . import sources
from .models import Cell, MonthState
from .months import add_months, current_month, first_day, months_between

STATS_DB = "stats"
DEFAULT_DB = "default"
WORK_MEM = "256MB"
# Months computed together (one set of queries): bounds memory on a first full build.
SPAN_MONTHS = 6


def frozen_through() -> datetime.date | None:
    """The last frozen month (first day): every month up to it is frozen."""
    return MonthState.objects.using(STATS_DB).filter(frozen_at__isnull=False).aggregate(last=Max("month"))["last"]


def last_open_month_to_freeze(today: datetime.date) -> datetime.date:
    """The latest month that may be frozen on `today`: the one before the open months."""
    return add_months(current_month(today), -(settings.STATISTICS_OPEN_MONTHS + 1))


def earliest_data_month() -> datetime.date | None:
    """The first month with a request, an emergency request or a stay."""
    candidates = [
        Request.objects.aggregate(first=Min("transmitted_at"))["first"],
        Request.objects.filter(is_pseudo=True).aggregate(first=Min("created_at"))["first"],
        EmergencyRequest.objects.aggregate(first=Min("night_of"))["first"],
        Stay.objects.aggregate(first=Min("started_on"))["first"],
    ]
    days = [timezone.localdate(value) if isinstance(value, datetime.datetime) else value for value in candidates]
    days = [day for day in days if day is not None]
    return first_day(min(days)) if days else None


def months_to_compute(today: datetime.date) -> list[datetime.date]:
    """After the last frozen month (or from the first month with data) up to the current month."""
    current = current_month(today)
    frozen = frozen_through()
    first = add_months(frozen, 1) if frozen is not None else (earliest_data_month() or current)
    return months_between(first, current)


def refresh(*, today: datetime.date | None = None, progress=None) -> dict:
    """Recompute the months not frozen, then freeze those old enough. Returns a small report."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    months = months_to_compute(today)
    cells_written = 0
    computed = []
    for index in range(0, len(months), SPAN_MONTHS):
        chunk = months[index : index + SPAN_MONTHS]
        if progress:
            progress(f"calcul de {chunk[0]:%m/%Y} à {chunk[-1]:%m/%Y}", index, len(months))
        figures = _compute(sources.Span(first=chunk[0], last=chunk[-1], today=today))
        by_month: dict[datetime.date, list] = {month: [] for month in chunk}
        for (month, department, measure, dimension, value), (count, persons, total) in figures.items():
            by_month[month].append((department, measure, dimension, value, count, persons, total))
        for month in chunk:
            written = _replace_month(month, by_month[month])
            if written is not None:
                cells_written += written
                computed.append(month)
    if progress:
        progress("mois calculés", len(months), len(months))
    frozen = freeze(today=today)
    through = frozen_through()
    return {
        "months_computed": len(computed),
        "first_month": computed[0].isoformat() if computed else None,
        "last_month": computed[-1].isoformat() if computed else None,
        "months_frozen": len(frozen),
        "frozen_through": through.isoformat() if through else None,
        "cells_written": cells_written,
        "seconds": round(time.perf_counter() - started, 2),
    }


@contextlib.contextmanager
def reading():
    """A transaction on the transactional base with enough sort memory on PostgreSQL: the
    statements group hundreds of thousands of rows each, in memory rather than spilled to disk."""
    with transaction.atomic(using=DEFAULT_DB):
        connection = connections[DEFAULT_DB]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = %s", [WORK_MEM])
        yield


def _compute(span: sources.Span) -> dict:
    with reading():
        return sources.compute(span)


def _replace_month(month: datetime.date, rows: list) -> int | None:
    """The month's cells, all replaced in one transaction; None when frozen meanwhile."""
    now = timezone.now()
    with transaction.atomic(using=STATS_DB):
        state = MonthState.objects.using(STATS_DB).select_for_update().filter(month=month).first()
        if state is not None and state.frozen_at is not None:
            return None
        Cell.objects.using(STATS_DB).filter(month=month).delete()
        Cell.objects.using(STATS_DB).bulk_create(
            [
                Cell(
                    month=month,
                    department=department,
                    measure=measure,
                    dimension=dimension,
                    value=value,
                    count=int(count),
                    persons=int(persons),
                    total=float(total),
                    computed_at=now,
                )
                for department, measure, dimension, value, count, persons, total in rows
            ],
            batch_size=2000,
        )
        if state is None:
            MonthState.objects.using(STATS_DB).create(month=month, computed_at=now)
        else:
            state.computed_at, state.is_demo = now, False
            state.save(update_fields=["computed_at", "is_demo"])
    return len(rows)


def freeze(*, today: datetime.date) -> list[datetime.date]:
    """Freeze, in month order and without gaps, the computed months old enough."""
    limit = last_open_month_to_freeze(today)
    frozen = []
    now = timezone.now()
    with transaction.atomic(using=STATS_DB):
        states = MonthState.objects.using(STATS_DB).select_for_update().filter(month__lte=limit).order_by("month")
        expected = None
        for state in states:
            if expected is not None and state.month != expected:
                break  # a gap: a month never computed stays open, and the ones after it too
            expected = add_months(state.month, 1)
            if state.frozen_at is None:
                state.frozen_at = now
                state.save(update_fields=["frozen_at"])
                frozen.append(state.month)
    return frozen
