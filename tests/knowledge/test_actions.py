"""The help centre's actions: rights, validation, audit in the same transaction."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit.labels import ACTION_LABELS
from siao.audit.models import AuditEvent
from siao.knowledge import actions
from siao.knowledge.enums import ArticleKind, ArticleStatus
from siao.knowledge.models import Article, DemoSession
from tests.factories import actor_for, membership_for

from .helpers import editor, make_article, make_session, make_topic

pytestmark = pytest.mark.django_db

ACTIONS = [
    "knowledge.article_created", "knowledge.article_updated", "knowledge.article_published",
    "knowledge.article_unpublished", "knowledge.topic_created", "knowledge.topic_updated", "knowledge.topic_deleted",
    "knowledge.session_created", "knowledge.session_updated", "knowledge.session_deleted",
]  # fmt: skip


def test_every_action_has_a_french_label():
    assert all(ACTION_LABELS.get(name) for name in ACTIONS)


def test_only_the_national_administrator_writes():
    topic = make_topic()
    article = make_article(topic=topic, published=False)
    session = make_session()
    for role in [Role.SIAO_ADMIN, Role.DEPARTMENT_ADMIN, Role.SOCIAL_WORKER]:
        actor = actor_for(membership_for(role))
        with pytest.raises(PermissionDenied):
            actions.create_article(actor=actor, values=actions.ArticleInput(title="Titre", body="x", topic=topic))
        with pytest.raises(PermissionDenied):
            actions.publish_article(actor=actor, article=article)
        with pytest.raises(PermissionDenied):
            actions.delete_session(actor=actor, session=session)
        with pytest.raises(PermissionDenied):
            actions.delete_topic(actor=actor, topic=make_topic(slug=f"vide-{role}"))
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert not AuditEvent.objects.exists()


def test_article_lifecycle_is_audited():
    actor = editor()
    topic = make_topic()
    article = actions.create_article(
        actor=actor, values=actions.ArticleInput(title="Déclarer les places", body="Corps", topic=topic)
    )
    assert article.slug == "declarer-les-places" and article.status == ArticleStatus.DRAFT
    changed = actions.update_article(
        actor=actor,
        article=article,
        values=actions.ArticleInput(title="Déclarer les places", body="Nouveau corps", topic=topic, slug=article.slug),
    )
    assert changed == ["body"]
    article.refresh_from_db()
    assert "nouveau corps" in article.search_text
    assert (
        actions.update_article(
            actor=actor,
            article=article,
            values=actions.ArticleInput(
                title="Déclarer les places", body="Nouveau corps", topic=topic, slug=article.slug
            ),
        )
        == []
    )
    actions.publish_article(actor=actor, article=article)
    first_published = Article.objects.get().published_at
    actions.unpublish_article(actor=actor, article=article)
    actions.publish_article(actor=actor, article=article)
    assert Article.objects.get().published_at == first_published  # the first publication date stays
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("pk")) == [
        "knowledge.article_created",
        "knowledge.article_updated",
        "knowledge.article_published",
        "knowledge.article_unpublished",
        "knowledge.article_published",
    ]
    event = AuditEvent.objects.first()
    assert event.object_type == "knowledge.article" and event.object_id == str(article.public_id)


def test_a_release_note_needs_a_version_and_a_date_and_has_no_newcomer_flag():
    actor = editor()
    with pytest.raises(ValidationError) as error:
        actions.create_article(
            actor=actor, values=actions.ArticleInput(title="Version", body="x", kind=ArticleKind.RELEASE_NOTE)
        )
    assert set(error.value.message_dict) == {"version_label", "release_date"}
    note = actions.create_article(
        actor=actor,
        values=actions.ArticleInput(
            title="Version 2.4",
            body="x",
            kind=ArticleKind.RELEASE_NOTE,
            version_label="2.4",
            release_date=datetime.date(2024, 10, 1),
            for_newcomers=True,
        ),
    )
    assert note.topic is None and note.for_newcomers is False
    assert Article.objects.count() == 1


def test_bad_article_input_writes_nothing():
    actor = editor()
    topic = make_topic()
    make_article(topic=topic, slug="pris")
    for values in [
        actions.ArticleInput(title="", body="x", topic=topic),
        actions.ArticleInput(title="Titre", body="", topic=topic),
        actions.ArticleInput(title="Titre", body="x" * 50_001, topic=topic),
        actions.ArticleInput(title="Titre", body="x", topic=topic, slug="pris"),
        actions.ArticleInput(title="Titre", body="x", topic=topic, slug="../etc"),
        actions.ArticleInput(title="Titre", body="x", topic=None),
        actions.ArticleInput(title="Titre", body="x", topic=topic, kind="autre"),
        actions.ArticleInput(title="!!!", body="x", topic=topic),
    ]:
        with pytest.raises(ValidationError):
            actions.create_article(actor=actor, values=values)
    assert Article.objects.count() == 1 and not AuditEvent.objects.exists()


def test_sessions():
    actor = editor()
    starts = timezone.now() + datetime.timedelta(days=3)
    session = actions.create_session(
        actor=actor,
        values=actions.SessionInput(title="Atelier", starts_at=starts, registration_url="https://x.example/a"),
    )
    assert actions.update_session(
        actor=actor,
        session=session,
        values=actions.SessionInput(
            title="Atelier avancé", starts_at=starts, registration_url="https://x.example/a", level="advanced"
        ),
    ) == ["title", "level"]
    # A past session may be edited without moving its date.
    DemoSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(days=1))
    session.refresh_from_db()
    actions.update_session(
        actor=actor,
        session=session,
        values=actions.SessionInput(
            title="Atelier passé", starts_at=session.starts_at, registration_url="https://x.example/a"
        ),
    )
    actions.delete_session(actor=actor, session=session)
    assert not DemoSession.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("pk")) == [
        "knowledge.session_created",
        "knowledge.session_updated",
        "knowledge.session_updated",
        "knowledge.session_deleted",
    ]


@pytest.mark.parametrize(
    "url",
    ["http://x.example/a", "javascript:alert(1)", "https://", "ftp://x.example", "https://x.example/" + "a" * 500],
)
def test_a_registration_link_must_be_https(url):
    with pytest.raises(ValidationError) as error:
        actions.create_session(
            actor=editor(),
            values=actions.SessionInput(
                title="Atelier", starts_at=timezone.now() + datetime.timedelta(days=1), registration_url=url
            ),
        )
    assert "registration_url" in error.value.message_dict
    assert not DemoSession.objects.exists()


def test_a_naive_or_missing_date_is_refused():
    for starts_at in [None, datetime.datetime(2030, 1, 1, 10, 0)]:  # noqa: DTZ001
        with pytest.raises(ValidationError):
            actions.create_session(
                actor=editor(),
                values=actions.SessionInput(
                    title="Atelier", starts_at=starts_at, registration_url="https://x.example"
                ),
            )


def test_an_empty_topic_can_be_deleted_and_it_is_audited():
    topic = make_topic()
    actions.delete_topic(actor=editor(), topic=topic)
    assert AuditEvent.objects.get().action == "knowledge.topic_deleted"
