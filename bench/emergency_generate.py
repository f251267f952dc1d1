"""Fake national 115 activity (issue 5) on top of the households of
bench/households_generate.py: emergency place groups the generated offer lacks, a year of
calls and emergency requests in every département, and tonight's live state for the benchmark
SIAO (Paris).

The offer of bench/offer_generate.py draws its place groups among five place types, three of
which the 115 orients to (emergency, hotel, stabilization: ~60 % of the groups, 80 % of their
places occupied); it has no winter places, night shelters or FVV places, and Paris has ~1 400
emergency places for ~110 available. So the generator first adds, once, "115" place groups to
the validated programs of each département (winter, night shelter, hotel rooms, FVV;
~40 000 places nationally, weighted like the households), then, night by night from the most
recent one backwards:

- calls: `--calls-per-day` nationally (10 000 by default; about ×1.15 in winter), spread over
  the départements by population × the homelessness factor of households_generate (Paris
  ~8 %), over the day with an evening peak; 25 % without an identified household (a third
  party, information); the households are drawn among a quarter of each département's files,
  skewed so that some call night after night;
- emergency requests (~65 % of the calls): at most one per household and night, the
  household's snapshot (composition, persons), its vulnerability; outcomes by tension: in
  Paris, Seine-Saint-Denis and the big metropolises ~50 % unmet, elsewhere ~30 %; the others
  sheltered (then closed: Placement rows released, a Stay ended the morning after its last
  night, 1–30 Night rows), did not come (no_show, places held then released) or did not call
  back (no_callback). The past nights hold no open request (the rollover closed them).

Then tonight in Paris: `--pending` requests waiting for a solution (call with the household),
`--oriented` holding places (Placement active, places held), and `--sheltered` households in
a current stay (started in the last 30 nights, nights granted up to tonight or tomorrow, places
occupied), plus tonight's unmet requests and calls without request. The other départements have
no live state. 50 call handlers (Écoutant 115) of the Paris SIAO take Paris's calls
(ecoutant01.75@bench-emergency.example …), one per other département.

Incremental: only the nights without requests are generated (each in its own transaction), the
live state only if Paris has no request tonight. PostgreSQL: rows built in Python with reserved
ids, loaded by COPY (2 worker processes, without foreign-key triggers as a superuser, then one
anti-join per foreign key); SQLite: bulk_create (small sizes: --calls-per-day 300).
Names and data are fake (the households of households_generate).

    .venv/bin/python -m bench.emergency_generate --calls-per-day 300 --days 60   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_1m \\
        .venv/bin/python -m bench.emergency_generate [--calls-per-day 10000] [--days 365]
"""

import bisect
import contextlib
import datetime
import itertools
import math
import multiprocessing
import random
import sys
import time

if __name__ == "__main__":  # python -m bench.emergency_generate: settings and Django first
    from bench.emergency import setup_django

    setup_django()

from django.conf import settings  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.base import ModelState  # noqa: E402
from django.db.models.functions import Mod  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.households_generate import FACTOR, POPULATION, USER_DOMAIN, _superuser, _Table  # noqa: E402
from siao.accounts.enums import OrganizationKind, Role  # noqa: E402
from siao.accounts.models import Membership, Organization, User  # noqa: E402
from siao.emergency.enums import (  # noqa: E402
    EMERGENCY_PLACE_TYPES,
    CallerType,
    EmergencyStatus,
    SleepingPlace,
    UnmetReason,
)
from siao.emergency.models import Call, EmergencyRequest, Night, Placement  # noqa: E402
from siao.emergency.nights import tonight as tonight_of  # noqa: E402
from siao.geo.models import Department  # noqa: E402
from siao.households.enums import ExitDestination, HousingSituation, RequestReason  # noqa: E402
from siao.households.models import Household, HouseholdMember  # noqa: E402
from siao.offer.enums import PlaceCategory, PlaceState, PlaceType, UnitKind  # noqa: E402
from siao.offer.models import Place, PlaceGroup, Program, Public  # noqa: E402
from siao.orientation.enums import ExitReason  # noqa: E402
from siao.orientation.models import Stay  # noqa: E402

DEPARTMENT = "75"  # the benchmark SIAO
EMERGENCY_DOMAIN = "bench-emergency.example"
PARIS_HANDLERS = 50
GROUP_PREFIX = "115 -"  # the place groups added here (idempotence)
EXTRA_PLACES = 40_000  # national, weighted like the households
POOL_MODULO = 4  # the 115's callers: households whose id % 4 == 0 (a quarter of the files)
EXIT_NO_CALLBACK = 42  # siao/emergency/actions.py
TENSE = {code for code, factor in FACTOR.items() if factor >= 1.3}

