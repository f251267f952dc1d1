"""A partner world: the orientation World (a CHRS of an operator, département 35), a partner
client of that operator registered by the national administrator, a token, and a client
calling the API with it."""

from django.test import Client

from siao.accounts.enums import Role
from siao.partners import actions
from siao.partners.enums import Scope
from tests.factories import membership_for
from tests.offer.programs.helpers import actor_for

ALL_SCOPES = list(Scope.values)


def national_admin():
    return actor_for(membership_for(Role.NATIONAL_ADMIN))


def register(
    operators, *, scopes=None, webhook_url="http://127.0.0.1:9/webhooks", rate_limit=600, name="Partenaire test"
):
    return actions.register_client(
        actor=national_admin(),
        name=name,
        operators=operators,
        scopes=ALL_SCOPES if scopes is None else scopes,
        webhook_url=webhook_url,
        rate_limit=rate_limit,
    )


def token_for(registered, scope: str = "") -> str:
    response = Client().post(
        "/api/v1/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": registered.client.client_id,
            "client_secret": registered.client_secret,
            "scope": scope,
        },
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


class ApiClient(Client):
    """A test client that sends the bearer token and JSON bodies."""

    def __init__(self, token: str, **kwargs):
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {token}", **kwargs)

    def post_json(self, path, data, **extra):
        return self.post(path, data, content_type="application/json", **extra)

    def patch_json(self, path, data, **extra):
        return self.patch(path, data, content_type="application/json", **extra)
