"""Demonstration figures for the statistics dashboards. The demo's few households would make
every cell secret, so the 12 full months before the open months get synthetic aggregates for
département 35 (frozen, flagged `is_demo`, announced on the dashboards as fictitious); the open
months are then computed from the demo's real data by refresh(). Called by the demo seeding
only, never in production (the seeding command refuses the production configuration)."""

import datetime
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import feed
from .models import Cell, MonthState
from .months import add_months, current_month

DEPARTMENT = "35"
MONTHS = 12
SEED = 35

# Weights of each dimension's codes (codes of the referentials, see measures.py).
REQUEST_REASONS = {
    "203": 22,
    "205": 18,
    "204": 12,
    "215": 11,
    "220": 9,
    "217": 8,
    "201": 7,
    "216": 6,
    "221": 4,
    "218": 3,
}
COMPOSITIONS = {
    "single_man": 30,
    "single_woman_with_children": 22,
    "couple_with_children": 20,
    "single_woman": 14,
    "couple_without_children": 8,
    "single_man_with_children": 4,
    "adult_group": 2,
}
PERSONS_PER_HOUSEHOLD = {
    "single_man": 1,
    "single_woman": 1,
    "couple_without_children": 2,
    "single_woman_with_children": 3,
    "single_man_with_children": 3,
    "couple_with_children": 4,
    "adult_group": 3,
}
REQUEST_OUTCOMES = {"waiting": 30, "oriented": 12, "admitted": 18, "closed": 22, "cancelled": 14, "transmitted": 4}
EMERGENCY_OUTCOMES = {"closed": 38, "unmet": 41, "no_show": 6, "no_callback": 13, "sheltered": 2}
UNMET_REASONS = {"no_place": 62, "no_fitting_place": 21, "refused_by_person": 9, "hung_up": 6, "other": 2}
PROGRAM_TYPES = {"chrs": 34, "non_chrs": 28, "hotel": 18, "family_boarding_house": 8, "iml_subletting": 12}
PLACES = {"chrs": 140, "non_chrs": 110, "hotel": 60, "family_boarding_house": 25, "iml_subletting": 45}
EXIT_DESTINATIONS = {
    "15": 18,
    "14": 10,
    "38": 12,
    "8": 9,
    "7": 11,
    "18": 10,
    "21": 8,
    "22": 7,
    "31": 9,
    "1": 4,
    "19": 2,
}
DELAY_BUCKETS = {
    "0-7": (3.0, {"orientation": 22, "admission": 4}),
    "8-30": (17.0, {"orientation": 38, "admission": 21}),
}
DELAY_BUCKETS |= {
    "31-90": (52.0, {"orientation": 28, "admission": 45}),
    "91+": (128.0, {"orientation": 12, "admission": 30}),
}


def demo_months(today: datetime.date) -> list[datetime.date]:
    """The 12 full months before the open months."""
    first_open = add_months(current_month(today), -settings.STATISTICS_OPEN_MONTHS)
    return [add_months(first_open, index - MONTHS) for index in range(MONTHS)]


def seed_statistics_demo(*, today: datetime.date | None = None) -> dict:
    """Synthetic frozen months (once), then the open months from the demo's data. Returns
    the number of demo months created and refresh()'s report."""
    today = today or timezone.localdate()
    months = demo_months(today)
    created = 0
    if not MonthState.objects.using(feed.STATS_DB).filter(month__gte=months[0]).exists():
        now = timezone.now()
        rng = random.Random(SEED)  # noqa: S311 (fictitious figures, not a secret)
        with transaction.atomic(using=feed.STATS_DB):
            for month in months:
                Cell.objects.using(feed.STATS_DB).bulk_create(_cells(month, rng, now))
                MonthState.objects.using(feed.STATS_DB).create(
                    month=month, computed_at=now, frozen_at=now, is_demo=True
                )
                created += 1
    return {"demo_months": created, "refresh": feed.refresh(today=today)}


def _split(total: int, weights: dict, rng: random.Random) -> dict[str, int]:
    """`total` shared by the weights (each jittered a little), largest remainders first."""
    jittered = {code: weight * rng.uniform(0.8, 1.2) for code, weight in weights.items()}
    scale = total / sum(jittered.values())
    shares = {code: weight * scale for code, weight in jittered.items()}
    counts = {code: int(share) for code, share in shares.items()}
    for code in sorted(shares, key=lambda code: shares[code] - counts[code], reverse=True)[
        : total - sum(counts.values())
    ]:
        counts[code] += 1
    return counts


