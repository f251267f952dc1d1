"""Who reads the statistics base, and where: the role × action matrix as data, and the
départements each role sees (anonymized aggregates only, never a person).

- Administrateur national, and Analyste of the national administration: every département
  and the national figures;
- Administrateur départemental, Administrateur SIAO, and Analyste of a DDETS or a SIAO: their
  département(s) only (another one answers 404, like an absent page);
- everyone else: 403."""

from siao.accounts.enums import PerimeterKind, Role

STATISTICS_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.ANALYST})
NATIONAL_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.ANALYST})
TERRITORIAL_PERIMETERS = frozenset({PerimeterKind.DEPARTMENT, PerimeterKind.SIAO})

ROLES_ALLOWED: dict[str, frozenset[str]] = {
    "view_statistics": STATISTICS_ROLES,
    "export_statistics": STATISTICS_ROLES,
}


def sees_national(actor) -> bool:
    return actor.role in NATIONAL_ROLES and actor.perimeter.is_national


def statistics_department_ids(actor) -> frozenset[int] | None:
    """The départements whose figures the actor reads; None: all of them and the nation."""
    if actor.role not in STATISTICS_ROLES:
        return frozenset()
    if sees_national(actor):
        return None
    if actor.perimeter.kind in TERRITORIAL_PERIMETERS:
        return actor.perimeter.department_ids
    return frozenset()


def can_view_statistics(actor) -> bool:
    return statistics_department_ids(actor) != frozenset()


def can_export_statistics(actor) -> bool:
    return actor.role in ROLES_ALLOWED["export_statistics"] and can_view_statistics(actor)
