"""The 115 and veille sociale (DOMAIN.md "Emergency (115)"): calls, emergency requests with
their outcome, the places they hold, the nights of the stays they lead to, and the street
outreach teams' encounters and signals to the 115.

Reads go through `visible_to(actor)` (siao/emergency/permissions.py) and access.py; writes
through siao/emergency/actions.py, which audit."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from siao.core.models import BaseModel
from siao.households.enums import HousingSituation, RequestReason

from .enums import CallerType, EmergencyStatus, SignalStatus, SleepingPlace, UnmetReason


class VisibleQuerySet(models.QuerySet):
    """`visible_to(actor)` from the condition permissions.py gives for this model."""

    condition_name = ""

    def visible_to(self, actor):
        from . import permissions

        condition = getattr(permissions, self.condition_name)(actor)
        return self.none() if condition is None else self.filter(condition)


class CallQuerySet(VisibleQuerySet):
    condition_name = "calls_visible_q"


class Call(BaseModel):
    """An appel au 115, logged the moment it is taken."""

    department = models.ForeignKey("geo.Department", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField("reçu le", default=timezone.now)
    caller_type = models.CharField("appelant", max_length=20, choices=CallerType.choices)
    caller_detail = models.CharField(
        "précision sur l'appelant", max_length=200, blank=True, help_text="Par exemple : urgences de l'hôpital Nord."
    )
    handler = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="écoutant")
    household = models.ForeignKey(
        "households.Household", on_delete=models.SET_NULL, related_name="calls", null=True, blank=True
    )
    signal = models.ForeignKey(
        "OutreachSignal", on_delete=models.SET_NULL, related_name="calls", null=True, blank=True
    )
    comment = models.TextField("notes de l'appel", blank=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = "appel"
        indexes = [
            models.Index(fields=["department", "-received_at"], name="call_department_received"),
            # The desk's "my last calls".
            models.Index(fields=["handler", "-received_at"], name="call_handler_received"),
        ]

    def __str__(self):
        return f"Appel du {timezone.localtime(self.received_at):%d/%m/%Y à %H:%M}"


class EmergencyRequestQuerySet(VisibleQuerySet):
    condition_name = "emergency_requests_visible_q"


class EmergencyRequest(BaseModel):
    """A demande d'urgence: one household, one night asked for, one outcome."""

    household = models.ForeignKey("households.Household", on_delete=models.CASCADE, related_name="emergency_requests")
    call = models.ForeignKey(Call, on_delete=models.SET_NULL, related_name="requests", null=True, blank=True)
    department = models.ForeignKey("geo.Department", on_delete=models.PROTECT, related_name="+")
    night_of = models.DateField("nuit du", help_text="La nuit qui commence ce soir-là.")
    status = models.CharField(
        "statut", max_length=20, choices=EmergencyStatus.choices, default=EmergencyStatus.PENDING
    )
    # Vulnerability and precarity (what the 115 needs tonight).
    sleeping_place = models.CharField(
        "où la personne dormira-t-elle ce soir ?", max_length=20, choices=SleepingPlace.choices
    )
    housing_situation = models.PositiveSmallIntegerField(
        "situation résidentielle", choices=HousingSituation.choices, null=True, blank=True
    )
    reason = models.PositiveSmallIntegerField(
        "motif de la demande", choices=RequestReason.choices, null=True, blank=True
    )
    health_urgency = models.BooleanField("urgence de santé", default=False)
    violence = models.BooleanField("violences subies", default=False)
    reduced_mobility = models.BooleanField("mobilité réduite", default=False)
    with_animal = models.BooleanField("accompagné(e) d'un animal", default=False)
    comment = models.TextField("éléments de la demande", blank=True)
    # Snapshot of the household at the time of the request (the daily figures read these).
    composition = models.ForeignKey("offer.Public", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    member_count = models.PositiveSmallIntegerField("nombre de personnes", default=1)
    children_count = models.PositiveSmallIntegerField("dont enfants", default=0)
    persons = models.ManyToManyField("households.Person", related_name="+", blank=True)
    # Orientation (the places held are the active Placements).
    program = models.ForeignKey(
        "offer.Program", on_delete=models.PROTECT, related_name="emergency_requests", null=True, blank=True
    )
    place_group = models.ForeignKey(
        "offer.PlaceGroup", on_delete=models.PROTECT, related_name="emergency_requests", null=True, blank=True
    )
    oriented_at = models.DateTimeField("orientée le", null=True, blank=True)
    oriented_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    # Outcome
    unmet_reason = models.CharField("motif de non-attribution", max_length=30, choices=UnmetReason.choices, blank=True)
    outcome_comment = models.TextField("précisions", blank=True)
    outcome_at = models.DateTimeField("issue enregistrée le", null=True, blank=True)
    outcome_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    stay = models.OneToOneField(
        "orientation.Stay", on_delete=models.SET_NULL, related_name="emergency_request", null=True, blank=True
    )
    last_night = models.DateField("dernière nuit accordée", null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=0)

    objects = EmergencyRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande d'urgence"
        verbose_name_plural = "demandes d'urgence"
        indexes = [
            models.Index(fields=["department", "night_of", "status"], name="emergency_dept_night"),
            models.Index(fields=["program", "status"], name="emergency_program_status"),
            models.Index(fields=["household", "night_of"], name="emergency_household_night"),
        ]
        constraints = [
            # One open request per household and night: two handlers taking two calls of the
            # same household at once create one request, not two.
            models.UniqueConstraint(
                fields=["household", "night_of"],
                condition=Q(status__in=["pending", "oriented"]),
                name="emergency_one_open_per_night",
            ),
            models.CheckConstraint(
                condition=~Q(status="unmet") | ~Q(unmet_reason=""), name="emergency_unmet_has_reason"
            ),
        ]

    def __str__(self):
        return f"Demande d'urgence, nuit du {self.night_of:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.status in (EmergencyStatus.PENDING, EmergencyStatus.ORIENTED)


class Placement(models.Model):
    """A place held (then occupied) for an emergency request. A household takes as many
    places as it has persons in one place group, or one dwelling. One active placement per
    place, enforced by the database: nothing is double-booked."""

    request = models.ForeignKey(EmergencyRequest, on_delete=models.CASCADE, related_name="placements")
    place = models.ForeignKey("offer.Place", on_delete=models.CASCADE, related_name="emergency_placements")
    held_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["place"], condition=Q(released_at__isnull=True), name="placement_one_active_per_place"
            )
        ]

    def __str__(self):
        return f"{self.place} ({self.request_id})"


