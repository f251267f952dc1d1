"""The help centre in a real browser: a visitor without an account opens « Aide et support »,
searches « Rechercher des réponses » (accents and case ignored), opens the article found; a
draft stays out of the results."""

import re

from playwright.sync_api import expect

from tests.knowledge.helpers import make_article, make_topic


def test_a_visitor_finds_a_published_article_by_searching(live_server, page):
    topic = make_topic("Mon compte et la connexion", slug="compte-et-connexion")
    make_article(
        "Demander une habilitation",
        topic=topic,
        slug="demander-une-habilitation",
        summary="Qui accorde les habilitations et comment en obtenir une.",
        body="## Qui l'accorde ?\n\nL'**administrateur SIAO** de votre département.",
    )
    make_article("Brouillon sur les habilitations", topic=topic, slug="brouillon-habilitations", published=False)

    page.goto(f"{live_server.url}/aide/")
    expect(page).to_have_title(re.compile("Aide et support"))
    expect(page.get_by_role("heading", name="Aide et support", level=1)).to_be_visible()
    page.get_by_label("Rechercher des réponses").fill("HABILITATIÔN administrateur")
    page.get_by_label("Rechercher des réponses").press("Enter")

    expect(page.get_by_role("heading", name=re.compile("1 résultat pour"))).to_be_visible()
    expect(page.get_by_text("Brouillon sur les habilitations")).to_have_count(0)
    page.get_by_role("link", name="Demander une habilitation").click()

    expect(page.get_by_role("heading", name="Demander une habilitation", level=1)).to_be_visible()
    expect(page.locator(".siao-article-body strong")).to_have_text("administrateur SIAO")
    assert page.url.endswith("/aide/articles/demander-une-habilitation/")


def test_a_search_without_answer_points_to_the_support_request(live_server, page):
    page.goto(f"{live_server.url}/aide/recherche/?q=girafe")
    expect(page.get_by_role("heading", name="Aucun résultat pour « girafe »")).to_be_visible()
    expect(page.get_by_role("link", name="Ouvrez une demande de support")).to_be_visible()
