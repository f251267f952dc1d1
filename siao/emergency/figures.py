"""The 115's daily figures (aggregates only: no names, no personal data), by night and for a
period of nights, on a set of départements.

Rules:
- A request counts for its night (`EmergencyRequest.night_of`, the evening the night starts).
- A call counts for the night it was taken in: a call before EMERGENCY_NIGHT_CHANGE_HOUR (local
  time) belongs to the night that started the evening before (nights.py). The calls are
  filtered between the period's night boundaries (from `start` at the change hour to the day
  after `end` at the change hour), grouped by local date and by "before the change hour" in the
  database (TruncDate, ExtractHour in the current time zone), then folded onto nights in Python
  (a handful of groups per day, never one row per call).
- Distinct persons: the persons of the requests (`EmergencyRequest.persons`, snapshot at the
  request), counted distinct per night and over the whole period. A person asking on three
  nights counts once in the period: the period's figure is not the sum of the days'.
- Unmet (non pourvue, DNP): status unmet. Families with children: unmet requests whose household
  had children (children_count > 0); children: the sum of their children_count.
- Non-attribution rate = unmet requests / emergency requests of the same nights (in %, one
  decimal); none when there is no request.
- Orientations: requests whose status is in ORIENTED_STATUSES (oriented, sheltered, closed,
  did not come), by the program's type and by the place group's place type.

Six queries whatever the period or the number of requests (GROUP BY night or by label)."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from siao.offer.enums import PlaceType, ProgramType

from .enums import ORIENTED_STATUSES, EmergencyStatus, UnmetReason
from .models import Call, EmergencyRequest
from .nights import nights_between

MAX_PERIOD_DAYS = 366

UNMET = Q(status=EmergencyStatus.UNMET)
ORIENTED = Q(status__in=ORIENTED_STATUSES)


@dataclass
class FigureRow:
    """One night's figures (or the period's: `night` None)."""

    night: datetime.date | None = None
    calls: int = 0
    requests: int = 0
    persons: int = 0
    unmet: int = 0
    unmet_families: int = 0
    unmet_children: int = 0
    unmet_persons: int = 0
    oriented: int = 0

    @property
    def unmet_rate(self) -> float | None:
        """Non-attribution rate: unmet requests / requests, in %."""
        if not self.requests:
            return None
        return round(100 * self.unmet / self.requests, 1)


@dataclass
class DailyFigures:
    start: datetime.date
    end: datetime.date
    days: list[FigureRow]
    total: FigureRow
    by_program_type: list[tuple[str, int]] = field(default_factory=list)
    by_place_type: list[tuple[str, int]] = field(default_factory=list)
    unmet_by_reason: list[tuple[str, int]] = field(default_factory=list)


def check_period(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise ValidationError("La fin de la période doit être après son début.", code="order")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError(
            f"La période ne peut pas dépasser {MAX_PERIOD_DAYS} nuits : choisissez une période plus courte.",
            code="too_long",
        )


def night_boundary(night: datetime.date) -> datetime.datetime:
    """The moment the night of `night` starts to count (its day at the change hour, local)."""
    return timezone.make_aware(datetime.datetime.combine(night, datetime.time(settings.EMERGENCY_NIGHT_CHANGE_HOUR)))


def _in_departments(department_ids, field_name: str = "department_id") -> Q:
    """None: every département (national)."""
    return Q() if department_ids is None else Q(**{f"{field_name}__in": list(department_ids)})


def calls_by_night(department_ids, start: datetime.date, end: datetime.date) -> dict[datetime.date, int]:
    change_hour = settings.EMERGENCY_NIGHT_CHANGE_HOUR
    tz = timezone.get_current_timezone()
    groups = (
        Call.objects.filter(_in_departments(department_ids))
        .filter(
            received_at__gte=night_boundary(start), received_at__lt=night_boundary(end + datetime.timedelta(days=1))
        )
        .alias(hour=ExtractHour("received_at", tzinfo=tz))
        .annotate(
            day=TruncDate("received_at", tzinfo=tz),
            early=Case(
                When(Q(hour__lt=change_hour), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by()
        .values("day", "early")
        .annotate(count=Count("pk"))
    )
    calls: dict[datetime.date, int] = {}
    for group in groups:
        night = group["day"] - datetime.timedelta(days=1) if group["early"] else group["day"]
        calls[night] = calls.get(night, 0) + group["count"]
    return calls


def _labelled(counts: dict, choices) -> list[tuple[str, int]]:
    """(label, count), largest first; unknown or empty codes under « Non renseigné »."""
    labels = dict(choices.choices)
    merged: dict[str, int] = {}
    for code, count in counts.items():
        label = labels.get(code, "Non renseigné")
        merged[label] = merged.get(label, 0) + count
    return sorted(merged.items(), key=lambda item: (-item[1], item[0]))


def daily_figures(department_ids, start: datetime.date, end: datetime.date) -> DailyFigures:
    """The figures of the nights `start`…`end` (inclusive) on `department_ids` (None: all)."""
    check_period(start, end)
    requests = EmergencyRequest.objects.filter(_in_departments(department_ids), night_of__range=(start, end))

    # 1. Requests per night (one GROUP BY night).
    per_night = {
        row["night_of"]: row
        for row in requests.order_by()
        .values("night_of")
        .annotate(
            requests=Count("pk"),
            unmet=Count("pk", filter=UNMET),
            unmet_families=Count("pk", filter=UNMET & Q(children_count__gt=0)),
            unmet_children=Sum("children_count", filter=UNMET, default=0),
            oriented=Count("pk", filter=ORIENTED),
        )
    }
    # 2. Distinct persons per night; 3. over the period (not the sum of the nights).
    links = EmergencyRequest.persons.through.objects.filter(
        _in_departments(department_ids, "emergencyrequest__department_id"),
        emergencyrequest__night_of__range=(start, end),
    ).order_by()
    unmet_link = Q(emergencyrequest__status=EmergencyStatus.UNMET)
    persons_per_night = {
        row["emergencyrequest__night_of"]: row
        for row in links.values("emergencyrequest__night_of").annotate(
            persons=Count("person_id", distinct=True),
            unmet_persons=Count("person_id", distinct=True, filter=unmet_link),
        )
    }
    persons_total = links.aggregate(
        persons=Count("person_id", distinct=True),
        unmet_persons=Count("person_id", distinct=True, filter=unmet_link),
    )
    # 4. Calls per night.
    calls = calls_by_night(department_ids, start, end)

    days = []
    for night in nights_between(start, end):
        row = per_night.get(night, {})
        persons = persons_per_night.get(night, {})
        days.append(
            FigureRow(
                night=night,
                calls=calls.get(night, 0),
                requests=row.get("requests", 0),
                persons=persons.get("persons", 0),
                unmet=row.get("unmet", 0),
                unmet_families=row.get("unmet_families", 0),
                unmet_children=row.get("unmet_children", 0),
                unmet_persons=persons.get("unmet_persons", 0),
                oriented=row.get("oriented", 0),
            )
        )
    total = FigureRow(
        calls=sum(day.calls for day in days),
        requests=sum(day.requests for day in days),
        persons=persons_total["persons"],
        unmet=sum(day.unmet for day in days),
        unmet_families=sum(day.unmet_families for day in days),
        unmet_children=sum(day.unmet_children for day in days),
        unmet_persons=persons_total["unmet_persons"],
        oriented=sum(day.oriented for day in days),
    )

    # 5. Orientations by program type and place type (one GROUP BY both); 6. unmet by reason.
    by_program_type: dict = {}
    by_place_type: dict = {}
    for row in (
        requests.filter(ORIENTED)
        .order_by()
        .values("program__type", "place_group__place_type")
        .annotate(count=Count("pk"))
    ):
        by_program_type[row["program__type"]] = by_program_type.get(row["program__type"], 0) + row["count"]
        place_type = row["place_group__place_type"]
        by_place_type[place_type] = by_place_type.get(place_type, 0) + row["count"]
    unmet_by_reason = {
        row["unmet_reason"]: row["count"]
        for row in requests.filter(UNMET).order_by().values("unmet_reason").annotate(count=Count("pk"))
    }
    return DailyFigures(
        start=start,
        end=end,
        days=days,
        total=total,
        by_program_type=_labelled(by_program_type, ProgramType),
        by_place_type=_labelled(by_place_type, PlaceType),
        unmet_by_reason=_labelled(unmet_by_reason, UnmetReason),
    )


CSV_HEADERS = [
    "Nuit du",
    "Appels",
    "Demandes d'urgence",
    "Personnes distinctes",
    "Demandes non pourvues",
    "Demandes non pourvues de familles avec enfants",
    "Enfants dans les demandes non pourvues",
    "Personnes distinctes non pourvues",
    "Taux de non-attribution (%)",
    "Orientations",
]


def csv_rows(figures: DailyFigures) -> list[list]:
    """The per-night table, then the period's totals (persons: distinct over the period)."""

    def cells(row: FigureRow, label: str) -> list:
        rate = row.unmet_rate
        return [
            label,
            row.calls,
            row.requests,
            row.persons,
            row.unmet,
            row.unmet_families,
            row.unmet_children,
            row.unmet_persons,
            "" if rate is None else str(rate).replace(".", ","),
            row.oriented,
        ]

    rows = [cells(day, f"{day.night:%d/%m/%Y}") for day in figures.days]
    rows.append(cells(figures.total, f"Période du {figures.start:%d/%m/%Y} au {figures.end:%d/%m/%Y}"))
    return rows
