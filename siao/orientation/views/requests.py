"""Insertion requests: creation from a household file, the detail with its history,
referrals and stays, and what the prescriber (edit, transmit, cancel, reactivate, transfer)
and the SIAO (queue, complete, send back, priority, orient) do with them."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from siao.accounts.decorators import actor_required
from siao.core.forms import add_validation_errors
from siao.households.access import get_household_for
from siao.households.actions import view_household
from siao.offer.models import Place, Program
from siao.orientation import actions
from siao.orientation.access import get_referral_for, get_request_for
from siao.orientation.eligibility import siao_orientable_q
from siao.orientation.enums import (
    ACTIVE_REFERRAL_STATUSES,
    SIAO_QUEUE_STATUSES,
    ReferralStatus,
    RequestStatus,
)
from siao.orientation.forms import CancelForm, OrientForm, PriorityForm, RequestForm, SendBackForm, TransferForm
from siao.orientation.models import Request
from siao.orientation.permissions import (
    can_edit_request,
    can_record_household_refusal,
    can_review_request,
    has_role_for,
)
from siao.orientation.queries import (
    abilities,
    orientation_choices,
    orientation_places,
    request_history,
    request_referrals,
    seniority_days,
    siao_queue,
)

QUEUE_PAGE_SIZE = 50
QUEUE_TABS = [
    ("", "Toutes"),
    (RequestStatus.TRANSMITTED, "Transmises, à vérifier"),
    (RequestStatus.WAITING, "En attente d'orientation"),
    (RequestStatus.ORIENTED, "Orientées"),
]


def household_url(household) -> str:
    """The household file (its page belongs to siao/households), "" while it is not mounted."""
    for name in ("households:household_detail", "households:detail"):
        try:
            return reverse(name, kwargs={"public_id": household.public_id})
        except NoReverseMatch:
            continue
    return ""


def _detail(insertion_request):
    return redirect("orientation:request_detail", public_id=insertion_request.public_id)


def _render_form(request, template, context, form):
    return render(request, template, context, status=400 if form.is_bound and form.errors else 200)


# -- creation, detail, edit ----------------------------------------------------------------------


@actor_required(has_role_for("create_request"))
def request_create(request, household_public_id):
    actor = request.actor
    household = get_household_for(actor, household_public_id)
    form = RequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = actions.create_request(
                actor=actor,
                household=household,
                reason=data["reason"],
                housing_situation=data["housing_situation"],
                recommendations=data["recommendations"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Demande créée, à compléter. Transmettez-la au SIAO dès qu'elle est complète.")
            return _detail(created)
    context = {"household": household, "household_url": household_url(household), "form": form}
    return _render_form(request, "orientation/request_form.html", context, form)


@actor_required(has_role_for("view_requests"))
def request_detail(request, public_id):
    actor = request.actor
    insertion_request = get_request_for(actor, public_id)
    household = insertion_request.household
    view_household(actor=actor, household=household, page="request", obj=insertion_request)
    prefetch_related_objects([household], "head", "composition")
    prefetch_related_objects([insertion_request], "recommendations")
    referrals = request_referrals(insertion_request)
    may = abilities(actor, insertion_request)
    for referral in referrals:
        referral.request = insertion_request
        referral.is_active = referral.status in ACTIVE_REFERRAL_STATUSES
        referral.may_withdraw = may["may_withdraw"] and referral.is_active
        referral.may_record_refusal = referral.is_active and can_record_household_refusal(actor, referral)
        referral.may_record_acceptance = (
            referral.status == ReferralStatus.ACCEPTED
            and referral.household_accepted_at is None
            and referral.may_record_refusal
        )
        referral.is_own_program = actor.membership.program_id == referral.program_id
    stays = list(insertion_request.stays.select_related("program", "place").order_by("started_on", "pk"))
    context = {
        "insertion_request": insertion_request,
        "household": household,
        "household_url": household_url(household),
        "recommendations": list(insertion_request.recommendations.all()),
        "history": request_history(insertion_request),
        "referrals": referrals,
        "stays": stays,
        "seniority_days": seniority_days(insertion_request),
        **may,
    }
    return render(request, "orientation/request_detail.html", context)


def _editable_request(request, public_id):
    insertion_request = get_request_for(request.actor, public_id)
    if not can_edit_request(request.actor, insertion_request):
        raise PermissionDenied("Vous ne pouvez pas modifier cette demande.")
    return insertion_request


@actor_required(has_role_for("create_request"))
def request_edit(request, public_id):
    actor = request.actor
    insertion_request = _editable_request(request, public_id)
    if insertion_request.status not in actions.UPDATABLE_STATUSES:
        messages.error(
            request, f"Une demande « {insertion_request.get_status_display()} » ne peut plus être modifiée."
        )
        return _detail(insertion_request)
    initial = {
        "reason": insertion_request.reason,
        "housing_situation": insertion_request.housing_situation,
        "recommendations": insertion_request.recommended_types,
        "comment": insertion_request.comment,
    }
    form = RequestForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_request(
                actor=actor,
                request=insertion_request,
                reason=data["reason"],
                housing_situation=data["housing_situation"],
                recommendations=data["recommendations"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Demande mise à jour.")
            return _detail(insertion_request)
    household = insertion_request.household
    context = {
        "insertion_request": insertion_request,
        "household": household,
        "household_url": household_url(household),
        "form": form,
    }
    return _render_form(request, "orientation/request_form.html", context, form)


# -- the prescriber's steps ------------------------------------------------------------------------


@actor_required(has_role_for("transmit_request"))
def request_transmit(request, public_id):
    actor = request.actor
    insertion_request = _editable_request(request, public_id)
    errors = []
    if request.method == "POST":
        try:
            actions.transmit_request(actor=actor, request=insertion_request)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "Demande transmise au SIAO.")
            return _detail(insertion_request)
    context = {
        "insertion_request": insertion_request,
        "household": insertion_request.household,
        "missing": actions.missing_for_transmission(insertion_request),
        "transmittable": insertion_request.status in (RequestStatus.DRAFT, RequestStatus.TO_UPDATE),
        "errors": errors,
    }
    return render(request, "orientation/request_transmit.html", context, status=400 if errors else 200)


def _owner_or_siao(request, public_id, message):
    insertion_request = get_request_for(request.actor, public_id)
    if not (
        can_edit_request(request.actor, insertion_request) or can_review_request(request.actor, insertion_request)
    ):
        raise PermissionDenied(message)
    return insertion_request


@actor_required(has_role_for("cancel_request"))
def request_cancel(request, public_id):
    insertion_request = _owner_or_siao(request, public_id, "Vous ne pouvez pas annuler cette demande.")
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.cancel_request(
                actor=request.actor,
                request=insertion_request,
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Demande annulée. Elle peut être réactivée si besoin.")
            return _detail(insertion_request)
    context = {"insertion_request": insertion_request, "household": insertion_request.household, "form": form}
    return _render_form(request, "orientation/request_cancel.html", context, form)


@actor_required(has_role_for("cancel_request"))
@require_POST
def request_reactivate(request, public_id):
    insertion_request = _owner_or_siao(request, public_id, "Vous ne pouvez pas réactiver cette demande.")
    try:
        insertion_request = actions.reactivate_request(actor=request.actor, request=insertion_request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Demande réactivée : « {insertion_request.get_status_display()} ».")
    return _detail(insertion_request)


@actor_required(has_role_for("transfer_request"))
def request_transfer(request, public_id):
    insertion_request = _owner_or_siao(request, public_id, "Vous ne pouvez pas transférer cette demande.")
    form = TransferForm(request.POST if request.method == "POST" else None, request=insertion_request)
    if request.method == "POST" and form.is_valid():
        program = form.cleaned_data["to_program"]
        try:
            actions.transfer_request(
                actor=request.actor,
                request=insertion_request,
                to_program=program,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"Demande transférée à « {program.name} ».")
            if Request.objects.visible_to(request.actor).filter(pk=insertion_request.pk).exists():
                return _detail(insertion_request)
            # The former service no longer follows the household: back to its home page.
            return redirect("core:home")
    context = {"insertion_request": insertion_request, "household": insertion_request.household, "form": form}
    return _render_form(request, "orientation/request_transfer.html", context, form)


# -- the SIAO's steps --------------------------------------------------------------------------------


def _reviewed_request(request, public_id):
    insertion_request = get_request_for(request.actor, public_id)
    if not can_review_request(request.actor, insertion_request):
        raise PermissionDenied("Cette demande ne relève pas de votre SIAO.")
    return insertion_request


@actor_required(has_role_for("view_siao_queue"))
def queue(request):
    actor = request.actor
    status = request.GET.get("statut", "")
    if status not in SIAO_QUEUE_STATUSES:
        status = ""
    page = Paginator(siao_queue(actor, status or None), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for insertion_request in page:
        insertion_request.seniority = seniority_days(insertion_request, now)
    return render(
        request,
        "orientation/queue.html",
        {
            "page": page,
            "status": status,
            "tabs": QUEUE_TABS,
            "query": urlencode({"statut": status}) if status else "",
        },
    )


@actor_required(has_role_for("review_request"))
@require_POST
def request_mark_complete(request, public_id):
    insertion_request = _reviewed_request(request, public_id)
    try:
        actions.mark_request_complete(actor=request.actor, request=insertion_request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Dossier complet : la demande attend son orientation.")
    return _detail(insertion_request)


@actor_required(has_role_for("review_request"))
def request_send_back(request, public_id):
    insertion_request = _reviewed_request(request, public_id)
    form = SendBackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.send_back_request(
                actor=request.actor, request=insertion_request, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Demande renvoyée au service instructeur pour mise à jour.")
            return _detail(insertion_request)
    context = {"insertion_request": insertion_request, "household": insertion_request.household, "form": form}
    return _render_form(request, "orientation/request_send_back.html", context, form)


@actor_required(has_role_for("review_request"))
def request_priority(request, public_id):
    insertion_request = _reviewed_request(request, public_id)
    form = PriorityForm(
        request.POST if request.method == "POST" else None, initial={"priority": insertion_request.priority}
    )
    if request.method == "POST" and form.is_valid():
        try:
            insertion_request = actions.set_request_priority(
                actor=request.actor,
                request=insertion_request,
                priority=form.cleaned_data["priority"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"Priorité enregistrée : « {insertion_request.get_priority_display()} ».")
            return _detail(insertion_request)
    context = {"insertion_request": insertion_request, "household": insertion_request.household, "form": form}
    return _render_form(request, "orientation/request_priority.html", context, form)


@actor_required(has_role_for("orient_request"))
def request_orient(request, public_id):
    actor = request.actor
    insertion_request = _reviewed_request(request, public_id)
    departments = actor.perimeter.department_ids
    # The SIAO's programs, orientable or not: the action refuses the others, in French.
    candidates = Program.objects.filter(siao_orientable_q(departments)).distinct()
    form = OrientForm(
        request.POST if request.method == "POST" else None,
        programs=candidates,
        places=Place.objects.filter(place_group__program__in=candidates.values("pk")),
    )
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["programs"])
        try:
            actions.orient_request(
                actor=actor,
                request=insertion_request,
                programs=chosen,
                place=form.cleaned_data["place"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            names = ", ".join(f"« {program.name} »" for program in chosen)
            messages.success(request, f"Demande orientée vers {names}.")
            return _detail(insertion_request)
    prefetch_related_objects([insertion_request], "recommendations", "household__composition")
    programs = list(orientation_choices(insertion_request, departments))
    recommended = set(insertion_request.recommended_types)
    for program in programs:
        program.is_recommended = program.type in recommended
    context = {
        "insertion_request": insertion_request,
        "household": insertion_request.household,
        "form": form,
        "programs": programs,
        "places": list(orientation_places([program.pk for program in programs])),
        "active_referrals": list(
            insertion_request.referrals.active().select_related("program").order_by("proposed_at", "pk")
        ),
        "selected_programs": set(form.data.getlist("programs")) if form.is_bound else set(),
        "selected_place": form.data.get("place", "") if form.is_bound else "",
    }
    return _render_form(request, "orientation/request_orient.html", context, form)


@actor_required(has_role_for("withdraw_referral"))
@require_POST
def referral_withdraw(request, public_id):
    referral = get_referral_for(request.actor, public_id)
    if not can_review_request(request.actor, referral.request):
        raise PermissionDenied("Cette demande ne relève pas de votre SIAO.")
    try:
        actions.withdraw_referral(actor=request.actor, referral=referral, comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Orientation vers « {referral.program.name} » retirée.")
    return _detail(referral.request)
