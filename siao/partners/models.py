"""Partner clients of the interconnection API (an operator's information system, Adoma
first), their secrets and short-lived tokens, the idempotency records of their POSTs, and
the webhook outbox with its delivery log. Writes go through siao/partners/actions.py (admin
side), siao/partners/outbox.py (events) and siao/partners/delivery.py (the worker)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from siao.core.models import BaseModel

from .enums import EventStatus, EventType, Scope


class PartnerClientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class PartnerClient(BaseModel):
    """A partner's system, registered by the Administrateur national: tied to one or more
    operators (entités gestionnaires), it sees and changes only their offer and the referrals
    made to their programs. Its actions are recorded in the audit trail under its technical
    account (`service_user`), which can never log in to the site."""

    name = models.CharField("nom", max_length=150)
    client_id = models.CharField("identifiant client", max_length=64, unique=True)
    operators = models.ManyToManyField(
        "accounts.Organization", verbose_name="entités gestionnaires", related_name="partner_clients"
    )
    scopes = models.JSONField("droits (scopes)", default=list)
    webhook_url = models.URLField("adresse de réception des webhooks", max_length=500, blank=True)
    # The webhook signing secret is derived from SECRET_KEY and this salt (never stored): a new
    # salt is a new secret.
    webhook_salt = models.CharField(max_length=64)
    # After a rotation, the previous secret also signs until this moment (both signatures are sent).
    previous_webhook_salt = models.CharField(max_length=64, blank=True)
    previous_webhook_salt_until = models.DateTimeField(null=True, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField("appels par minute", default=600)
    is_active = models.BooleanField("actif", default=True)
    contact_email = models.EmailField("contact technique", blank=True)
    service_user = models.OneToOneField(
        "accounts.User", on_delete=models.PROTECT, related_name="partner_client", verbose_name="compte technique"
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True)

    objects = PartnerClientQuerySet.as_manager()

    class Meta:
        verbose_name = "client partenaire"
        verbose_name_plural = "clients partenaires"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in self.scopes if s in Scope.values]


class ClientSecret(models.Model):
    """A client secret, stored as its SHA-256 (secrets are 256-bit random: a slow hash adds
    nothing). Two may be valid at once: rotation without downtime."""

    client = models.ForeignKey(PartnerClient, on_delete=models.CASCADE, related_name="secrets")
    secret_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField("fin du secret", max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"…{self.hint}"

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AccessToken(models.Model):
    """A bearer token (stored as its SHA-256), valid a few minutes. It carries the scopes and
    operators granted when it was issued: one query authenticates a call."""

    client = models.ForeignKey(PartnerClient, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    operator_ids = models.JSONField(default=list)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"jeton {self.pk} ({self.client_id})"


class IdempotencyRecord(models.Model):
    """The response given to a POST carrying an `Idempotency-Key`: the same key replays it,
    never acting twice. Kept IDEMPOTENCY_RETENTION_HOURS."""

    client = models.ForeignKey(PartnerClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=bytes)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_per_client")]

    def __str__(self):
        return self.key


class WebhookEvent(models.Model):
    """The outbox: written in the transaction of the change it tells, delivered by the
    worker, in order per `ordering_key` (the referral or the program)."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(PartnerClient, on_delete=models.CASCADE, related_name="events")
    type = models.CharField("événement", max_length=50, choices=EventType.choices)
    ordering_key = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField("état", max_length=20, choices=EventStatus.choices, default=EventStatus.PENDING)
    attempts = models.PositiveIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    delivered_at = models.DateTimeField("remis le", null=True, blank=True)
    last_error = models.CharField("dernière erreur", max_length=500, blank=True)

    class Meta:
        verbose_name = "événement webhook"
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], condition=Q(status="pending"), name="webhook_pending_due"),
            models.Index(fields=["client", "ordering_key", "id"], name="webhook_order_key"),
            models.Index(fields=["client", "status", "-id"], name="webhook_client_status"),
        ]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class WebhookAttempt(models.Model):
    """One delivery attempt: the delivery log an administrator reads."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="delivery_attempts")
    attempted_at = models.DateTimeField(default=timezone.now)
    succeeded = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-pk"]

    def __str__(self):
        return f"{self.event_id} {self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
