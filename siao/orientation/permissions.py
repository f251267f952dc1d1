"""Who may do what with requests, referrals and stays: the role × action matrix as data, the
requests each role sees, and the object predicates (`can_<verb>_<noun>(actor, obj)`)."""

from django.db.models import Exists, OuterRef, Q

from siao.accounts.enums import PerimeterKind, Role
from siao.households.permissions import HOUSEHOLD_ROLES, PROGRAM_FILE_ROLES, SIAO_ROLES

from .enums import RequestStatus

SIAO_DECIDERS = frozenset({Role.SIAO_OPERATOR, Role.SIAO_ADMIN})
REQUEST_WRITERS = frozenset({Role.SOCIAL_WORKER, Role.PROGRAM_MANAGER, Role.SIAO_OPERATOR})

ROLES_ALLOWED: dict[str, frozenset[str]] = {
    "view_requests": HOUSEHOLD_ROLES,
    # The prescriber (travailleur social, responsable) drafts and transmits; the SIAO may too.
    "create_request": REQUEST_WRITERS,
    "transmit_request": REQUEST_WRITERS,
    "cancel_request": REQUEST_WRITERS | {Role.SIAO_ADMIN},
    "transfer_request": REQUEST_WRITERS | {Role.SIAO_ADMIN},
    # The SIAO checks completeness, sends back, orients, sets priority.
    "view_siao_queue": SIAO_DECIDERS,
    "review_request": SIAO_DECIDERS,
    "orient_request": SIAO_DECIDERS,
    "withdraw_referral": SIAO_DECIDERS,
    # The program decides on a referral and admits; the household's refusal is reported by
    # the SIAO or the program that met it.
    "decide_referral": frozenset({Role.PROGRAM_MANAGER}),
    "record_household_refusal": SIAO_DECIDERS | {Role.PROGRAM_MANAGER},
    "admit": frozenset({Role.PROGRAM_MANAGER}),
    "direct_admission": frozenset({Role.PROGRAM_MANAGER}),
    "end_stay": frozenset({Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER}),
    "view_program_referrals": PROGRAM_FILE_ROLES,
}


def has_role_for(action: str):
    def predicate(actor) -> bool:
        return actor.role in ROLES_ALLOWED[action]

    predicate.__name__ = f"can_{action}"
    return predicate


def _in_siao(actor, department_id) -> bool:
    return actor.perimeter.kind == PerimeterKind.SIAO and department_id in actor.perimeter.department_ids


def _own_program(actor, program_id) -> bool:
    return actor.perimeter.kind == PerimeterKind.PROGRAM and program_id == actor.membership.program_id


def requests_visible_q(actor) -> Q | None:
    """SIAO roles: requests sent to their SIAO (not drafts, except the SIAO's own); program
    roles: requests of the households they see (siao/households/permissions.py)."""
    from siao.households.models import Household

    if actor.role not in HOUSEHOLD_ROLES:
        return None
    if actor.role in SIAO_ROLES and actor.perimeter.kind == PerimeterKind.SIAO:
        departments = actor.perimeter.department_ids
        return Q(department_id__in=departments) & (~Q(status=RequestStatus.DRAFT) | Q(origin_program__isnull=True))
    if actor.role in PROGRAM_FILE_ROLES:
        return Q(household__in=Household.objects.visible_to(actor).values("pk"))
    return None


def can_edit_request(actor, request) -> bool:
    """The prescriber side: its program's requests; the SIAO operator: those it drafted or
    received."""
    if actor.role not in ROLES_ALLOWED["create_request"]:
        return False
    if actor.role == Role.SIAO_OPERATOR:
        return _in_siao(actor, request.department_id)
    return _own_program(actor, request.origin_program_id)


def can_review_request(actor, request) -> bool:
    return actor.role in ROLES_ALLOWED["review_request"] and _in_siao(actor, request.department_id)


def can_decide_referral(actor, referral) -> bool:
    return actor.role in ROLES_ALLOWED["decide_referral"] and _own_program(actor, referral.program_id)


def can_record_household_refusal(actor, referral) -> bool:
    if actor.role not in ROLES_ALLOWED["record_household_refusal"]:
        return False
    if actor.role in SIAO_DECIDERS:
        return _in_siao(actor, referral.request.department_id)
    return _own_program(actor, referral.program_id)


def can_admit(actor, program) -> bool:
    return actor.role in ROLES_ALLOWED["admit"] and _own_program(actor, program.pk)


def can_end_stay(actor, stay) -> bool:
    return actor.role in ROLES_ALLOWED["end_stay"] and _own_program(actor, stay.program_id)


def referrals_for_program_q(actor) -> Q | None:
    if actor.role not in PROGRAM_FILE_ROLES or not actor.membership.program_id:
        return None
    return Q(program_id=actor.membership.program_id)


def has_open_request_q() -> Q:
    from .enums import OPEN_STATUSES
    from .models import Request

    return Q(Exists(Request.objects.filter(household=OuterRef("pk"), status__in=OPEN_STATUSES)))
