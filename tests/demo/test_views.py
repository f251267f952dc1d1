"""The /demo/ page: the demo accounts, and a one-click login as one of them, only in demo mode."""

import uuid

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from siao.accounts.actions import SESSION_ACTIVE_MEMBERSHIP, SESSION_LOGIN_METHOD
from siao.accounts.enums import Role
from siao.accounts.models import Membership, User
from siao.audit.models import AuditEvent
from siao.demo.seed import DEMO_DOMAIN, seed_demo
from tests.factories import UserFactory, membership_for


def demo_user(local_part: str) -> User:
    return User.objects.get(email=f"{local_part}@{DEMO_DOMAIN}")


def login_as_url(user: User) -> str:
    return reverse("demo:login_as", args=[user.public_id])


@pytest.fixture
def seeded():
    seed_demo()


# Without demo mode


@pytest.mark.django_db
def test_without_demo_mode_the_demo_pages_are_not_found(client, seeded):
    user = demo_user("admin.national")
    assert client.get(reverse("demo:accounts")).status_code == 404
    assert client.post(login_as_url(user)).status_code == 404
    assert SESSION_KEY not in client.session
    assert not AuditEvent.objects.filter(action="auth.login").exists()


@pytest.mark.django_db
def test_without_demo_mode_no_page_links_to_the_demo_accounts(client):
    assert reverse("demo:accounts") not in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
def test_in_demo_mode_the_login_page_links_to_the_demo_accounts(client, demo_mode):
    assert reverse("demo:accounts") in client.get(reverse("accounts:login")).content.decode()


# The accounts page


@pytest.mark.django_db
def test_the_demo_page_lists_every_demo_account_with_its_profiles(client, seeded, demo_mode):
    response = client.get(reverse("demo:accounts"))
    assert response.status_code == 200
    content = response.content.decode()
    for user in User.objects.filter(is_demo=True):
        assert user.email in content
        assert login_as_url(user) in content
    for label in Role.labels:
        assert label.replace("'", "&#x27;") in content


@pytest.mark.django_db
def test_the_demo_page_does_not_list_real_or_deactivated_accounts(client, seeded, demo_mode):
    real = UserFactory(email="vraie.personne@structure-test.example")
    membership_for(Role.SIAO_ADMIN, user=real)
    User.objects.filter(email=f"analyste@{DEMO_DOMAIN}").update(is_active=False)
    content = client.get(reverse("demo:accounts")).content.decode()
    assert real.email not in content
    assert f"analyste@{DEMO_DOMAIN}" not in content
    assert f"admin.siao@{DEMO_DOMAIN}" in content


@pytest.mark.django_db
def test_the_demo_page_runs_a_fixed_number_of_queries_whatever_the_number_of_accounts(
    client, seeded, demo_mode, django_assert_num_queries
):
    # users, their memberships, the organizations, the programs.
    with django_assert_num_queries(2):
        client.get(reverse("demo:accounts"))
    for _ in range(5):
        membership_for(Role.SOCIAL_WORKER, user=UserFactory(is_demo=True))
    with django_assert_num_queries(2):
        response = client.get(reverse("demo:accounts"))
    assert len(response.context["users"]) == 17


# Logging in as a demo account


@pytest.mark.django_db
def test_logging_in_as_a_demo_account_opens_its_session_and_goes_home(client, seeded, demo_mode):
    user = demo_user("admin.siao")
    response = client.post(login_as_url(user))
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    session = client.session
    assert session[SESSION_KEY] == str(user.pk)
    assert session[SESSION_LOGIN_METHOD] == "demo"
    assert session[SESSION_ACTIVE_MEMBERSHIP] == str(Membership.objects.get(user=user).public_id)
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert home.context["request"].actor.role == Role.SIAO_ADMIN


@pytest.mark.django_db
def test_logging_in_as_a_demo_account_is_recorded_as_a_demo_login(client, seeded, demo_mode):
    user = demo_user("travailleur.social")
    response = client.post(login_as_url(user))
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor_user_id == user.pk
    assert event.object_id == str(user.public_id)
    assert event.data == {"method": "demo"}
    assert event.correlation_id == response["X-Request-ID"]
    assert event.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_logging_in_as_a_demo_account_runs_a_fixed_number_of_queries(
    client, seeded, demo_mode, django_assert_num_queries
):
    user = demo_user("gestionnaire.horizon")
    # the demo user, its active membership; the new session (exists, savepoint, insert, release);
    # last_login; the first active membership; the login recorded (savepoint, locked chain head,
    # insert, head update, release); the session saved (savepoint, update, release).
    with django_assert_num_queries(16):
        response = client.post(login_as_url(user))
    assert response.status_code == 302


@pytest.mark.django_db
def test_logging_in_as_an_account_that_is_not_a_demo_account_is_not_found(client, seeded, demo_mode):
    real = membership_for(Role.NATIONAL_ADMIN).user
    response = client.post(login_as_url(real))
    assert response.status_code == 404
    assert SESSION_KEY not in client.session
    assert not AuditEvent.objects.filter(action="auth.login").exists()


@pytest.mark.django_db
def test_logging_in_as_an_unknown_account_is_not_found(client, seeded, demo_mode):
    assert client.post(reverse("demo:login_as", args=[uuid.uuid4()])).status_code == 404


@pytest.mark.django_db
def test_logging_in_as_a_demo_account_without_an_active_membership_is_not_found(client, seeded, demo_mode):
    user = demo_user("ecoutant.115")
    Membership.objects.filter(user=user).update(revoked_at=timezone.now())
    assert client.post(login_as_url(user)).status_code == 404
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_logging_in_as_a_deactivated_demo_account_is_not_found(client, seeded, demo_mode):
    user = demo_user("analyste")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.post(login_as_url(user)).status_code == 404


@pytest.mark.django_db
def test_logging_in_as_a_demo_account_needs_a_post(client, seeded, demo_mode):
    response = client.get(login_as_url(demo_user("admin.national")))
    assert response.status_code == 405
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_logging_in_as_a_demo_account_needs_the_csrf_token(seeded, demo_mode):
    client = Client(enforce_csrf_checks=True)
    response = client.post(login_as_url(demo_user("admin.national")))
    assert response.status_code == 403
    assert SESSION_KEY not in client.session
