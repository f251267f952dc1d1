"""Who may do what at the 115 and in street outreach: the role × action matrix as data, what
each role sees, and the object predicates.

Perimeters (issue 5, §6):
- Écoutant 115 and SIAO roles: the calls, emergency requests and signals of their SIAO;
- the programs the 115 orients to: the emergency requests oriented to them (to confirm the
  arrival or say the person did not come) and, once sheltered, the stay like any other;
- street outreach teams (Responsable de dispositif, Travailleur social of a Maraude): their
  own encounters and the signals they sent;
- everyone else: nothing identified (the daily figures are aggregates)."""

from django.db.models import Q

from siao.accounts.enums import PerimeterKind, Role
from siao.offer.enums import ProgramType

from .enums import EmergencyStatus

CALL_TAKERS = frozenset({Role.CALL_HANDLER, Role.SIAO_OPERATOR})
DESK_ROLES = frozenset({Role.CALL_HANDLER, Role.SIAO_OPERATOR, Role.SIAO_ADMIN})
PROGRAM_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER})
FIGURES_ROLES = DESK_ROLES | {Role.DEPARTMENT_ADMIN, Role.NATIONAL_ADMIN, Role.ANALYST}

ROLES_ALLOWED: dict[str, frozenset[str]] = {
    # The 115 desk: calls, requests, places for tonight, outcomes, renewals, signals.
    "view_desk": DESK_ROLES,
    "log_call": CALL_TAKERS,
    "create_emergency_request": CALL_TAKERS,
    "orient_emergency_request": CALL_TAKERS,
    "record_outcome": CALL_TAKERS,
    "renew_nights": CALL_TAKERS,
    "handle_signal": CALL_TAKERS,
    # Aggregates only: SIAO and State roles on their perimeter.
    "view_figures": FIGURES_ROLES,
    # The programs the 115 orients to.
    "view_program_arrivals": PROGRAM_ROLES,
    "confirm_arrival": PROGRAM_ROLES,
    # Street outreach teams (programs of type Maraude).
    "record_encounter": PROGRAM_ROLES,
}


def has_role_for(action: str):
    def predicate(actor) -> bool:
        return actor.role in ROLES_ALLOWED[action]

    predicate.__name__ = f"can_{action}"
    return predicate


def _siao_departments(actor) -> frozenset[int] | None:
    if actor.role in DESK_ROLES and actor.perimeter.kind == PerimeterKind.SIAO:
        return actor.perimeter.department_ids
    return None


def _program_id(actor) -> int | None:
    if actor.role in PROGRAM_ROLES and actor.perimeter.kind == PerimeterKind.PROGRAM:
        return actor.membership.program_id
    return None


def is_outreach_team(actor) -> bool:
    program = actor.membership.program if _program_id(actor) else None
    return program is not None and program.type == ProgramType.OUTREACH


def receives_115(actor) -> bool:
    """A program the 115 may orient to tonight: a shelter (CHRS, hors CHRS, hotel...) or a
    veille sociale service with beds (halte de nuit), not a street outreach team."""
    from siao.offer.enums import ProgramCategory

    program = actor.membership.program if _program_id(actor) else None
    return program is not None and (
        program.category == ProgramCategory.SHELTER
        or (program.category == ProgramCategory.STREET_SERVICES and program.type != ProgramType.OUTREACH)
    )


def can_record_encounter(actor) -> bool:
    return actor.role in ROLES_ALLOWED["record_encounter"] and is_outreach_team(actor)


def calls_visible_q(actor) -> Q | None:
    departments = _siao_departments(actor)
    return None if departments is None else Q(department_id__in=departments)


def emergency_requests_visible_q(actor) -> Q | None:
    departments = _siao_departments(actor)
    if departments is not None:
        return Q(department_id__in=departments)
    program_id = _program_id(actor)
    if program_id:
        # Oriented to them: the orientation, then the arrival (or not) and the stay.
        return Q(program_id=program_id) & ~Q(status=EmergencyStatus.PENDING)
    return None


def encounters_visible_q(actor) -> Q | None:
    program_id = _program_id(actor)
    if program_id:
        return Q(program_id=program_id)
    departments = _siao_departments(actor)
    if departments is not None:
        # The 115 sees the encounters its outreach teams signalled to it.
        return Q(signal__department_id__in=departments)
    return None


def signals_visible_q(actor) -> Q | None:
    departments = _siao_departments(actor)
    if departments is not None:
        return Q(department_id__in=departments)
    program_id = _program_id(actor)
    if program_id:
        return Q(encounter__program_id=program_id)
    return None


def can_take_call(actor, department_id) -> bool:
    departments = _siao_departments(actor)
    return actor.role in CALL_TAKERS and departments is not None and department_id in departments


def can_handle_request(actor, emergency_request) -> bool:
    """The 115 side: a call taker of the request's SIAO."""
    return can_take_call(actor, emergency_request.department_id)


def can_confirm_arrival(actor, emergency_request) -> bool:
    return (
        actor.role in ROLES_ALLOWED["confirm_arrival"]
        and emergency_request.program_id is not None
        and _program_id(actor) == emergency_request.program_id
    )
