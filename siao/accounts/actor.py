"""`request.actor`: the user, the active membership and the perimeter it gives. The active
role decides everything shown; views and actions receive the actor, never a bare user."""

from dataclasses import dataclass, field

from .enums import PerimeterKind, Role
from .models import Membership, Organization, User
from .roles import ADMINISTRATOR_ROLES, PERIMETER_BY_ORGANIZATION_KIND, PROGRAM_ROLES


@dataclass(frozen=True)
class Perimeter:
    kind: str
    department_ids: frozenset[int] = frozenset()
    organization_id: int | None = None
    program_id: int | None = None

    @property
    def is_national(self) -> bool:
        return self.kind == PerimeterKind.NATIONAL


@dataclass(frozen=True)
class Actor:
    user: User
    membership: Membership
    perimeter: Perimeter
    memberships: tuple[Membership, ...] = field(default=())

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def organization(self) -> Organization:
        return self.membership.organization

    def get_role_display(self) -> str:
        return Role(self.role).label

    @property
    def is_administrator(self) -> bool:
        return self.role in ADMINISTRATOR_ROLES

    @classmethod
    def for_membership(cls, membership: Membership, department_ids, memberships=()) -> "Actor":
        if membership.role in PROGRAM_ROLES:
            kind = PerimeterKind.PROGRAM
        else:
            kind = PERIMETER_BY_ORGANIZATION_KIND[membership.organization.kind]
        if kind == PerimeterKind.PROGRAM and membership.program_id:
            department_ids = frozenset({membership.program.department_id})
        perimeter = Perimeter(
            kind=kind,
            department_ids=frozenset(department_ids),
            organization_id=membership.organization_id,
            program_id=membership.program_id,
        )
        return cls(user=membership.user, membership=membership, perimeter=perimeter, memberships=tuple(memberships))
