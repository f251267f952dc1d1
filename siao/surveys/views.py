"""The survey pages (mounted at /enquetes/).

- Anyone logged in: the questionnaire of the open campaign, the thanks page, « Plus tard »
  (hides the banner for the session).
- Administrateur national: the campaigns (list, create, edit before opening, open, close).
- Administrateur national, Analyste, Administrateur départemental: the results, with the
  national readers seeing every answer and the others the answers given from their
  départements (results.py); their CSV exports. While a campaign is open, only its number of
  answers is shown and its exports answer 404: figures read at two moments would differ by
  the answers given in between (docs/help-and-satisfaction.md, « Results and exports »)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from siao.accounts.decorators import actor_required
from siao.core.forms import add_validation_errors

from . import actions, exports
from .banner import ANSWERED, DISMISSED, SESSION_KEY, cached_open_campaign, remember_in_session, remember_open_campaign
from .enums import SurveyStatus
from .forms import AnswerForm, CampaignForm
from .models import SatisfactionSurvey, SurveyParticipation
from .permissions import can_manage_surveys, can_view_results
from .questions import QUESTIONS
from .results import answer_count_for, results_for, scope_of


def can_see_campaigns(actor) -> bool:
    return can_manage_surveys(actor) or can_view_results(actor)


def _campaign(public_id, queryset=None) -> SatisfactionSurvey:
    return get_object_or_404(
        queryset if queryset is not None else SatisfactionSurvey.objects.all(), public_id=public_id
    )


# -- campaigns ------------------------------------------------------------------------------


@actor_required(can_see_campaigns)
def campaign_list(request):
    manager = can_manage_surveys(request.actor)
    campaigns = SatisfactionSurvey.objects.all() if manager else SatisfactionSurvey.objects.with_results()
    campaigns = list(campaigns.order_by("-created_at", "-pk"))
    if manager:
        # The list reads every campaign anyway: it refreshes the banner's cache for free.
        remember_open_campaign(next((campaign for campaign in campaigns if campaign.is_open), None))
    context = {
        "campaigns": campaigns,
        "manager": manager,
        "can_view_results": can_view_results(request.actor),
        "has_open": any(campaign.is_open for campaign in campaigns),
    }
    return render(request, "surveys/campaign_list.html", context)


def _campaign_form(request, campaign=None):
    posted = request.method == "POST"
    form = CampaignForm(request.POST) if posted else CampaignForm(initial=CampaignForm.initial_for(campaign))
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            if campaign is None:
                campaign = actions.create_campaign(actor=request.actor, title=data["title"], intro=data["intro"])
                messages.success(request, f"L'enquête « {campaign.title} » est créée. Ouvrez-la quand elle est prête.")
            else:
                campaign = actions.update_campaign(
                    actor=request.actor, campaign=campaign, title=data["title"], intro=data["intro"]
                )
                messages.success(request, f"L'enquête « {campaign.title} » est modifiée.")
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return redirect("surveys:campaign_list")
    status = 400 if posted else 200
    return render(request, "surveys/campaign_form.html", {"form": form, "campaign": campaign}, status=status)


@actor_required(can_manage_surveys)
def campaign_create(request):
    return _campaign_form(request)


@actor_required(can_manage_surveys)
def campaign_edit(request, public_id):
    campaign = _campaign(public_id)
    if not campaign.is_draft:
        messages.error(request, "Une enquête ouverte ou close ne se modifie plus.")
        return redirect("surveys:campaign_list")
    return _campaign_form(request, campaign)


@require_POST
@actor_required(can_manage_surveys)
def campaign_open(request, public_id):
    campaign = _campaign(public_id)
    try:
        actions.open_campaign(actor=request.actor, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"L'enquête « {campaign.title} » est ouverte : les utilisateurs voient le bandeau qui les invite à répondre.",
        )
    return redirect("surveys:campaign_list")


@require_POST
@actor_required(can_manage_surveys)
def campaign_close(request, public_id):
    campaign = _campaign(public_id)
    try:
        actions.close_campaign(actor=request.actor, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"L'enquête « {campaign.title} » est close : le bandeau n'est plus montré.")
    return redirect("surveys:campaign_list")


# -- results --------------------------------------------------------------------------------


def _results(request, public_id):
    """The campaign and its figures for this reader: everything once closed, only the number of
    answers while open (the figures are sealed until the campaign closes)."""
    campaign = _campaign(public_id, SatisfactionSurvey.objects.with_results())
    department_ids, scope_label, scope_code = scope_of(request.actor)
    compute = answer_count_for if campaign.is_open else results_for
    return campaign, compute(campaign, department_ids=department_ids, scope_label=scope_label), scope_code


@actor_required(can_view_results)
def results(request, public_id):
    campaign, figures, scope_code = _results(request, public_id)
    actions.record_results_viewed(actor=request.actor, campaign=campaign, scope=scope_code)
    context = {"campaign": campaign, "results": figures, "question_labels": [q.short_label for q in QUESTIONS]}
    return render(request, "surveys/results.html", context)


EXPORTS = {"resultats": exports.results_response, "commentaires": exports.comments_response}


@actor_required(can_view_results)
def results_export(request, public_id, what: str):
    if what not in EXPORTS:
        raise Http404("Export inconnu.")
    campaign, figures, scope_code = _results(request, public_id)
    if figures.sealed:
        raise Http404("Les résultats d'une enquête ouverte sont publiés à sa clôture.")
    if what == "commentaires" and not figures.published:
        raise Http404("Pas de commentaires publiés pour ce périmètre.")
    actions.record_results_exported(actor=request.actor, campaign=campaign, scope=scope_code, what=what)
    return EXPORTS[what](campaign, figures, scope_code)


# -- answering ------------------------------------------------------------------------------


def _refused(request, campaign, message: str, status: int = 200):
    return render(
        request, "surveys/answer.html", {"campaign": campaign, "refusal": message, "form": None}, status=status
    )


@actor_required()
def answer(request, public_id):
    campaign = _campaign(public_id, SatisfactionSurvey.objects.exclude(status=SurveyStatus.DRAFT))
    posted = request.method == "POST"
    if campaign.status == SurveyStatus.CLOSED:
        return _refused(request, campaign, actions.CLOSED_MESSAGE, 409 if posted else 200)
    if not posted and SurveyParticipation.objects.filter(campaign=campaign, user=request.actor.user).exists():
        remember_in_session(request, campaign, ANSWERED)
        return _refused(request, campaign, actions.ALREADY_ANSWERED_MESSAGE)
    form = AnswerForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            actions.submit_answer(
                actor=request.actor,
                campaign=campaign,
                score=form.cleaned_data["score"],
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
            )
        except actions.AnswerRefused as exc:
            if exc.message == actions.ALREADY_ANSWERED_MESSAGE:
                remember_in_session(request, campaign, ANSWERED)
            return _refused(request, campaign, exc.message, 409)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            remember_in_session(request, campaign, ANSWERED)
            return redirect("surveys:thanks", public_id=campaign.public_id)
    return render(
        request,
        "surveys/answer.html",
        {"campaign": campaign, "form": form, "refusal": ""},
        status=400 if posted else 200,
    )


@actor_required()
def thanks(request, public_id):
    campaign = _campaign(public_id, SatisfactionSurvey.objects.exclude(status=SurveyStatus.DRAFT))
    return render(request, "surveys/thanks.html", {"campaign": campaign})


@require_POST
@actor_required()
def dismiss(request):
    """« Plus tard »: no banner for the rest of the session (works without JavaScript)."""
    campaign = cached_open_campaign()
    if campaign is not None and request.POST.get("campaign") == campaign["public_id"]:
        request.session[SESSION_KEY] = {"campaign": campaign["public_id"], "state": DISMISSED}
    return HttpResponseRedirect(_local_target(request, request.POST.get("next", "")))


def _local_target(request, target: str) -> str:
    """`next` when it is a path of this site ("/…", not "//host" nor a URL name), else the home."""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    ):
        return target
    return reverse("core:home")
