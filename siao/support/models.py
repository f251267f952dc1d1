"""Support requests (demandes de support): sent by anyone through the public form, worked by
the support team in a queue, with attachments kept in the storage and a thread of replies
(emailed to the requester) and internal notes (never shown to them)."""

from django.db import models

from siao.core.models import BaseModel

from .enums import MessageKind, SupportCategory, SupportStatus


class SupportRequestQuerySet(models.QuerySet):
    def visible_to(self, actor):
        """The requests a member of the support team works (siao.support.permissions)."""
        from .permissions import visible_requests_q

        condition = visible_requests_q(actor)
        if condition is None:
            return self.none()
        return self.filter(condition)


class SupportRequest(BaseModel):
    reference = models.CharField("référence", max_length=20, unique=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    email = models.EmailField("adresse électronique", max_length=254)
    user_identifier = models.CharField("identifiant utilisateur", max_length=254, blank=True)
    # The account concerned: the logged-in author, or, for a request sent without being logged
    # in, the account whose address matches the identifier (else the e-mail) typed — a routing
    # hint for the SIAO administrators, never a proof of identity (`sent_logged_in` says which).
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_requests",
        verbose_name="compte concerné",
    )
    sent_logged_in = models.BooleanField("envoyée par un utilisateur connecté", default=False)
    # The author's active profile when logged in: context for the support team.
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organisation du demandeur",
    )
    role = models.CharField("profil du demandeur", max_length=30, blank=True)
    subject = models.CharField("objet", max_length=200)
    category = models.CharField("catégorie", max_length=20, choices=SupportCategory.choices)
    description = models.TextField("description")
    status = models.CharField("statut", max_length=20, choices=SupportStatus.choices, default=SupportStatus.NEW)
    assigned_to = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_support_requests",
        verbose_name="affectée à",
    )
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    closed_at = models.DateTimeField("résolue ou close le", null=True, blank=True)

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de support"
        verbose_name_plural = "demandes de support"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["client_ip", "created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["closed_at"]),
        ]

    def __str__(self):
        return self.reference

    @property
    def requester_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class SupportAttachment(BaseModel):
    """A file sent with a request. Stored under an unguessable name; only the download view,
    which checks rights, reads it."""

    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="attachments", verbose_name="demande"
    )
    file = models.FileField("fichier", max_length=255)
    original_name = models.CharField("nom du fichier", max_length=150)
    content_type = models.CharField("type", max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)

    class Meta:
        verbose_name = "pièce jointe"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name

    @property
    def size_display(self) -> str:
        from .attachments import human_size

        return human_size(self.size)


class SupportMessage(BaseModel):
    """One entry of a request's thread: a reply (emailed to the requester) or an internal note
    (for the support team only)."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField("type", max_length=10, choices=MessageKind.choices)
    author = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="auteur"
    )
    body = models.TextField("texte")

    class Meta:
        verbose_name = "message de support"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.request_id}"
