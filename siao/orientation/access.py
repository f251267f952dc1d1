"""The only way views obtain one request, referral or stay: absent and out of perimeter both
answer 404."""

from django.http import Http404

from .models import Referral, Request, Stay


def get_request_for(actor, public_id) -> Request:
    request = (
        Request.objects.visible_to(actor)
        .filter(public_id=public_id)
        .select_related("household", "department", "origin_program")
        .first()
    )
    if request is None:
        raise Http404("Demande introuvable.")
    return request


def get_referral_for(actor, public_id) -> Referral:
    referral = (
        Referral.objects.filter(request__in=Request.objects.visible_to(actor).values("pk"), public_id=public_id)
        .select_related("request__household", "program", "place")
        .first()
    )
    if referral is None:
        raise Http404("Orientation introuvable.")
    return referral


def get_stay_for(actor, public_id) -> Stay:
    from siao.households.models import Household

    stay = (
        Stay.objects.filter(household__in=Household.objects.visible_to(actor).values("pk"), public_id=public_id)
        .select_related("household", "program", "place")
        .first()
    )
    if stay is None:
        raise Http404("Prise en charge introuvable.")
    return stay
