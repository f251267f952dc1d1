"""Creation requests as the staff see them: only the roles that handle them, on their territory.
A request outside it answers 404, like an absent one."""

from django.http import Http404

from .models import CreationRequest
from .permissions import ROLES_ALLOWED, territory_q


def creation_requests_visible_to(actor):
    if actor.role not in ROLES_ALLOWED["handle_creation_requests"]:
        return CreationRequest.objects.none()
    return CreationRequest.objects.filter(territory_q(actor))


def get_creation_request_for(actor, public_id) -> CreationRequest:
    creation_request = (
        creation_requests_visible_to(actor)
        .filter(public_id=public_id)
        .select_related("department", "handled_by")
        .first()
    )
    if creation_request is None:
        raise Http404("Demande introuvable.")
    return creation_request
