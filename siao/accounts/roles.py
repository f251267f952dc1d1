"""Where each role lives and what perimeter it gets: data, in one place, tested as a matrix.

A role is always held through a membership in one organization; the organization's kind and,
for program roles, the program set the perimeter.
"""

from .enums import OrganizationKind, PerimeterKind, Role

# Which kinds of organization may hold each role.
ROLE_ORGANIZATION_KINDS: dict[str, frozenset[str]] = {
    Role.NATIONAL_ADMIN: frozenset({OrganizationKind.NATIONAL}),
    Role.DEPARTMENT_ADMIN: frozenset({OrganizationKind.STATE_DEPARTMENT}),
    Role.ANALYST: frozenset({OrganizationKind.NATIONAL, OrganizationKind.STATE_DEPARTMENT, OrganizationKind.SIAO}),
    Role.SIAO_ADMIN: frozenset({OrganizationKind.SIAO}),
    Role.SIAO_OPERATOR: frozenset({OrganizationKind.SIAO}),
    Role.CALL_HANDLER: frozenset({OrganizationKind.SIAO}),
    Role.OPERATOR_MANAGER: frozenset({OrganizationKind.OPERATOR}),
    Role.ASSISTANT: frozenset({OrganizationKind.OPERATOR}),
    Role.PROGRAM_MANAGER: frozenset({OrganizationKind.OPERATOR}),
    Role.SOCIAL_WORKER: frozenset({OrganizationKind.OPERATOR}),
}

# Roles held on one program (dispositif) of the operator: the membership names the program.
PROGRAM_ROLES: frozenset[str] = frozenset({Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER})

# The perimeter a membership gives, by organization kind (program roles: the program).
PERIMETER_BY_ORGANIZATION_KIND: dict[str, str] = {
    OrganizationKind.NATIONAL: PerimeterKind.NATIONAL,
    OrganizationKind.STATE_DEPARTMENT: PerimeterKind.DEPARTMENT,
    OrganizationKind.SIAO: PerimeterKind.SIAO,
    OrganizationKind.OPERATOR: PerimeterKind.OPERATOR,
}

ADMINISTRATOR_ROLES: frozenset[str] = frozenset(
    {Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.OPERATOR_MANAGER}
)
