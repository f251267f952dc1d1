"""Fake national-size offer: ~10 000 programs in every département (20 operators each),
~250 000 places in place groups, most of them occupied, with a state history of a few changes
per place over the last six months. Idempotent: does nothing when place groups exist."""

import datetime
import random

from django.db import connection, transaction
from django.utils import timezone

from siao.accounts.enums import OrganizationKind
from siao.accounts.models import Organization
from siao.geo.models import Department
from siao.offer.enums import (
    CATEGORY_OF_TYPE,
    PlaceCategory,
    PlaceState,
    PlaceType,
    ProgramType,
    UnavailabilityReason,
    ValidationStatus,
)
from siao.offer.models import Place, PlaceGroup, PlaceStateChange, Program, Public
from tests.factories import fake_siren, fake_siret

BATCH = 5000
OPERATORS_PER_DEPARTMENT = 20
PROGRAMS_PER_OPERATOR = 5
HISTORY_DAYS = 180
# Program types weighted roughly like the real offer: shelters first, then housing.
TYPES = [
    (ProgramType.CHRS, 25),
    (ProgramType.NON_CHRS, 20),
    (ProgramType.HOTEL, 8),
    (ProgramType.RHVS, 3),
    (ProgramType.OTHER_SHELTER, 3),
    (ProgramType.IML_SUBLETTING, 10),
    (ProgramType.IML_MANAGEMENT_MANDATE, 4),
    (ProgramType.FAMILY_BOARDING_HOUSE, 8),
    (ProgramType.SOCIAL_RESIDENCE, 5),
    (ProgramType.YOUNG_WORKERS_HOSTEL, 4),
    (ProgramType.NIGHT_STOP, 3),
    (ProgramType.SAO, 2),
    (ProgramType.DNA, 5),  # Premier accueil: no places
]
PLACE_TYPES = [PlaceType.INSERTION, PlaceType.EMERGENCY, PlaceType.STABILIZATION, PlaceType.HOTEL, PlaceType.HOUSING]
PLACE_CATEGORIES = [PlaceCategory.SINGLE_ROOM, PlaceCategory.ROOM_2, PlaceCategory.SHARED_ROOM, PlaceCategory.T2]
# Current states: a realistic share occupied.
STATES = [
    (PlaceState.OCCUPIED, 80),
    (PlaceState.AVAILABLE, 8),
    (PlaceState.HELD, 4),
    (PlaceState.UNAVAILABLE, 8),
]


