"""Users, organizations and memberships: who a user is and, through each membership, which
role they hold in which organization (and so on which perimeter)."""

import datetime
import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.fr import siren

from siao.core.models import BaseModel
from siao.offer.enums import LegalStatus, ValidationStatus

from .enums import MembershipStatus, OrganizationKind, Role
from .roles import PROGRAM_ROLES, ROLE_ORGANIZATION_KINDS


def validate_siren(value: str) -> None:
    try:
        siren.validate(value)
    except StdnumValidationError as exc:
        raise ValidationError(
            "Le numéro SIREN « %(value)s » n'est pas valide : il compte 9 chiffres et sa clé de contrôle doit "
            "être juste.",
            params={"value": value},
            code="invalid_siren",
        ) from exc


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, **extra_fields):
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_unusable_password()  # no passwords: ProConnect or a one-time code
        user.save(using=self._db)
        return user


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


class User(AbstractBaseUser):
    """A person who uses the SI SIAO, known by an individual professional email."""

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("adresse électronique professionnelle", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    is_active = models.BooleanField("actif", default=True)
    date_joined = models.DateTimeField("créé le", default=timezone.now)
    is_demo = models.BooleanField("compte de démonstration", default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name.upper()}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class OrganizationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_departments(self, department_ids):
        return self.filter(departments__in=department_ids).distinct()


class Organization(BaseModel):
    """Dihal, a DDETS, a SIAO or an operator (entité gestionnaire): the employer that vouches
    for its staff's memberships, and the perimeter of their roles."""

    kind = models.CharField("type", max_length=20, choices=OrganizationKind.choices)
    name = models.CharField("nom", max_length=255)
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    departments = models.ManyToManyField(
        "geo.Department",
        verbose_name="départements",
        related_name="organizations",
        blank=True,
        help_text="Le département d'un service de l'État ou d'un SIAO ; ceux où travaille une entité gestionnaire.",
    )
    is_active = models.BooleanField("active", default=True)
    # Operators (entités gestionnaires): their description (seed, module Offre).
    legal_status = models.CharField("statut juridique", max_length=30, choices=LegalStatus.choices, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("ville", max_length=100, blank=True)
    accreditation = models.CharField("agrément", max_length=255, blank=True)
    collective_agreement = models.CharField("convention collective", max_length=255, blank=True)
    p177_agreement = models.BooleanField("convention P177", default=False)
    referents = models.TextField("référents", blank=True, help_text="Nom, fonction et coordonnées, un par ligne.")
    validation_status = models.CharField(
        "statut", max_length=20, choices=ValidationStatus.choices, default=ValidationStatus.VALIDATED
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siren"],
                condition=Q(kind=OrganizationKind.OPERATOR) & ~Q(siren=""),
                name="unique_operator_siren",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganizationKind.OPERATOR) | ~Q(siren=""), name="operator_has_siren"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == OrganizationKind.OPERATOR and not self.siren:
            raise ValidationError({"siren": "Le SIREN est obligatoire pour une entité gestionnaire."})


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, actor):
        """The actor's own memberships, and those the actor may review and revoke."""
        from .permissions import manageable_memberships_q

        manageable = manageable_memberships_q(actor)
        return self.filter(Q(user=actor.user) if manageable is None else Q(user=actor.user) | manageable)

    def manageable_by(self, actor):
        from .permissions import manageable_memberships_q

        manageable = manageable_memberships_q(actor)
        if manageable is None:
            return self.none()
        return self.filter(manageable)

    def active(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            revoked_at__isnull=True,
            organization__is_active=True,
            user__is_active=True,
        )

    def due_for_review(self, now: datetime.datetime | None = None):
        """Active memberships whose last review is older than the review period, or that end
        within 30 days (so that someone decides whether to extend them)."""
        now = now or timezone.now()
        cutoff = now - datetime.timedelta(days=settings.MEMBERSHIP_REVIEW_PERIOD_DAYS)
        soon = timezone.localdate(now) + datetime.timedelta(days=30)
        return self.active(timezone.localdate(now)).filter(Q(last_reviewed_at__lt=cutoff) | Q(ends_on__lte=soon))


class Membership(BaseModel):
    """A role held by a user in an organization, granted by someone entitled to (employer
    authorization), optionally until an end date, reviewed periodically."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships", verbose_name="utilisateur")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships", verbose_name="organisation"
    )
    role = models.CharField("profil", max_length=30, choices=Role.choices)
    program = models.ForeignKey(
        "offer.Program",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name="dispositif",
        null=True,
        blank=True,
    )
    ends_on = models.DateField("fin de validité", null=True, blank=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="accordé par"
    )
    last_reviewed_at = models.DateTimeField("dernière revue", default=timezone.now)
    last_reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="revu par"
    )
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="révoqué par"
    )
    revocation_reason = models.CharField("motif de révocation", max_length=255, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "habilitation"
        ordering = ["organization__name", "role"]
        indexes = [models.Index(fields=["user", "revoked_at"]), models.Index(fields=["last_reviewed_at"])]

    def __str__(self):
        where = self.program.name if self.program_id else self.organization.name
        return f"{self.get_role_display()} — {where}"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return MembershipStatus.REVOKED
        if self.ends_on and self.ends_on < timezone.localdate():
            return MembershipStatus.EXPIRED
        return MembershipStatus.ACTIVE

    def get_status_display(self) -> str:
        return MembershipStatus(self.status).label

    def clean(self):
        allowed = ROLE_ORGANIZATION_KINDS[self.role]
        if self.organization.kind not in allowed:
            raise ValidationError(
                {"role": f"Le profil « {self.get_role_display()} » ne peut pas être tenu dans cette organisation."}
            )
        if self.role in PROGRAM_ROLES:
            if not self.program_id:
                raise ValidationError({"program": "Ce profil s'exerce sur un dispositif : choisissez-le."})
            if self.program.operator_id != self.organization_id:
                raise ValidationError({"program": "Ce dispositif n'appartient pas à cette entité gestionnaire."})
        elif self.program_id:
            raise ValidationError({"program": "Ce profil ne s'exerce pas sur un dispositif : laissez ce champ vide."})


class LoginCode(models.Model):
    """A one-time code sent to the user's professional email: short-lived, single use, and
    burnt after a few wrong guesses. Only its keyed hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "code de connexion"

    def __str__(self):
        return f"code de {self.user_id} ({self.created_at:%Y-%m-%d %H:%M})"
