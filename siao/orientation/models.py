"""Requests (demandes), their recommendations (préconisations), referrals (orientations) to
programs and stays (prises en charge). Writes go through siao/orientation/actions.py only."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from siao.core.models import BaseModel, ChoiceLabelsMixin
from siao.households.enums import ExitDestination, HousingSituation, RequestReason
from siao.offer.enums import ProgramType

from .enums import (
    CancelReason,
    ExitReason,
    HouseholdRefusalReason,
    Priority,
    ProgramRefusalReason,
    ReferralStatus,
    RequestKind,
    RequestStatus,
)


class RequestQuerySet(models.QuerySet):
    def visible_to(self, actor):
        from .permissions import requests_visible_q

        condition = requests_visible_q(actor)
        return self.none() if condition is None else self.filter(condition)

    def siao_queue(self):
        """The SIAO's order: priority, then seniority (oldest first)."""
        return self.order_by("-priority", "seniority_from", "pk")


class Request(BaseModel):
    household = models.ForeignKey("households.Household", on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(
        "type de demande", max_length=20, choices=RequestKind.choices, default=RequestKind.INSERTION
    )
    status = models.CharField("statut", max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT)
    status_before_cancel = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    department = models.ForeignKey(
        "geo.Department", on_delete=models.PROTECT, related_name="+", verbose_name="SIAO destinataire (département)"
    )
    origin_program = models.ForeignKey(
        "offer.Program",
        on_delete=models.PROTECT,
        related_name="issued_requests",
        null=True,
        blank=True,
        verbose_name="service instructeur",
        help_text="Le service de premier accueil ou le dispositif qui instruit la demande.",
    )
    reason = models.PositiveSmallIntegerField("motif de la demande", choices=RequestReason.choices, null=True)
    housing_situation = models.PositiveSmallIntegerField(
        "situation résidentielle au moment de la demande", choices=HousingSituation.choices, null=True
    )
    comment = models.TextField("éléments de la demande", blank=True)
    priority = models.PositiveSmallIntegerField("priorité", choices=Priority.choices, default=Priority.NORMAL)
    is_pseudo = models.BooleanField(
        "pseudo-demande", default=False, help_text="Saisie après coup par un dispositif (admission directe)."
    )
    transmitted_at = models.DateTimeField("transmise le", null=True, blank=True)
    seniority_from = models.DateTimeField("ancienneté depuis", null=True, blank=True)
    sent_back_reason = models.TextField("motif du renvoi pour mise à jour", blank=True)
    cancel_reason = models.CharField("motif d'annulation", max_length=30, choices=CancelReason.choices, blank=True)
    cancel_comment = models.TextField("précisions sur l'annulation", blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True)
    version = models.PositiveIntegerField(default=0)
    # Sent to the SIAO of another département than the one holding the file: the few requests
    # that open the file to a second SIAO (households_visible_q reads them through a small
    # partial index instead of every request of the SIAO).
    is_cross_department = models.BooleanField(default=False, db_default=False, editable=False)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande"
        indexes = [
            # One status of the queue (a tab), in the queue's order down to the id: pages read
            # the index in order, without a sort.
            models.Index(
                fields=["department", "status", "-priority", "seniority_from", "id"], name="request_siao_queue_status"
            ),
            # The queue's default view (every status the SIAO works on), in its order: LIMIT
            # reads the first rows of this index instead of sorting the whole queue.
            models.Index(
                fields=["department", "-priority", "seniority_from", "id"],
                condition=Q(status__in=["transmitted", "waiting", "oriented"]),
                name="request_siao_queue_open",
            ),
            models.Index(
                fields=["department", "household"],
                condition=Q(is_cross_department=True) & ~Q(status="draft"),
                name="request_cross_department",
            ),
            models.Index(fields=["origin_program", "status"], name="request_origin_program"),
            models.Index(fields=["household", "status"], name="request_household"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} du {timezone.localtime(self.created_at):%d/%m/%Y}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "department" in update_fields:
            self.is_cross_department = self._held_in_department_id() != self.department_id
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "is_cross_department"}
        super().save(*args, **kwargs)

    def _held_in_department_id(self):
        if Request.household.is_cached(self):
            return self.household.department_id
        from siao.households.models import Household

        return Household.objects.filter(pk=self.household_id).values_list("department_id", flat=True).first()

    @property
    def recommended_types(self) -> list[str]:
        return [r.program_type for r in self.recommendations.all()]


class Recommendation(ChoiceLabelsMixin, models.Model):
    """A préconisation: a program type recommended for the request."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="recommendations")
    program_type = models.CharField("type de dispositif préconisé", max_length=40, choices=ProgramType.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "program_type"], name="recommendation_unique")]

    def __str__(self):
        return self.get_program_type_display()


class RequestStatusChange(ChoiceLabelsMixin, models.Model):
    """The request's history (the journey shows it)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RequestStatus.choices)
    comment = models.TextField(blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"


class ReferralQuerySet(models.QuerySet):
    def active(self):
        from .enums import ACTIVE_REFERRAL_STATUSES

        return self.filter(status__in=ACTIVE_REFERRAL_STATUSES)


class Referral(BaseModel):
    """An orientation: the SIAO proposes the household to a program (optionally on a vacancy)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="referrals")
    program = models.ForeignKey("offer.Program", on_delete=models.PROTECT, related_name="referrals")
    place = models.ForeignKey(
        "offer.Place", on_delete=models.SET_NULL, related_name="referrals", null=True, blank=True
    )
    status = models.CharField("statut", max_length=30, choices=ReferralStatus.choices, default=ReferralStatus.PROPOSED)
    comment = models.TextField("commentaire du SIAO", blank=True)
    proposed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("orientée le", default=timezone.now)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    program_refusal_reason = models.CharField(
        "motif du refus du dispositif", max_length=30, choices=ProgramRefusalReason.choices, blank=True
    )
    household_refusal_reason = models.CharField(
        "motif du refus du ménage", max_length=30, choices=HouseholdRefusalReason.choices, blank=True
    )
    household_refusal_justified = models.BooleanField("refus justifié", null=True, blank=True)
    decision_comment = models.TextField("commentaire de la décision", blank=True)
    # The household visited and accepted the place or dwelling the program offered (the SIAO
    # records it and the partner is told: interconnection use case 5).
    household_accepted_at = models.DateTimeField("acceptée par le ménage le", null=True, blank=True)
    household_accepted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = "orientation"
        indexes = [
            models.Index(fields=["program", "status"], name="referral_program_status"),
            models.Index(fields=["request", "status"], name="referral_request_status"),
            models.Index(fields=["updated_at", "id"], name="referral_feed"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "program"],
                condition=Q(status__in=["proposed", "accepted"]),
                name="referral_one_active_per_program",
            ),
        ]


class StayQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)


class Stay(BaseModel):
    """A prise en charge: admission starts it, the exit ends it. Without referral: a direct
    admission by the program."""

    household = models.ForeignKey("households.Household", on_delete=models.CASCADE, related_name="stays")
    program = models.ForeignKey("offer.Program", on_delete=models.PROTECT, related_name="stays")
    place = models.ForeignKey("offer.Place", on_delete=models.SET_NULL, related_name="stays", null=True, blank=True)
    request = models.ForeignKey(Request, on_delete=models.SET_NULL, related_name="stays", null=True, blank=True)
    referral = models.OneToOneField(Referral, on_delete=models.SET_NULL, related_name="stay", null=True, blank=True)
    started_on = models.DateField("date d'admission")
    ended_on = models.DateField("date de sortie", null=True, blank=True)
    exit_reason = models.CharField("motif de sortie", max_length=30, choices=ExitReason.choices, blank=True)
    exit_destination = models.PositiveSmallIntegerField(
        "situation à la sortie", choices=ExitDestination.choices, null=True, blank=True
    )
    exit_comment = models.TextField("précisions sur la sortie", blank=True)
    admitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    objects = StayQuerySet.as_manager()

    class Meta:
        verbose_name = "prise en charge"
        indexes = [
            models.Index(fields=["program", "ended_on"], name="stay_program_current"),
            models.Index(fields=["household", "started_on"], name="stay_household"),
            models.Index(fields=["updated_at", "id"], name="stay_feed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="stay_exit_after_admission",
            ),
            models.UniqueConstraint(
                fields=["place"], condition=Q(ended_on__isnull=True, place__isnull=False), name="stay_one_per_place"
            ),
        ]

    def clean(self):
        super().clean()
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "La date de sortie ne peut pas précéder la date d'admission."})
