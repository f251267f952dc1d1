"""Who works the support queue, and which requests each member of the support team sees: one
source of truth for the queue, the detail page, the downloads and the actions.

- A national administrator sees every request.
- A SIAO administrator sees the requests about "their users": the accounts whose memberships
  they manage (siao.accounts.permissions: the SIAO's own staff and the operators' managers of
  its départements), whatever the state of that membership — an expired or revoked access is
  precisely what an "Accès au SIAO" request is often about. A request sent without being
  logged in reaches them when the account matched at submission (`SupportRequest.user`) is one
  of theirs.
- Nobody else: a request of someone nobody manages (a national administrator's, an unknown
  address) is for the national administrators.
"""

from django.db.models import Q

from siao.accounts.actor import Actor, Perimeter
from siao.accounts.enums import OrganizationKind, PerimeterKind, Role
from siao.accounts.models import Membership, Organization, User

SUPPORT_TEAM_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.SIAO_ADMIN})


def can_work_support_queue(actor) -> bool:
    return actor.role in SUPPORT_TEAM_ROLES


def visible_requests_q(actor) -> Q | None:
    if actor.role == Role.NATIONAL_ADMIN:
        return Q()
    if actor.role == Role.SIAO_ADMIN:
        return Q(user_id__in=Membership.objects.manageable_by(actor).values("user_id"))
    return None


def _siao_administrator_sees(organization: Organization, user_id: int) -> bool:
    """Whether the SIAO administrators of `organization` see the requests about `user_id` (all
    of them see the same ones: their perimeter is their SIAO's)."""
    actor = Actor(
        user=None,
        membership=Membership(role=Role.SIAO_ADMIN, organization=organization),
        perimeter=Perimeter(
            kind=PerimeterKind.SIAO,
            department_ids=frozenset(d.pk for d in organization.departments.all()),
            organization_id=organization.pk,
        ),
    )
    return Membership.objects.manageable_by(actor).filter(user_id=user_id).exists()


def support_team_for(support_request) -> list[User]:
    """The people a request may be assigned to: the active national administrators, and the
    active SIAO administrators who see it. The SIAOs are first narrowed to those sharing a
    département with one of the account's organizations, then each is checked with the rule
    above (one query per such SIAO, usually one)."""
    siao_ids = []
    if support_request.user_id:
        candidates = (
            Organization.objects.filter(
                kind=OrganizationKind.SIAO,
                is_active=True,
                departments__in=Organization.objects.filter(memberships__user_id=support_request.user_id).values(
                    "departments"
                ),
            )
            .distinct()
            .prefetch_related("departments")
        )
        siao_ids = [siao.pk for siao in candidates if _siao_administrator_sees(siao, support_request.user_id)]
    members = (
        Membership.objects.active()
        .filter(Q(role=Role.NATIONAL_ADMIN) | Q(role=Role.SIAO_ADMIN, organization_id__in=siao_ids))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    seen, team = set(), []
    for membership in members:
        if membership.user_id not in seen:
            seen.add(membership.user_id)
            team.append(membership.user)
    return team
