"""The survey's changes: campaigns (national administrators) and answers (anyone logged in).
Each checks rights, writes in one transaction with its audit event. An answer is never
audited: the trail would tie it to its author (see models.py on anonymity)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from siao.audit.trail import record

from .banner import remember_open_campaign
from .enums import Agreement, SurveyStatus, Territory
from .models import SatisfactionAnswer, SatisfactionSurvey, SurveyParticipation
from .permissions import can_manage_surveys, can_view_results
from .questions import COMMENT_MAX_LENGTH, COMMENT_MAX_LENGTH_TEXT, QUESTION_CODES, QUESTIONS, SCORES

TITLE_MAX_LENGTH = 150
INTRO_MAX_LENGTH = 1000

ALREADY_ANSWERED_MESSAGE = (
    "Vous avez déjà répondu à cette enquête : une seule réponse par personne est possible. Merci de votre "
    "participation !"
)
NOT_OPEN_MESSAGE = "Cette enquête n'est pas ouverte : il n'est pas possible d'y répondre."
CLOSED_MESSAGE = "Cette enquête est close : il n'est plus possible d'y répondre. Merci de votre intérêt."
ANOTHER_OPEN_MESSAGE = (
    "Une autre enquête est déjà ouverte (« {title} ») : clôturez-la avant d'ouvrir celle-ci. Une seule enquête "
    "est ouverte à la fois."
)


class AnswerRefused(Exception):
    """Nothing was stored; `message` is what the user reads (French)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _ensure_manager(actor) -> None:
    if not can_manage_surveys(actor):
        raise PermissionDenied("Seul l'Administrateur national gère les enquêtes de satisfaction.")


