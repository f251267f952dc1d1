"""The public help centre: readable without an account, only published content, drafts
answered 404 to the public (and shown to the editors), pinned query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.knowledge.enums import ArticleKind

from .helpers import make_article, make_session, make_topic, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    account = make_topic("Mon compte et la connexion", slug="compte", description="Se connecter.")
    empty = make_topic("Thème vide", slug="vide")
    guide = make_article("Se connecter avec ProConnect", topic=account, slug="proconnect", summary="Recommandé.")
    newcomer = make_article("Changer de profil actif", topic=account, slug="profil", for_newcomers=True)
    draft = make_article("Brouillon secret", topic=account, slug="brouillon", published=False, for_newcomers=True)
    note = make_article("Centre d'aide", kind=ArticleKind.RELEASE_NOTE, slug="version-2-4", version_label="2.4")
    draft_note = make_article(
        "Note brouillon", kind=ArticleKind.RELEASE_NOTE, slug="version-9", version_label="9.0", published=False
    )
    upcoming = make_session("Découvrir le SI SIAO", days=7)
    past = make_session("Ancienne démonstration", starts_at=timezone.now() - datetime.timedelta(days=3))
    return locals()


def test_help_page_for_an_anonymous_visitor(client, content, django_assert_num_queries, settings):
    settings.SUPPORT_CONTACT_EMAIL = "aide@si-siao.example"
    settings.SUPPORT_CONTACT_PHONE = "01 23 45 67 89"
    settings.SUPPORT_CONTACT_HOURS = "du lundi au vendredi"
    # Topics, guides, newcomers, release notes, sessions.
    with django_assert_num_queries(5):
        response = client.get(reverse("knowledge:help"))
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Aide et support</h1>" in page
    assert '<label class="fr-label" for="help-search-input">Rechercher des réponses</label>' in page
    assert "Pour bien démarrer" in page and "Changer de profil actif" in page
    assert "Se connecter avec ProConnect" in page and "Mon compte et la connexion" in page
    assert "Thème vide" not in page  # a topic without published article is not shown
    assert "Version 2.4 — Centre d'aide" in page
    assert "Découvrir le SI SIAO" in page and "Ancienne démonstration" not in page
    assert reverse("support:request_create") in page and "Ouvrir une demande de support" in page
    assert "mailto:aide@si-siao.example" in page and "01 23 45 67 89" in page and "du lundi au vendredi" in page
    assert "Brouillon secret" not in page and "Note brouillon" not in page
    assert "Gérer le centre d'aide" not in page


def test_help_page_when_logged_in_with_any_role(client_as, content):
    response = client_as(Role.SOCIAL_WORKER).get(reverse("knowledge:help"))
    assert response.status_code == 200
    assert "Gérer le centre d'aide" not in text(response)
    response = client_as(Role.NATIONAL_ADMIN).get(reverse("knowledge:help"))
    assert "Gérer le centre d'aide" in text(response)


def test_article_page_anonymous(client, content, django_assert_num_queries):
    with django_assert_num_queries(1):  # the article with its topic
        response = client.get(reverse("knowledge:article", args=["proconnect"]))
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Se connecter avec ProConnect</h1>" in page
    assert "Brouillon :" not in page


@pytest.mark.parametrize("slug", ["brouillon", "version-9", "inconnu"])
def test_drafts_and_unknown_articles_are_404_for_the_public(client, content, slug):
    assert client.get(reverse("knowledge:article", args=[slug])).status_code == 404


@pytest.mark.parametrize("role", [Role.SIAO_ADMIN, Role.SOCIAL_WORKER, Role.DEPARTMENT_ADMIN])
def test_drafts_are_404_for_other_roles(client_as, content, role):
    assert client_as(role).get(reverse("knowledge:article", args=["brouillon"])).status_code == 404


def test_editors_see_drafts_with_a_warning(client_as, content):
    response = client_as(Role.NATIONAL_ADMIN).get(reverse("knowledge:article", args=["brouillon"]))
    assert response.status_code == 200
    assert "Brouillon : cet article n'est visible que des rédacteurs" in text(response)


def test_topic_page(client, content, django_assert_num_queries):
    with django_assert_num_queries(3):  # topic, count, page of articles
        response = client.get(reverse("knowledge:topic", args=["compte"]))
    assert response.status_code == 200
    page = text(response)
    assert "Se connecter avec ProConnect" in page and "Changer de profil actif" in page
    assert "Brouillon secret" not in page
    assert client.get(reverse("knowledge:topic", args=["inconnu"])).status_code == 404


def test_release_notes_page(client, content, django_assert_num_queries):
    with django_assert_num_queries(2):  # count, page
        response = client.get(reverse("knowledge:release_notes"))
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Nouveautés</h1>" in page and "Version 2.4 — Centre d'aide" in page
    assert "Note brouillon" not in page and "Se connecter avec ProConnect" not in page


def test_sessions_calendar(client, content, django_assert_num_queries):
    with django_assert_num_queries(2):  # upcoming, past
        response = client.get(reverse("knowledge:sessions"))
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Sessions de démonstration et ateliers</h1>" in page
    assert "Découvrir le SI SIAO" in page and "Niveau débutant" in page
    link = (
        '<a class="fr-link" href="https://inscriptions.si-siao.example/decouverte" target="_blank" '
        'rel="noopener noreferrer" title="S\'inscrire à « Découvrir le SI SIAO » — nouvelle fenêtre">'
    )
    assert link in page
    # Past sessions: collapsed, without registration link.
    assert 'aria-controls="past-sessions"' in page and "Ancienne démonstration" in page
    assert page.count("S'inscrire</a>") == 1


def test_the_public_pages_only_answer_get(client, content):
    for name, args in [("help", []), ("search", []), ("article", ["proconnect"]), ("sessions", [])]:
        assert client.post(reverse(f"knowledge:{name}", args=args)).status_code == 405
