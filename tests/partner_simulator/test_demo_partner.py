"""The demo's partner client: fixed, documented credentials for the simulator, created once."""

import pytest
from django.core.management import call_command
from django.test import Client

from siao.audit.models import AuditEvent
from siao.demo.partners import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_WEBHOOK_URL,
    demo_webhook_secret,
    seed_demo_partner,
)
from siao.demo.seed import DEMO_DOMAIN
from siao.offer.models import Place
from siao.partners.credentials import webhook_secret
from siao.partners.enums import Scope
from siao.partners.models import ClientSecret, PartnerClient

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_the_simulator_s_partner_client_with_its_documented_credentials():
    call_command("seed_demo")
    client = PartnerClient.objects.get(client_id=DEMO_CLIENT_ID)
    assert client.name == "Démo Adoma (simulateur)"
    assert sorted(client.scopes) == sorted(Scope.values) and client.webhook_url == DEMO_WEBHOOK_URL
    [operator] = client.operators.all()
    assert Place.objects.filter(
        place_group__program__operator=operator, place_group__program__validation_status="validated"
    ).exists()
    assert not client.service_user.is_active and not client.service_user.has_usable_password()
    assert ClientSecret.objects.get(client=client).secret_hash != DEMO_CLIENT_SECRET  # hashed
    assert demo_webhook_secret() == webhook_secret(client)
    assert AuditEvent.objects.filter(action="partners.client_registered").count() == 1
    response = Client().post(
        "/api/v1/oauth/token",
        {"grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET},
    )
    assert response.status_code == 200, response.content


def test_seeding_again_changes_nothing_and_reaches_a_demo_seeded_before_the_partner_existed():
    call_command("seed_demo")
    PartnerClient.objects.filter(client_id=DEMO_CLIENT_ID).update(webhook_url="")
    call_command("seed_demo")
    assert PartnerClient.objects.filter(client_id=DEMO_CLIENT_ID).get().webhook_url == ""  # left alone
    service_user = PartnerClient.objects.get().service_user
    PartnerClient.objects.all().delete()
    service_user.delete()
    call_command("seed_demo")
    assert PartnerClient.objects.filter(client_id=DEMO_CLIENT_ID).count() == 1


def test_without_the_demo_there_is_no_demo_partner():
    assert seed_demo_partner(DEMO_DOMAIN) is None
    assert demo_webhook_secret() is None
