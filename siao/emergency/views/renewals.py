"""Reconduction: the SIAO's sheltered households, night by night. The 115 checks the stays to
renew and grants the nights up to a date in one action (all or nothing). A stay that is not
renewed ends the morning after its last night granted (`actions.rollover_nights`, run each
morning by the `emergency_rollover` command or the `rollover_nights_task` task)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from siao.accounts.decorators import actor_required
from siao.core.forms import add_validation_errors
from siao.emergency import actions
from siao.emergency.enums import EmergencyStatus
from siao.emergency.forms.program import RenewalForm
from siao.emergency.models import EmergencyRequest
from siao.emergency.nights import last_renewable_night, tonight
from siao.emergency.permissions import ROLES_ALLOWED, has_role_for

PAGE_SIZE = 100


def sheltered_requests(actor):
    """The SIAO's sheltered requests, the most urgent to renew first, with their nights so far."""
    return (
        EmergencyRequest.objects.visible_to(actor)
        .filter(status=EmergencyStatus.SHELTERED)
        .select_related("household__head", "program", "stay")
        .order_by("last_night", "stay__started_on", "pk")
    )


def default_until(night: datetime.date, limit: datetime.date) -> datetime.date:
    """Tomorrow night: the rollover of each morning has already ended the stays whose last
    night was before tonight, so the stays still sheltered hold tonight at least."""
    return min(night + datetime.timedelta(days=1), limit)


@actor_required(has_role_for("view_desk"))
def renewal_list(request):
    actor = request.actor
    may_renew = actor.role in ROLES_ALLOWED["renew_nights"]
    night, limit = tonight(), last_renewable_night()
    form_kwargs = {"tonight": night, "limit": limit}
    if request.method == "POST":
        if not may_renew:
            raise PermissionDenied("Seuls l'écoutant 115 et l'opérateur SIAO reconduisent les nuits.")
        # Any request of the SIAO: one that ended meanwhile is refused by the action, by name.
        form = RenewalForm(request.POST, queryset=EmergencyRequest.objects.visible_to(actor), **form_kwargs)
        if form.is_valid():
            until = form.cleaned_data["until"]
            try:
                renewed = actions.renew_nights(
                    actor=actor, emergency_requests=list(form.cleaned_data["demandes"]), until=until
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                count = len(renewed)
                messages.success(
                    request,
                    f"Nuits reconduites jusqu'à la nuit du {until:%d/%m/%Y} pour {count} ménage{'s' if count > 1 else ''}.",
                )
                return redirect("emergency:renewal_list")
        checked = set(request.POST.getlist("demandes"))
    else:
        form = RenewalForm(
            initial={"until": default_until(night, limit)}, queryset=EmergencyRequest.objects.none(), **form_kwargs
        )
        checked = set()
    sheltered = sheltered_requests(actor)
    # The most urgent first, a page at a time (a big SIAO shelters a thousand households).
    page = Paginator(sheltered, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    for row in rows:
        row.is_checked = str(row.public_id) in checked
        row.overdue = row.last_night < night
        row.due = row.last_night <= night
        # Nights are granted without gaps (arrival, then renewals from the last night on).
        row.nights_count = (row.last_night - row.stay.started_on).days + 1
    errors = [str(error) for errors in form.errors.values() for error in errors] if form.is_bound else []
    return render(
        request,
        "emergency/renewals/renewal_list.html",
        {
            "rows": rows,
            "form": form,
            "errors": errors,
            "may_renew": may_renew,
            "tonight": night,
            "limit": limit,
            "page": page,
            "total": page.paginator.count,
            "due_count": sheltered.filter(last_night__lte=night).count(),
            "change_hour": settings.EMERGENCY_NIGHT_CHANGE_HOUR,
        },
        status=400 if errors else 200,
    )