# (place type, unit, category, places per group min–max, weight, composition publics or ())
EXTRA_GROUPS = [
    (PlaceType.WINTER, UnitKind.PLACE, PlaceCategory.SHARED_ROOM, (20, 60), 30, ()),
    (PlaceType.NIGHT_SHELTER, UnitKind.PLACE, PlaceCategory.DORMITORY, (15, 40), 20, ("single_man",)),
    (PlaceType.HOTEL, UnitKind.DWELLING, PlaceCategory.T1, (10, 40), 35, ()),
    (PlaceType.VIOLENCE_VICTIMS, UnitKind.PLACE, PlaceCategory.ROOM_2, (6, 20), 10, ("single_woman",)),
    (PlaceType.EMERGENCY, UnitKind.PLACE, PlaceCategory.SHARED_ROOM, (10, 30), 5, ()),
]
EXTRA_STATES = ([PlaceState.OCCUPIED, PlaceState.AVAILABLE, PlaceState.UNAVAILABLE], [82, 15, 3])

# Calls over the day (local hour, from the night change hour): an evening peak.
HOUR_WEIGHTS = [3, 5, 6, 6, 6, 6, 6, 7, 8, 9, 10, 9, 7, 5, 3, 2, 1.5, 1, 1, 1, 1, 1, 1.5, 2]
CALLERS = ([CallerType.PERSON, CallerType.SERVICE, CallerType.THIRD_PARTY, CallerType.OUTREACH], [70, 15, 8, 7])
SLEEPING = (
    [
        SleepingPlace.STREET,
        SleepingPlace.MAKESHIFT,
        SleepingPlace.VEHICLE,
        SleepingPlace.SQUAT,
        SleepingPlace.THIRD_PARTY,
        SleepingPlace.HOSPITAL,
        SleepingPlace.UNKNOWN,
    ],
    [45, 15, 6, 8, 12, 4, 10],
)
# Outcomes of a past night: (unmet, sheltered then closed, did not come, did not call back).
OUTCOMES_TENSE = ([EmergencyStatus.UNMET, EmergencyStatus.CLOSED, EmergencyStatus.NO_SHOW, EmergencyStatus.NO_CALLBACK], [50, 30, 6, 14])  # fmt: skip
OUTCOMES_PARIS = (OUTCOMES_TENSE[0], [55, 27, 5, 13])
OUTCOMES_OTHER = (OUTCOMES_TENSE[0], [30, 50, 7, 13])
UNMET_REASONS = (
    [UnmetReason.NO_PLACE, UnmetReason.NO_FITTING_PLACE, UnmetReason.REFUSED_BY_PERSON, UnmetReason.HUNG_UP, UnmetReason.OTHER],
    [70, 15, 8, 4, 3],
)  # fmt: skip
NIGHTS = ([1, 2, 3, 5, 7, 14, 30], [35, 20, 15, 12, 10, 6, 2])  # nights granted to a sheltered stay
EXITS = ([ExitReason.NOT_RENEWED, ExitReason.VOLUNTARY, ExitReason.REORIENTATION, ExitReason.OTHER], [70, 12, 12, 6])


def _weighted(values, weights):
    return list(values), list(itertools.accumulate(weights)), sum(weights)


def _pick(rng, weighted):
    values, cum_weights, total = weighted
    return values[bisect.bisect(cum_weights, rng.random() * total)]


W_HOURS = _weighted(range(24), HOUR_WEIGHTS)
W_CALLERS = _weighted(*CALLERS)
W_SLEEPING = _weighted(*SLEEPING)
W_OUTCOMES = {
    "paris": _weighted(*OUTCOMES_PARIS),
    "tense": _weighted(*OUTCOMES_TENSE),
    "other": _weighted(*OUTCOMES_OTHER),
}
W_UNMET = _weighted(*UNMET_REASONS)
W_NIGHTS = _weighted(*NIGHTS)
W_EXITS = _weighted(*EXITS)
W_EXTRA = _weighted(range(len(EXTRA_GROUPS)), [group[4] for group in EXTRA_GROUPS])
PERSONS = EmergencyRequest.persons.through
TABLES = {
    model: _Table(model, slot) for slot, model in enumerate([Call, Stay, Night, EmergencyRequest, Placement, PERSONS])
}
_CONTEXT = None
_IDS = None


