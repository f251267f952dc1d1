"""The help centre: topics, articles (help articles and release notes, in Markdown) and the
calendar of demonstration sessions and workshops."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from siao.core.models import BaseModel

from .enums import ArticleKind, ArticleStatus, SessionKind, SessionLevel
from .text import normalize


class Topic(BaseModel):
    name = models.CharField("nom", max_length=120)
    slug = models.SlugField("identifiant dans l'adresse", max_length=120, unique=True)
    description = models.CharField("description", max_length=300, blank=True)
    position = models.PositiveSmallIntegerField("ordre d'affichage", default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "thème"
        verbose_name_plural = "thèmes"

    def __str__(self):
        return self.name


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ArticleStatus.PUBLISHED)

    def guides(self):
        return self.filter(kind=ArticleKind.GUIDE)

    def release_notes(self):
        return self.filter(kind=ArticleKind.RELEASE_NOTE)

    def visible_to(self, actor):
        """Published articles for everyone; drafts too for the editors."""
        from .permissions import can_edit_knowledge

        return self if can_edit_knowledge(actor) else self.published()


class Article(BaseModel):
    topic = models.ForeignKey(
        Topic, verbose_name="thème", on_delete=models.PROTECT, related_name="articles", null=True, blank=True
    )
    title = models.CharField("titre", max_length=200)
    slug = models.SlugField("identifiant dans l'adresse", max_length=200, unique=True)
    summary = models.CharField("résumé", max_length=300, blank=True)
    body = models.TextField("contenu (Markdown)")
    kind = models.CharField("type", max_length=20, choices=ArticleKind.choices, default=ArticleKind.GUIDE)
    version_label = models.CharField("version", max_length=40, blank=True)
    release_date = models.DateField("date de la version", null=True, blank=True)
    for_newcomers = models.BooleanField("pour bien démarrer", default=False)
    status = models.CharField("statut", max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Normalized copies (lowercase, no accents) for the search; kept up to date by save().
    search_title = models.CharField(max_length=200, editable=False, default="")
    # Title, summary and version only: what the suggestions match, cheap to scan while someone types.
    search_head = models.CharField(max_length=600, editable=False, default="")
    search_text = models.TextField(editable=False, default="")

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = "article"
        verbose_name_plural = "articles"
        indexes = [models.Index(fields=["status", "kind", "-published_at"], name="knowledge_article_listing")]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    def refresh_search_fields(self) -> None:
        self.search_title = normalize(self.title)[:200]
        self.search_head = normalize(" ".join([self.title, self.summary, self.version_label]))[:600]
        self.search_text = normalize(" ".join([self.title, self.summary, self.version_label, self.body]))

    def save(self, *args, **kwargs):
        # Derived fields, not business logic: whatever path saves an article keeps them in step.
        self.refresh_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_title", "search_head", "search_text", "updated_at"}
        super().save(*args, **kwargs)


class DemoSessionQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(starts_at__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(starts_at__lt=now or timezone.now())


class DemoSession(BaseModel):
    title = models.CharField("titre", max_length=200)
    kind = models.CharField("type", max_length=20, choices=SessionKind.choices, default=SessionKind.DEMO)
    starts_at = models.DateTimeField("date et heure de début")
    duration_minutes = models.PositiveSmallIntegerField("durée (en minutes)", default=60)
    level = models.CharField("niveau", max_length=20, choices=SessionLevel.choices, default=SessionLevel.BEGINNER)
    audience = models.CharField("public visé", max_length=300, blank=True)
    registration_url = models.URLField("lien d'inscription", max_length=500)
    description = models.TextField("description", blank=True)

    objects = DemoSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = "session de démonstration ou atelier"
        verbose_name_plural = "sessions de démonstration et ateliers"

    def __str__(self):
        return self.title

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)