def _cells(month: datetime.date, rng: random.Random, now) -> list[Cell]:
    cells: list[Cell] = []
    season = 1.15 if month.month in (11, 12, 1, 2, 3) else 1.0

    def add(measure, dimension, value, count, persons, total=0.0):
        cells.append(
            Cell(
                month=month,
                department=DEPARTMENT,
                measure=measure,
                dimension=dimension,
                value=value,
                count=count,
                persons=persons,
                total=total,
                computed_at=now,
            )
        )

    def breakdown(measure, dimension, counts: dict, persons_of):
        for code, count in counts.items():
            add(measure, dimension, code, count, persons_of(code, count))

    # Insertion requests: persons from the composition's size.
    requests = round(rng.uniform(380, 440) * season)
    compositions = _split(requests, COMPOSITIONS, rng)
    request_persons = sum(count * PERSONS_PER_HOUSEHOLD[code] for code, count in compositions.items())
    ratio = request_persons / requests
    add("requests", "", "", requests, request_persons)
    breakdown("requests", "composition", compositions, lambda code, count: count * PERSONS_PER_HOUSEHOLD[code])
    breakdown("requests", "kind", {"insertion": requests}, lambda code, count: request_persons)
    for dimension, weights in (("reason", REQUEST_REASONS), ("outcome", REQUEST_OUTCOMES)):
        breakdown("requests", dimension, _split(requests, weights, rng), lambda code, count: round(count * ratio))

    # 115: about 85 requests a night, each household asking about 6 nights in the month.
    emergency = round(rng.uniform(80, 90) * 30 * season)
    emergency_persons = round(emergency / 6 * 1.6)
    add("emergency_requests", "", "", emergency, emergency_persons)
    outcomes = _split(emergency, EMERGENCY_OUTCOMES, rng)
    breakdown("emergency_requests", "outcome", outcomes, lambda code, count: round(count / 6 * 1.6))
    breakdown(
        "emergency_requests", "composition", _split(emergency, COMPOSITIONS, rng), lambda c, n: round(n / 6 * 1.6)
    )
    breakdown("emergency_requests", "reason", _split(emergency, REQUEST_REASONS, rng), lambda c, n: round(n / 6 * 1.6))
    unmet = outcomes["unmet"]
    add("unmet", "", "", unmet, round(unmet / 6 * 1.6))
    breakdown("unmet", "reason", _split(unmet, UNMET_REASONS, rng), lambda code, count: round(count / 6 * 1.6))

    distinct = request_persons + emergency_persons - round(emergency_persons * 0.15)  # some ask both ways
    add("persons", "", "", distinct, distinct)
    add("persons", "kind", "insertion", request_persons, request_persons)
    add("persons", "kind", "emergency", emergency_persons, emergency_persons)

    # Admissions, exits, delays.
    for measure, dimensions in (
        ("stays_started", {"program_type": PROGRAM_TYPES}),
        ("exits", {"program_type": PROGRAM_TYPES, "destination": EXIT_DESTINATIONS}),
    ):
        count = round(rng.uniform(100, 130))
        add(measure, "", "", count, round(count * 2.1))
        for dimension, weights in dimensions.items():
            breakdown(measure, dimension, _split(count, weights, rng), lambda code, n: round(n * 2.1))
    for kind in ("orientation", "admission"):
        count = round(rng.uniform(110, 150))
        buckets = _split(count, {code: weights[kind] for code, (_, weights) in DELAY_BUCKETS.items()}, rng)
        days = {code: n * DELAY_BUCKETS[code][0] * rng.uniform(0.9, 1.1) for code, n in buckets.items()}
        add(f"delay_{kind}", "", "", count, round(count * 2.1), round(sum(days.values())))
        for code, n in buckets.items():
            add(f"delay_{kind}", "bucket", code, n, round(n * 2.1), round(days[code]))

    # Occupancy: place-nights of each program type.
    days_in_month = (add_months(month, 1) - month).days
    occupied_total = available_total = persons_total = 0
    for code, places in PLACES.items():
        available = places * days_in_month
        occupied = round(available * rng.uniform(0.84, 0.99))
        persons = round(places * 1.25)
        add("occupancy", "program_type", code, occupied, persons, available)
        occupied_total, available_total, persons_total = (
            occupied_total + occupied,
            available_total + available,
            persons_total + persons,
        )
    add("occupancy", "", "", occupied_total, persons_total, available_total)
    return cells
