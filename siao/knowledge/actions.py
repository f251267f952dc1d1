"""Writing the help centre: articles (help articles and release notes), topics and sessions.
Only the national administrators write; every change is audited in its transaction."""

import datetime
import re
from dataclasses import dataclass, fields

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from siao.audit.trail import record

from .enums import ArticleKind, ArticleStatus, SessionKind, SessionLevel
from .models import Article, DemoSession, Topic
from .permissions import can_edit_knowledge

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_BODY_LENGTH = 50_000
MIN_DURATION, MAX_DURATION = 15, 8 * 60
MAX_SESSION_AHEAD = datetime.timedelta(days=2 * 366)

SLUG_TAKEN_MESSAGE = "Cet identifiant d'adresse est déjà utilisé par un autre article : choisissez-en un autre."
SLUG_INVALID_MESSAGE = (
    "L'identifiant d'adresse ne contient que des lettres minuscules sans accent, des chiffres et des tirets "
    "(par exemple « se-connecter-avec-proconnect »)."
)


def _ensure(actor) -> None:
    if not can_edit_knowledge(actor):
        raise PermissionDenied("Seul l'Administrateur national rédige le centre d'aide.")


def _slug(value: str, fallback: str, max_length: int) -> str:
    value = (value or "").strip().lower()
    return value if value else slugify(fallback)[:max_length].strip("-")


# Articles


@dataclass(frozen=True)
class ArticleInput:
    title: str
    body: str
    kind: str = ArticleKind.GUIDE
    topic: Topic | None = None
    slug: str = ""
    summary: str = ""
    version_label: str = ""
    release_date: datetime.date | None = None
    for_newcomers: bool = False


def _clean_article(values: ArticleInput, article: Article | None) -> dict:
    errors = {}
    title = (values.title or "").strip()
    if not 3 <= len(title) <= 200:
        errors["title"] = "Indiquez un titre de 3 à 200 caractères."
    slug = _slug(values.slug, title, 200)
    if not slug or len(slug) > 200 or not SLUG_RE.match(slug):
        errors["slug"] = SLUG_INVALID_MESSAGE
    elif Article.objects.filter(slug=slug).exclude(pk=getattr(article, "pk", None)).exists():
        errors["slug"] = SLUG_TAKEN_MESSAGE
    summary = (values.summary or "").strip()
    if len(summary) > 300:
        errors["summary"] = "Le résumé fait au plus 300 caractères."
    body = (values.body or "").strip()
    if not body:
        errors["body"] = "Rédigez le contenu de l'article."
    elif len(body) > MAX_BODY_LENGTH:
        errors["body"] = "Le contenu fait au plus 50 000 caractères."
    kind = values.kind
    version_label = (values.version_label or "").strip()
    if kind not in ArticleKind.values:
        errors["kind"] = "Choisissez le type de l'article."
    elif kind == ArticleKind.GUIDE and values.topic is None:
        errors["topic"] = "Choisissez le thème de l'article."
    elif kind == ArticleKind.RELEASE_NOTE:
        if not version_label:
            errors["version_label"] = "Indiquez la version (par exemple « 2.4 »)."
        if values.release_date is None:
            errors["release_date"] = "Indiquez la date de la version."
    if len(version_label) > 40:
        errors["version_label"] = "La version fait au plus 40 caractères."
    if errors:
        raise ValidationError(errors)
    release_note = kind == ArticleKind.RELEASE_NOTE
    return {
        "title": title,
        "slug": slug,
        "summary": summary,
        "body": body,
        "kind": kind,
        "topic": values.topic,
        "version_label": version_label if release_note else "",
        "release_date": values.release_date if release_note else None,
        "for_newcomers": bool(values.for_newcomers) and not release_note,
    }


def _save_unique(obj, **kwargs):
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError:
        # Two editors chose the same address at the same moment.
        raise ValidationError({"slug": SLUG_TAKEN_MESSAGE}) from None


