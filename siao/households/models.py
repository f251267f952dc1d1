"""The household file (dossier unique): households, persons and their membership over time,
residential situations, assessments (versioned, by section), notes (transmissions) and the
programs accompanying the household, and the requests of the persons exercising their rights
on their data (RGPD).

Reads go through `Household.objects.visible_to(actor)` (siao/households/permissions.py) and
`access.get_*_for()`; writes through siao/households/actions.py, which audit."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from siao.core.models import BaseModel, ChoiceLabelsMixin

from .enums import (
    AssessmentKind,
    ContactChannel,
    ContractType,
    FamilySituation,
    HousingSituation,
    MemberLeftReason,
    Nationality,
    Relationship,
    ResidenceRight,
    RightsRequestChannel,
    RightsRequestKind,
    RightsRequestStatus,
    Section,
    Sex,
    SocialSecurity,
)
from .search import name_key, sound_key


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, actor):
        from .permissions import households_visible_q

        condition = households_visible_q(actor)
        return self.none() if condition is None else self.filter(condition)


class Household(BaseModel):
    """A household: one or more persons asking together, one of them the head."""

    department = models.ForeignKey(
        "geo.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="département du dossier",
        help_text="Le SIAO de ce département tient le dossier.",
    )
    composition = models.ForeignKey(
        "offer.Public",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="composition familiale",
        limit_choices_to={"kind": "composition"},
        null=True,
        blank=True,
    )
    specific_publics = models.ManyToManyField(
        "offer.Public",
        related_name="+",
        verbose_name="publics spécifiques",
        limit_choices_to={"kind": "specific"},
        blank=True,
    )
    head = models.ForeignKey(
        "Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="personne de référence",
        null=True,
        blank=True,
    )
    member_count = models.PositiveSmallIntegerField("nombre de personnes", default=0)
    children_count = models.PositiveSmallIntegerField("dont enfants", default=0)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True)
    created_by_organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", null=True
    )
    # The retention clock (ARCHITECTURE "Data protection by design"): moved only by actions.
    last_action_at = models.DateTimeField("dernière action", default=timezone.now, db_index=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "ménage"
        verbose_name_plural = "ménages"
        indexes = [models.Index(fields=["department", "-last_action_at"], name="household_dept_action")]

    def __str__(self):
        return f"Ménage de {self.head}" if self.head_id else "Ménage"

    def current_members(self):
        return self.members.filter(left_on__isnull=True)


class PersonQuerySet(models.QuerySet):
    def visible_to(self, actor):
        """Persons who are or were members of a household the actor sees (an EXISTS, not a
        DISTINCT join: it keeps the search's LIMIT cheap at national size)."""
        visible = Household.objects.visible_to(actor).values("pk")
        return self.filter(Exists(HouseholdMember.objects.filter(person=OuterRef("pk"), household__in=visible)))


class Person(BaseModel):
    # Identity
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150)
    birth_name = models.CharField("nom de naissance", max_length=150, blank=True)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    birth_date_is_estimated = models.BooleanField("date de naissance approximative", default=False)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    # Family situation
    family_situation = models.PositiveSmallIntegerField(
        "situation familiale", choices=FamilySituation.choices, default=FamilySituation.C1
    )
    # Administrative situation (sensitive: PERSON_SENSITIVE_FIELDS)
    nationality = models.CharField(
        "nationalité", max_length=10, choices=Nationality.choices, default=Nationality.UNKNOWN
    )
    residence_right = models.PositiveSmallIntegerField(
        "droit au séjour", choices=ResidenceRight.choices, null=True, blank=True
    )
    # Resources and employment
    resources = models.JSONField("ressources", default=list, blank=True, help_text="Codes SI SIAO des ressources.")
    monthly_income = models.PositiveIntegerField("ressources mensuelles (euros)", null=True, blank=True)
    contract_type = models.PositiveSmallIntegerField(
        "situation d'emploi", choices=ContractType.choices, default=ContractType.C10
    )
    social_security = models.PositiveSmallIntegerField(
        "couverture sociale", choices=SocialSecurity.choices, default=SocialSecurity.C1
    )
    # Health and violence (sensitive)
    health_follow_up = models.BooleanField(
        "suivi de santé en cours", null=True, blank=True, default=None
    )  # None: not asked
    pregnancy = models.BooleanField("grossesse", null=True, blank=True, default=None)  # None: not asked
    pregnancy_due_on = models.DateField("terme prévu", null=True, blank=True)
    reduced_mobility = models.BooleanField("mobilité réduite", null=True, blank=True, default=None)  # None: not asked
    violence_victim = models.BooleanField(
        "victime de violences", null=True, blank=True, default=None
    )  # None: not asked
    # Search keys, kept by save(): the tolerant duplicate search (siao/households/search.py).
    last_name_key = models.CharField(max_length=150, editable=False, default="")
    first_name_key = models.CharField(max_length=150, editable=False, default="")
    last_name_sound = models.CharField(max_length=8, editable=False, default="")
    first_name_sound = models.CharField(max_length=8, editable=False, default="")

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "personne"
        verbose_name_plural = "personnes"
        indexes = [
            models.Index(fields=["last_name_sound", "first_name_sound", "birth_date"], name="person_sound_birth"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
            models.Index(fields=["last_name_key", "first_name_key"], name="person_name_key"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name.upper()}"

    @property
    def full_name(self) -> str:
        return str(self)

    def clean(self):
        super().clean()
        today = timezone.localdate()
        errors = {}
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = "La date de naissance ne peut pas être dans le futur."
        elif self.birth_date and self.birth_date.year < today.year - 120:
            errors["birth_date"] = "Vérifiez la date de naissance : elle date de plus de 120 ans."
        if self.pregnancy_due_on and not self.pregnancy:
            errors["pregnancy_due_on"] = "Un terme n'est indiqué qu'en cas de grossesse."
        if errors:
            raise ValidationError(errors)

    def age(self, on=None) -> int | None:
        if not self.birth_date:
            return None
        on = on or timezone.localdate()
        return on.year - self.birth_date.year - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))

    def save(self, *args, **kwargs):
        self.last_name_key = name_key(self.last_name)
        self.first_name_key = name_key(self.first_name)
        self.last_name_sound = sound_key(self.last_name)
        self.first_name_sound = sound_key(self.first_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {
                "last_name_key",
                "first_name_key",
                "last_name_sound",
                "first_name_sound",
            }
        super().save(*args, **kwargs)


class HouseholdMember(ChoiceLabelsMixin, models.Model):
    """A person's membership of a household over time: leaving keeps the row (history)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    relationship = models.CharField("lien avec la personne de référence", max_length=20, choices=Relationship.choices)
    joined_on = models.DateField("arrivée dans le ménage", default=timezone.localdate)
    left_on = models.DateField("départ du ménage", null=True, blank=True)
    left_reason = models.CharField("motif du départ", max_length=20, choices=MemberLeftReason.choices, blank=True)

    class Meta:
        verbose_name = "membre du ménage"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(left_on__isnull=True), name="person_one_current_household"
            ),
        ]
        indexes = [models.Index(fields=["household", "left_on"], name="member_household_current")]

    def __str__(self):
        return f"{self.person} ({self.get_relationship_display()})"


class ResidentialSituation(ChoiceLabelsMixin, models.Model):
    """Where a person lives, over time (it drives vulnerability)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residential_situations")
    situation = models.PositiveSmallIntegerField("situation résidentielle", choices=HousingSituation.choices)
    since = models.DateField("depuis le", null=True, blank=True)
    recorded_at = models.DateTimeField("saisie le", default=timezone.now)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["person", "-recorded_at"], name="residential_person_time")]

    def __str__(self):
        return self.get_situation_display()


