"""Who may see and change household files: the perimeter of each role and the section matrix
(which role reads or writes which assessment section), as data in one place, tested as a
matrix.

Perimeters (issue 4, §8):
- SIAO roles (Administrateur SIAO, Opérateur SIAO, Écoutant 115): the files held by their
  SIAO, and the households with a request sent (transmitted) to it;
- program roles (Responsable de dispositif, Travailleur social): the households their program
  accompanies, has issued a request for, is oriented (referral proposed or accepted) or has
  admitted (stay, current or past);
- every other role (State administrators, analysts, operator managers, assistants): no
  identified household data at all (they steer with aggregates)."""

from django.db.models import Exists, OuterRef, Q

from siao.accounts.enums import PerimeterKind, Role

from .enums import Section

READ, WRITE = "read", "write"
ALL_SECTIONS = frozenset(Section.values)
COMMON_SECTIONS = frozenset({Section.FAMILY, Section.BUDGET, Section.EMPLOYMENT, Section.HOUSING})

# Roles that see identified household files (within their perimeter).
HOUSEHOLD_ROLES: frozenset[str] = frozenset(
    {Role.SIAO_ADMIN, Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER}
)
SIAO_ROLES: frozenset[str] = frozenset({Role.SIAO_ADMIN, Role.SIAO_OPERATOR, Role.CALL_HANDLER})
PROGRAM_FILE_ROLES: frozenset[str] = frozenset({Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER})

# Section matrix: role -> section -> READ or WRITE (absent: no access). Why:
# - the Travailleur social writes the in-depth assessment: everything;
# - the Responsable de dispositif meets the household to decide on its admission: reads
#   everything and may complete it (direct admissions);
# - the Opérateur SIAO checks completeness and orients (FVV, health needs, right to stay
#   decide the program): reads everything, writes nothing (the social worker owns it);
# - the Écoutant 115 records vulnerability: health and violence, plus the common sections;
#   never the administrative situation (the associations' objection to the 115 module),
#   expulsions or justice;
# - the Administrateur SIAO supports its users: the common sections only.
SECTION_ACCESS: dict[str, dict[str, str]] = {
    Role.SOCIAL_WORKER: dict.fromkeys(ALL_SECTIONS, WRITE),
    Role.PROGRAM_MANAGER: dict.fromkeys(ALL_SECTIONS, WRITE),
    Role.SIAO_OPERATOR: dict.fromkeys(ALL_SECTIONS, READ),
    Role.CALL_HANDLER: {
        **dict.fromkeys(COMMON_SECTIONS, WRITE),
        Section.HEALTH: WRITE,
        Section.VIOLENCE: WRITE,
    },
    Role.SIAO_ADMIN: dict.fromkeys(COMMON_SECTIONS, READ),
}

# Feature matrix: which roles may do what on a file they can see.
ROLES_ALLOWED: dict[str, frozenset[str]] = {
    "view_households": HOUSEHOLD_ROLES,
    "create_household": frozenset({Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER}),
    "edit_household": frozenset({Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER}),
    "write_assessment": frozenset({Role.SOCIAL_WORKER, Role.PROGRAM_MANAGER, Role.CALL_HANDLER}),
    "write_note": HOUSEHOLD_ROLES,
    "record_contact": frozenset({Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER}),
    "view_consultations": HOUSEHOLD_ROLES,
}


def has_role_for(action: str):
    def predicate(actor) -> bool:
        return actor.role in ROLES_ALLOWED[action]

    predicate.__name__ = f"can_{action}"
    return predicate


def readable_sections(actor) -> frozenset[str]:
    return frozenset(SECTION_ACCESS.get(actor.role, {}))


def writable_sections(actor) -> frozenset[str]:
    return frozenset(s for s, level in SECTION_ACCESS.get(actor.role, {}).items() if level == WRITE)


def can_read_section(actor, section: str) -> bool:
    return section in readable_sections(actor)


def can_write_section(actor, section: str) -> bool:
    return section in writable_sections(actor)


def households_visible_q(actor) -> Q | None:
    """The households the actor may see (None: none at all)."""
    from siao.emergency.enums import EmergencyStatus
    from siao.emergency.models import EmergencyRequest
    from siao.orientation.enums import ACTIVE_REFERRAL_STATUSES, RequestStatus
    from siao.orientation.models import Referral, Request, Stay

    from .models import Accompaniment

    if actor.role not in HOUSEHOLD_ROLES:
        return None
    kind = actor.perimeter.kind
    if actor.role in SIAO_ROLES and kind == PerimeterKind.SIAO:
        departments = actor.perimeter.department_ids
        # Requests sent here for a file held elsewhere: few, read on a small partial index.
        sent_here = Request.objects.filter(department_id__in=departments, is_cross_department=True).exclude(
            status=RequestStatus.DRAFT
        )
        return Q(department_id__in=departments) | Q(pk__in=sent_here.values("household_id"))
    if actor.role in PROGRAM_FILE_ROLES and kind == PerimeterKind.PROGRAM and actor.membership.program_id:
        program_id = actor.membership.program_id
        household = OuterRef("pk")
        return (
            Q(Exists(Accompaniment.objects.filter(household=household, program_id=program_id, ended_on__isnull=True)))
            | Q(Exists(Request.objects.filter(household=household, origin_program_id=program_id)))
            | Q(
                Exists(
                    Referral.objects.filter(
                        request__household=household, program_id=program_id, status__in=ACTIVE_REFERRAL_STATUSES
                    )
                )
            )
            | Q(Exists(Stay.objects.filter(household=household, program_id=program_id)))
            # Oriented by the 115 tonight: the program confirms the arrival.
            | Q(
                Exists(
                    EmergencyRequest.objects.filter(
                        household=household, program_id=program_id, status=EmergencyStatus.ORIENTED
                    )
                )
            )
        )
    return None


def can_view_household(actor, household) -> bool:
    from .models import Household

    return Household.objects.visible_to(actor).filter(pk=household.pk).exists()
