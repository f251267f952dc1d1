"""The retention runs (their progress and report) and the special authorizations to read the
legal archive. Both live in the default database: the archive itself is siao/archive."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class RunStatus(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Interrompu"


class RetentionRun(models.Model):
    """One passage of the retention run: a dry run (report only) or a real one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dry_run = models.BooleanField("simulation", default=True)
    status = models.CharField("état", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField("demandé le", default=timezone.now)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    cutoff = models.DateTimeField("sans action depuis le", null=True, blank=True)
    total = models.PositiveIntegerField("dossiers à traiter", default=0)
    done = models.PositiveIntegerField("dossiers traités", default=0)
    step = models.CharField("étape", max_length=200, blank=True)
    heartbeat_at = models.DateTimeField("dernières nouvelles", null=True, blank=True)
    report = models.JSONField("rapport", default=dict, blank=True)
    error = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "passage de conservation"
        verbose_name_plural = "passages de conservation"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        kind = "Simulation" if self.dry_run else "Purge"
        return f"{kind} du {timezone.localtime(self.created_at):%d/%m/%Y à %H:%M}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == RunStatus.DONE else 0
        return min(100, round(100 * self.done / self.total))


class ArchiveAuthorizationQuerySet(models.QuerySet):
    def active(self, when=None):
        today = timezone.localdate(when) if when else timezone.localdate()
        return self.filter(revoked_at__isnull=True, starts_on__lte=today, ends_on__gte=today)


class ArchiveAuthorization(models.Model):
    """The special authorization of the Dihal (granted by an Administrateur national): one
    user, one stated purpose, a few days or weeks. Every search and read is audited with it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="archive_authorizations")
    department = models.ForeignKey(
        "geo.Department",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="département",
        help_text="Vide : les dossiers archivés de tous les départements.",
    )
    purpose = models.TextField(
        "finalité",
        help_text="Pourquoi l'archive doit être consultée : contentieux, demande d'une autorité, exercice d'un droit…",
    )
    reference = models.CharField(
        "référence", max_length=200, blank=True, help_text="Par exemple : numéro de la requête ou du courrier."
    )
    starts_on = models.DateField("à partir du")
    ends_on = models.DateField("jusqu'au")
    granted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField("accordée le", default=timezone.now)
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)
    revoked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    objects = ArchiveAuthorizationQuerySet.as_manager()

    class Meta:
        verbose_name = "autorisation d'accès à l'archive"
        verbose_name_plural = "autorisations d'accès à l'archive"
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="archive_authorization_dates")
        ]

    def __str__(self):
        return f"Autorisation de {self.user} jusqu'au {self.ends_on:%d/%m/%Y}"

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.revoked_at is None and self.starts_on <= today <= self.ends_on
