"""The only way views obtain a support request or an attachment: absent and not yours both
answer 404."""

from django.http import Http404

from .models import SupportAttachment, SupportRequest


def support_requests_visible_to(actor):
    return SupportRequest.objects.visible_to(actor)


def get_support_request_for(actor, public_id) -> SupportRequest:
    support_request = (
        support_requests_visible_to(actor)
        .filter(public_id=public_id)
        .select_related("user", "organization", "assigned_to")
        .first()
    )
    if support_request is None:
        raise Http404("Demande de support introuvable.")
    return support_request


def get_attachment_for(actor, request_public_id, attachment_public_id) -> SupportAttachment:
    attachment = (
        SupportAttachment.objects.filter(
            public_id=attachment_public_id,
            request__public_id=request_public_id,
            request__in=support_requests_visible_to(actor),
        )
        .select_related("request")
        .first()
    )
    if attachment is None:
        raise Http404("Pièce jointe introuvable.")
    return attachment
