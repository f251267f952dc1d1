"""Demo data: a département with its DDETS and SIAO, two operators with programs, and one
account per profile. Obviously fake names, reserved domain (`.example`), never real people."""

import datetime

from django.db import transaction
from django.utils import timezone

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Membership, Organization, User
from siao.geo.models import Department
from siao.offer.enums import (
    CATEGORY_OF_TYPE,
    FUNDING_LINES,
    FundingLine,
    PlaceCategory,
    PlaceState,
    PlaceType,
    ProgramType,
    ValidationStatus,
)
from siao.offer.models import Place, PlaceGroup, PlaceStateChange, Program, Public

DEMO_DEPARTMENT = "35"
DEMO_DOMAIN = "demo.si-siao.example"

OPERATORS = [
    # (name, SIREN (valid check digit, fictitious), extra département, programs:
    #  (name, type, SIRET, total managed, place groups: (name, place type, category, capacity, occupied)))
    (
        "Association Horizon (démo)",
        "999900012",
        "56",
        [
            (
                "CHRS - Horizon Rennes",
                ProgramType.CHRS,
                "99990001200017",
                30,
                [
                    ("Bâtiment A — chambres individuelles", PlaceType.INSERTION, PlaceCategory.SINGLE_ROOM, 12, 9),
                    ("Bâtiment B — chambres familles", PlaceType.INSERTION, PlaceCategory.ROOM_4, 8, 5),
                ],
            ),
            (
                "Hôtel - Horizon nuitées",
                ProgramType.HOTEL,
                "99990001200025",
                20,
                [("Hôtel du Centre (nuitées 115)", PlaceType.HOTEL, PlaceCategory.HOTEL_ROOM, 15, 11)],
            ),
        ],
    ),
    (
        "Foyer Solidaire (démo)",
        "999900020",
        None,
        [
            (
                "Pension de famille - Les Tilleuls",
                ProgramType.FAMILY_BOARDING_HOUSE,
                "99990002000010",
                18,
                [("Les Tilleuls — studios", PlaceType.HOUSING, PlaceCategory.STUDIO, 18, 16)],
            ),
            ("Maraude - Nuit solidaire", ProgramType.OUTREACH, "99990002000028", 0, []),
        ],
    ),
    (
        "Accueil d'urgence du Phare (démo)",
        "999900038",
        None,
        [
            (
                "Hors CHRS - CHU Le Phare",
                ProgramType.NON_CHRS,
                "99990003800012",
                24,
                [
                    ("Dortoir hommes (urgence)", PlaceType.EMERGENCY, PlaceCategory.DORMITORY, 10, 4),
                    ("Chambres familles (urgence)", PlaceType.EMERGENCY, PlaceCategory.ROOM_4, 8, 2),
                    ("Places hiver", PlaceType.WINTER, PlaceCategory.SHARED_ROOM, 6, 1),
                ],
            ),
        ],
    ),
]

# (email local part, first name, last name, [(role, organization key, program name or None, options)])
ACCOUNTS = [
    ("admin.national", "Nadia", "Démo-National", [(Role.NATIONAL_ADMIN, "national", None, {})]),
    ("admin.ddets", "Denis", "Démo-Départemental", [(Role.DEPARTMENT_ADMIN, "ddets", None, {})]),
    ("analyste", "Anaïs", "Démo-Analyste", [(Role.ANALYST, "ddets", None, {})]),
    ("admin.siao", "Sophie", "Démo-Admin-SIAO", [(Role.SIAO_ADMIN, "siao", None, {})]),
    ("operateur.siao", "Omar", "Démo-Opérateur", [(Role.SIAO_OPERATOR, "siao", None, {"reviewed_days_ago": 200})]),
    ("ecoutant.115", "Élise", "Démo-Écoutante", [(Role.CALL_HANDLER, "siao", None, {})]),
    (
        "gestionnaire.horizon",
        "Gaston",
        "Démo-Gestionnaire",
        [
            (Role.OPERATOR_MANAGER, "operator0", None, {}),
            (Role.PROGRAM_MANAGER, "operator0", "CHRS - Horizon Rennes", {}),
        ],
    ),
    (
        "assistant.horizon",
        "Aline",
        "Démo-Assistante",
        [(Role.ASSISTANT, "operator0", None, {"reviewed_days_ago": 190})],
    ),
    (
        "responsable.chrs",
        "Rémi",
        "Démo-Responsable",
        [(Role.PROGRAM_MANAGER, "operator0", "CHRS - Horizon Rennes", {})],
    ),
    (
        "responsable.urgence",
        "Ulysse",
        "Démo-Urgence",
        [(Role.PROGRAM_MANAGER, "operator2", "Hors CHRS - CHU Le Phare", {})],
    ),
    (
        "maraude",
        "Maël",
        "Démo-Maraude",
        [(Role.SOCIAL_WORKER, "operator1", "Maraude - Nuit solidaire", {})],
    ),
    (
        "travailleur.social",
        "Thomas",
        "Démo-Travailleur",
        [(Role.SOCIAL_WORKER, "operator1", "Pension de famille - Les Tilleuls", {"ends_in_days": 20})],
    ),
]


def create_place_group_with_places(*, program, name, place_type, place_category, capacity, occupied):
    group = PlaceGroup.objects.create(
        program=program, name=name, place_type=place_type, place_category=place_category, capacity=capacity
    )
    places = Place.objects.bulk_create(
        Place(
            place_group=group,
            label=f"Place {n}",
            department_id=program.department_id,
            state=PlaceState.OCCUPIED if n <= occupied else PlaceState.AVAILABLE,
        )
        for n in range(1, capacity + 1)
    )
    PlaceStateChange.objects.bulk_create(
        PlaceStateChange(place=place, from_state="", to_state=place.state) for place in places
    )
    return group


