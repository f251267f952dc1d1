"""Who writes the help centre: the national administrators. Reading it needs no account."""

from siao.accounts.enums import Role


def can_edit_knowledge(actor) -> bool:
    return actor is not None and actor.role == Role.NATIONAL_ADMIN
