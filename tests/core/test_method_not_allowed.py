"""A GET on a POST-only address (`require_POST`) answers 405 with the site's French page, not
the browser's own English error; the status and the Allow header are kept."""

import pytest
from django.urls import reverse

from tests.emergency.helpers import EmergencyWorld

pytestmark = pytest.mark.django_db


def assert_french_405(response):
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "Cette adresse s'utilise depuis un formulaire" in body
    assert f'href="{reverse("core:home")}"' in body
    assert '<html lang="fr"' in body


def test_a_get_on_a_post_only_address_shows_the_french_405_page(client_as):
    client = client_as(EmergencyWorld.build().handler_membership)
    response = client.get(reverse("emergency:call_create"))
    assert_french_405(response)
    assert "fr-btn" in response.content.decode()


def test_the_405_page_scripts_carry_the_nonce_of_the_header(client_as):
    client = client_as(EmergencyWorld.build().handler_membership)
    response = client.get(reverse("emergency:call_create"))
    assert response["X-Request-ID"]
    script_src = response["Content-Security-Policy"].split("script-src", 1)[1].split(";", 1)[0].split()
    (nonce_source,) = [value for value in script_src if value.startswith("'nonce-")]
    nonce = nonce_source.removeprefix("'nonce-").removesuffix("'")
    assert f'nonce="{nonce}"' in response.content.decode()


def test_a_post_on_the_same_address_is_untouched(client_as):
    client = client_as(EmergencyWorld.build().handler_membership)
    response = client.post(reverse("emergency:call_create"), {})
    assert response.status_code != 405


def test_anonymous_users_on_a_guarded_post_only_address_still_go_to_login(client):
    path = reverse("emergency:call_create")
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={path}"


def test_anonymous_users_on_an_unguarded_post_only_address_get_the_french_405_page(client):
    assert_french_405(client.get(reverse("accounts:logout")))
