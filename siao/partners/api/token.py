"""OAuth 2.0 client credentials (RFC 6749 §4.4): a short-lived bearer token for a client id
and one of its valid secrets, given as form fields or HTTP Basic."""

import base64
import binascii
from typing import Literal
from urllib.parse import unquote_plus

from ninja import Form, Schema, Status
from pydantic import Field

from siao.audit.trail import record
from siao.partners.credentials import find_client, issue_token

from . import api
from .base import ApiError
from .problems import TOKEN_PATH, field_of
from .schemas import Problem, TokenOut


class TokenForm(Schema):
    """A wrong or missing grant type is answered as OAuth says (400 `unsupported_grant_type` or
    `invalid_request`), not as a validation problem: see `token_request_problem`."""

    grant_type: Literal["client_credentials"] = Field(description="Toujours `client_credentials`.")
    client_id: str = Field("", description="Ou en authentification HTTP Basic.")
    client_secret: str = Field("", description="Ou en authentification HTTP Basic.")
    scope: str = Field("", description="Droits demandés, séparés par des espaces (défaut : tous ceux du client).")


def _basic_credentials(request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


def token_request_problem(request, errors: list[dict]) -> str:
    """The OAuth 2.0 error code (RFC 6749 §5.2) of a token request the form refused: a grant
    type given but not ours is unsupported; a missing (or empty) one makes the request invalid."""
    given = bool(request.POST.get("grant_type", "").strip())
    for error in errors:
        if field_of(error.get("loc", ())) == "grant_type" and error.get("type") == "literal_error" and given:
            return "unsupported_grant_type"
    return "invalid_request"


@api.post(
    TOKEN_PATH.removeprefix("/api/v1"),
    auth=None,
    response={200: TokenOut, 400: Problem, 401: Problem, 429: Problem},
    tags=["Authentification"],
    summary="Obtenir un jeton d'accès (client credentials)",
)
def obtain_token(request, form: Form[TokenForm]):
    credentials = _basic_credentials(request) or (form.client_id, form.client_secret)
    client = find_client(*credentials)
    if client is None:
        raise ApiError("invalid_client", headers={"WWW-Authenticate": 'Basic realm="SI SIAO"'})
    wanted = form.scope.split() if form.scope.strip() else list(client.scopes)
    if any(scope not in client.scopes for scope in wanted):
        raise ApiError("invalid_scope")
    issued = issue_token(client, wanted)
    record("partners.token_issued", user=client.service_user, obj=client, data={"scopes": wanted})
    return Status(
        200,
        {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "scope": " ".join(issued.scopes),
        },
    )
