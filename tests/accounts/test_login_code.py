"""Login by a one-time code sent to the professional email: the happy path and every refusal,
each leaving exactly one audit event and no session."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from siao.accounts import actions
from siao.accounts.actions import SESSION_ACTIVE_MEMBERSHIP, THROTTLED_MESSAGE, UNKNOWN_ACCOUNT_MESSAGE
from siao.accounts.emails import INVALID_EMAIL_MESSAGE
from siao.accounts.enums import Role
from siao.accounts.models import LoginCode
from siao.audit.models import AuditEvent
from tests.factories import UserFactory, membership_for

pytestmark = pytest.mark.django_db

EMAIL = "claire.martin@siao35.example"


@pytest.fixture
def member():
    return membership_for(Role.SIAO_OPERATOR, user=UserFactory(email=EMAIL))


def code_from_outbox(index: int = -1) -> str:
    return re.search(r"(\d{6})$", mail.outbox[index].subject).group(1)


def actions_recorded() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


def last_failure() -> dict:
    return AuditEvent.objects.filter(action="auth.login_failed").order_by("-sequence").first().data


def ask_code(client, email: str = EMAIL, *, url: str = "", **extra):
    # The email leaves on commit: run the callbacks the test transaction would otherwise hold.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url or reverse("accounts:login"), {"email": email}, **extra)


def send_code(client, code: str, **extra):
    return client.post(reverse("accounts:login_code"), {"code": code}, **extra)


def assert_no_session(client):
    assert "_auth_user_id" not in client.session


# --- the happy path -------------------------------------------------------------------------


def test_login_page_is_public(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "Recevoir un code de connexion par courriel" in response.content.decode()


def test_login_page_sends_a_logged_in_user_home(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_a_member_receives_a_code_by_email_and_logs_in_with_it(client, member, django_assert_num_queries):
    # IP failures count, user lookup, codes-per-hour count, then in one transaction: invalidate
    # the old codes, insert the code, the audit event (head, insert, head update); session insert.
    with django_assert_num_queries(16):
        response = ask_code(client, " Claire.Martin@SIAO35.example ")
    assert response.status_code == 302
    assert response.url == reverse("accounts:login_code")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]
    code = code_from_outbox()
    assert code in mail.outbox[0].body
    assert LoginCode.objects.get(user=member.user).code_hash != code  # only a keyed hash is stored
    assert_no_session(client)

    page = client.get(reverse("accounts:login_code"))
    assert page.status_code == 200
    assert EMAIL in page.content.decode()

    # actor-less request: session, IP failures, user, lock and burn the code; login (cycle the
    # session, last_login), first membership, audit event; session save
    with django_assert_num_queries(23):
        response = send_code(client, code)
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert client.session["_auth_user_id"] == str(member.user.pk)
    assert client.session[SESSION_ACTIVE_MEMBERSHIP] == str(member.public_id)
    assert actions_recorded() == ["auth.login_code_sent", "auth.login"]
    login = AuditEvent.objects.get(action="auth.login")
    assert login.data == {"method": "code"}
    assert (login.actor_user_id, login.actor_email, login.ip_address) == (member.user.pk, EMAIL, "127.0.0.1")
    assert client.get(reverse("core:home")).status_code == 200


def test_the_code_page_is_pinned_to_a_fixed_number_of_queries(client, member, django_assert_num_queries):
    ask_code(client)
    with django_assert_num_queries(4):  # session read, then session save in a savepoint
        response = client.get(reverse("accounts:login_code"))
    assert response.status_code == 200


def test_login_returns_to_the_page_asked_for_before_login(client, member):
    ask_code(client, url=reverse("accounts:login") + "?next=/compte/")
    response = send_code(client, code_from_outbox())
    assert response.url == "/compte/"


def test_login_ignores_a_next_url_on_another_site(client, member):
    ask_code(client, url=reverse("accounts:login") + "?next=https://evil.example/")
    response = send_code(client, code_from_outbox())
    assert response.url == reverse("core:home")


def test_the_code_page_without_an_email_in_session_sends_back_to_login(client):
    response = client.get(reverse("accounts:login_code"), follow=True)
    assert response.redirect_chain == [(reverse("accounts:login"), 302)]
    assert "Saisissez d&#x27;abord votre adresse électronique." in response.content.decode()
    assert client.post(reverse("accounts:login_code"), {"code": "123456"}).url == reverse("accounts:login")
    assert actions_recorded() == []


# --- refusals when asking for a code ----------------------------------------------------------


def test_a_malformed_email_is_refused_without_sending_a_code(client):
    response = ask_code(client, "claire.martin@")
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [INVALID_EMAIL_MESSAGE]
    assert mail.outbox == []
    assert actions_recorded() == ["auth.login_failed"]
    assert last_failure() == {"reason": "invalid_email", "email": "claire.martin@", "method": "code"}
    assert "login_email" not in client.session
    assert_no_session(client)


def test_a_webmail_address_is_refused_with_a_french_message(client):
    UserFactory(email="claire.martin@gmail.com")  # even an existing account: webmail is never accepted
    response = ask_code(client, "Claire.Martin@Gmail.com")
    assert response.context["form"].errors["email"] == [
        "Les adresses de messagerie personnelle (gmail.com) ne sont pas acceptées : "
        "utilisez votre adresse professionnelle individuelle."
    ]
    assert mail.outbox == []
    assert actions_recorded() == ["auth.login_failed"]
    assert last_failure() == {"reason": "webmail", "email": "claire.martin@gmail.com", "method": "code"}
    assert_no_session(client)


def _no_user():
    pass


def _only_revoked():
    membership = membership_for(Role.SIAO_OPERATOR, user=UserFactory(email=EMAIL))
    membership.revoked_at = timezone.now()
    membership.save()


def _only_expired():
    membership_for(
        Role.SIAO_OPERATOR, user=UserFactory(email=EMAIL), ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )


def _deactivated_user():
    membership_for(Role.SIAO_OPERATOR, user=UserFactory(email=EMAIL, is_active=False))


def _inactive_organization():
    membership = membership_for(Role.OPERATOR_MANAGER, user=UserFactory(email=EMAIL))
    membership.organization.is_active = False
    membership.organization.save()


@pytest.mark.parametrize(
    "situation", [_no_user, _only_revoked, _only_expired, _deactivated_user, _inactive_organization]
)
def test_an_address_without_an_active_membership_gets_no_code(client, situation):
    situation()
    response = ask_code(client)
    assert response.context["form"].errors["email"] == [UNKNOWN_ACCOUNT_MESSAGE]
    assert mail.outbox == []
    assert not LoginCode.objects.exists()
    assert actions_recorded() == ["auth.login_failed"]
    assert last_failure() == {"reason": "unknown_account", "email": EMAIL, "method": "code"}
    assert_no_session(client)


def test_an_expired_membership_still_valid_today_lets_its_holder_in(client):
    membership_for(Role.SIAO_OPERATOR, user=UserFactory(email=EMAIL), ends_on=timezone.localdate())
    ask_code(client)
    assert send_code(client, code_from_outbox()).url == reverse("core:home")
    assert client.session["_auth_user_id"]


def test_a_sixth_code_within_the_hour_is_refused(client, member):
    for _ in range(settings.LOGIN_CODE_REQUESTS_PER_HOUR):
        assert ask_code(client).status_code == 302
    response = ask_code(client)
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Trop de codes ont été demandés pour cette adresse. Utilisez le dernier code reçu ou réessayez dans une heure."
    ]
    assert len(mail.outbox) == settings.LOGIN_CODE_REQUESTS_PER_HOUR
    assert actions_recorded()[-1] == "auth.login_failed"
    assert last_failure()["reason"] == "too_many_codes"
    assert AuditEvent.objects.get(action="auth.login_failed").actor_user_id == member.user.pk

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, minutes=1)):
        assert ask_code(client).status_code == 302
    assert len(mail.outbox) == settings.LOGIN_CODE_REQUESTS_PER_HOUR + 1


# --- refusals when sending the code ----------------------------------------------------------


def test_a_wrong_code_counts_one_attempt_and_says_how_many_are_left(client, member):
    ask_code(client)
    right = code_from_outbox()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    response = send_code(client, wrong)
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Code incorrect. Il vous reste 4 essais."]
    assert LoginCode.objects.get().attempts == 1
    assert actions_recorded() == ["auth.login_code_sent", "auth.login_failed"]
    assert last_failure() == {"reason": "wrong_code", "email": EMAIL, "method": "code"}
    assert_no_session(client)
    # the right code still works after a wrong guess
    assert send_code(client, right).url == reverse("core:home")


@pytest.mark.parametrize("garbage", ["abcdef", "12 34 5", "-12345"])
def test_a_code_that_is_not_six_digits_counts_as_a_wrong_guess(client, member, garbage):
    ask_code(client)
    response = send_code(client, garbage)
    assert response.context["form"].errors["code"] == ["Code incorrect. Il vous reste 4 essais."]
    assert LoginCode.objects.get().attempts == 1


def test_a_code_is_burnt_after_the_maximum_number_of_wrong_guesses(client, member):
    ask_code(client)
    right = code_from_outbox()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for attempt in range(1, settings.LOGIN_CODE_MAX_ATTEMPTS):
        left = settings.LOGIN_CODE_MAX_ATTEMPTS - attempt
        expected = f"Code incorrect. Il vous reste {left} essai{'s' if left > 1 else ''}."
        assert send_code(client, wrong).context["form"].errors["code"] == [expected]
    response = send_code(client, wrong)
    assert response.context["form"].errors["code"] == [
        "Code incorrect. Ce code n'est plus utilisable : demandez-en un nouveau."
    ]
    login_code = LoginCode.objects.get()
    assert login_code.attempts == settings.LOGIN_CODE_MAX_ATTEMPTS
    assert login_code.used_at is not None

    response = send_code(client, right)
    assert response.context["form"].errors["code"] == [
        "Ce code a expiré ou a déjà été utilisé : demandez-en un nouveau."
    ]
    assert last_failure()["reason"] == "expired_code"
    assert actions_recorded().count("auth.login_failed") == settings.LOGIN_CODE_MAX_ATTEMPTS + 1
    assert "auth.login" not in actions_recorded()
    assert_no_session(client)


def test_an_expired_code_is_refused(client, member):
    ask_code(client)
    code = code_from_outbox()
    with time_machine.travel(timezone.now() + settings.LOGIN_CODE_VALIDITY + datetime.timedelta(seconds=1)):
        response = send_code(client, code)
    assert response.context["form"].errors["code"] == [
        "Ce code a expiré ou a déjà été utilisé : demandez-en un nouveau."
    ]
    assert actions_recorded() == ["auth.login_code_sent", "auth.login_failed"]
    assert last_failure()["reason"] == "expired_code"
    assert_no_session(client)


def test_a_code_is_accepted_until_the_end_of_its_validity(client, member):
    ask_code(client)
    code = code_from_outbox()
    with time_machine.travel(timezone.now() + settings.LOGIN_CODE_VALIDITY - datetime.timedelta(seconds=5)):
        assert send_code(client, code).url == reverse("core:home")


def test_a_used_code_cannot_be_used_again(member):
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.request_login_code(email=EMAIL)
    code = code_from_outbox()
    assert actions.check_login_code(email=EMAIL, code=code) == member.user
    with pytest.raises(actions.LoginRefused) as refusal:
        actions.check_login_code(email=EMAIL, code=code)
    assert refusal.value.reason == "expired_code"
    assert actions_recorded() == ["auth.login_code_sent", "auth.login_failed"]


def test_a_new_code_invalidates_the_previous_one(client, member, monkeypatch):
    codes = iter([111111, 222222])
    monkeypatch.setattr(actions.secrets, "randbelow", lambda _: next(codes))
    ask_code(client)
    ask_code(client)
    assert [code_from_outbox(0), code_from_outbox(1)] == ["111111", "222222"]
    assert LoginCode.objects.filter(used_at__isnull=True).count() == 1

    response = send_code(client, "111111")
    assert response.context["form"].errors["code"] == ["Code incorrect. Il vous reste 4 essais."]
    assert_no_session(client)
    assert send_code(client, "222222").url == reverse("core:home")


def test_a_membership_revoked_after_the_code_was_sent_prevents_login(client, member):
    ask_code(client)
    member.revoked_at = timezone.now()
    member.save()
    response = send_code(client, code_from_outbox())
    assert response.context["form"].errors["code"] == [UNKNOWN_ACCOUNT_MESSAGE]
    assert last_failure()["reason"] == "unknown_account"
    assert_no_session(client)


# --- throttling by client address -------------------------------------------------------------


def test_an_address_with_too_many_failures_is_throttled(client, member, settings):
    settings.LOGIN_FAILURES_PER_IP_PER_HOUR = 3
    for _ in range(3):
        ask_code(client, "inconnu@siao35.example")
    response = ask_code(client)  # even a real member, from this address
    assert response.context["form"].errors["email"] == [THROTTLED_MESSAGE]
    assert mail.outbox == []
    throttled = AuditEvent.objects.get(action="auth.login_throttled")
    assert throttled.data["reason"] == "throttled_ip"
    assert_no_session(client)

    # another address is not concerned
    response = ask_code(client, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    assert len(mail.outbox) == 1

    # and the throttle lifts after an hour
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, minutes=1)):
        assert ask_code(client).status_code == 302


def test_the_code_check_is_throttled_too(client, member, settings):
    settings.LOGIN_FAILURES_PER_IP_PER_HOUR = 2
    ask_code(client)
    code = code_from_outbox()
    send_code(client, "000000" if code != "000000" else "000001")
    send_code(client, "000000" if code != "000000" else "000001")
    response = send_code(client, code)
    assert response.context["form"].errors["code"] == [THROTTLED_MESSAGE]
    assert AuditEvent.objects.filter(action="auth.login_throttled").count() == 1
    assert LoginCode.objects.get().attempts == 2  # the throttled attempt did not touch the code
    assert_no_session(client)


def test_refusals_by_the_throttle_do_not_prolong_the_lockout(client, member, settings, time_machine):
    settings.LOGIN_FAILURES_PER_IP_PER_HOUR = 3
    time_machine.move_to("2026-03-02 10:00:00+01:00", tick=False)
    for _ in range(3):
        ask_code(client, "inconnu@siao35.example")
    time_machine.move_to("2026-03-02 10:50:00+01:00", tick=False)
    for _ in range(5):
        assert ask_code(client).context["form"].errors["email"] == [THROTTLED_MESSAGE]
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 3
    time_machine.move_to("2026-03-02 11:01:00+01:00", tick=False)
    assert ask_code(client).status_code == 302
