"""Aggregations of the offer shared by the vacancy board, the capacity dashboard, their
exports and the benchmark. Each answers in a fixed number of queries, whatever the data:
counts and sums are computed by the database (`values()` + `annotate()`), never per row."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from siao.accounts.models import Organization
from siao.geo.models import Department

from .enums import SI_SIAO_CODES, PlaceCategory, PlaceState, PlaceType
from .models import Place, PlaceGroup, PlaceStateChange, Program, Public
from .permissions import territory_q

# A place group (or, when the group names none, its program) open to "Accueil tout public"
# accepts every public: the public filter of the board matches it too.
ALL_PUBLIC_CODE = "all_public"

PLACE_TYPE_LABELS = dict(PlaceType.choices)
PLACE_CATEGORY_LABELS = dict(PlaceCategory.choices)


# --- vacancy board ---------------------------------------------------------------------------


@dataclass
class BoardFilters:
    department: Department | None = None
    place_type: str = ""
    place_category: str = ""
    public: Public | None = None


@dataclass
class BoardGroup:
    public_id: str
    name: str
    place_type: str
    place_category: str
    publics: list[str]
    available: int
    place_type_code: int | None = None


@dataclass
class BoardProgram:
    program_id: int
    available: int
    public_id: str = ""
    name: str = ""
    operator_name: str = ""
    city: str = ""
    department: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    groups: list[BoardGroup] = field(default_factory=list)


def available_places(actor, filters: BoardFilters):
    """Available places of orientable programs in the actor's territory, filtered. The
    territory and the state are read on Place itself (index `department, state`)."""
    places = Place.objects.filter(
        territory_q(actor, "department_id"),
        _program_among(Program.objects.orientable()),
        state=PlaceState.AVAILABLE,
    )
    if filters.department is not None:
        places = places.filter(department_id=filters.department.pk)
    if filters.place_type:
        places = places.filter(place_group__place_type=filters.place_type)
    if filters.place_category:
        places = places.filter(place_group__place_category=filters.place_category)
    if filters.public is not None:
        places = places.filter(_accepts_public_q(filters.public))
    return places


def _program_among(programs) -> Exists:
    """The place's program is one of `programs`. A correlated EXISTS on the primary key, not
    `IN (subquery)`: SQLite would otherwise start from the (national) list of programs
    instead of the place index `department, state` (70 ms instead of 2 ms for a département)."""
    return Exists(programs.filter(pk=OuterRef("place_group__program_id")))


def _accepts_public_q(public: Public) -> Q:
    """The place group's publics, or its program's when the group names none. Subqueries, not
    joins: a join through two many-to-many tables would count a place once per public."""
    group_publics = PlaceGroup.publics.through.objects.filter(placegroup_id=OuterRef("place_group_id"))
    program_publics = Program.publics.through.objects.filter(program_id=OuterRef("place_group__program_id"))
    accepted = Q(public_id=public.pk) | Q(public__code=ALL_PUBLIC_CODE)
    return Exists(group_publics.filter(accepted)) | (~Exists(group_publics) & Exists(program_publics.filter(accepted)))


def board_totals(actor, filters: BoardFilters) -> list[BoardProgram]:
    """One row per program with available places, ordered by program name (one query)."""
    rows = (
        available_places(actor, filters)
        .values("place_group__program_id")
        .annotate(available=Count("pk"))
        .order_by("place_group__program__name", "place_group__program_id")
    )
    return [BoardProgram(program_id=row["place_group__program_id"], available=row["available"]) for row in rows]


def fill_board_programs(actor, filters: BoardFilters, programs: list[BoardProgram]) -> list[BoardProgram]:
    """Details of the programs shown (a page of them): their place groups with available
    places, contact and publics. Four queries, whatever the number of programs."""
    if not programs:
        return programs
    by_id = {program.program_id: program for program in programs}
    counts = dict(
        available_places(actor, filters)
        .filter(place_group__program_id__in=by_id)
        .values("place_group_id")
        .annotate(available=Count("pk"))
        .values_list("place_group_id", "available")
    )
    # values(), not model instances: a page holds hundreds of groups, refreshed every 30 s.
    groups = (
        PlaceGroup.objects.filter(pk__in=counts)
        .values(
            "id",
            "public_id",
            "name",
            "place_type",
            "place_category",
            "program_id",
            "program__public_id",
            "program__name",
            "program__operator__name",
            "program__commune__name",
            "program__city",
            "program__department__code",
            "program__department__name",
            "program__contact_phone",
            "program__contact_email",
        )
        .order_by("name", "id")
    )
    group_publics = _labels_by(PlaceGroup.publics.through.objects.filter(placegroup_id__in=counts), "placegroup_id")
    program_publics = _labels_by(Program.publics.through.objects.filter(program_id__in=by_id), "program_id")
    for group in groups:
        row = by_id[group["program_id"]]
        if not row.public_id:
            row.public_id = str(group["program__public_id"])
            row.name = group["program__name"]
            row.operator_name = group["program__operator__name"]
            row.city = group["program__commune__name"] or group["program__city"]
            row.department = f"{group['program__department__code']} – {group['program__department__name']}"
            row.contact_phone = group["program__contact_phone"]
            row.contact_email = group["program__contact_email"]
        row.groups.append(
            BoardGroup(
                public_id=str(group["public_id"]),
                name=group["name"],
                place_type=PLACE_TYPE_LABELS.get(group["place_type"], group["place_type"]),
                place_category=PLACE_CATEGORY_LABELS.get(group["place_category"], group["place_category"]),
                publics=group_publics.get(group["id"]) or program_publics.get(group["program_id"], []),
                available=counts[group["id"]],
                place_type_code=SI_SIAO_CODES["place_type"].get(group["place_type"]),
            )
        )
    return programs


def _labels_by(links, key: str) -> dict[int, list[str]]:
    """Public labels of many-to-many links, by owner, in the referential's order."""
    labels: dict[int, list[str]] = {}
    for owner, label in links.order_by(key, "public__kind", "public__position").values_list(key, "public__label"):
        labels.setdefault(owner, []).append(label)
    return labels


