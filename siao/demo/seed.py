"""Demo data: a département with its DDETS and SIAO, two operators with programs, and one
account per profile. Obviously fake names, reserved domain (`.example`), never real people."""

import datetime

from django.db import transaction
from django.utils import timezone

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Membership, Organization, User
from siao.geo.models import Department
from siao.offer.models import Program

DEMO_DEPARTMENT = "35"
DEMO_DOMAIN = "demo.si-siao.example"

OPERATORS = [
    # (name, SIREN (valid check digit, fictitious), extra département, programs)
    ("Association Horizon (démo)", "999900012", "56", ["CHRS - Horizon Rennes", "Hôtel - Horizon nuitées"]),
    ("Foyer Solidaire (démo)", "999900020", None, ["Pension de famille - Les Tilleuls", "Maraude - Nuit solidaire"]),
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
        "travailleur.social",
        "Thomas",
        "Démo-Travailleur",
        [(Role.SOCIAL_WORKER, "operator1", "Pension de famille - Les Tilleuls", {"ends_in_days": 20})],
    ),
]


def demo_exists() -> bool:
    return User.objects.filter(is_demo=True).exists()


@transaction.atomic
def seed_demo() -> int:
    """Create the demo data once; returns the number of demo accounts created (0 if present)."""
    if demo_exists():
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
        for program_name in program_names:
            programs[program_name], _ = Program.objects.get_or_create(
                operator=operator, name=program_name, defaults={"department": department}
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
    return len(ACCOUNTS)
