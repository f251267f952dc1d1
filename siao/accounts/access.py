"""The only way views obtain one protected object: absent and not yours both answer 404."""

from django.http import Http404

from .actor import Actor
from .models import Membership


def get_membership_for(actor: Actor, public_id) -> Membership:
    membership = (
        Membership.objects.manageable_by(actor)
        .filter(public_id=public_id)
        .select_related("user", "organization", "program", "granted_by")
        .first()
    )
    if membership is None:
        raise Http404("Habilitation introuvable.")
    return membership