# --- capacity dashboard ----------------------------------------------------------------------


class GroupBy:
    DEPARTMENT = "departements"
    OPERATOR = "entites"
    PROGRAM = "dispositifs"


# For each level: the key on Program, the descriptive columns read with it, the row order.
_LEVEL_FIELDS = {
    GroupBy.DEPARTMENT: ("department_id", ["department__code", "department__name"], ["department__code"]),
    GroupBy.OPERATOR: (
        "operator_id",
        ["operator__public_id", "operator__name", "operator__siren"],
        ["operator__name", "operator_id"],
    ),
    GroupBy.PROGRAM: (
        "id",
        [
            "public_id",
            "name",
            "category",
            "type",
            "siret",
            "operator__name",
            "operator__siren",
            "department__code",
            "department__name",
        ],
        ["name", "id"],
    ),
}


@dataclass
class CapacityRow:
    key: int
    label: dict
    programs: int = 0
    funded: int = 0
    managed: int = 0
    created: int = 0
    occupied: int = 0
    occupied_at: int | None = None

    @property
    def occupancy_rate(self) -> float | None:
        """Occupied share of the created capacity, in percent (now)."""
        return round(100 * self.occupied / self.created, 1) if self.created else None

    @property
    def occupancy_rate_at(self) -> float | None:
        if self.occupied_at is None or not self.created:
            return None
        return round(100 * self.occupied_at / self.created, 1)

    @property
    def uncreated(self) -> int:
        """Funded capacity with no place group: « capacité non créée »."""
        return max(self.funded - self.created, 0)

    @property
    def beyond_managed(self) -> int:
        """Created capacity beyond the total the program declares it manages."""
        return max(self.created - self.managed, 0)

    @property
    def overflow(self) -> int:
        """Occupied places beyond the funded capacity (over-occupation, or unfunded places)."""
        return max(self.occupied - self.funded, 0) if self.funded else 0

    @property
    def gaps(self) -> list[tuple[str, str, str]]:
        """(badge level, short label, explanation): the gaps the dashboard highlights."""
        found = []
        if self.uncreated:
            found.append(
                (
                    "warning",
                    "Capacité non créée",
                    f"{self.uncreated} place(s) financée(s) sans groupe de places correspondant.",
                )
            )
        if self.beyond_managed:
            found.append(
                (
                    "info",
                    "Créée au-delà du total géré",
                    f"{self.beyond_managed} place(s) créée(s) au-delà du total géré déclaré.",
                )
            )
        if self.overflow:
            found.append(
                (
                    "error",
                    "Occupation au-delà du financement",
                    f"{self.overflow} place(s) occupée(s) au-delà de la capacité financée.",
                )
            )
        return found