def _weight(code: str) -> float:
    return POPULATION.get(code, 300) * FACTOR.get(code, 1.0)


# -- the offer the 115 orients to --------------------------------------------------------------


def add_emergency_offer(seed: int = 42, log=None) -> int:
    """Once: "115" place groups (winter, night shelter, hotel rooms, FVV) in validated programs
    of every département, EXTRA_PLACES places nationally weighted like the households."""
    if PlaceGroup.objects.filter(name__startswith=GROUP_PREFIX).exists():
        return 0
    rng = random.Random(seed + 115)
    departments = list(Department.objects.order_by("code").values_list("pk", "code"))
    total = sum(_weight(code) for _, code in departments)
    programs = {}
    for pk, department_id in Program.objects.orientable().order_by("pk").values_list("pk", "department_id"):
        programs.setdefault(department_id, []).append(pk)
    publics = dict(Public.objects.values_list("code", "pk"))
    groups, group_publics = [], []
    created_at = timezone.now() - datetime.timedelta(days=400)
    for department_id, code in departments:
        target = round(EXTRA_PLACES * _weight(code) / total)
        candidates = programs.get(department_id) or []
        n = 0
        while target > 0 and candidates:
            place_type, unit_kind, category, (low, high), _, group_publics_codes = EXTRA_GROUPS[_pick(rng, W_EXTRA)]
            size = min(target, rng.randint(low, high))
            target -= size
            n += 1
            group = PlaceGroup(
                program_id=rng.choice(candidates),
                name=f"{GROUP_PREFIX} {PlaceType(place_type).label} {n}",
                unit_kind=unit_kind,
                place_type=place_type,
                place_category=category,
                capacity=size,
                city="Ville fictive",
            )
            groups.append((group, code, department_id, [publics[c] for c in group_publics_codes]))
    with transaction.atomic():
        PlaceGroup.objects.bulk_create([group for group, *_ in groups], batch_size=2000)
        through = PlaceGroup.publics.through
        for group, _, _, public_ids in groups:
            group_publics += [through(placegroup_id=group.pk, public_id=pk) for pk in public_ids]
        through.objects.bulk_create(group_publics, batch_size=2000)
        places = []
        w_states = _weighted(*EXTRA_STATES)
        for group, _, department_id, _ in groups:
            for k in range(group.capacity):
                state = _pick(rng, w_states)
                places.append(
                    Place(
                        place_group=group,
                        label=f"{'Chambre' if group.unit_kind == UnitKind.DWELLING else 'Lit'} {k + 1}",
                        state=state,
                        unavailability_reason="works" if state == PlaceState.UNAVAILABLE else "",
                        department_id=department_id,
                        state_changed_at=created_at,
                    )
                )
        Place.objects.bulk_create(places, batch_size=5000)
    if log:
        log(f"115 offer: {len(groups)} place groups, {len(places)} places added")
    return len(places)


# -- users ---------------------------------------------------------------------------------------


def handler_email(code: str, n: int) -> str:
    return f"ecoutant{n:02d}.{code.lower()}@{EMERGENCY_DOMAIN}"


def ensure_handlers() -> dict[int, list[int]]:
    """Écoutant 115 users: 50 at the Paris SIAO, one per other département (département id →
    user ids)."""
    siaos = dict(
        Organization.objects.filter(kind=OrganizationKind.SIAO).values_list("departments", "pk").order_by("pk")
    )
    handlers = {}
    for department_id, code in Department.objects.order_by("code").values_list("pk", "code"):
        count = PARIS_HANDLERS if code == DEPARTMENT else 1
        emails = [handler_email(code, n) for n in range(1, count + 1)]
        existing = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
        missing = [User(email=email) for email in emails if email not in existing]
        if missing:
            User.objects.bulk_create(missing)
            existing = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
        members = set(
            Membership.objects.filter(user_id__in=existing.values(), role=Role.CALL_HANDLER).values_list(
                "user_id", flat=True
            )
        )
        for user_id in existing.values():
            if user_id not in members:
                Membership.objects.create(
                    user_id=user_id, role=Role.CALL_HANDLER, organization_id=siaos[department_id]
                )
        handlers[department_id] = [existing[email] for email in emails]
    return handlers


# -- context ---------------------------------------------------------------------------------


