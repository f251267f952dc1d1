"""The programs the 115 orients to: the emergency requests oriented to them tonight (they
confirm the arrival, or say the person did not come) and the households they shelter."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from siao.accounts.decorators import actor_required
from siao.emergency import actions
from siao.emergency.access import get_emergency_request_for
from siao.emergency.enums import EmergencyStatus
from siao.emergency.models import EmergencyRequest, Placement
from siao.emergency.nights import tonight
from siao.emergency.permissions import has_role_for

# Why confirming an arrival failed, said from the request's status once the action refused it.
ALREADY = {
    EmergencyStatus.SHELTERED: "L'arrivée de ce ménage est déjà confirmée.",
    EmergencyStatus.NO_SHOW: "Cette demande est close : le ménage a été déclaré absent, les places sont libérées.",
    EmergencyStatus.UNMET: "Cette demande est close (non pourvue) : les places sont libérées.",
    EmergencyStatus.PENDING: "Le 115 a libéré la place de ce ménage : la demande n'est plus orientée vers votre dispositif.",
    EmergencyStatus.CLOSED: "Cette prise en charge est terminée.",
}


def _active_placements():
    return Prefetch(
        "placements",
        queryset=Placement.objects.filter(released_at__isnull=True).select_related("place").order_by("place__label"),
        to_attr="active_placements",
    )


@actor_required(has_role_for("view_program_arrivals"))
def arrival_list(request):
    actor = request.actor
    program_id = actor.membership.program_id
    visible = (
        EmergencyRequest.objects.visible_to(actor)
        .filter(program_id=program_id)
        .select_related("household__head", "composition", "place_group")
        .prefetch_related(_active_placements())
    )
    oriented = list(visible.filter(status=EmergencyStatus.ORIENTED).order_by("night_of", "oriented_at", "pk"))
    sheltered = list(
        visible.filter(status=EmergencyStatus.SHELTERED, stay__ended_on__isnull=True)
        .select_related("stay")
        .order_by("last_night", "stay__started_on", "pk")
    )
    return render(
        request,
        "emergency/program/arrival_list.html",
        {
            "oriented": oriented,
            "sheltered": sheltered,
            "tonight": tonight(),
            "may_confirm": has_role_for("confirm_arrival")(actor),
        },
    )


@require_POST
@actor_required(has_role_for("confirm_arrival"))
def request_arrival(request, public_id):
    actor = request.actor
    emergency_request = get_emergency_request_for(actor, public_id)
    try:
        stay = actions.confirm_arrival(actor=actor, emergency_request=emergency_request)
    except ValidationError as exc:
        status = EmergencyRequest.objects.filter(pk=emergency_request.pk).values_list("status", flat=True).first()
        if exc.code == "transition" and status in ALREADY:
            messages.error(request, ALREADY[status])
        else:
            messages.error(request, "L'arrivée n'a pas été enregistrée : " + " ".join(exc.messages))
    else:
        head = emergency_request.household.head
        who = f"de {head.full_name}" if head else "du ménage"
        messages.success(
            request,
            f"Arrivée {who} confirmée : la prise en charge commence la nuit du {stay.started_on:%d/%m/%Y}. "
            "Le 115 reconduit les nuits suivantes.",
        )
    return redirect("emergency:arrival_list")
