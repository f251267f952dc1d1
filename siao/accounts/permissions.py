"""Who may grant which role, where: the employer-authorization matrix, as data in one place.

A row (granter role, granted role) -> scope says where the granter may grant that role:
- ANYWHERE: any organization (the national administrator);
- OWN_ORGANIZATION: in the granter's own organization (its staff);
- SIAO_IN_PERIMETER: in a SIAO of the granter's départements;
- OPERATOR_IN_PERIMETER: in an operator working in one of the granter's départements.
A granter may review and revoke exactly the memberships they could grant.
"""

from django.db.models import Q

from .actor import Actor
from .enums import OrganizationKind, Role
from .models import Organization

ANYWHERE = "anywhere"
OWN_ORGANIZATION = "own_organization"
SIAO_IN_PERIMETER = "siao_in_perimeter"
OPERATOR_IN_PERIMETER = "operator_in_perimeter"

GRANT_MATRIX: dict[tuple[str, str], str] = {
    **{(Role.NATIONAL_ADMIN, role): ANYWHERE for role in Role.values},
    # DDETS: its own staff, the SIAO administrators and the operators' managers of its département.
    (Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_ADMIN): OWN_ORGANIZATION,
    (Role.DEPARTMENT_ADMIN, Role.ANALYST): OWN_ORGANIZATION,
    (Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN): SIAO_IN_PERIMETER,
    (Role.DEPARTMENT_ADMIN, Role.OPERATOR_MANAGER): OPERATOR_IN_PERIMETER,
    # SIAO administrator: the SIAO's staff, and operators' managers of its territory (seed, "Temps 1").
    (Role.SIAO_ADMIN, Role.SIAO_OPERATOR): OWN_ORGANIZATION,
    (Role.SIAO_ADMIN, Role.CALL_HANDLER): OWN_ORGANIZATION,
    (Role.SIAO_ADMIN, Role.ANALYST): OWN_ORGANIZATION,
    (Role.SIAO_ADMIN, Role.OPERATOR_MANAGER): OPERATOR_IN_PERIMETER,
    # Operator: the gestionnaire d'entité for all its staff; the assistant helps, but cannot
    # make someone a gestionnaire (no escalation above its own role).
    (Role.OPERATOR_MANAGER, Role.OPERATOR_MANAGER): OWN_ORGANIZATION,
    (Role.OPERATOR_MANAGER, Role.ASSISTANT): OWN_ORGANIZATION,
    (Role.OPERATOR_MANAGER, Role.PROGRAM_MANAGER): OWN_ORGANIZATION,
    (Role.OPERATOR_MANAGER, Role.SOCIAL_WORKER): OWN_ORGANIZATION,
    (Role.ASSISTANT, Role.ASSISTANT): OWN_ORGANIZATION,
    (Role.ASSISTANT, Role.PROGRAM_MANAGER): OWN_ORGANIZATION,
    (Role.ASSISTANT, Role.SOCIAL_WORKER): OWN_ORGANIZATION,
}


def grantable_roles(actor: Actor) -> list[str]:
    return [role for role in Role.values if (actor.role, role) in GRANT_MATRIX]


def can_manage_memberships(actor: Actor) -> bool:
    return bool(grantable_roles(actor))


def _scope_matches(actor: Actor, scope: str, organization) -> bool:
    if scope == ANYWHERE:
        return True
    if scope == OWN_ORGANIZATION:
        return organization.pk == actor.organization.pk
    if scope in (SIAO_IN_PERIMETER, OPERATOR_IN_PERIMETER):
        kind = OrganizationKind.SIAO if scope == SIAO_IN_PERIMETER else OrganizationKind.OPERATOR
        if organization.kind != kind:
            return False
        organization_departments = {d.pk for d in organization.departments.all()}
        return bool(organization_departments & actor.perimeter.department_ids)
    raise ValueError(scope)


def can_grant_membership(actor: Actor, *, role: str, organization) -> bool:
    scope = GRANT_MATRIX.get((actor.role, role))
    return scope is not None and _scope_matches(actor, scope, organization)


def _organizations_in_perimeter(actor: Actor, kind: str):
    """A subquery of the organizations of a kind working in the actor's départements; an IN
    (subquery) is computed once, where a join on départements would repeat rows."""
    return Organization.objects.filter(kind=kind, departments__in=actor.perimeter.department_ids).values("pk")


def _scope_q(actor: Actor, scope: str) -> Q:
    if scope == ANYWHERE:
        return Q()
    if scope == OWN_ORGANIZATION:
        return Q(organization_id=actor.organization.pk)
    kind = OrganizationKind.SIAO if scope == SIAO_IN_PERIMETER else OrganizationKind.OPERATOR
    return Q(organization_id__in=_organizations_in_perimeter(actor, kind))


def manageable_memberships_q(actor: Actor) -> Q | None:
    """The memberships an actor may review and revoke: those they could have granted."""
    condition = None
    for (granter, role), scope in GRANT_MATRIX.items():
        if granter != actor.role:
            continue
        clause = Q(role=role) & _scope_q(actor, scope)
        condition = clause if condition is None else condition | clause
    return condition


def can_manage_membership(actor: Actor, membership) -> bool:
    return can_grant_membership(actor, role=membership.role, organization=membership.organization)


def grantable_organizations_q(actor: Actor) -> Q | None:
    condition = None
    for (granter, _role), scope in GRANT_MATRIX.items():
        if granter != actor.role:
            continue
        if scope == ANYWHERE:
            clause = Q()
        elif scope == OWN_ORGANIZATION:
            clause = Q(pk=actor.organization.pk)
        else:
            kind = OrganizationKind.SIAO if scope == SIAO_IN_PERIMETER else OrganizationKind.OPERATOR
            clause = Q(pk__in=_organizations_in_perimeter(actor, kind))
        condition = clause if condition is None else condition | clause
    return condition
