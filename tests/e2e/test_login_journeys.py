"""The main journeys in a real browser: login by code, ProConnect login, role switch, demo."""

import copy
import re

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from tests.conftest import log_in_as
from tests.factories import membership_for

from .oidc_harness import run_oidc_provider


def _session_cookie(live_server, membership):
    client = log_in_as(Client(), membership)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def test_a_user_logs_in_with_a_code_received_by_email(live_server, page):
    membership = membership_for(Role.SIAO_ADMIN, user__email="sophie.code@siao-test.example")
    page.goto(f"{live_server.url}/connexion/")
    expect(page).to_have_title(re.compile("Connexion"))
    page.get_by_label("Adresse électronique professionnelle").fill("sophie.code@siao-test.example")
    page.get_by_role("button", name="Recevoir un code").click()
    expect(page.get_by_role("heading", name="Saisissez votre code")).to_be_visible()

    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("Code reçu par courriel").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text(re.compile("Code incorrect"))).to_be_visible()

    page.get_by_label("Code reçu par courriel").fill(code)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()
    expect(page.get_by_text("Administrateur SIAO").first).to_be_visible()
    assert AuditEvent.objects.filter(action="auth.login", actor_user_id=membership.user_id).exists()


def test_a_webmail_address_is_refused_with_a_clear_message(live_server, page):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse électronique professionnelle").fill("quelquun@gmail.com")
    page.get_by_role("button", name="Recevoir un code").click()
    expect(page.get_by_text(re.compile("messagerie personnelle"))).to_be_visible()
    assert not mail.outbox


@pytest.fixture
def proconnect(live_server, settings):
    accounts = {
        "agent": {
            "email": "Paul.Connect@ddets-test.example",
            "given_name": "Paul",
            "usual_name": "Connect",
            "uid": "1",
            "siret": "13002526500013",
            "idp_id": "fia1v2",
        },
        "inconnu": {
            "email": "personne@ddets-test.example",
            "given_name": "Personne",
            "usual_name": "Inconnue",
            "uid": "2",
            "siret": "13002526500013",
            "idp_id": "fia1v2",
        },
    }
    with run_oidc_provider(
        client_id="si-siao-test",
        client_secret="secret-de-test-uniquement",
        redirect_uris=[f"{live_server.url}/proconnect/callback/"],
        post_logout_redirect_uris=[f"{live_server.url}/connexion/"],
        accounts=accounts,
    ) as provider:
        settings.PROCONNECT_ENABLED = True
        settings.PROCONNECT_ISSUER = provider.issuer
        settings.OIDC_RP_CLIENT_ID = "si-siao-test"
        settings.OIDC_RP_CLIENT_SECRET = "secret-de-test-uniquement"
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.authorization_endpoint
        settings.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        settings.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        settings.OIDC_OP_JWKS_ENDPOINT = provider.jwks_uri
        settings.OIDC_OP_LOGOUT_ENDPOINT = provider.end_session_endpoint
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"] = ["'self'", provider.issuer]
        settings.CONTENT_SECURITY_POLICY = policy
        yield provider


def _proconnect_login(page, live_server, login):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_role("link", name=re.compile("ProConnect")).first.click()
    page.fill("#login", login)
    page.fill("#password", "nimporte")
    page.click("#submit")


def test_a_user_logs_in_with_proconnect_reconciled_on_the_email(live_server, page, proconnect):
    membership = membership_for(Role.DEPARTMENT_ADMIN, user__email="paul.connect@ddets-test.example")
    _proconnect_login(page, live_server, "agent")
    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()
    expect(page.get_by_text("Administrateur départemental").first).to_be_visible()
    login = AuditEvent.objects.get(action="auth.login", actor_user_id=membership.user_id)
    assert login.data == {"method": "proconnect"}

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion au SI SIAO")).to_be_visible()
    assert AuditEvent.objects.filter(action="auth.logout", actor_user_id=membership.user_id).exists()


def test_proconnect_refuses_an_account_without_membership(live_server, page, proconnect):
    _proconnect_login(page, live_server, "inconnu")
    expect(page.get_by_text(re.compile("Aucun accès actif"))).to_be_visible()
    failure = AuditEvent.objects.get(action="auth.login_failed")
    assert failure.data["reason"] == "unknown_account"
    assert failure.data["method"] == "proconnect"


def test_a_forged_state_opens_no_session(live_server, page, proconnect):
    page.goto(f"{live_server.url}/proconnect/callback/?code=abc&state={'x' * 48}")
    expect(page.get_by_text(re.compile("ne correspond à aucune connexion en cours"))).to_be_visible()
    assert AuditEvent.objects.filter(action="auth.login_failed", data__reason="invalid_state").exists()
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_a_user_switches_the_active_role_from_the_header(live_server, page):
    manager = membership_for(Role.OPERATOR_MANAGER)
    program_role = membership_for(Role.PROGRAM_MANAGER, organization=manager.organization, user=manager.user)
    page.context.add_cookies([_session_cookie(live_server, manager)])
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text(re.compile("connecté en tant que Gestionnaire d'entité"))).to_be_visible()
    expect(page.get_by_role("link", name="Habilitations", exact=True).first).to_be_attached()

    page.get_by_label("Profil actif").select_option(str(program_role.public_id))
    page.get_by_role("button", name="Changer de profil").click()
    expect(page.get_by_text(re.compile("connecté en tant que Responsable de dispositif"))).to_be_visible()
    expect(page.get_by_role("link", name="Habilitations", exact=True)).to_have_count(0)
    assert AuditEvent.objects.filter(action="accounts.role_switched", actor_user_id=manager.user_id).exists()


def test_the_demo_page_logs_in_as_a_demo_account_with_one_click(live_server, page, settings):
    from siao.demo.seed import seed_demo

    settings.DEMO_MODE = True
    seed_demo()
    page.goto(f"{live_server.url}/demo/")
    expect(page.get_by_role("heading", name="Comptes de démonstration")).to_be_visible()
    page.get_by_role("button", name=re.compile("Se connecter en tant que Élise")).click()
    expect(page.get_by_text(re.compile("connecté en tant que Écoutant 115"))).to_be_visible()
