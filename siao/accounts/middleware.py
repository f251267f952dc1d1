from django.contrib import auth, messages

from siao.audit.trail import record

from .actions import SESSION_ACTIVE_MEMBERSHIP
from .actor import Actor
from .models import Membership


class ActorMiddleware:
    """Builds `request.actor` from the session's active membership. A user whose memberships
    have all ended (revoked, expired) is logged out at their next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = None
        if request.user.is_authenticated:
            request.actor = self._build_actor(request)
        return self.get_response(request)

    def _build_actor(self, request):
        user = request.user
        memberships = list(
            Membership.objects.active().filter(user=user).select_related("organization", "program").order_by("pk")
        )
        if not memberships:
            record("auth.session_closed", user=user, obj=user, data={"reason": "no_active_membership"})
            auth.logout(request)
            messages.warning(request, "Vous n'avez plus d'habilitation active : votre session a été fermée.")
            return None
        for membership in memberships:
            membership.user = user
        wanted = request.session.get(SESSION_ACTIVE_MEMBERSHIP)
        active = next((m for m in memberships if str(m.public_id) == wanted), None)
        if active is None:
            active = memberships[0]
            request.session[SESSION_ACTIVE_MEMBERSHIP] = str(active.public_id)
        department_ids = set(active.organization.departments.values_list("pk", flat=True))
        return Actor.for_membership(active, department_ids, memberships)
