"""Builders for the help centre's tests: objects saved straight to the database (the actions
have their own tests)."""

import datetime
import html
import itertools

from django.utils import timezone

from siao.accounts.enums import Role
from siao.knowledge.enums import ArticleKind, ArticleStatus, SessionKind, SessionLevel
from siao.knowledge.models import Article, DemoSession, Topic
from tests.factories import actor_for, membership_for

_counter = itertools.count(1)


def make_topic(name="Mon compte", **kwargs) -> Topic:
    n = next(_counter)
    return Topic.objects.create(name=name, slug=kwargs.pop("slug", f"theme-{n}"), **kwargs)


def make_article(title="Se connecter", *, topic=None, published=True, **kwargs) -> Article:
    n = next(_counter)
    kind = kwargs.pop("kind", ArticleKind.GUIDE)
    if topic is None and kind == ArticleKind.GUIDE:
        topic = make_topic()
    defaults = {
        "slug": f"article-{n}",
        "summary": "",
        "body": "Un contenu.",
        "status": ArticleStatus.PUBLISHED if published else ArticleStatus.DRAFT,
        "published_at": timezone.now() - datetime.timedelta(minutes=n) if published else None,
    }
    if kind == ArticleKind.RELEASE_NOTE:
        defaults |= {"version_label": f"2.{n}", "release_date": timezone.localdate()}
    return Article.objects.create(title=title, topic=topic, kind=kind, **(defaults | kwargs))


def make_session(title="Découvrir le SI SIAO", *, days=7, **kwargs) -> DemoSession:
    defaults = {
        "kind": SessionKind.DEMO,
        "level": SessionLevel.BEGINNER,
        "starts_at": timezone.now() + datetime.timedelta(days=days),
        "duration_minutes": 60,
        "registration_url": "https://inscriptions.si-siao.example/decouverte",
    }
    return DemoSession.objects.create(title=title, **(defaults | kwargs))


def editor():
    return actor_for(membership_for(Role.NATIONAL_ADMIN))


def text(response) -> str:
    return html.unescape(response.content.decode())
