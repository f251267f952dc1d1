"""The figures of a span of months, read from the transactional base. Each measure is one SQL
statement over every month of the span: its units (requests, stays, orientations…) are read
once, with their month, département, household and dimension values, then grouped in the
database by each dimension in turn (a "cube": one GROUP BY per dimension over the same rows,
united). Nothing is brought into Python but the groups.

Months are Paris months: a datetime counts in the local month it falls in (a request transmitted
on 31 March at 23:30 Paris time is a March request), a date in its own month; the month is an
integer key (year × 100 + month).

Persons (only ever used for disclosure control, except in the `persons` measure): a household's
members, once per household in a cell. The members are Household.member_count (the current
members, kept in step by the household actions) or, for the 115, the number of persons recorded
on the request. When a household has several units in a month (two requests, thirty nights),
its persons are shared among them: a cell holding all of them counts the household's persons
exactly once; a household whose units of the month fall under two values of a dimension counts
partly in each. So a cell's persons are exact or fewer, never more: the secret errs on the safe
side. (The first version counted distinct person ids, joining every unit with its persons, one
statement per dimension: 148 s for the three open months at national size, against 30–35 s
now; docs/performance.md.)

The result maps (month, département code, measure, dimension, value) to [count, persons, total]."""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db import connections
from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear, Greatest, Least, TruncDate
from django.utils import timezone

from siao.emergency.enums import EmergencyStatus
from siao.emergency.models import EmergencyRequest
from siao.geo.models import Department
from siao.offer.enums import UnitKind, ValidationStatus
from siao.offer.models import PlaceGroup
from siao.orientation.models import Referral, Request, Stay

from .measures import DELAY_BUCKETS, TOTAL, UNKNOWN
from .months import add_months, from_key, local_start, months_between

Key = tuple[datetime.date, str, str, str, str]


class DaysBetween(Func):
    """Whole days from the second date to the first (both SQL dates)."""

    arity = 2
    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def month_key(field: str, *, aware: bool) -> ExpressionWrapper:
    """year × 100 + month of a date, or of a datetime in Paris time."""
    tz = {"tzinfo": timezone.get_default_timezone()} if aware else {}
    # An integer (PostgreSQL's EXTRACT is numeric, slower to sort and group).
    return Cast(ExtractYear(field, **tz) * Value(100) + ExtractMonth(field, **tz), output_field=IntegerField())


