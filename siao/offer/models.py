"""The offer: programs (dispositifs) of operators, their funding matrix and publics, their
place groups and places (with a state and its history), support measures and provisions."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from siao.core.models import BaseModel

from .enums import (
    CATEGORY_OF_TYPE,
    FUNDING_LINES,
    NO_OFFER_CATEGORIES,
    FundingLine,
    FundingUnit,
    PlaceCategory,
    PlaceState,
    PlaceType,
    ProgramCategory,
    ProgramType,
    ProvisionKind,
    PublicKind,
    SupportMeasureKind,
    UnavailabilityReason,
    UnitKind,
    ValidationStatus,
    is_validated_directly_by_siao,
)
from .validators import validate_finess, validate_siret


class Public(models.Model):
    """A public a program accepts: the seed's family compositions and specific publics."""

    code = models.CharField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=100)
    kind = models.CharField("nature", max_length=20, choices=PublicKind.choices)
    si_siao_code = models.PositiveIntegerField("code SI SIAO", null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "public"
        ordering = ["kind", "position"]

    def __str__(self):
        return self.label


class ProgramQuerySet(models.QuerySet):
    def of_operator(self, operator):
        return self.filter(operator=operator)

    def validated(self):
        return self.filter(validation_status=ValidationStatus.VALIDATED)

    def open(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.validated().filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=today), Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )

    def orientable(self, today: datetime.date | None = None):
        """Programs the SIAO may orient households to: validated, open, not Premier accueil."""
        return self.open(today).exclude(category__in=NO_OFFER_CATEGORIES)

    def visible_to(self, actor):
        from .permissions import programs_visible_q

        condition = programs_visible_q(actor)
        return self.none() if condition is None else self.filter(condition)


