"""The banner on every page: shown to logged-in users while a campaign is open, until they
answer or say « Plus tard »; zero queries when no campaign is open, one per session otherwise."""

import html
import logging
import time

import pytest
import redis.exceptions
from django.core.cache import cache
from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from siao.accounts.enums import Role
from siao.surveys import actions, banner
from siao.surveys.banner import (
    CACHE_KEY,
    REFRESH_SECONDS,
    banner_for,
    cached_open_campaign,
    refresh_on_new_connection,
    refresh_open_campaign,
)
from siao.surveys.models import SatisfactionSurvey, SurveyParticipation
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


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/menages/", "/menages/"),
        ("/compte/?onglet=profil", "/compte/?onglet=profil"),
        ("abc", "/"),  # a bare word is not a URL name to reverse (it was a 500)
        ("logout", "/"),
        ("core:home", "/"),
        ("//evil.example", "/"),
        ("//evil.example/menages/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("https://evil.example/", "/"),
        ("http://testserver/menages/", "/"),  # absolute, even to this host: not needed, refused
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_plus_tard_only_goes_back_to_a_path_of_this_site(client_as, target, expected):
    campaign = open_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    response = client.post(reverse("surveys:dismiss"), {"campaign": str(campaign.public_id), "next": target})
    assert response.status_code == 302 and response.url == expected
    assert reverse("core:home") == "/"
    assert BANNER not in page(client)


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
    assert cached_open_campaign()["title"] == campaign.title
    # Fresh: not read again; stale: read again.
    cache.set(CACHE_KEY, {"checked_at": time.time(), "campaign": None}, timeout=None)
    refresh_on_new_connection(sender=None, connection=connection)
    assert cached_open_campaign() is None
    cache.set(CACHE_KEY, {"checked_at": time.time() - REFRESH_SECONDS - 1, "campaign": None}, timeout=None)
    refresh_on_new_connection(sender=None, connection=connection)
    assert cached_open_campaign()["title"] == campaign.title


def test_the_campaign_list_refreshes_the_cache(client_as):
    campaign = open_campaign()
    cache.clear()
    client_as(Role.NATIONAL_ADMIN).get(reverse("surveys:campaign_list"))
    assert cached_open_campaign()["public_id"] == str(campaign.public_id)


# -- a cache outage never breaks a page nor a connection -------------------------------------


class BrokenCache:
    """What Redis down looks like to Django's cache API: every call raises."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise redis.exceptions.ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

        return fail


@pytest.fixture
def broken_cache(monkeypatch):
    monkeypatch.setattr(banner, "cache", BrokenCache())


def test_with_the_cache_down_pages_answer_without_banner(client_as, broken_cache, caplog):
    campaign = open_campaign()  # its cache write fails: skipped with a warning
    client = client_as(Role.SOCIAL_WORKER)
    with caplog.at_level(logging.WARNING, logger="siao.surveys.banner"):
        assert BANNER not in page(client)
        assert BANNER not in page(client, "/compte/")
    assert cached_open_campaign() is None
    assert any("cache indisponible" in record.getMessage() for record in caplog.records)
    # The survey stays reachable by its address, and « Plus tard » still answers.
    assert client.get(reverse("surveys:answer", args=[campaign.public_id])).status_code == 200
    response = client.post(reverse("surveys:dismiss"), {"campaign": str(campaign.public_id), "next": "/compte/"})
    assert response.status_code == 302 and response.url == "/compte/"
    # The national administrator's list (it writes the cache) too.
    assert client_as(Role.NATIONAL_ADMIN).get(reverse("surveys:campaign_list")).status_code == 200


def test_with_the_cache_down_opening_and_closing_a_campaign_work(
    broken_cache, caplog, django_capture_on_commit_callbacks
):
    admin = actor_for(membership_for(Role.NATIONAL_ADMIN))
    with caplog.at_level(logging.WARNING, logger="siao.surveys.banner"):
        with django_capture_on_commit_callbacks(execute=True):
            campaign = actions.open_campaign(actor=admin, campaign=draft_campaign(admin=admin))
        with django_capture_on_commit_callbacks(execute=True):
            actions.close_campaign(actor=admin, campaign=campaign)
    campaign.refresh_from_db()
    assert not campaign.is_open
    assert len([r for r in caplog.records if "cache indisponible" in r.getMessage()]) == 2


def test_with_the_cache_down_the_refresh_on_a_new_connection_is_skipped(broken_cache, caplog):
    open_campaign()
    with caplog.at_level(logging.WARNING, logger="siao.surveys.banner"):
        refresh_on_new_connection(sender=None, connection=connection)
    assert any("rafraîchissement du bandeau ignoré" in r.getMessage() for r in caplog.records)
    assert SurveyParticipation.objects.count() == 0  # the connection is still usable


@pytest.mark.django_db(transaction=True)
def test_with_the_cache_down_a_new_database_connection_works(broken_cache, caplog):
    """A real `connection_created`: the receiver runs while the connection is being opened."""
    with caplog.at_level(logging.WARNING, logger="siao.surveys.banner"):
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            connection_created.send(sender=connection.__class__, connection=connection)
        else:
            connection.close()
            connection.ensure_connection()
        assert SatisfactionSurvey.objects.count() == 0
    assert any("rafraîchissement du bandeau ignoré" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_a_new_database_connection_refreshes_the_cache_in_autocommit():
    """`connection_created` is sent before any transaction starts on the connection (Django
    resets `in_atomic_block` first), even when the connection is opened by `atomic()`."""
    admin = actor_for(membership_for(Role.NATIONAL_ADMIN))
    campaign = actions.open_campaign(actor=admin, campaign=draft_campaign(admin=admin))
    cache.clear()
    seen = []

    def spy(sender, connection, **kwargs):
        seen.append((connection.in_atomic_block, connection.get_autocommit()))

    connection_created.connect(spy)
    try:
        if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
            connection.close()
            with transaction.atomic():
                assert SatisfactionSurvey.objects.filter(pk=campaign.pk).exists()
        else:
            connection_created.send(sender=connection.__class__, connection=connection)
    finally:
        connection_created.disconnect(spy)
    assert seen == [(False, True)]
    assert cached_open_campaign()["public_id"] == str(campaign.public_id)
    cache.clear()
