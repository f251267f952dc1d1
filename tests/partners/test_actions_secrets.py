"""The national administrator's actions on partner clients: the rules an acceptance test
found missing (two valid secrets at most, a revoked secret stops access at once, webhook
addresses in https)."""

import pytest
from django.core.exceptions import ValidationError

from siao.partners import actions, credentials
from siao.partners.models import AccessToken, ClientSecret, PartnerClient
from tests.factories import OperatorFactory

from .helpers import ApiClient, national_admin, register, token_for

pytestmark = pytest.mark.django_db


def test_two_rotations_leave_two_valid_secrets_the_oldest_revoked():
    partner = register([OperatorFactory()])
    admin = national_admin()
    second = actions.rotate_secret(actor=admin, client=partner.client, grace_days=7)
    third = actions.rotate_secret(actor=admin, client=partner.client, grace_days=3)
    client_id = partner.client.client_id
    assert credentials.find_client(client_id, partner.client_secret) is None
    assert credentials.find_client(client_id, second) == partner.client
    assert credentials.find_client(client_id, third) == partner.client
    valid = [s for s in ClientSecret.objects.filter(client=partner.client) if s.is_valid()]
    assert len(valid) == actions.MAX_ACTIVE_SECRETS


def test_revoking_a_secret_revokes_the_tokens_of_the_client():
    partner = register([OperatorFactory()])
    token = token_for(partner)
    api = ApiClient(token)
    assert api.get("/api/v1/operators").status_code == 200
    secret = ClientSecret.objects.get(client=partner.client)
    actions.revoke_secret(actor=national_admin(), secret=secret)
    assert not AccessToken.objects.filter(client=partner.client).exists()
    response = api.get("/api/v1/operators")
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://partenaire.example/webhooks", True),
        ("http://127.0.0.1:8765/webhooks", True),
        ("http://localhost:8765/webhooks", True),
        ("http://partenaire.example/webhooks", False),
        ("ftp://partenaire.example/webhooks", False),
    ],
)
def test_webhook_addresses_are_in_https_except_towards_this_machine(url, accepted):
    operator = OperatorFactory()
    if accepted:
        assert register([operator], webhook_url=url).client.webhook_url == url
        return
    with pytest.raises(ValidationError) as error:
        register([operator], webhook_url=url)
    assert "webhook_url" in error.value.message_dict
    assert not PartnerClient.objects.exists()