def generate_offer(seed: int = 42) -> dict:
    rng = random.Random(seed)
    if not PlaceGroup.objects.exists():
        with transaction.atomic():
            programs = _operators_and_programs(rng)
            _place_groups_and_places(rng, programs)
        _history(rng)
    # Fresh statistics for the planner (PostgreSQL; SQLite's sqlite_stat1 likewise).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "programs": Program.objects.count(),
        "validated": Program.objects.validated().count(),
        "place_groups": PlaceGroup.objects.count(),
        "places": Place.objects.count(),
        "occupied": Place.objects.filter(state=PlaceState.OCCUPIED).count(),
        "available": Place.objects.filter(state=PlaceState.AVAILABLE).count(),
        "state_changes": PlaceStateChange.objects.count(),
    }


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _operators_and_programs(rng) -> list[Program]:
    departments = list(Department.objects.all())
    operators = [
        Organization(kind=OrganizationKind.OPERATOR, name=f"Association Offre {i}", siren=fake_siren(500_000 + i))
        for i in range(len(departments) * OPERATORS_PER_DEPARTMENT)
    ]
    Organization.objects.bulk_create(operators, batch_size=BATCH)
    through = Organization.departments.through
    through.objects.bulk_create(
        [
            through(organization_id=operator.pk, department_id=departments[i // OPERATORS_PER_DEPARTMENT].pk)
            for i, operator in enumerate(operators)
        ],
        batch_size=BATCH,
    )
    programs = []
    today = timezone.localdate()
    for i, operator in enumerate(operators):
        department = departments[i // OPERATORS_PER_DEPARTMENT]
        for j in range(PROGRAMS_PER_OPERATOR):
            program_type = _weighted(rng, TYPES)
            category = CATEGORY_OF_TYPE[program_type]
            p177 = rng.randint(8, 40)
            non_p177 = rng.choice([0, 0, 0, rng.randint(1, 10)])
            iml_plus = rng.randint(0, 5) if category == "iml" else 0
            programs.append(
                Program(
                    operator=operator,
                    category=category,
                    type=program_type,
                    name=f"{ProgramType(program_type).label} - Offre {i}-{j}",
                    siret=fake_siret(operator.siren, j + 1),
                    department=department,
                    city=f"Commune {i % 97}",
                    contact_phone=f"01 00 {i % 100:02d} {j:02d} 00",
                    contact_email=f"contact{i}-{j}@offre-bench.example",
                    funded_p177=p177,
                    funded_non_p177=non_p177,
                    funded_iml_plus=iml_plus,
                    total_managed=p177 + non_p177 + iml_plus + rng.choice([0, 0, 2]),
                    validation_status=ValidationStatus.VALIDATED
                    if rng.random() < 0.92
                    else rng.choice([ValidationStatus.SUBMITTED, ValidationStatus.PREVALIDATED]),
                    starts_on=today - datetime.timedelta(days=rng.randint(200, 4000)),
                    ends_on=today - datetime.timedelta(days=10) if rng.random() < 0.01 else None,
                )
            )
    Program.objects.bulk_create(programs, batch_size=BATCH)
    publics = list(Public.objects.all())
    program_publics = Program.publics.through
    program_publics.objects.bulk_create(
        [
            program_publics(program_id=program.pk, public_id=public.pk)
            for program in programs
            for public in rng.sample(publics, rng.randint(1, 3))
        ],
        batch_size=BATCH,
    )
    return programs


def _place_groups_and_places(rng, programs):
    publics = list(Public.objects.all())
    created_at = timezone.now() - datetime.timedelta(days=HISTORY_DAYS)
    groups = []
    for program in programs:
        if not program.holds_offer:
            continue
        funded = program.funded_p177 + program.funded_non_p177 + program.funded_iml_plus
        # Most programs created what they fund, some less (gaps to highlight), a few more.
        target = max(1, round(funded * rng.choice([1, 1, 1, 1, 0.8, 0.5, 1.1])))
        count = rng.randint(1, 4)
        sizes = [target // count + (1 if k < target % count else 0) for k in range(count)]
        for k, size in enumerate(s for s in sizes if s):
            groups.append(
                PlaceGroup(
                    program=program,
                    name=f"Groupe {k + 1}",
                    place_type=rng.choice(PLACE_TYPES),
                    place_category=rng.choice(PLACE_CATEGORIES),
                    capacity=size,
                )
            )
    # PlaceGroup.save() checks Premier accueil; bulk_create skips it, hence the filter above.
    PlaceGroup.objects.bulk_create(groups, batch_size=BATCH)
    group_publics = PlaceGroup.publics.through
    group_publics.objects.bulk_create(
        [
            group_publics(placegroup_id=group.pk, public_id=public.pk)
            for group in groups
            if rng.random() < 0.3
            for public in rng.sample(publics, rng.randint(1, 2))
        ],
        batch_size=BATCH,
    )
    department_of = {program.pk: program.department_id for program in programs}
    batch = []
    for group in groups:
        for n in range(group.capacity):
            state = _weighted(rng, STATES)
            batch.append(
                Place(
                    place_group=group,
                    label=f"Place {n + 1}",
                    state=state,
                    unavailability_reason=UnavailabilityReason.WORKS if state == PlaceState.UNAVAILABLE else "",
                    department_id=department_of[group.program_id],
                    state_changed_at=created_at,
                )
            )
            if len(batch) >= BATCH:
                Place.objects.bulk_create(batch)
                batch = []
    Place.objects.bulk_create(batch)


def _history(rng):
    """A few changes per place over the last months, the last one to its current state."""
    now = timezone.now()
    start = now - datetime.timedelta(days=HISTORY_DAYS)
    last_id = 0
    while True:
        with transaction.atomic():
            places = list(Place.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", "state")[:BATCH])
            if not places:
                return
            last_id = places[-1][0]
            changes = []
            for place_id, current in places:
                moments = sorted(
                    start + datetime.timedelta(seconds=rng.randint(0, HISTORY_DAYS * 86400))
                    for _ in range(rng.randint(1, 4))
                )
                path = [PlaceState.AVAILABLE]
                for _ in moments[1:-1]:
                    path.append(PlaceState.OCCUPIED if path[-1] == PlaceState.AVAILABLE else PlaceState.AVAILABLE)
                if len(moments) > 1:
                    path.append(current)
                elif current != PlaceState.AVAILABLE:
                    path = [current]
                previous = ""
                for moment, state in zip(moments, path, strict=True):
                    changes.append(
                        PlaceStateChange(
                            place_id=place_id,
                            from_state=previous,
                            to_state=state,
                            reason=UnavailabilityReason.WORKS if state == PlaceState.UNAVAILABLE else "",
                            changed_at=moment,
                        )
                    )
                    previous = state
            PlaceStateChange.objects.bulk_create(changes)
