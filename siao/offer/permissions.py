"""Who may do what with the offer: the role × action matrix as data, and the perimeter of
each role, in one place (Wagtail-style: the same source answers "may this actor do X to this
object?" and "which objects may this actor see?")."""

from django.db.models import Q

from siao.accounts.enums import PerimeterKind, Role

from .enums import ValidationStatus, is_validated_directly_by_siao

ALL_STAFF = frozenset(Role.values) - {Role.ANALYST}
ROLES_ALLOWED: dict[str, frozenset[str]] = {
    # Analysts see the capacity dashboard only (anonymized aggregates), never programs.
    "view_programs": ALL_STAFF,
    "create_program": frozenset(
        {Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.OPERATOR_MANAGER, Role.ASSISTANT}
    ),
    # Operator roles work on their own operator only: they never create another one.
    "create_operator": frozenset({Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN}),
    "review_programs": frozenset({Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN}),
    "handle_creation_requests": frozenset({Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN}),
    "manage_place_groups": frozenset({Role.OPERATOR_MANAGER, Role.ASSISTANT, Role.PROGRAM_MANAGER}),
    "change_place_state": frozenset({Role.OPERATOR_MANAGER, Role.ASSISTANT, Role.PROGRAM_MANAGER}),
    "view_vacancy_board": frozenset({Role.SIAO_ADMIN, Role.SIAO_OPERATOR, Role.CALL_HANDLER}),
    "view_capacity_dashboard": frozenset({Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.ANALYST}),
}


def has_role_for(action: str):
    """A predicate for `@actor_required`: may the active role use this feature at all?"""

    def predicate(actor) -> bool:
        return actor.role in ROLES_ALLOWED[action]

    predicate.__name__ = f"can_{action}"
    return predicate


def territory_q(actor, department_field: str = "department_id") -> Q:
    """The actor's territory as a filter on a département field (national: everything)."""
    if actor.perimeter.kind == PerimeterKind.NATIONAL:
        return Q()
    return Q(**{f"{department_field}__in": actor.perimeter.department_ids})


def programs_visible_q(actor) -> Q | None:
    """Which programs the actor may see: the State and SIAO roles their territory, operator
    roles their operator, program roles their program."""
    if actor.role not in ROLES_ALLOWED["view_programs"]:
        return None
    kind = actor.perimeter.kind
    if kind == PerimeterKind.NATIONAL:
        return Q()
    if kind in (PerimeterKind.DEPARTMENT, PerimeterKind.SIAO):
        return Q(department_id__in=actor.perimeter.department_ids)
    if kind == PerimeterKind.OPERATOR:
        return Q(operator_id=actor.organization.pk)
    if kind == PerimeterKind.PROGRAM:
        return Q(pk=actor.membership.program_id)
    return None


def _in_territory(actor, program) -> bool:
    return actor.perimeter.is_national or program.department_id in actor.perimeter.department_ids


def can_prevalidate_program(actor, program) -> bool:
    return (
        program.validation_status == ValidationStatus.SUBMITTED
        and not is_validated_directly_by_siao(program.type)
        and actor.role in (Role.SIAO_ADMIN, Role.NATIONAL_ADMIN)
        and _in_territory(actor, program)
    )


def can_validate_program(actor, program) -> bool:
    if not _in_territory(actor, program):
        return False
    if program.validation_status == ValidationStatus.SUBMITTED and is_validated_directly_by_siao(program.type):
        return actor.role in (Role.SIAO_ADMIN, Role.NATIONAL_ADMIN)
    if program.validation_status == ValidationStatus.PREVALIDATED:
        return actor.role in (Role.DEPARTMENT_ADMIN, Role.NATIONAL_ADMIN)
    return False


def can_refuse_program(actor, program) -> bool:
    return can_prevalidate_program(actor, program) or can_validate_program(actor, program)