class Program(BaseModel):
    """A dispositif: a service or establishment of an operator that manages places or
    dwellings, support measures or provisions (or, for Premier accueil, none of them)."""

    operator = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="programs",
        verbose_name="entité gestionnaire",
        limit_choices_to={"kind": "operator"},
    )
    # Nature
    category = models.CharField("catégorie", max_length=30, choices=ProgramCategory.choices)
    type = models.CharField("type de dispositif", max_length=40, choices=ProgramType.choices)
    # Identification
    name = models.CharField("nom", max_length=255, help_text="« Type - Nom », par exemple « CHRS - Les Tilleuls ».")
    siret = models.CharField("SIRET", max_length=14, validators=[validate_siret])
    finess = models.CharField("FINESS", max_length=9, blank=True, validators=[validate_finess])
    orienting_siaos = models.ManyToManyField(
        "accounts.Organization",
        verbose_name="SIAO pouvant orienter",
        related_name="orientable_programs",
        blank=True,
        limit_choices_to={"kind": "siao"},
    )
    publics = models.ManyToManyField(Public, verbose_name="publics acceptés", related_name="programs", blank=True)
    # Funding matrix
    funding_unit = models.CharField(
        "unité du tableau Financement", max_length=20, choices=FundingUnit.choices, default=FundingUnit.PLACES
    )
    funded_p177 = models.PositiveIntegerField("financées P177", default=0)
    funded_non_p177 = models.PositiveIntegerField("financées / co-financées hors P177", default=0)
    funded_iml_plus = models.PositiveIntegerField("financées « IML+ »", default=0)
    total_managed = models.PositiveIntegerField("total géré par le dispositif", default=0)
    prefectoral_quota = models.PositiveIntegerField("dont contingent préfectoral", default=0)
    # Location
    department = models.ForeignKey(
        "geo.Department", on_delete=models.PROTECT, related_name="programs", verbose_name="département"
    )
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="programs", verbose_name="commune", null=True, blank=True
    )
    address = models.CharField("adresse", max_length=255, blank=True)
    address_complement = models.CharField("complément d'adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("ville", max_length=100, blank=True)
    contact_phone = models.CharField("téléphone de contact", max_length=20, blank=True)
    contact_email = models.EmailField("adresse électronique de contact", blank=True)
    # Settings
    cancel_non_smo_authorizations = models.BooleanField(
        "annuler les autorisations hors orientation SMO", default=False
    )
    crod_coverage = models.BooleanField("couverture CROD", default=False)
    starts_on = models.DateField("date de début", null=True, blank=True)
    ends_on = models.DateField("date de fin", null=True, blank=True)
    # Validation circuit
    validation_status = models.CharField(
        "statut", max_length=20, choices=ValidationStatus.choices, default=ValidationStatus.SUBMITTED, db_index=True
    )
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="demandé par"
    )
    submitted_at = models.DateTimeField("demandé le", null=True, blank=True)
    prevalidated_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="pré-validé par",
    )
    prevalidated_at = models.DateTimeField("pré-validé le", null=True, blank=True)
    validated_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="validé par"
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    refused_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="refusé par"
    )
    refused_at = models.DateTimeField("refusé le", null=True, blank=True)
    refusal_reason = models.TextField("motif du refus", blank=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = "dispositif"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["department", "validation_status"]),
            models.Index(fields=["category", "type"]),
            # The partner API's feeds read in (updated_at, id) order (cursor pagination).
            models.Index(fields=["updated_at", "id"], name="offer_program_feed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(funded_iml_plus=0) | Q(category=ProgramCategory.IML), name="iml_plus_only_for_iml"
            ),
            models.CheckConstraint(
                condition=Q(
                    total_managed__gte=models.F("funded_p177")
                    + models.F("funded_non_p177")
                    + models.F("funded_iml_plus")
                ),
                name="total_covers_funded_lines",
            ),
            models.CheckConstraint(
                condition=Q(prefectoral_quota__lte=models.F("total_managed")), name="quota_within_total"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="program_dates_in_order",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def holds_offer(self) -> bool:
        """Premier accueil holds no places, measures nor provisions."""
        return self.category not in NO_OFFER_CATEGORIES

    @property
    def status_label(self) -> str:
        """The status as the reviewers read it: a submitted program of the direct circuit
        awaits a validation, not a pre-validation."""
        if self.validation_status == ValidationStatus.SUBMITTED and is_validated_directly_by_siao(self.type):
            return "À valider (validation directe par le SIAO)"
        return self.get_validation_status_display()

    @property
    def funded_capacity(self) -> int:
        return self.funded_p177 + self.funded_non_p177 + self.funded_iml_plus

    @property
    def funding_lines(self) -> list[str]:
        return FUNDING_LINES[self.category]

    def is_open(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.validation_status == ValidationStatus.VALIDATED
            and (self.starts_on is None or self.starts_on <= today)
            and (self.ends_on is None or self.ends_on >= today)
        )

    def can_receive_orientations(self, today: datetime.date | None = None) -> bool:
        return self.holds_offer and self.is_open(today)

    def clean(self):
        errors = {}
        if self.type and CATEGORY_OF_TYPE.get(self.type) != self.category:
            errors["type"] = "Ce type de dispositif n'appartient pas à cette catégorie."
        if self.siret and self.operator_id and self.operator.siren and self.siret[:9] != self.operator.siren:
            errors["siret"] = (
                f"Ce SIRET n'appartient pas à l'entité gestionnaire : il doit commencer par son SIREN "
                f"({self.operator.siren})."
            )
        if self.category and FundingLine.IML_PLUS not in FUNDING_LINES[self.category] and self.funded_iml_plus:
            errors["funded_iml_plus"] = "La ligne « IML+ » ne concerne que les dispositifs de Logement IML."
        if self.category:
            # Lines the category does not show must stay empty (Premier accueil: no matrix at all).
            for line, field in FUNDING_FIELDS.items():
                if line not in FUNDING_LINES[self.category] and getattr(self, field) and field not in errors:
                    errors[field] = (
                        f"La ligne « {FundingLine(line).label} » ne concerne pas les dispositifs "
                        f"« {ProgramCategory(self.category).label} »."
                    )
        if self.total_managed < self.funded_capacity:
            errors["total_managed"] = (
                f"Le total géré ne peut pas être inférieur à la somme des lignes financées ({self.funded_capacity})."
            )
        if self.prefectoral_quota > self.total_managed:
            errors["prefectoral_quota"] = "Le contingent préfectoral ne peut pas dépasser le total géré."
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "La date de fin doit suivre la date de début."
        if self.commune_id and self.department_id and self.commune.department_id != self.department_id:
            errors["commune"] = "Cette commune n'est pas dans le département du dispositif."
        if self.commune_id and self.postal_code and self.postal_code not in self.commune.postal_code_list:
            errors["postal_code"] = "Ce code postal ne correspond pas à la commune choisie."
        if errors:
            raise ValidationError(errors)


# The Program field holding each funding line.
FUNDING_FIELDS: dict[str, str] = {
    FundingLine.P177: "funded_p177",
    FundingLine.NON_P177: "funded_non_p177",
    FundingLine.IML_PLUS: "funded_iml_plus",
    FundingLine.TOTAL: "total_managed",
    FundingLine.PREFECTORAL_QUOTA: "prefectoral_quota",
}


def _refuse_on_first_reception(program: Program, what: str) -> None:
    if not program.holds_offer:
        raise ValidationError(f"Un dispositif de Premier accueil n'a ni places, ni mesures, ni prestations : {what}.")


class PlaceGroupQuerySet(models.QuerySet):
    def visible_to(self, actor):
        return self.filter(program__in=Program.objects.visible_to(actor))


class PlaceGroup(BaseModel):
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="place_groups", verbose_name="dispositif"
    )
    name = models.CharField("nom", max_length=255)
    unit_kind = models.CharField("unité", max_length=20, choices=UnitKind.choices, default=UnitKind.PLACE)
    place_type = models.CharField("type de place", max_length=30, choices=PlaceType.choices)
    place_category = models.CharField("catégorie de place", max_length=30, choices=PlaceCategory.choices)
    capacity = models.PositiveIntegerField("capacité")
    publics = models.ManyToManyField(Public, verbose_name="publics", related_name="place_groups", blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("ville", max_length=100, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="créé par"
    )

    objects = PlaceGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "groupe de places"
        verbose_name_plural = "groupes de places"
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="place_group_capacity_positive")]
        indexes = [
            models.Index(fields=["program", "capacity"], name="offer_group_program_capacity"),
            models.Index(fields=["updated_at", "id"], name="offer_group_feed"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.program_id:
            _refuse_on_first_reception(self.program, "aucun groupe de places ne peut y être créé")

    def save(self, *args, **kwargs):
        # Enforced in the model, whatever the caller: Premier accueil never holds places.
        self.clean()
        super().save(*args, **kwargs)


class PlaceQuerySet(models.QuerySet):
    def visible_to(self, actor):
        return self.filter(place_group__program__in=Program.objects.visible_to(actor))


class Place(BaseModel):
    place_group = models.ForeignKey(PlaceGroup, on_delete=models.CASCADE, related_name="places", verbose_name="groupe")
    label = models.CharField("libellé", max_length=100)
    state = models.CharField("état", max_length=20, choices=PlaceState.choices, default=PlaceState.AVAILABLE)
    unavailability_reason = models.CharField(
        "motif d'indisponibilité", max_length=20, choices=UnavailabilityReason.choices, blank=True
    )
    unavailable_until = models.DateField("indisponible jusqu'au", null=True, blank=True)
    state_changed_at = models.DateTimeField("état modifié le", default=timezone.now)
    version = models.PositiveIntegerField("version", default=0)
    # Denormalized from the program, so that the vacancy board filters without joins.
    department = models.ForeignKey("geo.Department", on_delete=models.PROTECT, related_name="+")

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = "place"
        ordering = ["place_group", "label"]
        indexes = [
            models.Index(fields=["department", "state"]),
            models.Index(fields=["place_group", "state"]),
            models.Index(fields=["updated_at", "id"], name="offer_place_feed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state=PlaceState.UNAVAILABLE) | Q(unavailability_reason=""),
                name="unavailability_reason_only_when_unavailable",
            ),
            models.CheckConstraint(
                condition=~Q(state=PlaceState.UNAVAILABLE) | ~Q(unavailability_reason=""),
                name="unavailable_place_has_reason",
            ),
        ]

    def __str__(self):
        return self.label


class PlaceStateChange(models.Model):
    """The history of a place's states: what the occupied capacity at a past date is read from."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=20, choices=PlaceState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=PlaceState.choices)
    reason = models.CharField(max_length=20, choices=UnavailabilityReason.choices, blank=True)
    until = models.DateField(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        verbose_name = "changement d'état"
        ordering = ["-changed_at", "-pk"]
        # The state of a place at a date is its latest change up to then: this index answers
        # that lookup alone (to_state included), for the capacity dashboard at a past date.
        indexes = [
            models.Index(fields=["place", "changed_at", "id", "to_state"], name="offer_change_place_time_state")
        ]

    def __str__(self):
        return f"{self.place_id}: {self.from_state} → {self.to_state}"


class SupportMeasure(BaseModel):
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="support_measures", verbose_name="dispositif"
    )
    kind = models.CharField("mesure", max_length=20, choices=SupportMeasureKind.choices)
    capacity = models.PositiveIntegerField("nombre de mesures", default=0)
    description = models.CharField("description", max_length=255, blank=True)

    class Meta:
        verbose_name = "mesure d'accompagnement"
        verbose_name_plural = "mesures d'accompagnement"

    def __str__(self):
        return self.get_kind_display()

    def save(self, *args, **kwargs):
        _refuse_on_first_reception(self.program, "aucune mesure ne peut y être rattachée")
        super().save(*args, **kwargs)


class Provision(BaseModel):
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="provisions", verbose_name="dispositif"
    )
    kind = models.CharField("prestation", max_length=20, choices=ProvisionKind.choices)
    description = models.CharField("description", max_length=255, blank=True)

    class Meta:
        verbose_name = "prestation"

    def __str__(self):
        return self.get_kind_display()

    def save(self, *args, **kwargs):
        _refuse_on_first_reception(self.program, "aucune prestation ne peut y être rattachée")
        super().save(*args, **kwargs)


class CreationRequestStatus(models.TextChoices):
    NEW = "new", "Nouvelle"
    HANDLED = "handled", "Traitée"
    REJECTED = "rejected", "Rejetée"


class CreationRequest(BaseModel):
    """A request, by anyone (no account needed), to create an operator and/or a program."""

    reference = models.CharField("référence", max_length=20, unique=True)
    requester_first_name = models.CharField("prénom", max_length=150)
    requester_last_name = models.CharField("nom", max_length=150)
    requester_email = models.EmailField("adresse électronique")
    requester_phone = models.CharField("téléphone", max_length=20, blank=True)
    requester_role = models.CharField("fonction", max_length=150, blank=True)
    operator_name = models.CharField("raison sociale de l'entité", max_length=255)
    operator_siren = models.CharField("SIREN de l'entité", max_length=9)
    program_type = models.CharField("type de dispositif", max_length=40, choices=ProgramType.choices, blank=True)
    program_name = models.CharField("nom du dispositif", max_length=255, blank=True)
    program_siret = models.CharField("SIRET du dispositif", max_length=14, blank=True)
    department = models.ForeignKey(
        "geo.Department", on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    description = models.TextField("précisions", blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=CreationRequestStatus.choices, default=CreationRequestStatus.NEW
    )
    handled_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField("réponse", blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "demande de création"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client_ip", "created_at"]), models.Index(fields=["department", "status"])]

    def __str__(self):
        return self.reference


class ProgramDraft(BaseModel):
    """The creation wizard's work in progress: survives a reload, belongs to its author."""

    author = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="program_drafts")
    membership = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    completed_step = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "brouillon de dispositif"
        ordering = ["-updated_at"]

    def __str__(self):
        return f"brouillon {self.public_id}"