def _clean_campaign(title: str, intro: str) -> tuple[str, str]:
    title, intro = (title or "").strip(), (intro or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Indiquez le titre de l'enquête, par exemple « Enquête de satisfaction Octobre 2023 »."
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = f"Le titre fait au plus {TITLE_MAX_LENGTH} caractères."
    if len(intro) > INTRO_MAX_LENGTH:
        errors["intro"] = f"Le texte d'introduction fait au plus {INTRO_MAX_LENGTH} caractères."
    if errors:
        raise ValidationError(errors)
    return title, intro


def _locked(campaign: SatisfactionSurvey) -> SatisfactionSurvey:
    return SatisfactionSurvey.objects.select_for_update().get(pk=campaign.pk)


@transaction.atomic
def create_campaign(*, actor, title: str, intro: str = "") -> SatisfactionSurvey:
    _ensure_manager(actor)
    title, intro = _clean_campaign(title, intro)
    campaign = SatisfactionSurvey.objects.create(title=title, intro=intro, created_by=actor.user)
    record("surveys.campaign_created", actor=actor, obj=campaign, data={"title": title})
    return campaign


@transaction.atomic
def update_campaign(*, actor, campaign: SatisfactionSurvey, title: str, intro: str = "") -> SatisfactionSurvey:
    _ensure_manager(actor)
    title, intro = _clean_campaign(title, intro)
    campaign = _locked(campaign)
    if not campaign.is_draft:
        raise ValidationError("Une enquête ouverte ou close ne se modifie plus : ses répondants l'ont lue ainsi.")
    campaign.title, campaign.intro = title, intro
    campaign.save(update_fields=["title", "intro", "updated_at"])
    record("surveys.campaign_updated", actor=actor, obj=campaign, data={"title": title})
    return campaign


@transaction.atomic
def open_campaign(*, actor, campaign: SatisfactionSurvey) -> SatisfactionSurvey:
    _ensure_manager(actor)
    campaign = _locked(campaign)
    if not campaign.is_draft:
        raise ValidationError("Seule une enquête en préparation peut être ouverte (une enquête close ne rouvre pas).")
    other = SatisfactionSurvey.objects.open().exclude(pk=campaign.pk).first()
    if other is not None:
        raise ValidationError(ANOTHER_OPEN_MESSAGE.format(title=other.title))
    campaign.status, campaign.opened_at = SurveyStatus.OPEN, timezone.now()
    try:
        with transaction.atomic():
            campaign.save(update_fields=["status", "opened_at", "updated_at"])
    except IntegrityError:
        # Two administrators opening two campaigns at the same moment: the constraint decides.
        raise ValidationError(ANOTHER_OPEN_MESSAGE.format(title="une autre enquête")) from None
    record("surveys.campaign_opened", actor=actor, obj=campaign, data={"title": campaign.title})
    transaction.on_commit(lambda: remember_open_campaign(campaign))
    return campaign


@transaction.atomic
def close_campaign(*, actor, campaign: SatisfactionSurvey) -> SatisfactionSurvey:
    _ensure_manager(actor)
    campaign = _locked(campaign)
    if not campaign.is_open:
        raise ValidationError("Seule une enquête ouverte peut être close.")
    campaign.status, campaign.closed_at = SurveyStatus.CLOSED, timezone.now()
    campaign.save(update_fields=["status", "closed_at", "updated_at"])
    answers = campaign.answers.count()
    record("surveys.campaign_closed", actor=actor, obj=campaign, data={"title": campaign.title, "answers": answers})
    transaction.on_commit(lambda: remember_open_campaign(None))
    return campaign


def territory_of(actor) -> tuple[str, int | None]:
    """The respondent's territory at answer time: national, their one département, or
    « several » (an operator working in several départements)."""
    if actor.perimeter.is_national:
        return Territory.NATIONAL, None
    if len(actor.perimeter.department_ids) == 1:
        return Territory.DEPARTMENT, next(iter(actor.perimeter.department_ids))
    return Territory.SEVERAL, None


def _clean_answer(score, answers: dict, comment: str) -> tuple[int, dict, str]:
    errors = {}
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = None
    if score not in SCORES:
        errors["score"] = "Choisissez une note de 1 à 5."
    valid = set(Agreement.values)
    for question in QUESTIONS:
        if answers.get(question.code) not in valid:
            errors[question.code] = f"Répondez à « {question.label} » : choisissez une des quatre réponses."
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = (
            f"Le commentaire fait au plus {COMMENT_MAX_LENGTH_TEXT} caractères (il en fait {len(comment)})."
        )
    if errors:
        raise ValidationError(errors)
    return score, {code: answers[code] for code in QUESTION_CODES}, comment


@transaction.atomic
def submit_answer(*, actor, campaign: SatisfactionSurvey, score, answers: dict, comment: str = "") -> None:
    """Store one anonymous answer and the user's participation, both or neither. A second
    answer (sequential, double submit, two tabs at once) raises AnswerRefused and stores
    nothing: the campaign row is locked while answering, and the unique constraint on the
    participation settles what the lock cannot (SQLite)."""
    if actor is None:
        raise PermissionDenied("Connectez-vous pour répondre à l'enquête.")
    score, answers, comment = _clean_answer(score, answers, comment)
    campaign = _locked(campaign)
    if campaign.status == SurveyStatus.CLOSED:
        raise AnswerRefused(CLOSED_MESSAGE)
    if campaign.status != SurveyStatus.OPEN:
        raise AnswerRefused(NOT_OPEN_MESSAGE)
    if SurveyParticipation.objects.filter(campaign=campaign, user=actor.user).exists():
        raise AnswerRefused(ALREADY_ANSWERED_MESSAGE)
    try:
        with transaction.atomic():
            SurveyParticipation.objects.create(campaign=campaign, user=actor.user, answered_at=timezone.now())
    except IntegrityError:
        raise AnswerRefused(ALREADY_ANSWERED_MESSAGE) from None
    territory, department_id = territory_of(actor)
    SatisfactionAnswer.objects.create(
        campaign=campaign,
        score=score,
        comment=comment,
        role=actor.role,
        territory=territory,
        department_id=department_id,
        **answers,
    )


def record_results_viewed(*, actor, campaign: SatisfactionSurvey, scope: str) -> None:
    if not can_view_results(actor):
        raise PermissionDenied("Votre profil ne donne pas accès aux résultats des enquêtes.")
    record("surveys.results_viewed", actor=actor, obj=campaign, data={"scope": scope})


def record_results_exported(*, actor, campaign: SatisfactionSurvey, scope: str, what: str) -> None:
    if not can_view_results(actor):
        raise PermissionDenied("Votre profil ne donne pas accès aux résultats des enquêtes.")
    record("surveys.results_exported", actor=actor, obj=campaign, data={"scope": scope, "export": what})