class _Context:
    """What every night draws from (loaded once, before the worker processes fork)."""

    @classmethod
    def load(cls, calls_per_day: int):
        self = cls()
        self.calls_per_day = calls_per_day
        departments = list(Department.objects.order_by("code").values_list("pk", "code"))
        self.department_ids = [pk for pk, _ in departments]
        self.code = dict(departments)
        self.cum_weights = list(itertools.accumulate(_weight(code) for _, code in departments))
        self.paris = next(pk for pk, code in departments if code == DEPARTMENT)
        self.handlers = ensure_handlers()
        workers = dict(
            User.objects.filter(email__endswith=f"@{USER_DOMAIN}", email__startswith="ts.").values_list("email", "pk")
        )
        self.program_user = {
            pk: workers.get(f"ts.{code.lower()}@{USER_DOMAIN}", self.handlers[pk][0]) for pk, code in departments
        }
        # The 115's callers: a quarter of the files, with their snapshot and current members.
        self.pool = {pk: [] for pk in self.department_ids}
        household_rows = (
            Household.objects.annotate(slot=Mod("pk", POOL_MODULO))
            .filter(slot=0)
            .order_by("pk")
            .values_list("pk", "department_id", "composition_id", "member_count", "children_count")
        )
        members = {}
        for household_id, person_id in (
            HouseholdMember.objects.filter(left_on__isnull=True)
            .annotate(slot=Mod("household_id", POOL_MODULO))
            .filter(slot=0)
            .order_by("household_id", "pk")
            .values_list("household_id", "person_id")
            .iterator(chunk_size=50_000)
        ):
            members.setdefault(household_id, []).append(person_id)
        for pk, department_id, composition_id, member_count, children_count in household_rows.iterator(
            chunk_size=50_000
        ):
            persons = tuple(members.get(pk, ()))
            if persons:
                self.pool[department_id].append((pk, composition_id, max(member_count, 1), children_count, persons))
        for department_id, pool in self.pool.items():
            random.Random(department_id).shuffle(pool)  # the most frequent callers anywhere in the list
        # The groups the 115 orients to, with their places.
        groups = {}
        for pk, program_id, department_id, unit_kind in (
            PlaceGroup.objects.filter(program__in=Program.objects.orientable(), place_type__in=EMERGENCY_PLACE_TYPES)
            .order_by("pk")
            .values_list("pk", "program_id", "program__department_id", "unit_kind")
        ):
            groups[pk] = (pk, program_id, department_id, unit_kind == UnitKind.DWELLING, [])
        for place_id, group_id in (
            Place.objects.filter(place_group__in=list(groups)).order_by("pk").values_list("pk", "place_group_id")
        ):
            groups[group_id][4].append(place_id)
        self.groups = {pk: [] for pk in self.department_ids}
        for group in groups.values():
            if group[4]:
                self.groups[group[2]].append(group)
        self.housing = list(HousingSituation.values)
        self.reasons = list(RequestReason.values)
        self.exit_destinations = list(ExitDestination.values)
        self.tonight = tonight_of()
        self.tz = timezone.get_default_timezone()
        self.change_hour = settings.EMERGENCY_NIGHT_CHANGE_HOUR
        return self

    def night_start(self, night: datetime.date) -> datetime.datetime:
        local = datetime.datetime.combine(night, datetime.time(self.change_hour), tzinfo=self.tz)
        return local.astimezone(datetime.UTC)


# -- rows ----------------------------------------------------------------------------------


class _Sink:
    """A night's rows, table by table (parents first), each given its id at once from blocks
    reserved on the shared counters (gaps are harmless); written in one transaction: COPY on
    PostgreSQL, bulk_create on SQLite."""

    BLOCK = 5000

    def __init__(self):
        self.rows = {model: [] for model in TABLES}
        self.ranges = dict.fromkeys(TABLES, (0, 0))

    def new(self, rng, model, **values) -> list:
        table = TABLES[model]
        row = table.new(rng, **values)
        following, end = self.ranges[model]
        if following >= end:
            with _IDS.get_lock():
                following = _IDS[table.slot] + 1
                _IDS[table.slot] += self.BLOCK
            end = following + self.BLOCK
        row[0] = following
        self.ranges[model] = (following + 1, end)
        self.rows[model].append(row)
        return row

    def flush(self):
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                raw = cursor.cursor
                raw.execute("SET LOCAL synchronous_commit = off")
                if _superuser():
                    raw.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
                for model, rows in self.rows.items():
                    if rows:
                        with raw.copy(TABLES[model].copy_sql) as copy:
                            for row in rows:
                                copy.write_row(row)
        else:
            with _timestamps_as_given(), transaction.atomic():
                for model, rows in self.rows.items():
                    attnames = TABLES[model].attnames
                    instances = []
                    for row in rows:
                        instance = model.__new__(model)
                        instance.__dict__.update(zip(attnames, row, strict=True))
                        instance._state = ModelState()
                        instances.append(instance)
                    model.objects.bulk_create(instances, batch_size=1000)


