"""Disclosure control (secret statistique): what may be published from the statistics base.

A publication is one measure and dimension over a range of months, for one département or
the nation. The dashboards and exports only ever ask for a calendar year (its months so far for
the current year): the control holds within one set of matrices, so the periods offered must
never overlap, or the difference of two publications would show a secret figure. Whoever asks, it is computed from the same matrices, so a cell is always secret
or always published whatever the page, the perimeter or the export:

- the values of the dimension × the départements over the period (with the départements'
  totals and the national totals of each value);
- the months × the départements (the total of the measure);
- the national total of the period, shared by both.

Rules (docs/statistics.md):
1. Primary suppression: a cell with units behind it but fewer than STATISTICS_MIN_PERSONS
   distinct persons is secret. Over several months the persons of a cell are the largest
   monthly count (a person counted in two months is the same person: the largest month is
   the only sure lower bound); over départements they add up.
2. A total under the threshold hides its whole line, zeros included (a published "0" next to a
   secret total would say where the few persons are).
3. Secondary suppression: in every line whose total is published (cells and their total),
   the hidden cells must be none, or at least two concerning together at least
   STATISTICS_MIN_PERSONS persons: the total minus the published cells is the sum of the hidden
   ones, so a single hidden cell is recomputed and two small ones give a small sum. Their persons
   combine like the line's total: they add up over values and départements, the largest counts
   over months (the same person in two months is one person), and the largest too over values
   that can share persons (the `persons` measure by kind). Otherwise the line also hides its
   smallest non-zero published cell, and again, and when none is left, its total. A line whose
   total is hidden must hide at least one of its cells (else the total is their sum). Each new
   hide is checked again on every line it belongs to (rows and columns), until all are stable.
4. Means (delays) and rates (occupancy) are published only with their cell; a mean's total
   (days) is hidden exactly with its count, so rule 3 protects the mean of the hidden cells too
   (the total's days minus the published cells' days over their count)."""

import datetime
from collections import defaultdict, deque
from dataclasses import dataclass, field

from django.conf import settings

from .measures import DELAY, DIMENSION_LABELS, MEASURES, OCCUPANCY, TOTAL, UNKNOWN, Measure
from .models import Cell
from .months import month_label, months_between

HIDDEN_MARK = "s"


@dataclass
class Stat:
    count: int = 0
    persons: int = 0
    total: float = 0.0


def is_under_threshold(stat: Stat, threshold: int) -> bool:
    return (stat.count > 0 or stat.persons > 0) and stat.persons < threshold


SUM, MAX = "sum", "max"  # how the persons of cells combine on a line (see rule 3)


def protect(stats: dict, equations: list[tuple], threshold: int) -> set:
    """The keys to hide. `equations`: (total key, [member keys]) meaning total = Σ members,
    optionally with a third item, SUM (default) or MAX: how the members' persons combine."""
    primary = {key for key, stat in stats.items() if is_under_threshold(stat, threshold)}
    hidden = set(primary)
    for marginal, members, *_ in equations:
        if marginal in primary:
            hidden.update(members)
    lines_of = defaultdict(list)
    for index, (marginal, members, *_) in enumerate(equations):
        for key in (marginal, *members):
            lines_of[key].append(index)
    queue = deque(range(len(equations)))
    while queue:
        index = queue.popleft()
        marginal, members, *how = equations[index]
        extra = _next_to_hide(stats, marginal, members, hidden, threshold, how[0] if how else SUM)
        if extra is not None:
            hidden.add(extra)
            queue.extend(lines_of[extra])  # this line among them: checked again
    return hidden


def hidden_persons(stats: dict, keys: list, how: str = SUM) -> int:
    """The persons the hidden cells of a line concern together (a sure lower bound)."""
    persons = [stats[key].persons for key in keys]
    if how == MAX:
        return max(persons, default=0)
    return sum(persons)


def _next_to_hide(stats: dict, marginal, members: list, hidden: set, threshold: int, how: str):
    """The next key this line must hide, or None when it is safe (rule 3)."""
    published = [key for key in members if key not in hidden]
    secret = [key for key in members if key in hidden]
    if marginal in hidden:
        if secret or not members:
            return None
    elif not secret or (len(secret) >= 2 and hidden_persons(stats, secret, how) >= threshold):
        return None
    non_zero = [key for key in published if stats[key].count > 0]
    if non_zero:
        return min(non_zero, key=lambda key: (stats[key].count, stats[key].persons, str(key)))
    if marginal not in hidden:
        return marginal
    return min(published, key=str) if published else None


# -- publications -------------------------------------------------------------------------------


@dataclass
class Figure:
    """One published cell: its count (None when secret) and what it reads as."""

    code: str
    label: str
    count: int | None
    total: float | None
    secret: bool
    kind: str

    @property
    def shown(self) -> str:
        return HIDDEN_MARK if self.secret else str(self.count)

    @property
    def mean(self) -> float | None:
        """Delays: mean days, published with its cell only."""
        if self.kind != DELAY or self.secret or not self.count:
            return None
        return round(self.total / self.count, 1)

    @property
    def rate(self) -> float | None:
        """Occupancy: occupied / available place-nights, in %."""
        if self.kind != OCCUPANCY or self.secret or not self.total:
            return None
        return round(100 * self.count / self.total, 1)

    @property
    def available(self) -> int | None:
        if self.kind != OCCUPANCY or self.secret:
            return None
        return round(self.total or 0)