@transaction.atomic
def create_article(*, actor, values: ArticleInput) -> Article:
    _ensure(actor)
    cleaned = _clean_article(values, None)
    article = Article(**cleaned, author=actor.user, status=ArticleStatus.DRAFT)
    _save_unique(article)
    record("knowledge.article_created", actor=actor, obj=article, data={"slug": article.slug, "kind": article.kind})
    return article


@transaction.atomic
def update_article(*, actor, article: Article, values: ArticleInput) -> list[str]:
    """Saves the changes; returns the names of the changed fields (none: nothing written)."""
    _ensure(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    cleaned = _clean_article(values, article)
    changed = [name for name, value in cleaned.items() if getattr(article, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(article, name, cleaned[name])
    _save_unique(article, update_fields=changed)
    record("knowledge.article_updated", actor=actor, obj=article, data={"fields": changed})
    return changed


@transaction.atomic
def publish_article(*, actor, article: Article) -> Article:
    _ensure(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == ArticleStatus.PUBLISHED:
        return article
    article.status = ArticleStatus.PUBLISHED
    # The first publication date stays: a corrected article keeps its place among the news.
    article.published_at = article.published_at or timezone.now()
    article.save(update_fields=["status", "published_at"])
    record("knowledge.article_published", actor=actor, obj=article, data={"slug": article.slug})
    return article


@transaction.atomic
def unpublish_article(*, actor, article: Article) -> Article:
    _ensure(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == ArticleStatus.DRAFT:
        return article
    article.status = ArticleStatus.DRAFT
    article.save(update_fields=["status"])
    record("knowledge.article_unpublished", actor=actor, obj=article, data={"slug": article.slug})
    return article


# Topics


@dataclass(frozen=True)
class TopicInput:
    name: str
    slug: str = ""
    description: str = ""
    position: int = 0


def _clean_topic(values: TopicInput, topic: Topic | None) -> dict:
    errors = {}
    name = (values.name or "").strip()
    if not 2 <= len(name) <= 120:
        errors["name"] = "Indiquez un nom de 2 à 120 caractères."
    slug = _slug(values.slug, name, 120)
    if not slug or len(slug) > 120 or not SLUG_RE.match(slug):
        errors["slug"] = SLUG_INVALID_MESSAGE
    elif Topic.objects.filter(slug=slug).exclude(pk=getattr(topic, "pk", None)).exists():
        errors["slug"] = "Cet identifiant d'adresse est déjà utilisé par un autre thème : choisissez-en un autre."
    description = (values.description or "").strip()
    if len(description) > 300:
        errors["description"] = "La description fait au plus 300 caractères."
    if not isinstance(values.position, int) or not 0 <= values.position <= 999:
        errors["position"] = "L'ordre d'affichage est un nombre entre 0 et 999."
    if errors:
        raise ValidationError(errors)
    return {"name": name, "slug": slug, "description": description, "position": values.position}


@transaction.atomic
def create_topic(*, actor, values: TopicInput) -> Topic:
    _ensure(actor)
    topic = Topic(**_clean_topic(values, None))
    _save_unique(topic)
    record("knowledge.topic_created", actor=actor, obj=topic, data={"slug": topic.slug})
    return topic


@transaction.atomic
def update_topic(*, actor, topic: Topic, values: TopicInput) -> list[str]:
    _ensure(actor)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    cleaned = _clean_topic(values, topic)
    changed = [name for name, value in cleaned.items() if getattr(topic, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(topic, name, cleaned[name])
    _save_unique(topic, update_fields=[*changed, "updated_at"])
    record("knowledge.topic_updated", actor=actor, obj=topic, data={"fields": changed})
    return changed


@transaction.atomic
def delete_topic(*, actor, topic: Topic) -> None:
    _ensure(actor)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if topic.articles.exists():
        raise ValidationError(
            "Ce thème contient des articles (publiés ou brouillons) : rattachez-les à un autre thème avant de le "
            "supprimer."
        )
    record("knowledge.topic_deleted", actor=actor, obj=topic, data={"slug": topic.slug, "name": topic.name})
    topic.delete()


# Demonstration sessions and workshops


@dataclass(frozen=True)
class SessionInput:
    title: str
    starts_at: datetime.datetime
    registration_url: str
    kind: str = SessionKind.DEMO
    duration_minutes: int = 60
    level: str = SessionLevel.BEGINNER
    audience: str = ""
    description: str = ""


def _clean_session(values: SessionInput, session: DemoSession | None) -> dict:
    errors = {}
    title = (values.title or "").strip()
    if not 3 <= len(title) <= 200:
        errors["title"] = "Indiquez un titre de 3 à 200 caractères."
    if values.kind not in SessionKind.values:
        errors["kind"] = "Choisissez le type de session."
    if values.level not in SessionLevel.values:
        errors["level"] = "Choisissez le niveau."
    starts_at = values.starts_at
    now = timezone.now()
    if not isinstance(starts_at, datetime.datetime) or timezone.is_naive(starts_at):
        errors["starts_at"] = "Indiquez la date et l'heure de début."
    elif starts_at > now + MAX_SESSION_AHEAD:
        errors["starts_at"] = "La session commence au plus tard dans deux ans."
    elif starts_at < now and (session is None or session.starts_at != starts_at):
        # A past session keeps its date when it is edited, but none is created or moved into the past.
        errors["starts_at"] = "La date de début est passée : indiquez une date à venir."
    duration = values.duration_minutes
    if not isinstance(duration, int) or not MIN_DURATION <= duration <= MAX_DURATION:
        errors["duration_minutes"] = "La durée est comprise entre 15 minutes et 8 heures (480 minutes)."
    url = (values.registration_url or "").strip()
    try:
        if len(url) > 500:
            raise ValidationError("too long")
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        errors["registration_url"] = (
            "Indiquez l'adresse d'inscription complète, commençant par https:// (500 caractères au plus)."
        )
    audience = (values.audience or "").strip()
    if len(audience) > 300:
        errors["audience"] = "Le public visé fait au plus 300 caractères."
    description = (values.description or "").strip()
    if len(description) > 5000:
        errors["description"] = "La description fait au plus 5 000 caractères."
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "kind": values.kind,
        "level": values.level,
        "starts_at": starts_at,
        "duration_minutes": duration,
        "registration_url": url,
        "audience": audience,
        "description": description,
    }


@transaction.atomic
def create_session(*, actor, values: SessionInput) -> DemoSession:
    _ensure(actor)
    session = DemoSession.objects.create(**_clean_session(values, None))
    record(
        "knowledge.session_created",
        actor=actor,
        obj=session,
        data={"title": session.title, "starts_at": session.starts_at.isoformat()},
    )
    return session


@transaction.atomic
def update_session(*, actor, session: DemoSession, values: SessionInput) -> list[str]:
    _ensure(actor)
    session = DemoSession.objects.select_for_update().get(pk=session.pk)
    cleaned = _clean_session(values, session)
    changed = [name for name, value in cleaned.items() if getattr(session, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(session, name, cleaned[name])
    session.save(update_fields=[*changed, "updated_at"])
    record("knowledge.session_updated", actor=actor, obj=session, data={"fields": changed})
    return changed


@transaction.atomic
def delete_session(*, actor, session: DemoSession) -> None:
    _ensure(actor)
    session = DemoSession.objects.select_for_update().get(pk=session.pk)
    record(
        "knowledge.session_deleted",
        actor=actor,
        obj=session,
        data={"title": session.title, "starts_at": session.starts_at.isoformat()},
    )
    session.delete()


def input_fields(cls) -> list[str]:
    return [field.name for field in fields(cls)]