@contextlib.contextmanager
def _timestamps_as_given():
    """created_at/updated_at are auto_now(_add): bulk_create would stamp every row "now"."""
    fields = [
        field
        for model in (Call, EmergencyRequest, Stay)
        for field in model._meta.concrete_fields
        if field.name in ("created_at", "updated_at")
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _call(rng, ctx, sink, department_id, at, household_id=None, handler=None):
    caller = _pick(rng, W_CALLERS)
    return sink.new(
        rng,
        Call,
        department_id=department_id,
        received_at=at,
        caller_type=caller,
        caller_detail="Service fictif" if caller == CallerType.SERVICE else "",
        handler_id=handler or rng.choice(ctx.handlers[department_id]),
        household_id=household_id,
        comment="",
        created_at=at,
        updated_at=at,
    )


def _places_for(rng, ctx, department_id, member_count, taken=None):
    """A group of the département and the places a household takes in it (None if none)."""
    groups = ctx.groups[department_id]
    for _ in range(4):
        if not groups:
            return None
        group = rng.choice(groups)
        _, _, _, dwelling, place_ids = group
        needed = 1 if dwelling else member_count
        candidates = place_ids if taken is None else [p for p in place_ids if p in taken]
        if len(candidates) >= needed:
            start = rng.randrange(len(candidates) - needed + 1)
            return group, candidates[start : start + needed]
    return None


def _request(rng, ctx, sink, call, household, department_id, night, created, status, **values):
    household_id, composition_id, member_count, children_count, persons = household
    row = sink.new(
        rng,
        EmergencyRequest,
        household_id=household_id,
        call_id=call[0],
        department_id=department_id,
        night_of=night,
        status=status,
        sleeping_place=_pick(rng, W_SLEEPING),
        housing_situation=rng.choice(ctx.housing) if rng.random() < 0.7 else None,
        reason=rng.choice(ctx.reasons) if rng.random() < 0.6 else None,
        health_urgency=rng.random() < 0.08,
        violence=rng.random() < 0.06,
        reduced_mobility=rng.random() < 0.03,
        with_animal=rng.random() < 0.04,
        comment="Demande fictive du banc d'essai." if rng.random() < 0.3 else "",
        composition_id=composition_id,
        member_count=member_count,
        children_count=children_count,
        created_by_id=call[TABLES[Call].position["handler_id"]],
        created_at=created,
        updated_at=created,
        **values,
    )
    return row


def _shelter(rng, ctx, sink, request_values, department_id, night, household, oriented_at, group, places, **stay):
    """Placements, the stay and its nights of a sheltered request (`stay`: ended_on…)."""
    _, program_id, _, _, _ = group
    nights = stay.pop("nights")
    started = ctx.night_start(night) + datetime.timedelta(hours=rng.randint(10, 15))
    row = sink.new(
        rng,
        Stay,
        household_id=household[0],
        program_id=program_id,
        place_id=places[0],
        started_on=night,
        admitted_by_id=ctx.program_user[department_id],
        created_at=started,
        updated_at=started,
        **stay,
    )
    recorded_by = request_values["oriented_by_id"]
    for n in range(nights):
        sink.new(
            rng,
            Night,
            stay_id=row[0],
            night=night + datetime.timedelta(days=n),
            recorded_at=started + datetime.timedelta(days=n),
            recorded_by_id=recorded_by,
        )
    return row


def _night(rng, ctx, night: datetime.date, sink) -> None:
    """A past night, nationally: calls, requests and their outcomes (all closed)."""
    season = 1 + 0.15 * math.cos(2 * math.pi * (night.timetuple().tm_yday - 15) / 365)
    count = round(ctx.calls_per_day * season * rng.uniform(0.92, 1.08))
    start = ctx.night_start(night)
    night_end = start + datetime.timedelta(days=1)
    departments = rng.choices(ctx.department_ids, cum_weights=ctx.cum_weights, k=count)
    asked = set()
    position = TABLES[EmergencyRequest].position
    for department_id in departments:
        at = start + datetime.timedelta(hours=_pick(rng, W_HOURS), seconds=rng.randint(0, 3599))
        pool = ctx.pool[department_id]
        household = pool[int(len(pool) * rng.random() ** 2.5)] if pool and rng.random() < 0.75 else None
        call = _call(rng, ctx, sink, department_id, at, household[0] if household else None)
        if household is None or household[0] in asked or rng.random() < 0.07:
            continue  # information, a third party, a second call of the same household
        asked.add(household[0])
        created = at + datetime.timedelta(minutes=rng.randint(2, 12))
        code = ctx.code[department_id]
        kind = "paris" if code == DEPARTMENT else "tense" if code in TENSE else "other"
        status = _pick(rng, W_OUTCOMES[kind])
        handler = call[TABLES[Call].position["handler_id"]]
        outcome_at = min(created + datetime.timedelta(minutes=rng.randint(5, 240)), night_end)
        values = {"version": 1, "outcome_at": outcome_at, "outcome_by_id": handler}
        chosen = None
        if status in (EmergencyStatus.CLOSED, EmergencyStatus.NO_SHOW):
            chosen = _places_for(rng, ctx, department_id, household[2])
            if chosen is None:
                status = EmergencyStatus.UNMET
        if status == EmergencyStatus.UNMET:
            values["unmet_reason"] = _pick(rng, W_UNMET)
        elif status == EmergencyStatus.NO_CALLBACK:
            values.update(outcome_by_id=None, outcome_at=night_end, outcome_comment="Automatique : la nuit est passée sans suite.")  # fmt: skip
        placements_end = None
        if chosen is not None:
            group, places = chosen
            oriented_at = created + datetime.timedelta(minutes=rng.randint(1, 30))
            values.update(
                program_id=group[1], place_group_id=group[0], oriented_at=oriented_at, oriented_by_id=handler
            )
            values["version"] = 2
            if status == EmergencyStatus.NO_SHOW:
                placements_end = night_end
                values.update(outcome_at=night_end, outcome_by_id=None)
            else:
                nights = min(_pick(rng, W_NIGHTS), (ctx.tonight - night).days)
                last = night + datetime.timedelta(days=nights - 1)
                ended_on = last + datetime.timedelta(days=1)
                reason = _pick(rng, W_EXITS)
                stay = _shelter(
                    rng,
                    ctx,
                    sink,
                    values,
                    department_id,
                    night,
                    household,
                    oriented_at,
                    group,
                    places,
                    nights=nights,
                    ended_on=ended_on,
                    exit_reason=reason,
                    exit_destination=EXIT_NO_CALLBACK
                    if reason == ExitReason.NOT_RENEWED
                    else rng.choice(ctx.exit_destinations),
                    exit_comment="Automatique : nuitée non reconduite." if reason == ExitReason.NOT_RENEWED else "",
                    ended_by_id=ctx.program_user[department_id],
                )
                placements_end = ctx.night_start(ended_on)
                values.update(stay_id=stay[0], last_night=last, version=3 + min(nights - 1, 1))
        row = _request(rng, ctx, sink, call, household, department_id, night, created, status, **values)
        row[position["updated_at"]] = values["outcome_at"]
        for person_id in household[4]:
            sink.new(rng, PERSONS, emergencyrequest_id=row[0], person_id=person_id)
        if chosen is not None:
            for place_id in chosen[1]:
                sink.new(
                    rng, Placement, request_id=row[0], place_id=place_id, held_at=values["oriented_at"], released_at=placements_end
                )  # fmt: skip


def _generate_night(task) -> int:
    seed, night = task
    sink = _Sink()
    _night(random.Random(seed * 1_000_003 + night.toordinal()), _CONTEXT, night, sink)
    sink.flush()
    return len(sink.rows[Call])


def _max_id(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _set_sequences():
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in TABLES.values():
            name = table.model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT max(id) FROM {name}), 1))",  # noqa: S608
                [name],
            )


