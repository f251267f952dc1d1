"""Satisfaction survey campaigns, their anonymous answers, and who took part.

Anonymity by design (docs/help-and-satisfaction.md): an answer (`SatisfactionAnswer`) carries
no user, no timestamp and a random UUID primary key; who answered is kept apart
(`SurveyParticipation`: campaign, user, time), only to allow one answer per user per campaign.
Nothing the application reads links the two rows: they share only the campaign (and, in
PostgreSQL, the transaction id of the transaction that wrote both: visible only with direct
database access, which is out of the protection's scope)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from siao.accounts.enums import Role
from siao.core.models import BaseModel, ChoiceLabelsMixin

from .enums import Agreement, SurveyStatus, Territory
from .questions import COMMENT_MAX_LENGTH


class SatisfactionSurveyQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=SurveyStatus.OPEN)

    def with_results(self):
        """Campaigns with a results page: open (the number of answers only, until closing) or
        closed (everything)."""
        return self.filter(status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED])


class SatisfactionSurvey(BaseModel):
    """A campaign (« Enquête de satisfaction Octobre 2023 »): prepared, opened, then closed by a
    national administrator. At most one is open at a time."""

    title = models.CharField("titre", max_length=150)
    intro = models.TextField("texte d'introduction", blank=True, max_length=1000)
    status = models.CharField("état", max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    opened_at = models.DateTimeField("ouverte le", null=True, blank=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="créée par"
    )

    objects = SatisfactionSurveyQuerySet.as_manager()

    class Meta:
        verbose_name = "enquête de satisfaction"
        verbose_name_plural = "enquêtes de satisfaction"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status=SurveyStatus.OPEN), name="one_open_satisfaction_survey"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == SurveyStatus.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == SurveyStatus.OPEN


class SurveyParticipation(models.Model):
    """That a user answered a campaign, and when: the « once per user per campaign » rule. Never
    joined to the answers, never shown in the results."""

    campaign = models.ForeignKey(
        SatisfactionSurvey, on_delete=models.CASCADE, related_name="participations", verbose_name="enquête"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="utilisateur"
    )
    answered_at = models.DateTimeField("a répondu le")

    class Meta:
        verbose_name = "participation à une enquête"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="one_participation_per_user_and_survey"),
        ]

    def __str__(self):
        return f"Participation à l'enquête {self.campaign_id}"


def _agreement_field(label: str):
    return models.CharField(label, max_length=12, choices=Agreement.choices)


class SatisfactionAnswer(ChoiceLabelsMixin, models.Model):
    """One anonymous answer. Deliberately no user, no date and no sequential id: the random
    primary key gives no order of arrival. The respondent's profile and territory at answer
    time are the only attributes, shown in results by groups of at least
    SURVEY_MIN_GROUP_SIZE answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(
        SatisfactionSurvey, on_delete=models.CASCADE, related_name="answers", verbose_name="enquête"
    )
    score = models.PositiveSmallIntegerField("note globale (1 à 5)")
    makes_work_easier = _agreement_field("facilite mon travail")
    finds_information = _agreement_field("trouve les informations")
    knows_where_to_get_help = _agreement_field("sait où trouver de l'aide")
    comment = models.TextField("commentaire", blank=True, max_length=COMMENT_MAX_LENGTH)
    role = models.CharField("profil", max_length=30, choices=Role.choices)
    territory = models.CharField("territoire", max_length=12, choices=Territory.choices)
    department = models.ForeignKey(
        "geo.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département",
    )

    class Meta:
        verbose_name = "réponse à une enquête"
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="satisfaction_score_1_to_5"),
            models.CheckConstraint(
                condition=Q(territory=Territory.DEPARTMENT, department__isnull=False)
                | (~Q(territory=Territory.DEPARTMENT) & Q(department__isnull=True)),
                name="satisfaction_department_iff_territory_department",
            ),
        ]

    def __str__(self):
        return f"Réponse anonyme {self.pk}"
