"""The demonstration figures: twelve frozen, flagged months for the 35 before the open months,
created once, consistent enough for the dashboards to show figures (and a few secrets)."""

import datetime

import pytest
from django.db.models import Sum

from siao.statistics.demo import demo_months, seed_statistics_demo
from siao.statistics.disclosure import publish
from siao.statistics.models import Cell, MonthState

from .helpers import STATS

pytestmark = pytest.mark.django_db(databases=STATS)

TODAY = datetime.date(2025, 6, 10)


def test_the_demo_fills_the_twelve_months_before_the_open_ones_then_refreshes():
    report = seed_statistics_demo(today=TODAY)
    months = demo_months(TODAY)
    assert months[0] == datetime.date(2024, 4, 1) and months[-1] == datetime.date(2025, 3, 1)
    assert report["demo_months"] == 12
    assert report["refresh"]["first_month"] == "2025-04-01" and report["refresh"]["last_month"] == "2025-06-01"
    states = MonthState.objects.order_by("month")
    assert [state.month for state in states if state.is_demo] == months
    assert all(state.frozen_at for state in states if state.is_demo)
    assert set(Cell.objects.values_list("department", flat=True)) == {"35"}


def test_the_demo_is_created_once():
    seed_statistics_demo(today=TODAY)
    count = Cell.objects.count()
    assert seed_statistics_demo(today=TODAY)["demo_months"] == 0
    assert Cell.objects.count() == count


def test_the_demo_figures_add_up_and_show_through_the_secret():
    seed_statistics_demo(today=TODAY)
    month = datetime.date(2024, 12, 1)
    for measure, dimension in (("requests", "reason"), ("emergency_requests", "outcome"), ("exits", "destination")):
        total = Cell.objects.get(month=month, measure=measure, dimension="").count
        parts = Cell.objects.filter(month=month, measure=measure, dimension=dimension).aggregate(n=Sum("count"))["n"]
        assert parts == total
    publication = publish(
        measure="requests", dimension="reason", first=datetime.date(2024, 4, 1), last=month, department="35"
    )
    assert not publication.total.secret
    assert sum(1 for figure in publication.by_value if not figure.secret) >= 5
    unmet = publish(measure="unmet", dimension="reason", first=month, last=month, department="35")
    assert any(figure.secret for figure in unmet.by_value)  # the demo shows what a secret looks like