def programs_awaiting_q(actor) -> Q | None:
    """The programs waiting for this actor's decision (the validation queue)."""
    from .enums import DIRECT_VALIDATION_CATEGORIES, DIRECT_VALIDATION_TYPES

    direct = Q(category__in=DIRECT_VALIDATION_CATEGORIES) | Q(type__in=DIRECT_VALIDATION_TYPES)
    territory = territory_q(actor)
    if actor.role == Role.SIAO_ADMIN:
        return territory & Q(validation_status=ValidationStatus.SUBMITTED)
    if actor.role == Role.DEPARTMENT_ADMIN:
        return territory & Q(validation_status=ValidationStatus.PREVALIDATED)
    if actor.role == Role.NATIONAL_ADMIN:
        return Q(validation_status__in=[ValidationStatus.SUBMITTED, ValidationStatus.PREVALIDATED]) | (
            direct & Q(validation_status=ValidationStatus.SUBMITTED)
        )
    return None


def can_manage_place_groups(actor, program) -> bool:
    """Place groups are created directly by offer actors, on their own programs only."""
    if actor.role not in ROLES_ALLOWED["manage_place_groups"] or not program.holds_offer:
        return False
    if program.validation_status != ValidationStatus.VALIDATED:
        return False
    if actor.role in (Role.OPERATOR_MANAGER, Role.ASSISTANT):
        return program.operator_id == actor.organization.pk
    return program.pk == actor.membership.program_id


def can_change_place_state(actor, program) -> bool:
    if actor.role not in ROLES_ALLOWED["change_place_state"]:
        return False
    if actor.role in (Role.OPERATOR_MANAGER, Role.ASSISTANT):
        return program.operator_id == actor.organization.pk
    return program.pk == actor.membership.program_id


def operators_selectable_q(actor) -> Q | None:
    """Operators the actor may create a program for (wizard step 1)."""
    from siao.accounts.enums import OrganizationKind

    if actor.role not in ROLES_ALLOWED["create_program"]:
        return None
    base = Q(kind=OrganizationKind.OPERATOR, is_active=True) & ~Q(validation_status=ValidationStatus.REFUSED)
    if actor.role in (Role.OPERATOR_MANAGER, Role.ASSISTANT):
        return base & Q(pk=actor.organization.pk)
    return base


def can_edit_program_complements(actor, program) -> bool:
    """The seed's step 5 "pouvant être saisie plus tard par le gestionnaire d'entité ou le
    responsable de dispositif" (and the national administrator)."""
    if actor.role == Role.NATIONAL_ADMIN:
        return True
    if actor.role in (Role.OPERATOR_MANAGER, Role.ASSISTANT):
        return program.operator_id == actor.organization.pk
    if actor.role == Role.PROGRAM_MANAGER:
        return program.pk == actor.membership.program_id
    return False


def operators_visible_q(actor) -> Q | None:
    """Operators the actor may see: the State and SIAO roles those working in their territory,
    operator and program roles their own operator."""
    from siao.accounts.enums import OrganizationKind
    from siao.accounts.models import Organization

    if actor.role not in ROLES_ALLOWED["view_programs"]:
        return None
    base = Q(kind=OrganizationKind.OPERATOR)
    kind = actor.perimeter.kind
    if kind == PerimeterKind.NATIONAL:
        return base
    if kind in (PerimeterKind.DEPARTMENT, PerimeterKind.SIAO):
        working_here = Organization.objects.filter(departments__in=actor.perimeter.department_ids).values("pk")
        return base & Q(pk__in=working_here)
    return base & Q(pk=actor.organization.pk)


def can_edit_operator(actor, operator) -> bool:
    """The operator's description: its gestionnaires, and the administrators of its territory."""
    if actor.role == Role.NATIONAL_ADMIN:
        return True
    if actor.role == Role.OPERATOR_MANAGER:
        return operator.pk == actor.organization.pk
    if actor.role in (Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN):
        return bool({d.pk for d in operator.departments.all()} & actor.perimeter.department_ids)
    return False
