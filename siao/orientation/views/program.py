"""The program's side: the referrals it receives and its decision, the household's refusal,
admission (after an accepted referral, or direct), the current stays and their exit."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from siao.accounts.decorators import actor_required
from siao.core.forms import add_validation_errors
from siao.households.access import get_household_for
from siao.households.actions import view_household
from siao.orientation import actions
from siao.orientation.access import get_referral_for, get_stay_for
from siao.orientation.enums import ACTIVE_REFERRAL_STATUSES, ReferralStatus
from siao.orientation.forms import AdmissionForm, DecisionForm, DirectAdmissionForm, ExitForm, HouseholdRefusalForm
from siao.orientation.permissions import (
    ROLES_ALLOWED,
    SIAO_DECIDERS,
    can_admit,
    can_decide_referral,
    can_end_stay,
    can_record_household_refusal,
    has_role_for,
)
from siao.orientation.queries import admissible_places, current_stays, program_referrals

from .requests import household_url

PAGE_SIZE = 50


def _render_form(request, template, context, form):
    return render(request, template, context, status=400 if form.is_bound and form.errors else 200)


def _own_referral(actor, public_id):
    """A referral to the actor's program; another program's is out of perimeter (404)."""
    referral = get_referral_for(actor, public_id)
    if not actor.membership.program_id or referral.program_id != actor.membership.program_id:
        raise Http404("Orientation introuvable.")
    return referral


def _referral_page(referral):
    return redirect("orientation:referral_detail", public_id=referral.public_id)


@actor_required(has_role_for("view_program_referrals"))
def referral_list(request):
    page = Paginator(program_referrals(request.actor), PAGE_SIZE).get_page(request.GET.get("page"))
    for referral in page:
        referral.household_url = household_url(referral.request.household)
    may_decide = request.actor.role in ROLES_ALLOWED["decide_referral"]
    return render(request, "orientation/referral_list.html", {"page": page, "query": "", "may_decide": may_decide})


@actor_required(has_role_for("view_program_referrals"))
def referral_detail(request, public_id):
    actor = request.actor
    referral = _own_referral(actor, public_id)
    if request.method != "POST":
        view_household(actor=actor, household=referral.request.household, page="referral", obj=referral)
    may_decide = can_decide_referral(actor, referral) and referral.status == ReferralStatus.PROPOSED
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_decide_referral(actor, referral):
            raise PermissionDenied("Seul le responsable du dispositif décide d'une orientation.")
        if form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            try:
                actions.decide_referral(
                    actor=actor,
                    referral=referral,
                    accept=accept,
                    reason="" if accept else form.cleaned_data["reason"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                if accept:
                    messages.success(request, "Orientation acceptée. Enregistrez l'admission quand le ménage arrive.")
                    return _referral_page(referral)
                # The refused household leaves the program's perimeter: back to the list.
                messages.success(request, "Orientation refusée. Le SIAO en est informé par le suivi de la demande.")
                return redirect("orientation:referral_list")
    insertion_request = referral.request
    household = insertion_request.household
    prefetch_related_objects([household], "head", "composition")
    prefetch_related_objects([insertion_request], "recommendations")
    is_active = referral.status in ACTIVE_REFERRAL_STATUSES
    context = {
        "referral": referral,
        "insertion_request": insertion_request,
        "household": household,
        "household_url": household_url(household),
        "form": form,
        "may_decide": may_decide or (form.is_bound and bool(form.errors)),
        "may_record_refusal": is_active and can_record_household_refusal(actor, referral),
        "may_record_acceptance": may_record_household_acceptance(actor, referral),
        "may_admit": referral.status == ReferralStatus.ACCEPTED and can_admit(actor, referral.program),
    }
    return _render_form(request, "orientation/referral_detail.html", context, form)


@actor_required(has_role_for("record_household_refusal"))
def referral_household_refusal(request, public_id):
    actor = request.actor
    referral = get_referral_for(actor, public_id)
    if not can_record_household_refusal(actor, referral):
        raise PermissionDenied("Vous ne pouvez pas enregistrer le refus du ménage pour cette orientation.")
    form = HouseholdRefusalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_household_refusal(
                actor=actor,
                referral=referral,
                reason=data["reason"],
                justified=data["justified"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            if data["justified"]:
                messages.success(
                    request, "Refus du ménage enregistré (justifié) : l'ancienneté de la demande est conservée."
                )
            else:
                messages.success(
                    request,
                    "Refus du ménage enregistré (non justifié) : l'ancienneté de la demande repart d'aujourd'hui.",
                )
            if actor.role in SIAO_DECIDERS:
                return redirect("orientation:request_detail", public_id=referral.request.public_id)
            # The household leaves the program's perimeter (no active referral): to the list.
            return redirect("orientation:referral_list")
    context = {
        "referral": referral,
        "insertion_request": referral.request,
        "household": referral.request.household,
        "form": form,
        "back_url_is_request": actor.role in SIAO_DECIDERS,
    }
    return _render_form(request, "orientation/household_refusal.html", context, form)


def may_record_household_acceptance(actor, referral) -> bool:
    """The household's acceptance follows the program's: once, while the referral is accepted."""
    return (
        referral.status == ReferralStatus.ACCEPTED
        and referral.household_accepted_at is None
        and can_record_household_refusal(actor, referral)
    )


@require_POST
@actor_required(has_role_for("record_household_refusal"))
def referral_household_acceptance(request, public_id):
    """« Le ménage accepte la place » (use case 5 of the interconnection: the program's partner
    system is told by a webhook)."""
    actor = request.actor
    referral = get_referral_for(actor, public_id)
    if not can_record_household_refusal(actor, referral):
        raise PermissionDenied("Vous ne pouvez pas enregistrer l'accord du ménage pour cette orientation.")
    try:
        actions.record_household_acceptance(actor=actor, referral=referral)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, "Accord du ménage enregistré : le dispositif en est informé et peut enregistrer l'admission."
        )
    if actor.role in SIAO_DECIDERS:
        return redirect("orientation:request_detail", public_id=referral.request.public_id)
    return _referral_page(referral)


@actor_required(has_role_for("admit"))
def referral_admit(request, public_id):
    actor = request.actor
    referral = _own_referral(actor, public_id)
    if not can_admit(actor, referral.program):
        raise PermissionDenied("Vous ne pouvez pas admettre dans ce dispositif.")
    form = AdmissionForm(
        request.POST if request.method == "POST" else None, places=admissible_places(referral.program)
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.admit(
                actor=actor,
                referral=referral,
                place=form.cleaned_data["place"],
                started_on=form.cleaned_data["started_on"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"Admission enregistrée : {form.cleaned_data['place'].label} est occupée.")
            return redirect("orientation:stay_list")
    household = referral.request.household
    prefetch_related_objects([household], "head")
    context = {
        "referral": referral,
        "household": household,
        "household_url": household_url(household),
        "form": form,
        "is_accepted": referral.status == ReferralStatus.ACCEPTED,
    }
    return _render_form(request, "orientation/admission.html", context, form)


@actor_required(has_role_for("direct_admission"))
def direct_admission(request, household_public_id):
    actor = request.actor
    household = get_household_for(actor, household_public_id)
    program = actor.membership.program
    if program is None:
        raise PermissionDenied("Seul un responsable de dispositif enregistre une admission directe.")
    form = DirectAdmissionForm(request.POST if request.method == "POST" else None, places=admissible_places(program))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.direct_admission(
                actor=actor,
                household=household,
                place=data["place"],
                started_on=data["started_on"],
                reason=data["reason"],
                housing_situation=data["housing_situation"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"Admission directe enregistrée : {data['place'].label} est occupée.")
            return redirect("orientation:stay_list")
    context = {
        "household": household,
        "household_url": household_url(household),
        "program": program,
        "form": form,
    }
    return _render_form(request, "orientation/direct_admission.html", context, form)


@actor_required(has_role_for("view_program_referrals"))
def stay_list(request):
    actor = request.actor
    page = Paginator(current_stays(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    for stay in page:
        stay.household_url = household_url(stay.household)
    return render(
        request,
        "orientation/stay_list.html",
        {"page": page, "query": "", "may_end": actor.role in ROLES_ALLOWED["end_stay"]},
    )


@actor_required(has_role_for("end_stay"))
def stay_end(request, public_id):
    actor = request.actor
    stay = get_stay_for(actor, public_id)
    if not actor.membership.program_id or stay.program_id != actor.membership.program_id:
        raise Http404("Prise en charge introuvable.")
    if not can_end_stay(actor, stay):
        raise PermissionDenied("Cette prise en charge ne relève pas de votre dispositif.")
    form = ExitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.end_stay(
                actor=actor,
                stay=stay,
                ended_on=data["ended_on"],
                exit_reason=data["exit_reason"],
                exit_destination=data["exit_destination"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Sortie enregistrée : la place est de nouveau disponible.")
            return redirect("orientation:stay_list")
    household = stay.household
    prefetch_related_objects([household], "head")
    context = {"stay": stay, "household": household, "household_url": household_url(household), "form": form}
    return _render_form(request, "orientation/stay_end.html", context, form)
