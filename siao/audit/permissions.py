from siao.accounts.enums import Role

AUDIT_READER_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.OPERATOR_MANAGER})


def can_read_audit_trail(actor) -> bool:
    return actor.role in AUDIT_READER_ROLES
