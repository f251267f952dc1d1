import pytest
from django.db import connections
from django.urls import reverse

from siao.accounts.enums import Role


@pytest.mark.django_db(databases=["default", "archive", "stats"])
def test_healthz_answers_200_with_the_state_of_each_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "databases": {"default": "ok", "archive": "ok", "stats": "ok"}}


@pytest.mark.django_db(databases=["default", "archive", "stats"])
def test_healthz_answers_503_when_a_database_is_unreachable(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connections["stats"].Database.OperationalError("unreachable")

    monkeypatch.setattr(connections["stats"], "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "indisponible"
    assert body["databases"]["default"] == "ok"
    assert body["databases"]["stats"].startswith("indisponible")


@pytest.mark.django_db
def test_home_sends_anonymous_users_to_login(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_home_says_what_the_active_role_can_do(client_as, role, django_assert_max_num_queries):
    client = client_as(role)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("core:home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert Role(role).label.replace("'", "&#x27;") in content
    assert "Ce que votre profil vous permet de faire" in content
    assert 'lang="fr"' in content
    assert "licence etalab-2.0" in content


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["accessibility", "legal_notice", "personal_data", "sitemap"])
def test_footer_pages_are_public(client, name):
    assert client.get(reverse(f"core:{name}")).status_code == 200


@pytest.mark.django_db
def test_a_form_posted_without_its_security_token_gets_a_french_page(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"email": "a@b.example"})
    assert response.status_code == 403
    assert "Le formulaire a expiré" in response.content.decode()
