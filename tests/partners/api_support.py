"""What the API tests share: a snapshot of the rows an API call could change (a refused call
must leave it equal), a world of two partners on two operators, problem assertions."""

from dataclasses import dataclass

from django.core.cache import cache

from siao.audit.models import AuditEvent
from siao.offer.models import Place, PlaceGroup, PlaceStateChange, Program
from siao.orientation.models import Referral, Request, Stay
from siao.partners.models import AccessToken, ClientSecret, IdempotencyRecord, PartnerClient, WebhookEvent
from tests.orientation.helpers import World

from .helpers import ApiClient, register, token_for

WATCHED = [
    Program,
    PlaceGroup,
    Place,
    PlaceStateChange,
    Request,
    Referral,
    Stay,
    PartnerClient,
    ClientSecret,
    AccessToken,
    IdempotencyRecord,
    WebhookEvent,
    AuditEvent,
]


def db_state() -> dict:
    """Every row of the models the API writes, column by column."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    document = response.json()
    assert document["status"] == status
    assert document["title"] and document["detail"] and document["type"]
    if code is not None:
        assert document["code"] == code, document
    return document


def fields_of(document: dict) -> set[str]:
    return {error["field"] for error in document.get("errors", [])}


@dataclass
class Partner:
    world: World
    registered: object
    api: ApiClient

    @property
    def program(self):
        return self.world.target

    def places(self):
        return self.world.places()


def partner(*, places: int = 2, scopes=None, rate_limit: int = 600, name: str = "Partenaire test") -> Partner:
    """A world (its CHRS, operator, household…) and a partner client of that operator."""
    cache.clear()
    world = World.build(places=places)
    registered = register([world.target.operator], scopes=scopes, rate_limit=rate_limit, name=name)
    return Partner(world=world, registered=registered, api=ApiClient(token_for(registered)))
