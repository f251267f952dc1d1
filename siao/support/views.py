"""Support requests: the public form (with or without an account), its confirmation, and the
support team's queue, detail page, actions and attachment downloads."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from siao.accounts.decorators import actor_required
from siao.accounts.enums import Role
from siao.core.middleware import client_ip

from . import actions
from .access import get_attachment_for, get_support_request_for, support_requests_visible_to
from .enums import OPEN_STATUSES, MessageKind, SupportStatus
from .forms import AssignForm, NoteForm, QueueFilterForm, ReplyForm, StatusForm, SupportRequestForm
from .permissions import can_work_support_queue, support_team_for

logger = logging.getLogger(__name__)

# The confirmation page reads the reference from the session: its URL reveals nothing, and
# nobody reaches another requester's confirmation.
SESSION_SENT_REFERENCE = "support_request_sent"
PAGE_SIZE = 25


def _contact() -> dict:
    return {
        "email": settings.SUPPORT_CONTACT_EMAIL,
        "phone": settings.SUPPORT_CONTACT_PHONE,
        "hours": settings.SUPPORT_CONTACT_HOURS,
    }


def request_create(request):
    actor = getattr(request, "actor", None)
    initial = {}
    if request.user.is_authenticated:
        user = request.user
        initial = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "user_identifier": user.email,
        }
    posted = request.method == "POST"
    form = SupportRequestForm(request.POST if posted else None, request.FILES if posted else None, initial=initial)
    status = 200
    if posted:
        if form.is_honeypot_filled:
            # A robot: same answer as a success, so that it learns nothing; nothing saved or sent.
            logger.info("Demande de support ignorée (champ piège rempli) depuis %s.", client_ip(request))
            request.session[SESSION_SENT_REFERENCE] = actions.new_reference()
            return redirect("support:request_sent")
        if form.is_valid():
            data = form.cleaned_data
            try:
                support_request = actions.submit_support_request(
                    data=actions.SupportRequestInput(
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        email=data["email"],
                        user_identifier=data["user_identifier"],
                        subject=data["subject"],
                        category=data["category"],
                        description=data["description"],
                        attachments=tuple(data["attachments"]),
                    ),
                    actor=actor,
                    client_ip=client_ip(request),
                    site_url=request.build_absolute_uri("/").rstrip("/"),
                )
            except actions.RequestRefused as refusal:
                form.add_error(None, refusal.message)
                form.note_files_not_kept()
                status = 429
            else:
                request.session[SESSION_SENT_REFERENCE] = support_request.reference
                return redirect("support:request_sent")
        else:
            status = 400
    return render(
        request,
        "support/create.html",
        {"form": form, "contact": _contact(), "retention_months": settings.SUPPORT_RETENTION_MONTHS},
        status=status,
    )


def request_sent(request):
    reference = request.session.get(SESSION_SENT_REFERENCE)
    if not reference:
        return redirect("support:request_create")
    return render(request, "support/sent.html", {"reference": reference, "contact": _contact()})


@actor_required(can_work_support_queue)
def queue(request):
    actor = request.actor
    visible = support_requests_visible_to(actor)
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    support_requests = visible
    status = filters.get("statut", "")
    if status in SupportStatus.values:
        support_requests = support_requests.filter(status=status)
    elif status != "toutes":
        support_requests = support_requests.filter(status__in=OPEN_STATUSES)
    if filters.get("categorie"):
        support_requests = support_requests.filter(category=filters["categorie"])
    if filters.get("affectation") == "moi":
        support_requests = support_requests.filter(assigned_to=actor.user)
    elif filters.get("affectation") == "personne":
        support_requests = support_requests.filter(assigned_to__isnull=True)
    query = (filters.get("q") or "").strip()
    if query:
        support_requests = support_requests.filter(
            Q(reference__icontains=query)
            | Q(subject__icontains=query)
            | Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(email__icontains=query)
        )
    counts = dict(visible.order_by().values_list("status").annotate(count=Count("pk")))
    status_counts = [(value, label, counts.get(value, 0)) for value, label in SupportStatus.choices]
    page = Paginator(
        support_requests.select_related("assigned_to").order_by("-created_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    kept = {name: value for name, value in filters.items() if value}
    return render(
        request,
        "support/queue.html",
        {"page": page, "form": form, "status_counts": status_counts, "query": urlencode(kept)},
    )


def _render_detail(request, support_request, *, forms=None, status=200):
    team = support_team_for(support_request)
    forms = forms or {}
    thread = list(support_request.messages.select_related("author"))
    context = {
        "support_request": support_request,
        "attachments": list(support_request.attachments.all()),
        "thread": thread,
        "reply_kind": MessageKind.REPLY,
        "role_label": Role(support_request.role).label if support_request.role in Role.values else "",
        "assign_form": forms.get("assign")
        or AssignForm(
            team=team,
            initial={"assignee": str(support_request.assigned_to.public_id) if support_request.assigned_to else ""},
        ),
        "can_take": support_request.assigned_to_id != request.actor.user.pk
        and request.actor.user.pk in {user.pk for user in team},
        "status_form": forms.get("status") or StatusForm(initial={"status": support_request.status}),
        "reply_form": forms.get("reply") or ReplyForm(),
        "note_form": forms.get("note") or NoteForm(),
    }
    return render(request, "support/detail.html", context, status=status)


@actor_required(can_work_support_queue)
def request_detail(request, public_id):
    support_request = get_support_request_for(request.actor, public_id)
    actions.record_support_request_viewed(actor=request.actor, support_request=support_request)
    return _render_detail(request, support_request)


def _done(request, support_request, message=None, error=None):
    if error is not None:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    elif message:
        messages.success(request, message)
    return redirect("support:request_detail", public_id=support_request.public_id)


def _user_from(public_id_text, team):
    for user in team:
        if str(user.public_id) == public_id_text:
            return user
    return None


@actor_required(can_work_support_queue)
@require_POST
def request_assign(request, public_id):
    support_request = get_support_request_for(request.actor, public_id)
    team = support_team_for(support_request)
    form = AssignForm(request.POST, team=team)
    if not form.is_valid():
        return _render_detail(request, support_request, forms={"assign": form}, status=400)
    assignee = _user_from(form.cleaned_data["assignee"], team)
    # The page says who held the request when it was shown: if someone else acted since, the
    # action refuses instead of taking the request over silently.
    expected = request.POST.get("current", actions.UNCHANGED)
    try:
        actions.assign_support_request(
            actor=request.actor, support_request=support_request, assignee=assignee, expected_assignee=expected
        )
    except (ValidationError, PermissionDenied) as error:
        return _done(request, support_request, error=error)
    who = "vous" if assignee and assignee.pk == request.actor.user.pk else (assignee or "personne")
    return _done(request, support_request, f"Demande {support_request.reference} affectée à {who}.")


@actor_required(can_work_support_queue)
@require_POST
def request_status(request, public_id):
    support_request = get_support_request_for(request.actor, public_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, support_request, forms={"status": form}, status=400)
    try:
        changed = actions.change_support_status(
            actor=request.actor, support_request=support_request, status=form.cleaned_data["status"]
        )
    except (ValidationError, PermissionDenied) as error:
        return _done(request, support_request, error=error)
    return _done(request, support_request, f"Statut de la demande : {changed.get_status_display()}.")


@actor_required(can_work_support_queue)
@require_POST
def request_reply(request, public_id):
    support_request = get_support_request_for(request.actor, public_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, support_request, forms={"reply": form}, status=400)
    try:
        actions.send_reply(
            actor=request.actor,
            support_request=support_request,
            body=form.cleaned_data["body"],
            status=form.cleaned_data["status"],
        )
    except (ValidationError, PermissionDenied) as error:
        return _done(request, support_request, error=error)
    return _done(request, support_request, f"Réponse envoyée à {support_request.email}.")


@actor_required(can_work_support_queue)
@require_POST
def request_note(request, public_id):
    support_request = get_support_request_for(request.actor, public_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, support_request, forms={"note": form}, status=400)
    try:
        actions.add_note(actor=request.actor, support_request=support_request, body=form.cleaned_data["body"])
    except (ValidationError, PermissionDenied) as error:
        return _done(request, support_request, error=error)
    return _done(request, support_request, "Note interne ajoutée.")


@actor_required(can_work_support_queue)
def attachment_download(request, public_id, attachment_id):
    attachment = get_attachment_for(request.actor, public_id, attachment_id)
    try:
        handle = default_storage.open(attachment.file.name, "rb")
    except FileNotFoundError as missing:
        logger.error("Pièce jointe %s absente du stockage (%s).", attachment.public_id, attachment.file.name)
        raise Http404("Pièce jointe introuvable.") from missing
    actions.record_attachment_downloaded(actor=request.actor, attachment=attachment)
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
