"""The session: built into `request.actor` at each request, closed when the last membership
ends, after 30 minutes of inactivity, or by an explicit (POST) logout."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from siao.accounts.actions import SESSION_ACTIVE_MEMBERSHIP
from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from tests.conftest import log_in_as
from tests.factories import membership_for

pytestmark = pytest.mark.django_db


def test_a_user_whose_last_membership_is_revoked_is_logged_out_at_the_next_request(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    membership = client.membership
    assert client.get(reverse("core:home")).status_code == 200
    membership.revoked_at = timezone.now()
    membership.save()

    response = client.get(reverse("core:home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    assert "Vous n&#x27;avez plus d&#x27;habilitation active : votre session a été fermée." in (
        response.content.decode()
    )
    closed = AuditEvent.objects.get(action="auth.session_closed")
    assert closed.actor_user_id == membership.user.pk
    assert closed.data == {"reason": "no_active_membership"}


def test_a_user_whose_last_membership_expires_is_logged_out_the_next_day(client_as):
    today = timezone.localdate()
    client = client_as(membership_for(Role.SIAO_OPERATOR, ends_on=today))
    assert client.get(reverse("core:home")).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        log_in_as(client, client.membership)  # a fresh session: only the membership has ended
        response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.session_closed").count() == 1


def test_losing_the_active_membership_falls_back_to_another_one(client_as):
    first = membership_for(Role.SIAO_OPERATOR)
    second = membership_for(Role.CALL_HANDLER, code="29", user=first.user)
    client = client_as(second)
    second.revoked_at = timezone.now()
    second.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert response.wsgi_request.actor.membership == first
    assert client.session[SESSION_ACTIVE_MEMBERSHIP] == str(first.public_id)
    assert not AuditEvent.objects.filter(action="auth.session_closed").exists()


def test_sessions_end_after_thirty_minutes_of_inactivity():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_each_request_extends_the_session_but_thirty_minutes_of_silence_end_it(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    start = timezone.now()
    with time_machine.travel(start + datetime.timedelta(minutes=25)):
        assert client.get(reverse("core:home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=50)):  # 25 minutes after the last request
        assert client.get(reverse("core:home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=81)):  # 31 minutes of silence
        response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_logout_ends_the_session_and_is_recorded(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    # session, user, memberships, départements; audit event (5 in a savepoint); session delete
    with django_assert_num_queries(11):
        response = client.post(reverse("accounts:logout"), follow=False)
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="auth.logout")
    assert (event.actor_user_id, event.actor_role) == (client.membership.user.pk, Role.SIAO_ADMIN)
    assert event.actor_organization_id == client.membership.organization_id
    assert client.get(reverse("core:home")).status_code == 302


def test_logout_refuses_get_so_that_a_link_cannot_log_anyone_out(client_as):
    client = client_as(Role.SIAO_ADMIN)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session["_auth_user_id"] == str(client.membership.user.pk)
    assert not AuditEvent.objects.filter(action="auth.logout").exists()


def test_anonymous_logout_records_nothing(client):
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert not AuditEvent.objects.exists()


def test_my_account_sends_anonymous_users_to_login(client):
    response = client.get(reverse("accounts:my_account"))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={reverse('accounts:my_account')}"


@pytest.mark.parametrize("role", Role.values)
def test_my_account_lists_the_memberships_of_any_role(client_as, role, django_assert_num_queries):
    client = client_as(role)
    other = membership_for(Role.CALL_HANDLER, code="29", user=client.membership.user)
    with django_assert_num_queries(7):  # same with one membership: no N+1
        response = client.get(reverse("accounts:my_account"))
    assert response.status_code == 200
    content = response.content.decode()
    assert str(client.membership).replace("'", "&#x27;") in content
    assert str(other) in content


@pytest.mark.django_db
def test_the_login_event_names_the_role_the_session_opens_with(client):
    from siao.accounts.actions import log_in
    from siao.audit.models import AuditEvent
    from tests.factories import membership_for as make

    membership = make(Role.CALL_HANDLER)
    request = RequestFactory().get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    log_in(request, membership.user, method="code", backend="siao.accounts.backends.LoginCodeBackend")
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor_role == Role.CALL_HANDLER
    assert event.actor_organization_id == membership.organization_id
