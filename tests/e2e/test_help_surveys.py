"""The satisfaction survey in a real browser: a logged-in user sees the banner, answers in a
few clicks from it, reads the thanks, and the banner is gone on the next page; « Plus tard »
hides it without JavaScript."""

import re

from django.test import Client
from playwright.sync_api import expect

from siao.accounts.enums import Role
from siao.surveys import actions
from siao.surveys.models import SatisfactionAnswer, SurveyParticipation
from tests.conftest import log_in_as
from tests.factories import actor_for, membership_for


def _log_in(page, live_server, membership):
    client = log_in_as(Client(), membership)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _open_campaign(title):
    admin = actor_for(membership_for(Role.NATIONAL_ADMIN))
    campaign = actions.create_campaign(actor=admin, title=title, intro="Quatre questions, trente secondes.")
    return actions.open_campaign(actor=admin, campaign=campaign)  # commits: the cache is set


def test_a_user_answers_the_survey_from_the_banner(live_server, page):
    campaign = _open_campaign("Enquête de satisfaction Octobre 2023")
    membership = membership_for(Role.SOCIAL_WORKER)
    _log_in(page, live_server, membership)
    page.goto(f"{live_server.url}/")
    banner = page.get_by_role("region", name=re.compile("Enquête de satisfaction Octobre 2023"))
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("donnez votre avis en 30 secondes")
    banner.get_by_role("link", name=re.compile("Répondre à l'enquête")).click()

    expect(page.get_by_role("heading", name="Enquête de satisfaction Octobre 2023")).to_be_visible()
    score = page.get_by_role("group", name=re.compile("quelle note donnez-vous au SI SIAO"))
    score.get_by_text("5 — Très satisfait").click()
    page.get_by_role("group", name="Le SI SIAO facilite mon travail.").get_by_text("Tout à fait").click()
    page.get_by_role("group", name=re.compile("Je trouve facilement")).get_by_text("Plutôt oui").click()
    page.get_by_role("group", name=re.compile("Je sais où trouver de l'aide")).get_by_text("Plutôt non").click()
    page.get_by_label(re.compile("Un commentaire, une suggestion")).fill("<script>alert(1)</script> Très bien")
    page.get_by_role("button", name="Envoyer mes réponses").click()

    expect(page.get_by_role("heading", name="Merci pour votre réponse")).to_be_visible()
    answer = SatisfactionAnswer.objects.get(campaign=campaign)
    assert (answer.score, answer.makes_work_easier, answer.knows_where_to_get_help) == (5, "fully", "rather_no")
    assert SurveyParticipation.objects.filter(campaign=campaign, user=membership.user).count() == 1

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()
    expect(page.locator("#survey-banner")).to_have_count(0)


def test_plus_tard_hides_the_banner_without_javascript(live_server, browser):
    _open_campaign("Enquête de satisfaction Novembre 2023")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _log_in(page, live_server, membership_for(Role.CALL_HANDLER))
    page.goto(f"{live_server.url}/compte/")
    banner = page.locator("#survey-banner")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Plus tard").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/compte/")
    expect(page.locator("#survey-banner")).to_have_count(0)
    assert not SatisfactionAnswer.objects.exists()
    context.close()