class Accompaniment(ChoiceLabelsMixin, models.Model):
    """A program accompanying the household (first-contact service, social worker's program):
    it gives the program's roles access to the file while it lasts."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="accompaniments")
    program = models.ForeignKey("offer.Program", on_delete=models.PROTECT, related_name="accompaniments")
    started_on = models.DateField("début", default=timezone.localdate)
    ended_on = models.DateField("fin", null=True, blank=True)
    started_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        verbose_name = "accompagnement"
        constraints = [
            models.UniqueConstraint(
                fields=["household", "program"], condition=Q(ended_on__isnull=True), name="accompaniment_one_open"
            ),
        ]
        indexes = [models.Index(fields=["program", "ended_on", "household"], name="accompaniment_program")]

    def __str__(self):
        return f"Accompagnement par {self.program}"


class Assessment(BaseModel):
    """An evaluation of the household, in sections; each section is versioned."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField("type d'évaluation", max_length=20, choices=AssessmentKind.choices)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    author_organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(
        "offer.Program", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="dispositif"
    )

    class Meta:
        verbose_name = "évaluation"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} du {timezone.localtime(self.created_at):%d/%m/%Y}"


class AssessmentSection(ChoiceLabelsMixin, models.Model):
    """The current content of one section: structured fields (JSON, validated by the section's
    form) and free text. Every change appends an AssessmentSectionVersion."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sections")
    section = models.CharField("rubrique", max_length=20, choices=Section.choices)
    data = models.JSONField("données", default=dict, blank=True)
    text = models.TextField("observations", blank=True)
    version = models.PositiveIntegerField("version", default=0)
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)
    updated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "section"], name="assessment_section_unique")]

    def __str__(self):
        return f"{self.get_section_display()} (version {self.version})"


class AssessmentSectionVersion(ChoiceLabelsMixin, models.Model):
    section = models.ForeignKey(AssessmentSection, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    text = models.TextField(blank=True)
    changed_fields = models.JSONField(default=list)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    changed_by_role = models.CharField(max_length=30)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["section", "version"], name="assessment_version_unique")]

    def __str__(self):
        return f"Version {self.version}"


class Contact(ChoiceLabelsMixin, models.Model):
    """A contact with the household (interview, call, visit...): what happened stays in notes;
    this records that and when, for the journey and the retention clock."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="contacts")
    occurred_on = models.DateField("date du contact")
    channel = models.CharField("type de contact", max_length=20, choices=ContactChannel.choices)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField("profil", max_length=30)
    author_organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("saisi le", auto_now_add=True)

    class Meta:
        verbose_name = "contact avec le ménage"
        indexes = [models.Index(fields=["household", "-occurred_on"], name="contact_household_date")]

    def __str__(self):
        return f"{self.get_channel_display()} du {self.occurred_on:%d/%m/%Y}"