# -- tonight in Paris --------------------------------------------------------------------------


def live_state(ctx, seed: int, pending: int, oriented: int, sheltered: int, unmet: int, log=None) -> dict:
    """Tonight's state of the Paris SIAO (once): open requests, held places, current stays."""
    night, paris = ctx.tonight, ctx.paris
    if EmergencyRequest.objects.filter(department_id=paris, night_of=night).exists():
        return {}
    rng = random.Random(seed + 75)
    sink = _Sink()
    now = timezone.now()
    start = ctx.night_start(night)
    pool = list(ctx.pool[paris])
    rng.shuffle(pool)
    households = iter(pool)
    states = dict(Place.objects.filter(pk__in=[p for g in ctx.groups[paris] for p in g[4]]).values_list("pk", "state"))
    occupied = {p for p, state in states.items() if state == PlaceState.OCCUPIED}
    available = {p for p, state in states.items() if state == PlaceState.AVAILABLE}
    # Stays from earlier nights (places occupied by them) hold nights up to tonight or tomorrow.
    held, used, counts = [], set(), {"sheltered": 0, "oriented": 0, "pending": 0, "unmet": 0}
    live = []
    wanted = pending + oriented + unmet + sheltered
    scale = min(1.0, len(pool) / wanted) if wanted else 1.0  # small datasets: every kind, scaled
    for kind, n in (("pending", pending), ("oriented", oriented), ("unmet", unmet), ("sheltered", sheltered)):
        n = int(n * scale)
        for _ in range(n):
            household = next(households, None)
            if household is None:
                break
            live.append((kind, household))
    for kind, household in live:
        chosen = None
        if kind in ("sheltered", "oriented"):
            pool_places = occupied if kind == "sheltered" else available
            chosen = _places_for(rng, ctx, paris, household[2], taken=pool_places - used)
            if chosen is None:
                kind = "pending"
        first = night
        if kind == "sheltered":
            first = night - datetime.timedelta(days=min(int(30 * rng.random() ** 2), 29))
        if first == night:
            at = start + (now - start) * rng.random()
        else:
            at = ctx.night_start(first) + datetime.timedelta(hours=_pick(rng, W_HOURS), seconds=rng.randint(0, 3599))
        call = _call(rng, ctx, sink, paris, at, household[0])
        handler = call[TABLES[Call].position["handler_id"]]
        created = min(at + datetime.timedelta(minutes=rng.randint(1, 5)), now)
        values = {"version": 0}
        if chosen is not None:
            group, places = chosen
            used.update(places)
            oriented_at = min(created + datetime.timedelta(minutes=rng.randint(1, 20)), now)
            values.update(program_id=group[1], place_group_id=group[0], oriented_at=oriented_at, oriented_by_id=handler, version=1)  # fmt: skip
        status = {"sheltered": EmergencyStatus.SHELTERED, "oriented": EmergencyStatus.ORIENTED}.get(kind, EmergencyStatus.PENDING)  # fmt: skip
        if kind == "sheltered":
            last = night + datetime.timedelta(days=rng.choice([0, 0, 1]))
            stay = _shelter(rng, ctx, sink, values, paris, first, household, values["oriented_at"], group, places, nights=(last - first).days + 1)  # fmt: skip
            values.update(stay_id=stay[0], last_night=last, outcome_at=values["oriented_at"], outcome_by_id=ctx.program_user[paris], version=3)  # fmt: skip
        elif kind == "oriented":
            held += places
        elif kind == "unmet":
            status = EmergencyStatus.UNMET
            values.update(unmet_reason=_pick(rng, W_UNMET), outcome_at=created, outcome_by_id=handler, version=1)
        row = _request(rng, ctx, sink, call, household, paris, first, created, status, **values)
        for person_id in household[4]:
            sink.new(rng, PERSONS, emergencyrequest_id=row[0], person_id=person_id)
        if chosen is not None:
            for place_id in places:
                sink.new(rng, Placement, request_id=row[0], place_id=place_id, held_at=values["oriented_at"], released_at=None)  # fmt: skip
        counts[kind] += 1
    # Tonight's calls without request (third parties, information).
    for _ in range(pending):
        _call(rng, ctx, sink, paris, start + (now - start) * rng.random())
    with transaction.atomic():
        sink.flush()
        Place.objects.filter(pk__in=held).update(state=PlaceState.HELD, state_changed_at=now)
    counts["calls"] = len(sink.rows[Call])
    if log:
        log(f"Paris tonight ({night}): {counts}")
    return counts


