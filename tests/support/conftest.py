from dataclasses import dataclass

import pytest

from siao.accounts.enums import Role
from siao.accounts.models import Membership
from siao.support.models import SupportRequest
from tests.factories import membership_for

from .helpers import make_request

TEAM_ROLES = {Role.NATIONAL_ADMIN, Role.SIAO_ADMIN}
OTHER_ROLES = [role for role in Role.values if role not in TEAM_ROLES]


@dataclass
class World:
    """Two SIAOs (35 and 29), their administrators, a few users and their requests."""

    national: Membership
    siao_admin: Membership
    other_siao_admin: Membership
    staff: Membership
    manager: Membership
    social_worker: Membership
    staff_elsewhere: Membership
    from_staff: SupportRequest
    from_manager_anonymously: SupportRequest
    from_social_worker: SupportRequest
    from_elsewhere: SupportRequest
    from_nobody: SupportRequest

    @classmethod
    def build(cls) -> "World":
        national = membership_for(Role.NATIONAL_ADMIN, user__email="nadia.national@dihal-test.example")
        siao_admin = membership_for(Role.SIAO_ADMIN, "35", user__email="sophie.admin35@siao-test.example")
        other_siao_admin = membership_for(Role.SIAO_ADMIN, "29", user__email="simon.admin29@siao-test.example")
        staff = membership_for(Role.SIAO_OPERATOR, "35")
        manager = membership_for(Role.OPERATOR_MANAGER, "35")
        social_worker = membership_for(Role.SOCIAL_WORKER, "35")
        staff_elsewhere = membership_for(Role.CALL_HANDLER, "29")
        return cls(
            national=national,
            siao_admin=siao_admin,
            other_siao_admin=other_siao_admin,
            staff=staff,
            manager=manager,
            social_worker=social_worker,
            staff_elsewhere=staff_elsewhere,
            from_staff=make_request(
                user=staff.user,
                sent_logged_in=True,
                organization=staff.organization,
                role=staff.role,
                subject="Impossible d'orienter un ménage",
            ),
            from_manager_anonymously=make_request(user=manager.user, subject="Accès perdu", category="access"),
            from_social_worker=make_request(
                user=social_worker.user, subject="Idée d'évolution", category="improvement"
            ),
            from_elsewhere=make_request(user=staff_elsewhere.user, subject="Demande du Finistère"),
            from_nobody=make_request(user=None, subject="Sans compte", last_name="Inconnu"),
        )


@pytest.fixture
def world(db) -> World:
    return World.build()
