"""Creation requests: the public form (no account needed) and the staff's list and detail."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from siao.accounts.decorators import actor_required
from siao.accounts.enums import OrganizationKind
from siao.accounts.models import Organization
from siao.core.middleware import client_ip
from siao.offer.access_requests import creation_requests_visible_to, get_creation_request_for
from siao.offer.actions import requests as actions
from siao.offer.forms.requests import CreationRequestAnswerForm, CreationRequestForm
from siao.offer.models import CreationRequestStatus, Program
from siao.offer.permissions import has_role_for

logger = logging.getLogger(__name__)

# The confirmation page reads the reference from the session: its URL reveals nothing, and
# nobody reaches another requester's confirmation.
SESSION_SENT_REFERENCE = "offer_creation_request_sent"

can_handle_creation_requests = has_role_for("handle_creation_requests")


def request_create(request):
    initial = {}
    if request.user.is_authenticated:
        user = request.user
        initial = {"requester_first_name": user.first_name, "requester_last_name": user.last_name}
        initial["requester_email"] = user.email
    form = CreationRequestForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_honeypot_filled:
            # A robot: same answer as a success, so that it learns nothing; nothing saved or sent.
            logger.info("Demande de création ignorée (champ piège rempli) depuis %s.", client_ip(request))
            request.session[SESSION_SENT_REFERENCE] = actions.new_reference()
            return redirect("offer:request_sent")
        if form.is_valid():
            data = {name: value for name, value in form.cleaned_data.items() if name != "website"}
            try:
                creation_request = actions.submit_creation_request(
                    data=actions.CreationRequestInput(**data),
                    client_ip=client_ip(request),
                    site_url=request.build_absolute_uri("/").rstrip("/"),
                )
            except actions.RequestRefused as refusal:
                form.add_error(None, refusal.message)
                status = 429
            else:
                request.session[SESSION_SENT_REFERENCE] = creation_request.reference
                return redirect("offer:request_sent")
    return render(request, "offer/requests/create.html", {"form": form}, status=status)


def request_sent(request):
    reference = request.session.get(SESSION_SENT_REFERENCE)
    if not reference:
        return redirect("offer:request_create")
    return render(request, "offer/requests/sent.html", {"reference": reference})


STATUS_FILTERS = [
    (CreationRequestStatus.NEW, "Nouvelles"),
    (CreationRequestStatus.HANDLED, "Traitées"),
    (CreationRequestStatus.REJECTED, "Rejetées"),
    ("all", "Toutes"),
]


@actor_required(can_handle_creation_requests)
def request_list(request):
    creation_requests = creation_requests_visible_to(request.actor).select_related("department")
    status = request.GET.get("statut", CreationRequestStatus.NEW)
    if status in CreationRequestStatus.values:
        creation_requests = creation_requests.filter(status=status)
    else:
        status = "all"
    page = Paginator(creation_requests.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "offer/requests/list.html",
        {
            "page": page,
            "status": status,
            "statuses": STATUS_FILTERS,
            "query": urlencode({"statut": status}),
        },
    )


@actor_required(can_handle_creation_requests)
def request_detail(request, public_id):
    creation_request = get_creation_request_for(request.actor, public_id)
    form = None
    if creation_request.status == CreationRequestStatus.NEW:
        form = CreationRequestAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form is None:
            messages.info(request, actions.ALREADY_ANSWERED_MESSAGE)
            return redirect("offer:request_detail", public_id=creation_request.public_id)
        if form.is_valid():
            try:
                actions.handle_creation_request(
                    actor=request.actor,
                    request=creation_request,
                    status=form.cleaned_data["status"],
                    answer=form.cleaned_data["answer"],
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(
                    request, f"Réponse enregistrée et envoyée au demandeur ({creation_request.reference})."
                )
            return redirect("offer:request_detail", public_id=creation_request.public_id)
    actions.record_creation_request_viewed(actor=request.actor, creation_request=creation_request)
    existing_operator = (
        Organization.objects.filter(kind=OrganizationKind.OPERATOR, siren=creation_request.operator_siren)
        .only("name", "siren")
        .first()
    )
    existing_program = None
    if creation_request.program_siret:
        existing_program = (
            Program.objects.visible_to(request.actor)
            .filter(siret=creation_request.program_siret)
            .only("public_id", "name")
            .first()
        )
    return render(
        request,
        "offer/requests/detail.html",
        {
            "creation_request": creation_request,
            "form": form,
            "existing_operator": existing_operator,
            "existing_program": existing_program,
        },
        status=400 if form is not None and form.errors else 200,
    )
