"""refresh(): which months it computes, freezing (in order, without gaps), idempotency, a
killed refresh, and the purge invariance: deleting files never changes a frozen month."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import QuerySet

from siao.households.models import Household
from siao.statistics import feed
from siao.statistics.models import Cell, MonthState
from siao.statistics.tasks import refresh_statistics_task
from tests.factories import ProgramFactory, household_with

from .helpers import STATS, cells, computed_month, emergency_request, insertion_request, paris, stay

pytestmark = pytest.mark.django_db(databases=STATS)

JAN, FEB, MAR, APR, MAY, JUN = (datetime.date(2025, month, 1) for month in range(1, 7))
TODAY = datetime.date(2025, 6, 10)


def snapshot(months=None) -> dict:
    """Every cell (without computed_at), by key."""
    queryset = Cell.objects.all() if months is None else Cell.objects.filter(month__in=months)
    return {(c.month, c.department, c.measure, c.dimension, c.value): (c.count, c.persons, c.total) for c in queryset}


@pytest.fixture
def history():
    """Requests every month from January to June 2025, a stay from February."""
    households = [household_with() for _ in range(3)]
    for month in (JAN, FEB, MAR, APR, MAY, JUN):
        for household in households:
            insertion_request(household, transmitted_at=paris(month.replace(day=5)))
    stay(households[0], ProgramFactory(), started_on=FEB.replace(day=2), ended_on=APR.replace(day=20))
    emergency_request(households[1], night_of=MAR.replace(day=3))
    return households


def test_the_first_refresh_computes_every_month_since_the_first_data_and_freezes_the_old_ones(history):
    assert feed.frozen_through() is None
    report = feed.refresh(today=TODAY)
    assert report["months_computed"] == 6
    assert report["first_month"] == "2025-01-01" and report["last_month"] == "2025-06-01"
    # June is current; April and May are the two open months before it.
    assert report["months_frozen"] == 3
    assert feed.frozen_through() == MAR
    states = {state.month: state.frozen_at is not None for state in MonthState.objects.all()}
    assert states == {JAN: True, FEB: True, MAR: True, APR: False, MAY: False, JUN: False}
    assert cells("requests", JAN) == {"": (3, 3, 0)}
    assert report["cells_written"] == Cell.objects.count()


def test_a_second_refresh_recomputes_the_open_months_only_and_changes_nothing(history):
    feed.refresh(today=TODAY)
    before = snapshot()
    frozen_at = dict(MonthState.objects.filter(frozen_at__isnull=False).values_list("month", "frozen_at"))
    frozen_cells = dict(Cell.objects.filter(month__lte=MAR).values_list("pk", "computed_at"))

    report = feed.refresh(today=TODAY)

    assert report["months_computed"] == 3 and report["months_frozen"] == 0
    assert snapshot() == before
    assert dict(MonthState.objects.filter(frozen_at__isnull=False).values_list("month", "frozen_at")) == frozen_at
    assert dict(Cell.objects.filter(month__lte=MAR).values_list("pk", "computed_at")) == frozen_cells


def test_months_freeze_as_time_passes(history):
    feed.refresh(today=TODAY)
    report = feed.refresh(today=datetime.date(2025, 8, 1))
    assert report["months_frozen"] == 2  # April and May
    assert feed.frozen_through() == MAY
    assert report["first_month"] == "2025-04-01" and report["last_month"] == "2025-08-01"


def test_the_number_of_open_months_is_a_setting(history, settings):
    settings.STATISTICS_OPEN_MONTHS = 0
    feed.refresh(today=TODAY)
    assert feed.frozen_through() == MAY


def test_purging_files_never_changes_a_frozen_month(history):
    feed.refresh(today=TODAY)
    frozen_before = snapshot([JAN, FEB, MAR])
    open_before = snapshot([APR, MAY, JUN])

    # The retention purge deletes whole files (cascading to their requests and stays).
    for household in history:
        Household.objects.filter(pk=household.pk).update(head=None)
        household.delete()
    feed.refresh(today=TODAY)

    assert snapshot([JAN, FEB, MAR]) == frozen_before
    assert snapshot([APR, MAY, JUN]) != open_before
    assert cells("requests", APR) == {}


def test_data_entered_late_in_a_frozen_month_is_not_counted(history):
    feed.refresh(today=TODAY)
    insertion_request(history[0], transmitted_at=paris(FEB.replace(day=20)))
    insertion_request(history[0], transmitted_at=paris(APR.replace(day=20)))
    feed.refresh(today=TODAY)
    assert cells("requests", FEB) == {"": (3, 3, 0)}
    assert cells("requests", APR)[""][0] == 4


def test_a_refresh_killed_midway_leaves_each_month_old_or_new(history, monkeypatch):
    feed.refresh(today=TODAY)
    before = snapshot()
    insertion_request(history[0], transmitted_at=paris(APR.replace(day=21)))
    insertion_request(history[0], transmitted_at=paris(MAY.replace(day=21)))
    original = QuerySet.bulk_create
    calls = []

    def dies_on_the_second_month(queryset, objs, *args, **kwargs):
        if queryset.model is Cell:
            calls.append(1)
            if len(calls) == 2:
                raise RuntimeError("killed")
        return original(queryset, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", dies_on_the_second_month)
    with pytest.raises(RuntimeError):
        feed.refresh(today=TODAY)

    after = snapshot()
    assert cells("requests", APR)[""][0] == 4  # recomputed
    assert {key: value for key, value in after.items() if key[0] == MAY} == {
        key: value for key, value in before.items() if key[0] == MAY
    }  # untouched, not half-deleted


def test_freezing_goes_in_month_order_and_stops_at_a_gap():
    computed_month(JAN, frozen=True)
    computed_month(FEB)
    computed_month(APR)  # March was never computed
    assert feed.freeze(today=datetime.date(2025, 9, 1)) == [FEB]
    assert feed.frozen_through() == FEB


def test_an_empty_base_computes_the_current_month_only():
    report = feed.refresh(today=TODAY)
    assert report["months_computed"] == 1 and report["last_month"] == "2025-06-01"
    assert report["cells_written"] == 0
    assert MonthState.objects.get().month == JUN


def test_progress_is_reported(history):
    lines = []
    feed.refresh(today=TODAY, progress=lambda label, done, total: lines.append((label, done, total)))
    assert lines[0] == ("calcul de 01/2025 à 06/2025", 0, 6)
    assert lines[-1] == ("mois calculés", 6, 6)


def test_the_command_prints_its_progress_and_report(history):
    out = StringIO()
    call_command("refresh_statistics", "--today", "2025-06-10", stdout=out)
    output = out.getvalue()
    assert "Statistiques : calcul de 01/2025 à 06/2025 (0/6 mois)" in output
    assert "6 mois calculé(s)" in output and "figés jusqu'à 2025-03" in output


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("refresh_statistics", "--today", "31/03/2025")


def test_the_task_refreshes_the_base(history, time_machine):
    time_machine.move_to(datetime.datetime(2025, 6, 10, 12, tzinfo=datetime.UTC))
    report = refresh_statistics_task.call()
    assert report["months_computed"] == 6 and report["frozen_through"] == "2025-03-01"
    assert refresh_statistics_task.name == "refresh_statistics_task"
