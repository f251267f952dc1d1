"""The help centre's search: every word must match, accents and case ignored, title matches
first, drafts never found by the public, and no input makes it fail."""

import pytest
from django.urls import reverse

from siao.knowledge.models import Article
from siao.knowledge.search import MAX_WORDS, query_words, search_articles, suggest_articles, suggestion_words
from siao.knowledge.text import normalize

from .helpers import make_article, text

pytestmark = pytest.mark.django_db


def found(query):
    return [article.title for article in search_articles(Article.objects.published(), query)]


def test_normalize_removes_accents_and_case():
    assert normalize("Éléphant À L'ŒUVRE ça") == "elephant a l'oeuvre ca"


def test_the_search_text_follows_each_save():
    article = make_article("Déclarer", body="premier")
    article.body = "Habilitation Révisée"
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert "habilitation revisee" in article.search_text


def test_accents_and_case_are_ignored_both_ways():
    make_article("Demander une habilitation", body="La révocation d'un accès.")
    assert found("HABILITATION") == ["Demander une habilitation"]
    assert found("revocation") == ["Demander une habilitation"]
    assert found("Révocation") == ["Demander une habilitation"]
    assert found("RÉVOCATION") == ["Demander une habilitation"]


def test_every_word_must_match():
    make_article("Déclarer les places disponibles", body="Groupe de places.")
    make_article("Changer de profil actif", body="Le menu du compte.")
    assert found("places disponibles") == ["Déclarer les places disponibles"]
    assert found("places profil") == []


def test_title_matches_come_first():
    body_only = make_article("Orienter une demande", body="Pensez à la connexion ProConnect.")
    in_title = make_article("Se connecter avec ProConnect", body="Étapes.")
    # The body-only article was published later (more recent) and still comes second.
    body_only.published_at = in_title.published_at.replace(year=in_title.published_at.year + 1)
    body_only.save(update_fields=["published_at"])
    assert found("proconnect") == ["Se connecter avec ProConnect", "Orienter une demande"]


def test_drafts_are_never_found_by_the_public(client):
    make_article("Brouillon secret habilitation", published=False)
    assert found("habilitation") == []
    response = client.get(reverse("knowledge:search"), {"q": "habilitation"})
    assert "Brouillon secret" not in text(response)


def test_query_words_are_bounded():
    assert len(query_words(" ".join(f"mot{n}" for n in range(50)))) == MAX_WORDS
    assert query_words("a é ' %% __") == []
    assert query_words("x" * 10_000) == ["x" * 200]


def test_like_wildcards_are_plain_characters():
    make_article("Cent pour cent", body="100% disponible")
    make_article("Autre", body="rien")
    assert found("%") == []  # too short once normalized: no word
    assert found("100%") == ["Cent pour cent"]
    assert found("_") == []


ODD_QUERIES = ["", " ", "a", "'", '"', "%", "_", "\\", "<script>alert(1)</script>", "x" * 5000,
               "é" * 300, "\x00", "🏠 hébergement", "SELECT * FROM knowledge_article;--", "a" * 2 + " " * 500]  # fmt: skip


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_never_fail(client, query):
    make_article("Se connecter", body="ProConnect")
    response = client.get(reverse("knowledge:search"), {"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_results_page_and_the_french_message_when_nothing_is_found(client):
    make_article("Se connecter avec ProConnect", summary="La connexion recommandée.")
    response = client.get(reverse("knowledge:search"), {"q": "proconnect"})
    page = text(response)
    assert "1 résultat pour « proconnect »" in page
    assert "La connexion recommandée." in page
    response = client.get(reverse("knowledge:search"), {"q": "girafe"})
    page = text(response)
    assert "Aucun résultat pour « girafe »" in page
    assert reverse("support:request_create") in page


def test_results_are_paginated(client):
    for n in range(25):
        make_article(f"Habilitation {n}")
    first = client.get(reverse("knowledge:search"), {"q": "habilitation"})
    second = client.get(reverse("knowledge:search"), {"q": "habilitation", "page": 2})
    assert "25 résultats" in text(first)
    assert len(first.context["page"]) == 20 and len(second.context["page"]) == 5
    assert "?q=habilitation&page=2" in first.content.decode()


def test_suggestion_words_skip_common_words_and_short_ones():
    assert suggestion_words("Bonjour, je ne peux pas me connecter", "Merci de votre aide ProConnect") == [
        "connecter",
        "aide",
        "proconnect",
    ]


def test_suggestions_rank_articles_sharing_the_most_words():
    make_article("Déclarer les places disponibles", body="Places d'un dispositif.")
    make_article("Se connecter avec ProConnect", body="Connexion, identifiant, ProConnect.")
    make_article("Brouillon connexion ProConnect", body="ProConnect", published=False)
    make_article("Orienter une demande", body="Votre identifiant ProConnect.")  # body only: not suggested
    titles = [a.title for a in suggest_articles("Connexion impossible", "ProConnect refuse mon identifiant")]
    assert titles == ["Se connecter avec ProConnect"]


def test_at_most_five_suggestions():
    for n in range(8):
        make_article(f"Habilitation {n}")
    assert len(suggest_articles("habilitation", "")) == 5


def test_a_plural_finds_the_singular_and_the_plural():
    singular_article = make_article("Changer de profil actif", slug="profil")
    plural_article = make_article("Les profils du SI SIAO", slug="profils")
    found = set(search_articles(Article.objects.published(), "PROFILS"))
    assert found == {singular_article, plural_article}
    assert query_words("places disponibles ménages") == ["place", "disponible", "menage"]