# -- entry point -------------------------------------------------------------------------------


def generate_emergency(
    calls_per_day: int = 10_000,
    days: int = 365,
    seed: int = 42,
    workers: int | None = None,
    pending: int = 300,
    oriented: int = 150,
    sheltered: int = 1200,
    log=None,
) -> dict:
    """Add the 115 offer, the nights missing among the last `days` (most recent first), then
    tonight's state in Paris. Returns the volumes."""
    log = log or (lambda line: None)
    postgresql = connection.vendor == "postgresql"
    if not Household.objects.exists():
        raise RuntimeError("no household: generate them first (bench/households_generate.py)")
    add_emergency_offer(seed, log)
    global _CONTEXT, _IDS
    started = time.perf_counter()
    _CONTEXT = ctx = _Context.load(calls_per_day)
    log(f"context: {sum(map(len, ctx.pool.values()))} caller households, {sum(map(len, ctx.groups.values()))} emergency place groups ({time.perf_counter() - started:.0f} s)")  # fmt: skip
    done_nights = set(
        EmergencyRequest.objects.exclude(department_id=ctx.paris).values_list("night_of", flat=True).distinct()
    )
    nights = [ctx.tonight - datetime.timedelta(days=n) for n in range(1, days + 1)]
    nights = [night for night in nights if night not in done_nights]
    if nights:
        _IDS = multiprocessing.get_context("fork").Array("q", [_max_id(table.model) for table in TABLES.values()])
        workers = workers or (2 if postgresql else 1)
        tasks = [(seed, night) for night in nights]
        started, calls = time.perf_counter(), 0
        if workers > 1:
            connections.close_all()
            pool = multiprocessing.get_context("fork").Pool(workers)
            results = pool.imap_unordered(_generate_night, tasks)
        else:
            pool, results = None, map(_generate_night, tasks)
        try:
            for n, count in enumerate(results, 1):
                calls += count
                if n % 5 == 0 or n == len(tasks):
                    elapsed = time.perf_counter() - started
                    log(f"nights: {n}/{len(tasks)}, {calls} calls ({calls / elapsed:.0f} calls/s, {elapsed:.0f} s)")
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        _set_sequences()
    _IDS = _IDS or multiprocessing.get_context("fork").Array("q", [_max_id(table.model) for table in TABLES.values()])
    live_state(ctx, seed, pending, oriented, sheltered, unmet=pending // 2, log=log)
    _set_sequences()
    if postgresql:
        started = time.perf_counter()
        tables = ", ".join(table.model._meta.db_table for table in TABLES.values())
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {tables}, offer_place, offer_placegroup")
        log(f"VACUUM (ANALYZE) ({time.perf_counter() - started:.0f} s)")
        if nights:
            started = time.perf_counter()
            orphans = _orphans()
            if orphans:
                raise RuntimeError(f"foreign keys broken by the load: {orphans}")
            log(f"foreign keys of the loaded tables checked ({time.perf_counter() - started:.0f} s)")
    return emergency_counts()


def _orphans() -> list[str]:
    """The foreign keys of the loaded tables that point nowhere (one anti-join each)."""
    tables = [table.model._meta.db_table for table in TABLES.values()]
    broken = []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
               FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
               JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
               WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)""",
            [tables],
        )
        for table, column, target, target_column in cursor.fetchall():
            cursor.execute(
                f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608 (catalog names)
                f"(SELECT 1 FROM {target} p WHERE p.{target_column} = t.{column})"
            )
            (count,) = cursor.fetchone()
            if count:
                broken.append(f"{table}.{column} → {target}: {count}")
    return broken


def emergency_counts() -> dict:
    paris = Department.objects.get(code=DEPARTMENT)
    night = tonight_of()
    statuses = dict(
        EmergencyRequest.objects.filter(department=paris, night_of=night)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "calls": Call.objects.count(),
        "emergency_requests": EmergencyRequest.objects.count(),
        "request_persons": PERSONS.objects.count(),
        "placements": Placement.objects.count(),
        "emergency_stays": Stay.objects.filter(emergency_request__isnull=False).count(),
        "nights": Night.objects.count(),
        "paris_tonight": statuses,
        "paris_sheltered": EmergencyRequest.objects.filter(department=paris, status=EmergencyStatus.SHELTERED).count(),
        "paris_available_emergency_places": Place.objects.filter(
            department=paris, state=PlaceState.AVAILABLE, place_group__place_type__in=EMERGENCY_PLACE_TYPES
        ).count(),
    }


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls-per-day", type=int, default=10_000, help="national (default 10 000)")
    parser.add_argument("--days", type=int, default=365, help="past nights (default 365)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, help="processes (default: 2 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--pending", type=int, default=300, help="Paris, tonight")
    parser.add_argument("--oriented", type=int, default=150, help="Paris, tonight")
    parser.add_argument("--sheltered", type=int, default=1200, help="Paris, current stays")
    args = parser.parse_args(argv)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts = generate_emergency(
        args.calls_per_day,
        args.days,
        seed=args.seed,
        workers=args.workers,
        pending=args.pending,
        oriented=args.oriented,
        sheltered=args.sheltered,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(f"115: {counts} ({time.perf_counter() - started:.1f} s) on {connection.vendor}", file=sys.stderr)


if __name__ == "__main__":
    main()
