"""Who may do what with the satisfaction survey. Answering: anyone logged in. Campaigns: the
national administrators. Results: the national administrators and national analysts (all
answers), the departmental administrators and the other analysts (the answers given from their
départements only)."""

from siao.accounts.enums import Role

MANAGER_ROLES = frozenset({Role.NATIONAL_ADMIN})
RESULTS_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.ANALYST, Role.DEPARTMENT_ADMIN})


def can_manage_surveys(actor) -> bool:
    return actor is not None and actor.role in MANAGER_ROLES


def can_view_results(actor) -> bool:
    return actor is not None and actor.role in RESULTS_ROLES


def sees_all_answers(actor) -> bool:
    """National roles read every answer; the others only those given from their départements."""
    return actor.role == Role.NATIONAL_ADMIN or actor.perimeter.is_national