def local_date(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def bucket_of_days(field: str) -> Case:
    whens = [When(**{f"{field}__lte": upper}, then=Value(code)) for code, _, upper in DELAY_BUCKETS if upper]
    return Case(*whens, default=Value(DELAY_BUCKETS[-1][0]), output_field=CharField())


def _date(value: datetime.date) -> Value:
    return Value(value, output_field=DateField())


def _code(value) -> str:
    return UNKNOWN if value is None or value == "" else str(value)


def _persons(shared) -> int:
    """The sum of shared persons, a whole number of persons: never rounded up, beyond the
    floating-point error of the sum (three thirds of a person are one person)."""
    value = float(shared or 0)
    return math.floor(value * (1 + 1e-9) + 1e-6)


@dataclass(frozen=True)
class Span:
    """Months `first`…`last` (first days), computed on `today` (the current month is clipped)."""

    first: datetime.date
    last: datetime.date
    today: datetime.date

    @property
    def end(self) -> datetime.date:
        return add_months(self.last, 1)

    @property
    def start_at(self) -> datetime.datetime:
        return local_start(self.first)

    @property
    def end_at(self) -> datetime.datetime:
        return local_start(self.end)

    def months(self) -> list[datetime.date]:
        return months_between(self.first, self.last)

    def clipped_end(self, month: datetime.date) -> datetime.date:
        """The day after the last night counted in `month`: its end, or tomorrow for the current month."""
        return min(add_months(month, 1), self.today + datetime.timedelta(days=1))


class Figures:
    """The cells being computed: [count, persons, total] by key (with the département's id:
    the statements group by ids, cheaper than codes; `cells_by_code` translates)."""

    def __init__(self):
        self.cells: dict[Key, list] = defaultdict(lambda: [0, 0, 0.0])

    def add(self, month, department, measure, dimension, value, count=0, persons=0, total=0.0):
        cell = self.cells[(month, department, measure, dimension, value)]
        cell[0] += int(count or 0)
        cell[1] += int(persons or 0)
        cell[2] += float(total or 0)

    def cube(self, measure: str, units, dimensions: list[tuple[str, object]]) -> None:
        """One statement: the units (a queryset annotated with ym: month key, d: département
        code, h: household, m: its persons, n: count, t: total) grouped by month, département
        and each dimension (None: the total) in turn."""
        columns = {f"v{index}": expression for index, (_, expression) in enumerate(dimensions) if expression}
        queryset = units.annotate(**columns).values_list("ym", "d", "h", "m", "n", "t", *columns).order_by()
        sql, params = queryset.query.sql_with_params()
        branches = []
        for index, (_, expression) in enumerate(dimensions):
            value, group = ("NULL", "") if expression is None else (f"CAST(x.v{index} AS TEXT)", f", x.v{index}")
            branches.append(
                f"SELECT {index}, x.ym, x.d, {value}, SUM(x.n), SUM(x.s), SUM(x.t) "  # noqa: S608 (no user input)
                f"FROM units x GROUP BY x.ym, x.d{group}"
            )
        # Each unit carries its household's persons divided by the household's units of the month.
        statement = (
            f"WITH units AS (SELECT b.*, CAST(b.m AS DOUBLE PRECISION) / COUNT(*) OVER (PARTITION BY b.ym, b.d, b.h) AS s "  # noqa: S608
            f"FROM ({sql}) b) " + " UNION ALL ".join(branches)
        )
        with connections[units.db].cursor() as cursor:
            cursor.execute(statement, params)
            for index, ym, department, value, count, shared, total in cursor.fetchall():
                dimension, expression = dimensions[index]
                code = TOTAL if expression is None else _code(value)
                self.add(from_key(ym), department, measure, dimension, code, count, _persons(shared), total)

    def cells_by_code(self) -> dict[Key, list]:
        codes = dict(Department.objects.values_list("pk", "code"))
        return {(month, codes[department], *rest): cell for (month, department, *rest), cell in self.cells.items()}


def compute(span: Span) -> dict[Key, list]:
    figures = Figures()
    requests(figures, span)
    emergency_requests(figures, span)
    persons(figures, span)
    stays(figures, span)
    delays(figures, span)
    occupancy(figures, span)
    return figures.cells_by_code()


def _units(queryset, *, month, department: str, household: str, members: str, count=None, total=None):
    return queryset.annotate(
        ym=month,
        d=F(department),
        h=F(household),
        m=F(members),
        n=count if count is not None else Value(1),
        t=total if total is not None else Value(0),
    )


# -- insertion requests -------------------------------------------------------------------------

# Transmitted requests, and pseudo-requests (recorded after the fact by a program, never
# transmitted: real demand, counted in the month they were recorded). Drafts never transmitted
# are not requests yet.
COUNTED_REQUESTS = Q(transmitted_at__isnull=False) | Q(is_pseudo=True)


def _counted_requests(span: Span):
    return (
        Request.objects.filter(COUNTED_REQUESTS)
        .alias(at=Coalesce("transmitted_at", "created_at"))
        .filter(at__gte=span.start_at, at__lt=span.end_at)
    )


def requests(figures: Figures, span: Span) -> None:
    units = _units(
        _counted_requests(span),
        month=month_key("at", aware=True),
        department="department_id",
        household="household_id",
        members="household__member_count",
    )
    dimensions = [
        (TOTAL, None),
        ("kind", F("kind")),
        ("reason", F("reason")),
        ("composition", F("household__composition__code")),
        ("outcome", F("status")),
    ]
    figures.cube("requests", units, dimensions)


# -- emergency requests and unmet requests ------------------------------------------------------


def _emergency_units(span: Span, queryset=None):
    queryset = queryset if queryset is not None else EmergencyRequest.objects.all()
    return _units(
        queryset.filter(night_of__gte=span.first, night_of__lt=span.end),
        month=month_key("night_of", aware=False),
        department="department_id",
        household="household_id",
        members="member_count",
    )


def emergency_requests(figures: Figures, span: Span) -> None:
    """Persons: the number recorded on each request (its household's members that night)."""
    dimensions = [
        (TOTAL, None),
        ("outcome", F("status")),
        ("composition", F("composition__code")),
        ("reason", F("reason")),
    ]
    figures.cube("emergency_requests", _emergency_units(span), dimensions)
    unmet = EmergencyRequest.objects.filter(status=EmergencyStatus.UNMET)
    figures.cube("unmet", _emergency_units(span, unmet), [(TOTAL, None), ("reason", F("unmet_reason"))])


# -- distinct persons ---------------------------------------------------------------------------


def persons(figures: Figures, span: Span) -> None:
    """Distinct persons with a request in the month: the members of each distinct household
    asking (its current members for an insertion request, the persons recorded on an emergency
    request; the larger when it asked both ways), once per month and département."""
    sql, params = _persons_statement(span)
    with connections[Request.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        for kind, ym, department, count in cursor.fetchall():
            dimension, value = (TOTAL, TOTAL) if kind is None else ("kind", _code(kind))
            figures.add(from_key(ym), department, "persons", dimension, value, count=count, persons=count)


def _persons_statement(span: Span) -> tuple[str, list]:
    insertion = (
        _counted_requests(span)
        .annotate(
            ym=month_key("at", aware=True),
            d=F("department_id"),
            k=F("kind"),
            h=F("household_id"),
            m=F("household__member_count"),
        )
        .values_list("ym", "d", "k", "h", "m")
        .order_by()
    )
    emergency = (
        EmergencyRequest.objects.filter(night_of__gte=span.first, night_of__lt=span.end)
        .annotate(
            ym=month_key("night_of", aware=False),
            d=F("department_id"),
            k=Value("emergency", output_field=CharField()),
            h=F("household_id"),
            m=F("member_count"),
        )
        .values_list("ym", "d", "k", "h", "m")
        .order_by()
    )
    insertion_sql, insertion_params = insertion.query.sql_with_params()
    emergency_sql, emergency_params = emergency.query.sql_with_params()
    # The larger count of each household once per month and département (and per kind).
    statement = (
        f"WITH asked AS ({insertion_sql} UNION ALL {emergency_sql}) "  # noqa: S608
        "SELECT NULL, x.ym, x.d, SUM(x.m) FROM "
        "(SELECT ym, d, h, MAX(m) AS m FROM asked GROUP BY ym, d, h) x GROUP BY x.ym, x.d "
        "UNION ALL SELECT x.k, x.ym, x.d, SUM(x.m) FROM "
        "(SELECT ym, d, k, h, MAX(m) AS m FROM asked GROUP BY ym, d, k, h) x GROUP BY x.ym, x.d, x.k"
    )
    return statement, [*insertion_params, *emergency_params]


# -- stays: admissions and exits ----------------------------------------------------------------


def stays(figures: Figures, span: Span) -> None:
    common = {
        "department": "program__department_id",
        "household": "household_id",
        "members": "household__member_count",
    }
    started = _units(
        Stay.objects.filter(started_on__gte=span.first, started_on__lt=span.end),
        month=month_key("started_on", aware=False),
        **common,
    )
    ended = _units(
        Stay.objects.filter(ended_on__gte=span.first, ended_on__lt=span.end),
        month=month_key("ended_on", aware=False),
        **common,
    )
    program_type = F("program__type")
    figures.cube("stays_started", started, [(TOTAL, None), ("program_type", program_type)])
    dimensions = [(TOTAL, None), ("destination", F("exit_destination")), ("program_type", program_type)]
    figures.cube("exits", ended, dimensions)


# -- delays -------------------------------------------------------------------------------------


def delays(figures: Figures, span: Span) -> None:
    """Transmission → first orientation (month of that orientation) and transmission →
    admission (month of the admission), in whole days between Paris dates (never negative),
    in the département of the SIAO the request was sent to."""
    earlier = Referral.objects.filter(request=OuterRef("request")).filter(
        Q(proposed_at__lt=OuterRef("proposed_at")) | Q(proposed_at=OuterRef("proposed_at"), pk__lt=OuterRef("pk"))
    )
    orientation_days = Greatest(
        DaysBetween(local_date("proposed_at"), local_date("request__transmitted_at")), Value(0)
    )
    first_referrals = _units(
        Referral.objects.filter(proposed_at__gte=span.start_at, proposed_at__lt=span.end_at)
        .filter(request__transmitted_at__isnull=False)
        .filter(~Exists(earlier))
        .annotate(days=orientation_days),
        month=month_key("proposed_at", aware=True),
        department="request__department_id",
        household="request__household_id",
        members="request__household__member_count",
        total=F("days"),
    )
    admission_days = Greatest(DaysBetween(F("started_on"), local_date("request__transmitted_at")), Value(0))
    admissions = _units(
        Stay.objects.filter(started_on__gte=span.first, started_on__lt=span.end)
        .filter(request__transmitted_at__isnull=False)
        .annotate(days=admission_days),
        month=month_key("started_on", aware=False),
        department="request__department_id",
        household="request__household_id",
        members="request__household__member_count",
        total=F("days"),
    )
    for measure, units in (("delay_orientation", first_referrals), ("delay_admission", admissions)):
        figures.cube(measure, units, [(TOTAL, None), ("bucket", bucket_of_days("days"))])


# -- occupancy ----------------------------------------------------------------------------------


def occupancy(figures: Figures, span: Span) -> None:
    """Occupied place-nights: each night of a stay in the month (from its admission to the
    night before its exit, up to tonight for the current month) takes one dwelling, or as many
    places as the household has members. Available place-nights: the created capacity (place
    groups) of the programs validated now, for each day of the month they were open. The
    stays of each month are one branch of a UNION ALL: a stay spans months."""
    units = Case(
        When(place__place_group__unit_kind=UnitKind.DWELLING, then=Value(1)),
        default=Greatest(F("household__member_count"), Value(1)),
        output_field=IntegerField(),
    )
    branches = []
    clipped = [(month, span.clipped_end(month)) for month in span.months()]
    for month, end in clipped:
        first_night = Greatest(F("started_on"), _date(month))
        after_last = Least(Coalesce(F("ended_on"), _date(end)), _date(end))
        branch = _units(
            Stay.objects.filter(started_on__lt=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=month)),
            month=Value(month.year * 100 + month.month, output_field=IntegerField()),
            department="program__department_id",
            household="household_id",
            members="household__member_count",
            count=ExpressionWrapper(
                Greatest(DaysBetween(after_last, first_night), Value(0)) * units, output_field=IntegerField()
            ),
            total=Value(0.0, output_field=FloatField()),
        ).annotate(v1=F("program__type"))
        branches.append(branch.values_list("ym", "d", "h", "m", "n", "t", "v1").order_by())
    united = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    _occupancy_cube(figures, united)
    _available_place_nights(figures, clipped)


def _occupancy_cube(figures: Figures, united) -> None:
    """Figures.cube over the months' branches (already annotated and united)."""
    sql, params = united.query.sql_with_params()
    statement = (
        "WITH units AS (SELECT b.*, CAST(b.m AS DOUBLE PRECISION) / COUNT(*) OVER (PARTITION BY b.ym, b.d, b.h) AS s "  # noqa: S608
        f"FROM ({sql}) b) "
        "SELECT 0, x.ym, x.d, NULL, SUM(x.n), SUM(x.s) FROM units x GROUP BY x.ym, x.d "
        "UNION ALL SELECT 1, x.ym, x.d, CAST(x.v1 AS TEXT), SUM(x.n), SUM(x.s) FROM units x GROUP BY x.ym, x.d, x.v1"
    )
    with connections[united.db].cursor() as cursor:
        cursor.execute(statement, params)
        for index, ym, department, value, count, shared in cursor.fetchall():
            dimension, code = (TOTAL, TOTAL) if index == 0 else ("program_type", _code(value))
            figures.add(from_key(ym), department, "occupancy", dimension, code, count, _persons(shared))


def _available_place_nights(figures: Figures, clipped) -> None:
    first, end = clipped[0][0], clipped[-1][1]
    groups = (
        PlaceGroup.objects.filter(program__validation_status=ValidationStatus.VALIDATED)
        .filter(Q(program__starts_on__isnull=True) | Q(program__starts_on__lt=end))
        .filter(Q(program__ends_on__isnull=True) | Q(program__ends_on__gte=first))
        .values("program__department_id", "program__type", "program__starts_on", "program__ends_on")
        .annotate(c=Sum("capacity"))
        .order_by()
    )
    # One row per département, type and opening dates: a few thousand nationally.
    for row in groups:
        opens, closes = row["program__starts_on"], row["program__ends_on"]
        for month, month_end in clipped:
            start = max(month, opens) if opens else month
            stop = min(month_end, closes + datetime.timedelta(days=1)) if closes else month_end
            days = (stop - start).days
            if days > 0:
                department, value = row["program__department_id"], _code(row["program__type"])
                for dimension, code in ((TOTAL, TOTAL), ("program_type", value)):
                    figures.add(month, department, "occupancy", dimension, code, total=row["c"] * days)
