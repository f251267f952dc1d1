"""The banner on every page: shown to logged-in users while a campaign is open, until they
answer or say « Plus tard »; zero queries when no campaign is open, one per session otherwise."""

import html
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from siao.accounts.enums import Role
from siao.surveys import actions
from siao.surveys.banner import (
    CACHE_KEY,
    REFRESH_SECONDS,
    banner_for,
    cached_open_campaign,
    refresh_on_new_connection,
    refresh_open_campaign,
)
from siao.surveys.models import SurveyParticipation
from tests.factories import actor_for, membership_for

from .helpers import GOOD_ANSWER, draft_campaign, open_campaign

pytestmark = pytest.mark.django_db

BANNER = 'id="survey-banner"'
HOME = "/"


def page(client, url=HOME) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _request(client, path="/"):
    from django.test import RequestFactory

    request = RequestFactory().get(path)
    request.actor = actor_for(client.membership)
    request.session = client.session
    return request


def test_no_banner_and_no_query_for_it_when_no_campaign_is_open(client_as, django_assert_num_queries):
    client = client_as(Role.SOCIAL_WORKER)
    request = _request(client)
    with django_assert_num_queries(0):
        assert banner_for(request) is None  # the cache is empty: « none open », no query
    refresh_open_campaign()
    with django_assert_num_queries(0):
        assert banner_for(request) is None  # None explicitly cached
    assert BANNER not in page(client)


def test_a_campaign_in_preparation_shows_no_banner(client_as):
    draft_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    assert BANNER not in page(client)


def test_an_open_campaign_shows_the_banner_with_its_link_and_plus_tard(client_as):
    campaign = open_campaign("Enquête de satisfaction Octobre 2023")
    client = client_as(Role.CALL_HANDLER)
    content = page(client)
    assert BANNER in content
    assert "Enquête de satisfaction Octobre 2023 : donnez votre avis en 30 secondes." in content
    assert reverse("surveys:answer", args=[campaign.public_id]) in content
    assert "Répondre à l'enquête" in content
    assert f'action="{reverse("surveys:dismiss")}"' in content and "csrfmiddlewaretoken" in content
    assert ">Plus tard</button>" in content


def test_anonymous_visitors_never_see_the_banner(client):
    open_campaign()
    response = client.get(reverse("accounts:login"))
    assert BANNER not in response.content.decode()


def test_with_a_campaign_open_only_the_first_page_of_a_session_costs_one_query(client_as):
    client = client_as(Role.SOCIAL_WORKER)
    client.get(HOME)
    with CaptureQueriesContext(connection) as without_campaign:
        client.get(HOME)
    open_campaign()
    with CaptureQueriesContext(connection) as first:
        assert BANNER in page(client)
    with CaptureQueriesContext(connection) as next_page:
        assert BANNER in page(client)
    survey_queries = [q["sql"] for q in first.captured_queries if "surveys_" in q["sql"]]
    assert len(survey_queries) == 1 and "surveys_surveyparticipation" in survey_queries[0]
    assert len(first.captured_queries) == len(without_campaign.captured_queries) + 1
    assert len(next_page.captured_queries) == len(without_campaign.captured_queries)


def test_plus_tard_hides_the_banner_for_the_session_without_javascript(client_as):
    campaign = open_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    assert BANNER in page(client)
    response = client.post(reverse("surveys:dismiss"), {"campaign": str(campaign.public_id), "next": "/compte/"})
    assert response.status_code == 302 and response.url == "/compte/"
    assert BANNER not in page(client)
    # Nothing stored: another session shows it again.
    assert not SurveyParticipation.objects.exists()


def test_plus_tard_never_redirects_elsewhere(client_as):
    campaign = open_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    response = client.post(
        reverse("surveys:dismiss"), {"campaign": str(campaign.public_id), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == reverse("core:home")


def test_plus_tard_needs_a_post_and_a_login(client, client_as):
    assert client.post(reverse("surveys:dismiss")).status_code == 302
    assert client.post(reverse("surveys:dismiss")).url.startswith(reverse("accounts:login"))
    assert client_as(Role.SOCIAL_WORKER).get(reverse("surveys:dismiss")).status_code == 405


def test_after_answering_the_banner_is_gone(client_as):
    campaign = open_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    assert BANNER in page(client)
    client.post(reverse("surveys:answer", args=[campaign.public_id]), GOOD_ANSWER)
    assert BANNER not in page(client)


def test_a_user_who_answered_in_another_session_sees_no_banner(client_as):
    campaign = open_campaign()
    membership = membership_for(Role.SOCIAL_WORKER)
    actions.submit_answer(
        actor=actor_for(membership),
        campaign=campaign,
        score=5,
        answers={k: GOOD_ANSWER[k] for k in ("makes_work_easier", "finds_information", "knows_where_to_get_help")},
    )
    assert BANNER not in page(client_as(membership))


def test_the_banner_is_not_shown_on_the_survey_pages(client_as):
    campaign = open_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    assert BANNER not in page(client, reverse("surveys:answer", args=[campaign.public_id]))


def test_closing_the_campaign_removes_the_banner(client_as, django_capture_on_commit_callbacks):
    campaign = open_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    assert BANNER in page(client)
    with django_capture_on_commit_callbacks(execute=True):
        actions.close_campaign(actor=actor_for(membership_for(Role.NATIONAL_ADMIN)), campaign=campaign)
    assert cached_open_campaign() is None
    assert BANNER not in page(client)


def test_opening_a_campaign_sets_the_cache_after_the_commit(django_capture_on_commit_callbacks):
    campaign = draft_campaign()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.open_campaign(actor=actor_for(membership_for(Role.NATIONAL_ADMIN)), campaign=campaign)
    assert cached_open_campaign() is None  # not before the commit
    for callback in callbacks:
        callback()
    assert cached_open_campaign()["public_id"] == str(campaign.public_id)


def test_a_new_connection_refreshes_a_missing_or_stale_cache():
    campaign = open_campaign()
    cache.clear()
    refresh_on_new_connection(sender=None, connection=connection)
    # Inside the test's transaction: skipped (a failed read would spoil the transaction).
    assert cache.get(CACHE_KEY) is None
    connection.in_atomic_block, saved = False, connection.in_atomic_block
    try:
        refresh_on_new_connection(sender=None, connection=connection)
        assert cached_open_campaign()["title"] == campaign.title
        # Fresh: not read again; stale: read again.
        cache.set(CACHE_KEY, {"checked_at": time.time(), "campaign": None}, timeout=None)
        refresh_on_new_connection(sender=None, connection=connection)
        assert cached_open_campaign() is None
        cache.set(CACHE_KEY, {"checked_at": time.time() - REFRESH_SECONDS - 1, "campaign": None}, timeout=None)
        refresh_on_new_connection(sender=None, connection=connection)
        assert cached_open_campaign()["title"] == campaign.title
    finally:
        connection.in_atomic_block = saved


def test_the_campaign_list_refreshes_the_cache(client_as):
    campaign = open_campaign()
    cache.clear()
    client_as(Role.NATIONAL_ADMIN).get(reverse("surveys:campaign_list"))
    assert cached_open_campaign()["public_id"] == str(campaign.public_id)
