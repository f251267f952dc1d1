"""The editors' pages (Administrateur national): guards (login, role, unknown object), what
they show, the preview, French errors with nothing saved, pinned query counts."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.knowledge import tiles
from siao.knowledge.enums import ArticleStatus
from siao.knowledge.models import Article, DemoSession, Topic
from tests.factories import actor_for, membership_for

from .helpers import make_article, make_session, make_topic, text

pytestmark = pytest.mark.django_db

# A logged-in page: the session, the user, the actor (membership, départements), the session's
# refresh (update in a savepoint).
BASE = 7
OTHER_ROLES = [role for role in Role.values if role != Role.NATIONAL_ADMIN]


@pytest.fixture
def objects():
    topic = make_topic("Compte", slug="compte")
    article = make_article("Se connecter", topic=topic, slug="se-connecter", published=False)
    session = make_session("Découvrir")
    return {"topic": topic, "article": article, "session": session}


def manage_urls(objects):
    article, topic, session = objects["article"].public_id, objects["topic"].public_id, objects["session"].public_id
    return [
        ("get", reverse("knowledge:manage")),
        ("get", reverse("knowledge:article_create")),
        ("get", reverse("knowledge:article_edit", args=[article])),
        ("post", reverse("knowledge:article_publish", args=[article])),
        ("post", reverse("knowledge:article_unpublish", args=[article])),
        ("get", reverse("knowledge:topic_create")),
        ("get", reverse("knowledge:topic_edit", args=[topic])),
        ("post", reverse("knowledge:topic_delete", args=[topic])),
        ("get", reverse("knowledge:session_create")),
        ("get", reverse("knowledge:session_edit", args=[session])),
        ("post", reverse("knowledge:session_delete", args=[session])),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, objects):
    for method, url in manage_urls(objects):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    assert Topic.objects.count() == 1 and DemoSession.objects.count() == 1


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused(client_as, objects, role):
    client = client_as(role)
    for method, url in manage_urls(objects):
        assert getattr(client, method)(url).status_code == 403, url
    assert Article.objects.get().status == ArticleStatus.DRAFT
    assert Topic.objects.count() == 1 and DemoSession.objects.count() == 1


@pytest.mark.parametrize(
    "name", ["article_edit", "article_publish", "topic_edit", "topic_delete", "session_edit", "session_delete"]
)
def test_unknown_objects_are_404(client_as, name):
    client = client_as(Role.NATIONAL_ADMIN)
    url = reverse(f"knowledge:{name}", args=[uuid.uuid4()])
    assert (client.post(url) if "delete" in name or "publish" in name else client.get(url)).status_code == 404


def test_the_tile_is_for_national_administrators_only():
    assert [tile.title for tile in tiles.tiles_for(actor_for(membership_for(Role.NATIONAL_ADMIN)))] == [
        "Centre d'aide"
    ]
    assert tiles.tiles_for(actor_for(membership_for(Role.SIAO_ADMIN))) == []
    assert tiles.tiles_for(None) == []


def test_manage_home(client_as, objects, django_assert_num_queries):
    client = client_as(Role.NATIONAL_ADMIN)
    client.get(reverse("knowledge:manage"))  # warm the session
    # BASE, then the count and page of articles, topics, sessions.
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("knowledge:manage"))
    page = text(response)
    assert "Se connecter" in page and "Brouillon" in page and "Compte" in page and "Découvrir" in page


def test_article_edit_page(client_as, objects, django_assert_num_queries):
    client = client_as(Role.NATIONAL_ADMIN)
    url = reverse("knowledge:article_edit", args=[objects["article"].public_id])
    client.get(url)
    with django_assert_num_queries(BASE + 2):  # the article, the topics of the select
        response = client.get(url)
    assert response.status_code == 200
    assert "Publier" in text(response)


@pytest.mark.parametrize(
    "name,key,queries",
    [
        ("topic_edit", "topic", 1),
        ("session_edit", "session", 1),
        ("topic_create", None, 0),
        ("session_create", None, 0),
    ],
)
def test_other_form_pages(client_as, objects, name, key, queries, django_assert_num_queries):
    client = client_as(Role.NATIONAL_ADMIN)
    url = reverse(f"knowledge:{name}", args=[objects[key].public_id] if key else [])
    client.get(url)
    with django_assert_num_queries(BASE + queries):
        assert client.get(url).status_code == 200


def article_post(**overrides):
    data = {
        "title": "Changer de profil actif",
        "slug": "",
        "kind": "guide",
        "topic": "",
        "summary": "Choisir son profil.",
        "body": "## Étapes\n\nOuvrez le menu.",
        "version_label": "",
        "release_date": "",
    }
    return data | overrides


def test_create_an_article_as_a_draft(client_as, objects):
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.post(reverse("knowledge:article_create"), article_post(topic=str(objects["topic"].public_id)))
    article = Article.objects.get(slug="changer-de-profil-actif")
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:article_edit", args=[article.public_id])
    assert article.status == ArticleStatus.DRAFT and article.author == client.membership.user
    assert AuditEvent.objects.filter(action="knowledge.article_created", object_id=str(article.public_id)).exists()


def test_the_preview_renders_safely_and_saves_nothing(client_as, objects):
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.post(
        reverse("knowledge:article_create"),
        article_post(topic=str(objects["topic"].public_id), body="**Gras** <script>alert(1)</script>", preview="1"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aperçu (non enregistré)" in page
    assert "<strong>Gras</strong> &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"title": ""}, "title", "Indiquez un titre de 3 à 200 caractères."),
        ({"body": "   "}, "body", "Rédigez le contenu de l'article."),
        ({"topic": ""}, "topic", "Choisissez le thème de l'article."),
        ({"topic": str(uuid.uuid4())}, "topic", "Ce thème n'existe pas (ou plus) : choisissez-en un autre."),
        ({"slug": "se-connecter"}, "slug", "Cet identifiant d'adresse est déjà utilisé par un autre article"),
        ({"slug": "Avec Espaces"}, "slug", "L'identifiant d'adresse ne contient que des lettres minuscules"),
        ({"kind": "release_note", "topic": ""}, "version_label", "Indiquez la version"),
        ({"kind": "autre"}, "kind", "Sélectionnez un choix valide"),
        ({"release_date": "31/02/2024"}, "release_date", "Indiquez une date valide (jj/mm/aaaa)."),
        ({"summary": "x" * 301}, "summary", "Le résumé fait au plus 300 caractères."),
    ],
)
def test_bad_article_input_changes_nothing(client_as, objects, overrides, field, message):
    client = client_as(Role.NATIONAL_ADMIN)
    data = article_post(topic=str(objects["topic"].public_id)) | overrides
    events = AuditEvent.objects.count()
    response = client.post(reverse("knowledge:article_create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in text(response)
    assert Article.objects.count() == 1 and AuditEvent.objects.count() == events


def test_publish_then_unpublish_from_the_pages(client_as, objects, client):
    editor = client_as(Role.NATIONAL_ADMIN)
    article = objects["article"]
    editor.post(reverse("knowledge:article_publish", args=[article.public_id]))
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.published_at is not None
    editor.post(reverse("knowledge:article_unpublish", args=[article.public_id]))
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert list(
        AuditEvent.objects.filter(object_id=str(article.public_id)).values_list("action", flat=True).order_by("pk")
    ) == ["knowledge.article_published", "knowledge.article_unpublished"]


def test_publish_needs_post(client_as, objects):
    client = client_as(Role.NATIONAL_ADMIN)
    assert client.get(reverse("knowledge:article_publish", args=[objects["article"].public_id])).status_code == 405


def test_a_topic_with_articles_cannot_be_deleted(client_as, objects):
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.post(reverse("knowledge:topic_delete", args=[objects["topic"].public_id]), follow=True)
    assert "Ce thème contient des articles" in text(response)
    assert Topic.objects.count() == 1


def session_post(**overrides):
    starts = timezone.localtime(timezone.now() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT10:00")
    data = {
        "title": "Atelier places",
        "kind": "workshop",
        "starts_at": starts,
        "duration_minutes": "90",
        "level": "intermediate",
        "audience": "Gestionnaires",
        "registration_url": "https://inscriptions.si-siao.example/atelier",
        "description": "",
    }
    return data | overrides


def test_create_a_session(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.post(reverse("knowledge:session_create"), session_post())
    assert response.status_code == 302
    session = DemoSession.objects.get()
    assert session.level == "intermediate" and session.duration_minutes == 90
    assert timezone.localtime(session.starts_at).hour == 10
    assert AuditEvent.objects.filter(action="knowledge.session_created").count() == 1


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"registration_url": "http://inscriptions.si-siao.example/x"}, "registration_url", "commençant par https://"),
        ({"registration_url": "javascript:alert(1)"}, "registration_url", "commençant par https://"),
        ({"registration_url": ""}, "registration_url", "Indiquez l'adresse d'inscription"),
        ({"starts_at": "2001-01-01T10:00"}, "starts_at", "La date de début est passée"),
        ({"starts_at": "2999-01-01T10:00"}, "starts_at", "La session commence au plus tard dans deux ans."),
        ({"starts_at": "demain"}, "starts_at", "Indiquez une date et une heure valides."),
        ({"duration_minutes": "5"}, "duration_minutes", "La durée est comprise entre 15 minutes et 8 heures"),
        ({"duration_minutes": "abc"}, "duration_minutes", "La durée est un nombre de minutes."),
        ({"level": "expert"}, "level", "Sélectionnez un choix valide"),
    ],
)
def test_bad_session_input_changes_nothing(client_as, overrides, field, message):
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.post(reverse("knowledge:session_create"), session_post(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in text(response)
    assert DemoSession.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="knowledge.").exists()


def test_create_and_edit_a_topic(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    client.post(reverse("knowledge:topic_create"), {"name": "Offre et places", "slug": "", "position": "2"})
    topic = Topic.objects.get(slug="offre-et-places")
    client.post(
        reverse("knowledge:topic_edit", args=[topic.public_id]),
        {"name": "L'offre et les places", "slug": "offre-et-places", "description": "", "position": "2"},
    )
    topic.refresh_from_db()
    assert topic.name == "L'offre et les places"
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("pk")) == [
        "knowledge.topic_created",
        "knowledge.topic_updated",
    ]
    response = client.post(
        reverse("knowledge:topic_create"), {"name": "Doublon", "slug": "offre-et-places", "position": "1"}
    )
    assert "déjà utilisé par un autre thème" in text(response)
    assert Topic.objects.count() == 1
