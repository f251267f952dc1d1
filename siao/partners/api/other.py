"""The contingent préfectoral's availability, the client's own events (a pull fallback to the
webhooks) and the code lists the contract uses."""

import datetime

from ninja import Query, Schema
from pydantic import Field

from siao.households.enums import ExitDestination
from siao.offer.enums import PlaceCategory, PlaceState, PlaceType, ProgramType, UnavailabilityReason, UnitKind
from siao.offer.quota import quota_rows
from siao.orientation.enums import ExitReason, ProgramRefusalReason
from siao.partners.enums import Scope
from siao.partners.models import WebhookEvent

from . import api
from .base import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor, operator_ids, require_scope
from .offer import READ_ERRORS
from .schemas import EventPage, EventStatusCode, QuotaList, ReferentialsOut


@api.get(
    "/prefectoral-quota",
    response={200: QuotaList, **READ_ERRORS},
    tags=["Contingent préfectoral"],
    summary="Disponibilité du contingent préfectoral de mes dispositifs",
)
def prefectoral_quota(request):
    require_scope(request, Scope.QUOTA_READ)
    rows = quota_rows(operator_ids=operator_ids(request))
    return {
        "items": [
            {
                "program": row.program.public_id,
                "name": row.program.name,
                "department": row.department_code,
                "total_managed": row.program.total_managed,
                "prefectoral_quota": row.program.prefectoral_quota,
                "places": row.places,
                "available_places": row.available_places,
                "quota_available": row.quota_available,
            }
            for row in rows
        ]
    }


class EventListing(Schema):
    cursor: str | None = Field(
        None, pattern=CURSOR_PATTERN, description="Le `next_cursor` de la page précédente (valeur opaque)."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    status: EventStatusCode | None = Field(None, description="pending, delivered ou dead")


@api.get(
    "/events",
    response={200: EventPage, **READ_ERRORS},
    tags=["Webhooks"],
    summary="Mes événements et leur remise (rattrapage des webhooks)",
)
def list_events(request, filters: Query[EventListing]):
    if not set(request.auth.scopes) & {Scope.REFERRALS_READ, Scope.OFFER_READ}:
        require_scope(request, Scope.REFERRALS_READ)
    queryset = WebhookEvent.objects.filter(client_id=request.auth.client_id)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.cursor:
        _, after = decode_cursor(filters.cursor)
        queryset = queryset.filter(pk__gt=after)
    items = list(queryset.order_by("pk")[: filters.limit + 1])
    cursor = None
    if len(items) > filters.limit:
        items = items[: filters.limit]
        cursor = encode_cursor(items[-1].created_at, items[-1].pk)
    return {
        "items": [
            {
                "id": e.event_id,
                "type": e.type,
                "created_at": e.created_at,
                "status": e.status,
                "attempts": e.attempts,
                "delivered_at": e.delivered_at,
                "data": e.payload,
            }
            for e in items
        ],
        "next_cursor": cursor,
    }


def _codes(choices) -> list[dict]:
    return [{"code": str(value), "label": str(label)} for value, label in choices.choices]


@api.get(
    "/referentials", response={200: ReferentialsOut, **READ_ERRORS}, tags=["Référentiels"], summary="Listes de codes"
)
def referentials(request):
    return {
        "program_types": _codes(ProgramType),
        "unit_kinds": _codes(UnitKind),
        "place_types": _codes(PlaceType),
        "place_categories": _codes(PlaceCategory),
        "place_states": _codes(PlaceState),
        "unavailability_reasons": _codes(UnavailabilityReason),
        "program_refusal_reasons": _codes(ProgramRefusalReason),
        "exit_reasons": _codes(ExitReason),
        "exit_destinations": _codes(ExitDestination),
        "scopes": _codes(Scope),
    }


__all__ = ["datetime"]