@dataclass
class CapacityTable:
    group_by: str
    rows: list[CapacityRow]
    total: CapacityRow
    at: datetime.date | None = None


def scope_programs(actor, *, department: Department | None = None, operator: Organization | None = None):
    """Validated programs in the actor's territory (only they count in the dashboard)."""
    programs = Program.objects.validated().filter(territory_q(actor, "department_id"))
    if department is not None:
        programs = programs.filter(department_id=department.pk)
    if operator is not None:
        programs = programs.filter(operator_id=operator.pk)
    return programs


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the local time zone: states "at the end of that day"
    are those of changes strictly before it."""
    return datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, timezone.get_current_timezone()
    )


def capacity_table(
    actor,
    *,
    group_by: str,
    department: Department | None = None,
    operator: Organization | None = None,
    at: datetime.date | None = None,
) -> CapacityTable:
    """Funded, created and occupied capacity (now, and at the end of `at`) grouped by
    département, operator or program: three queries, four with a date."""
    key, label_fields, ordering = _LEVEL_FIELDS[group_by]
    programs = scope_programs(actor, department=department, operator=operator)
    rows: dict[int, CapacityRow] = {}
    funded = programs.values(key, *label_fields).annotate(
        n_programs=Count("pk"),
        n_funded=Sum(F("funded_p177") + F("funded_non_p177") + F("funded_iml_plus")),
        n_managed=Sum("total_managed"),
    )
    for row in funded.order_by(*ordering):
        rows[row[key]] = CapacityRow(
            key=row[key],
            label={name: row[name] for name in label_fields},
            programs=row["n_programs"],
            funded=row["n_funded"] or 0,
            managed=row["n_managed"] or 0,
        )

    created = (
        PlaceGroup.objects.filter(program__in=programs)
        .values(f"program__{key}")
        .annotate(n=Sum("capacity"))
        .values_list(f"program__{key}", "n")
    )
    for row_key, value in created.order_by():
        rows[row_key].created = value or 0

    # Territory and département also read on Place.department (index `department, state`).
    places = Place.objects.filter(territory_q(actor, "department_id"), _program_among(programs))
    if department is not None:
        places = places.filter(department_id=department.pk)
    place_key = f"place_group__program__{key}"
    occupied = (
        places.filter(state=PlaceState.OCCUPIED)
        .values(place_key)
        .annotate(n=Count("pk"))
        .values_list(place_key, "n")
        .order_by()
    )
    for row_key, value in occupied:
        rows[row_key].occupied = value

    if at is not None:
        for row in rows.values():
            row.occupied_at = row.occupied
        for row_key, entered, left in occupancy_moves_since_end_of(places, at, place_key):
            rows[row_key].occupied_at += left - entered

    total = CapacityRow(key=0, label={}, occupied_at=0 if at is not None else None)
    for row in rows.values():
        total.programs += row.programs
        total.funded += row.funded
        total.managed += row.managed
        total.created += row.created
        total.occupied += row.occupied
        if at is not None:
            total.occupied_at += row.occupied_at
    return CapacityTable(group_by=group_by, rows=list(rows.values()), total=total, at=at)


def occupancy_moves_since_end_of(places, day: datetime.date, key: str):
    """(key, entered, left): how many state changes since the end of `day` made places
    occupied, and how many made them stop being occupied. The occupation then is the
    occupation now minus what entered plus what left since (each change records the state it
    left): one aggregate over the recent history only, instead of a lookup of each place's
    latest change (227 000 probes nationally). A place created since counts as not existing
    then (its first change enters from no state)."""
    occupied = PlaceState.OCCUPIED
    moves = Q(to_state=occupied) | Q(from_state=occupied)
    return (
        PlaceStateChange.objects.filter(moves, place__in=places, changed_at__gte=end_of_day(day))
        .values(f"place__{key}")
        .annotate(
            entered=Count("pk", filter=Q(to_state=occupied) & ~Q(from_state=occupied)),
            left=Count("pk", filter=Q(from_state=occupied) & ~Q(to_state=occupied)),
        )
        .values_list(f"place__{key}", "entered", "left")
        .order_by()
    )