def demo_exists() -> bool:
    return User.objects.filter(is_demo=True).exists()


@transaction.atomic
def seed_demo() -> int:
    """Create the demo data once; returns the number of demo accounts created (0 if present)."""
    from .partners import seed_demo_partner

    if demo_exists():
        seed_demo_partner(DEMO_DOMAIN)  # idempotent: also reaches demos seeded before it existed
        _seed_help(DEMO_DOMAIN)
        return 0
    department = Department.objects.get(code=DEMO_DEPARTMENT)
    organizations = {
        "national": Organization.objects.get(kind=OrganizationKind.NATIONAL),
        "ddets": Organization.objects.get(kind=OrganizationKind.STATE_DEPARTMENT, departments=department),
        "siao": Organization.objects.get(kind=OrganizationKind.SIAO, departments=department),
    }
    programs = {}
    for index, (name, siren, extra_department, program_names) in enumerate(OPERATORS):
        operator, _ = Organization.objects.get_or_create(
            kind=OrganizationKind.OPERATOR, siren=siren, defaults={"name": name}
        )
        operator.departments.add(department, *Department.objects.filter(code=extra_department))
        organizations[f"operator{index}"] = operator
        for program_name, program_type, siret, total, groups in program_names:
            program = Program.objects.create(
                operator=operator,
                name=program_name,
                category=CATEGORY_OF_TYPE[program_type],
                type=program_type,
                siret=siret,
                department=department,
                funded_p177=total,
                total_managed=total,
                # A quarter of the places on the contingent préfectoral where the category has one.
                prefectoral_quota=total // 4
                if FundingLine.PREFECTORAL_QUOTA in FUNDING_LINES[CATEGORY_OF_TYPE[program_type]]
                else 0,
                validation_status=ValidationStatus.VALIDATED,
                validated_at=timezone.now(),
                contact_phone="02 99 00 00 00",
                contact_email=f"contact@{DEMO_DOMAIN}",
            )
            program.orienting_siaos.add(organizations["siao"])
            program.publics.add(*Public.objects.filter(code__in=["all_public"]))
            programs[program_name] = program
            for group_name, place_type, place_category, capacity, occupied in groups:
                create_place_group_with_places(
                    program=program,
                    name=group_name,
                    place_type=place_type,
                    place_category=place_category,
                    capacity=capacity,
                    occupied=occupied,
                )
    granter = None
    now = timezone.now()
    for local_part, first_name, last_name, grants in ACCOUNTS:
        user = User.objects.create_user(
            email=f"{local_part}@{DEMO_DOMAIN}", first_name=first_name, last_name=last_name, is_demo=True
        )
        for role, organization_key, program_name, options in grants:
            Membership.objects.create(
                user=user,
                organization=organizations[organization_key],
                role=role,
                program=programs.get(program_name),
                granted_by=granter,
                last_reviewed_at=now - datetime.timedelta(days=options.get("reviewed_days_ago", 0)),
                ends_on=timezone.localdate() + datetime.timedelta(days=options["ends_in_days"])
                if "ends_in_days" in options
                else None,
            )
        granter = granter or user  # the national administrator vouches for the others
    _programs_awaiting_validation(organizations, department)
    from .households import seed_households

    seed_households(DEMO_DOMAIN, department, programs)
    from .emergency import seed_emergency

    seed_emergency(DEMO_DOMAIN, department, programs)
    from .archive import seed_archive

    seed_archive(DEMO_DOMAIN)
    from siao.statistics.demo import seed_statistics_demo

    seed_statistics_demo()
    seed_demo_partner(DEMO_DOMAIN)
    _seed_help(DEMO_DOMAIN)
    return len(ACCOUNTS)


def _seed_help(domain: str) -> None:
    """The help centre, support requests and a satisfaction campaign (idempotent each)."""
    from . import help_knowledge, help_support, help_surveys

    help_knowledge.seed(domain)
    help_support.seed(domain)
    help_surveys.seed(domain)


def _programs_awaiting_validation(organizations, department):
    """One program in each step of the circuits, so that the demo shows them."""
    operator = organizations["operator0"]
    requester = User.objects.get(email=f"gestionnaire.horizon@{DEMO_DOMAIN}")
    for name, program_type, siret, status in (
        ("CHRS - Horizon Saint-Malo", ProgramType.CHRS, "99990001200033", ValidationStatus.SUBMITTED),
        (
            "Pension de famille - Horizon Vitré",
            ProgramType.FAMILY_BOARDING_HOUSE,
            "99990001200041",
            ValidationStatus.PREVALIDATED,
        ),
        ("Hôtel - Horizon Fougères", ProgramType.HOTEL, "99990001200058", ValidationStatus.SUBMITTED),
    ):
        program = Program.objects.create(
            operator=operator,
            name=name,
            category=CATEGORY_OF_TYPE[program_type],
            type=program_type,
            siret=siret,
            department=department,
            funded_p177=10,
            total_managed=10,
            validation_status=status,
            submitted_by=requester,
            submitted_at=timezone.now(),
            prevalidated_at=timezone.now() if status == ValidationStatus.PREVALIDATED else None,
        )
        program.orienting_siaos.add(organizations["siao"])
