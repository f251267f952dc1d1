"""What the endpoints share: the bearer authentication, scopes, the partner's actor (its
technical account acting as the operator or as the program), cursor pagination, ETags."""

import base64
import datetime
import hashlib
import json

from django.db.models import Q
from django.http import HttpResponse
from ninja.security import HttpBearer

from siao.accounts.actor import Actor
from siao.accounts.enums import Role
from siao.accounts.models import Membership
from siao.partners.credentials import authenticate_token

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# What encode_cursor writes (unpadded base64url): anything else is refused before decoding.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,512}$"


class ApiError(Exception):
    """Raised by endpoints: answered as the problem `code`."""

    def __init__(self, code: str, detail: str | None = None, errors: list | None = None, headers: dict | None = None):
        super().__init__(code)
        self.code, self.detail, self.errors, self.headers = code, detail, errors, headers


class PartnerBearer(HttpBearer):
    """OAuth 2.0 bearer token from /api/v1/oauth/token (client credentials)."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        access = getattr(request, "partner_token", None)
        if access is None:
            access = authenticate_token(token)
            if access is None:
                raise ApiError("invalid_token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            request.partner_token = access
        return access


def token_of(request):
    return request.auth


def require_scope(request, scope: str) -> None:
    if scope not in request.auth.scopes:
        raise ApiError(
            "insufficient_scope",
            detail=f"Ce jeton n'a pas le droit « {scope} » nécessaire à cette opération.",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
        )


def operator_ids(request) -> list[int]:
    return request.auth.operator_ids


def _membership(request, operator, *, role: str, program=None) -> Membership:
    """An unsaved membership of the client's technical account: permissions and the audit
    trail see the partner act as the operator (offer) or as the program (referrals)."""
    membership = Membership(user=request.auth.client.service_user, organization=operator, role=role, program=program)
    return membership


def operator_actor(request, operator) -> Actor:
    membership = _membership(request, operator, role=Role.OPERATOR_MANAGER)
    return Actor.for_membership(membership, department_ids=frozenset())


def program_actor(request, program) -> Actor:
    membership = _membership(request, program.operator, role=Role.PROGRAM_MANAGER, program=program)
    return Actor.for_membership(membership, department_ids=frozenset({program.department_id}))


# -- cursor pagination (sync-friendly: stable order by last change, then id) -----------------------


def encode_cursor(updated_at: datetime.datetime, pk: int) -> str:
    raw = json.dumps([updated_at.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        updated_at, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = datetime.datetime.fromisoformat(updated_at)
        if not isinstance(pk, int) or moment.tzinfo is None:
            raise ValueError
        return moment, pk
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(
            "validation",
            errors=[
                {
                    "field": "cursor",
                    "code": "invalid",
                    "message": "Ce curseur n'est pas valide : reprenez-le de next_cursor.",
                }
            ],
        ) from None


def page(queryset, *, cursor: str | None, limit: int, updated_since: datetime.datetime | None):
    """(items, next_cursor). Items changed after a page was read come back on a later page:
    a client that follows next_cursor until null, then resumes with updated_since, misses nothing."""
    if updated_since is not None:
        if updated_since.tzinfo is None:
            raise ApiError(
                "validation",
                errors=[
                    {
                        "field": "updated_since",
                        "code": "naive_datetime",
                        "message": "Indiquez le fuseau horaire (par exemple 2026-01-31T08:00:00Z).",
                    }
                ],
            )
        queryset = queryset.filter(updated_at__gte=updated_since)
    if cursor:
        moment, pk = decode_cursor(cursor)
        # The first condition bounds a range scan of the (updated_at, id) index.
        queryset = queryset.filter(Q(updated_at__gte=moment), Q(updated_at__gt=moment) | Q(pk__gt=pk))
    items = list(queryset.order_by("updated_at", "pk")[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        if isinstance(last, dict):
            next_cursor = encode_cursor(last["updated_at"], last["pk"])
        else:
            next_cursor = encode_cursor(last.updated_at, last.pk)
    return items, next_cursor


class Projection:
    """The columns a list shows, read as values (no model instances, no joins beyond the
    lookups): `fields` maps each output key to its ORM lookup."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        self.lookups = list(dict.fromkeys(["pk", "updated_at", *fields.values()]))

    def values(self, queryset):
        return queryset.values(*self.lookups)

    def out(self, row: dict) -> dict:
        return {key: row[lookup] for key, lookup in self.fields.items()}

    def of(self, obj) -> dict:
        """The same keys from a model instance whose relations are loaded (None-safe)."""
        result = {}
        for key, lookup in self.fields.items():
            value = obj
            for part in lookup.split("__"):
                value = getattr(value, part, None) if value is not None else None
            result[key] = value
        return result


def list_response(request, items: list[dict], next_cursor: str | None) -> HttpResponse:
    """A page, rendered as is: its rows come from a projection that the contract test and
    schemathesis hold to the document, so the per-item validation of the response is skipped
    (it cost more than the query on a page of 200)."""
    from . import api  # the package imports this module: resolved at call time

    return api.create_response(request, {"items": items, "next_cursor": next_cursor}, status=200)


def etag_of(*parts) -> str:
    raw = "|".join(str(p) for p in parts)
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def not_modified(request, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    return bool(wanted) and (
        wanted.strip() == "*" or etag in [w.strip().removeprefix("W/") for w in wanted.split(",")]
    )


def detail_response(request, data: dict, etag: str) -> HttpResponse:
    """A single object with its ETag: 304 without a body when the client's If-None-Match
    names it, else the object as JSON."""
    if not_modified(request, etag):
        response = HttpResponse(status=304)
    else:
        from . import api  # the package imports this module: resolved at call time

        response = api.create_response(request, data, status=200)
    response["ETag"] = etag
    return response


def listed(request, projection: Projection, queryset, filters) -> HttpResponse:
    """A list endpoint's answer: the page of `queryset` after the filters' cursor, changed
    since their `updated_since`, as the projection's rows."""
    rows, cursor = page(
        projection.values(queryset), cursor=filters.cursor, limit=filters.limit, updated_since=filters.updated_since
    )
    return list_response(request, [projection.out(row) for row in rows], cursor)