@dataclass
class Publication:
    measure: Measure
    dimension: str
    first: datetime.date
    last: datetime.date
    department: str | None  # None: national
    total: Figure
    by_value: list[Figure] = field(default_factory=list)
    by_month: list[Figure] = field(default_factory=list)
    by_department: list[Figure] = field(default_factory=list)  # national only

    @property
    def year(self) -> int:
        """The calendar year of the period (the dashboards publish one year at a time)."""
        return self.first.year

    @property
    def dimension_label(self) -> str:
        return DIMENSION_LABELS[self.dimension]

    @property
    def has_secret(self) -> bool:
        return any(figure.secret for figure in [self.total, *self.by_value, *self.by_month, *self.by_department])


def _ordered_values(measure: Measure, dimension: str, present: set[str]) -> list[str]:
    known = [code for code in measure.codes(dimension) if code in present]
    return known + sorted(present - set(known) - {UNKNOWN})


def publish(
    *,
    measure: str,
    dimension: str,
    first: datetime.date,
    last: datetime.date,
    department: str | None,
    department_labels: dict[str, str] | None = None,
    threshold: int | None = None,
) -> Publication:
    """The controlled tables of one measure and dimension over months `first`…`last`, for a
    département (its INSEE code) or the nation (None). One query on the statistics base.
    Publish fixed, non-overlapping periods only (the views: calendar years, `months.year_period`):
    two overlapping periods could be subtracted."""
    definition = MEASURES[measure]
    threshold = settings.STATISTICS_MIN_PERSONS if threshold is None else threshold
    months = months_between(first, last)
    dimensions = [TOTAL, dimension] if dimension else [TOTAL]
    rows = (
        Cell.objects.using("stats")
        .filter(measure=measure, dimension__in=dimensions, month__gte=months[0], month__lte=months[-1])
        .values_list("month", "department", "dimension", "value", "count", "persons", "total")
    )
    cells: dict[tuple, Stat] = {}  # (dimension, département, value, month) -> Stat
    departments, values = set(), set()
    for month, code, row_dimension, value, count, persons, total in rows:
        cells[(row_dimension, code, value, month)] = Stat(count, persons, total)
        departments.add(code)
        if row_dimension:
            values.add(value)
    departments = sorted(departments)
    values = _ordered_values(definition, dimension, values) if dimension else []

    stats, equations = _matrices(cells, departments, values, months, dimension, definition.overlapping_values)
    hidden = protect(stats, equations, threshold)

    def figure(key, code: str, label: str) -> Figure:
        stat = stats.get(key, Stat())
        secret = key in hidden
        return Figure(
            code=code,
            label=label,
            count=None if secret else stat.count,
            total=None if secret else stat.total,
            secret=secret,
            kind=definition.kind,
        )

    scope = ("T", department) if department else ("G",)
    publication = Publication(
        measure=definition,
        dimension=dimension,
        first=months[0],
        last=months[-1],
        department=department,
        total=figure(scope, TOTAL, "Total"),
    )
    for value in values:
        key = ("A", department, value) if department else ("N", value)
        publication.by_value.append(figure(key, value, definition.label_of(dimension, value)))
    for month in months:
        key = ("B", department, month) if department else ("NM", month)
        publication.by_month.append(figure(key, month.isoformat(), month_label(month)))
    if not department:
        labels = department_labels or {}
        for code in departments:
            publication.by_department.append(figure(("T", code), code, labels.get(code, code)))
    return publication


def _sum_over_months(monthly: list[Stat]) -> Stat:
    return Stat(
        count=sum(stat.count for stat in monthly),
        persons=max((stat.persons for stat in monthly), default=0),
        total=sum(stat.total for stat in monthly),
    )


def _sum_over_departments(stats: list[Stat]) -> Stat:
    return Stat(
        count=sum(stat.count for stat in stats),
        persons=sum(stat.persons for stat in stats),
        total=sum(stat.total for stat in stats),
    )


def _matrices(cells: dict, departments: list, values: list, months: list, dimension: str, overlapping: bool = False):
    """Every cell anyone may be shown, and the sums that tie them with how their persons combine
    (see the module docstring)."""
    over_values = MAX if overlapping else SUM
    zero = Stat()

    def monthly(row_dimension, code, value) -> list[Stat]:
        return [cells.get((row_dimension, code, value, month), zero) for month in months]

    stats: dict[tuple, Stat] = {}
    equations: list[tuple] = []
    totals_by_month = {code: monthly(TOTAL, code, TOTAL) for code in departments}
    national_by_month = [
        _sum_over_departments([totals_by_month[code][index] for code in departments]) for index in range(len(months))
    ]
    stats[("G",)] = _sum_over_months(national_by_month)
    for code in departments:
        stats[("T", code)] = _sum_over_months(totals_by_month[code])
        for month, stat in zip(months, totals_by_month[code], strict=True):
            stats[("B", code, month)] = stat
    for month, stat in zip(months, national_by_month, strict=True):
        stats[("NM", month)] = stat
    for code in departments:
        equations.append((("T", code), [("B", code, month) for month in months], MAX))
    for month in months:
        equations.append((("NM", month), [("B", code, month) for code in departments], SUM))
    equations.append((("G",), [("T", code) for code in departments], SUM))
    equations.append((("G",), [("NM", month) for month in months], MAX))

    if dimension:
        for value in values:
            per_department = {code: monthly(dimension, code, value) for code in departments}
            for code in departments:
                stats[("A", code, value)] = _sum_over_months(per_department[code])
            stats[("N", value)] = _sum_over_months(
                [
                    _sum_over_departments([per_department[code][index] for code in departments])
                    for index in range(len(months))
                ]
            )
            equations.append((("N", value), [("A", code, value) for code in departments], SUM))
        for code in departments:
            equations.append((("T", code), [("A", code, value) for value in values], over_values))
        equations.append((("G",), [("N", value) for value in values], over_values))
    return stats, equations