class Note(BaseModel):
    """A transmission: a note on the file between professionals."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField("transmission")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField("profil", max_length=30)
    author_organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "transmission"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["household", "-created_at"], name="note_household_time")]

    def __str__(self):
        return f"Transmission du {timezone.localtime(self.created_at):%d/%m/%Y}"


class RightsRequest(BaseModel):
    """A person exercising a right on their data (RGPD articles 15 to 21): recorded on the file,
    answered by the SIAO holding it within a month (article 12.3). Writes go through
    siao/households/rights.py."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="rights_requests")
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="rights_requests",
        null=True,
        blank=True,
        verbose_name="personne concernée",
        help_text="Vide : la demande porte sur tout le ménage.",
    )
    kind = models.CharField("droit exercé", max_length=20, choices=RightsRequestKind.choices)
    received_on = models.DateField("reçue le")
    due_on = models.DateField("réponse due le", help_text="Un mois après la réception (RGPD, article 12.3).")
    channel = models.CharField("reçue par", max_length=20, choices=RightsRequestChannel.choices)
    by_representative = models.BooleanField("présentée par un représentant", default=False)
    representative = models.CharField("représentant (nom, qualité)", max_length=255, blank=True)
    details = models.TextField("objet de la demande", blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=RightsRequestStatus.choices, default=RightsRequestStatus.RECEIVED
    )
    answer = models.TextField("réponse", blank=True)
    answered_on = models.DateField("répondue le", null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    answered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="enregistrée par"
    )
    # The export of the person's data given in answer to an access request.
    export_count = models.PositiveSmallIntegerField("exports remis", default=0)
    last_exported_at = models.DateTimeField("dernier export le", null=True, blank=True)
    last_exported_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = "demande d'exercice des droits"
        verbose_name_plural = "demandes d'exercice des droits"
        indexes = [
            models.Index(fields=["household", "-received_on"], name="rights_household_received"),
            models.Index(fields=["status", "due_on"], name="rights_status_due"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, demande reçue le {self.received_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.status == RightsRequestStatus.RECEIVED

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()