class Night(models.Model):
    """A nuitée granted to a stay (renewed night by night)."""

    stay = models.ForeignKey("orientation.Stay", on_delete=models.CASCADE, related_name="nights")
    night = models.DateField("nuit du")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "nuitée"
        ordering = ["night"]
        constraints = [models.UniqueConstraint(fields=["stay", "night"], name="night_unique_per_stay")]

    def __str__(self):
        return f"Nuit du {self.night:%d/%m/%Y}"


class EncounterQuerySet(VisibleQuerySet):
    condition_name = "encounters_visible_q"


class OutreachEncounter(BaseModel):
    """A rencontre by a street outreach team (program of type Maraude)."""

    program = models.ForeignKey("offer.Program", on_delete=models.PROTECT, related_name="encounters")
    department = models.ForeignKey("geo.Department", on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField("date et heure de la rencontre", default=timezone.now)
    location = models.CharField("lieu", max_length=255, help_text="Adresse, carrefour, station, repère…")
    household = models.ForeignKey(
        "households.Household", on_delete=models.SET_NULL, related_name="encounters", null=True, blank=True
    )
    persons_count = models.PositiveSmallIntegerField("nombre de personnes rencontrées", default=1)
    description = models.CharField(
        "description (si la personne n'est pas connue)",
        max_length=255,
        blank=True,
        help_text="Sans nom : par exemple « homme, la quarantaine, avec un chien ».",
    )
    needs = models.JSONField("besoins", default=list, blank=True)
    provisions = models.JSONField("prestations délivrées", default=list, blank=True)
    comment = models.TextField("observations", blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    objects = EncounterQuerySet.as_manager()

    class Meta:
        verbose_name = "rencontre de maraude"
        verbose_name_plural = "rencontres de maraude"
        indexes = [models.Index(fields=["program", "-occurred_at"], name="encounter_program_time")]

    def __str__(self):
        return f"Rencontre du {timezone.localtime(self.occurred_at):%d/%m/%Y à %H:%M}"

    def needs_labels(self) -> list[str]:
        from .enums import EncounterNeed

        return [EncounterNeed(value).label for value in self.needs if value in EncounterNeed.values]

    def provisions_labels(self) -> list[str]:
        from .enums import Provision

        return [Provision(value).label for value in self.provisions if value in Provision.values]


class SignalQuerySet(VisibleQuerySet):
    condition_name = "signals_visible_q"


class OutreachSignal(BaseModel):
    """A signalement from an outreach team to the 115 of its département."""

    encounter = models.OneToOneField(OutreachEncounter, on_delete=models.CASCADE, related_name="signal")
    department = models.ForeignKey("geo.Department", on_delete=models.PROTECT, related_name="+")
    message = models.TextField("message pour le 115")
    is_urgent = models.BooleanField("urgent", default=False)
    status = models.CharField("statut", max_length=20, choices=SignalStatus.choices, default=SignalStatus.NEW)
    sent_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    taken_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    taken_at = models.DateTimeField("pris en charge le", null=True, blank=True)
    closed_at = models.DateTimeField("clos le", null=True, blank=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        verbose_name = "signalement au 115"
        indexes = [models.Index(fields=["department", "status", "-created_at"], name="signal_department_status")]

    def __str__(self):
        return f"Signalement du {timezone.localtime(self.created_at):%d/%m/%Y à %H:%M}"
