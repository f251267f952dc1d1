"""The partner interconnection API, version 1: `api` is mounted at /api/v1/ (config/urls.py).
Its OpenAPI document is committed in docs/api/openapi-v1.json and compared by a test."""

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from .base import ApiError, PartnerBearer
from .problems import PROBLEM_CONTENT_TYPE, TOKEN_PATH, problem, pydantic_errors

logger = logging.getLogger(__name__)

DESCRIPTION = """
API d'interconnexion du SI SIAO avec les systèmes d'information des gestionnaires
(Adoma d'abord, puis tout opérateur) : l'orientation se fait une fois, dans le SI SIAO,
sans double saisie.

* Authentification : OAuth 2.0 *client credentials* sur `/api/v1/oauth/token`, jeton
  porteur de courte durée (`Authorization: Bearer …`), droits par *scope*.
* Un partenaire ne voit et ne modifie que l'offre de ses entités et les candidatures qui
  leur sont adressées (404 pour tout autre objet).
* Erreurs : RFC 9457 (`application/problem+json`), en français ou en anglais
  (`Accept-Language: en`).
* Synchronisation : pagination par curseur (`next_cursor`), filtre `updated_since`, ETag
  et `If-None-Match`, en-tête `Idempotency-Key` accepté sur chaque POST, limite d'appels
  par minute et par client (429 et `Retry-After`).
* Webhooks signés (HMAC-SHA256) et guide complet : `/api/v1/guide/`.
"""

api = NinjaAPI(
    title="SI SIAO — API partenaires",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=PartnerBearer(),
)


def _problem(request, code, **kwargs):
    return problem(request, code, **kwargs)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _problem(request, exc.code, detail=exc.detail, errors=exc.errors, headers=exc.headers)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    if request.path == TOKEN_PATH:
        from .token import token_request_problem

        return _problem(request, token_request_problem(request, exc.errors))
    return _problem(request, "validation", errors=pydantic_errors(request, exc.errors))


@api.exception_handler(AuthenticationError)
def _authentication_error(request, exc):
    return _problem(request, "unauthorized", headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400:
        return _problem(request, "malformed")
    if exc.status_code == 401:
        return _problem(request, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
    if exc.status_code == 404:
        return _problem(request, "not_found")
    logger.warning("Unexpected HttpError %s on %s", exc.status_code, request.path)
    return _problem(request, "server_error")


@api.exception_handler(MultiPartParserError)
def _unreadable_form(request, exc):
    """A form body Django cannot parse (multipart/form-data without its boundary…)."""
    return _problem(request, "invalid_request" if request.path == TOKEN_PATH else "malformed")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _problem(request, "not_found")


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request, exc):
    return _problem(request, "not_found")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _problem(request, "forbidden", detail=str(exc) or None)


# Codes the actions give to errors about the object's state (not the input's values).
CONFLICT_CODES = {"transition", "place_taken", "stale_version", "current_stay", "place_transition"}


def validation_errors(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": "" if field == "__all__" else field, "code": error.code or "invalid", "message": message}
            for field, errors in exc.error_dict.items()
            for error in errors
            for message in error.messages
        ]
    return [
        {"field": "", "code": error.code or "invalid", "message": message}
        for error in exc.error_list
        for message in error.messages
    ]


@api.exception_handler(DjangoValidationError)
def _domain_error(request, exc: DjangoValidationError):
    errors = validation_errors(exc)
    detail = " ".join(e["message"] for e in errors) or None
    if any(e["code"] in CONFLICT_CODES for e in errors):
        return _problem(request, "conflict", detail=detail, errors=errors)
    return _problem(request, "validation", detail=detail, errors=errors)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    logger.exception("API error on %s", request.path, exc_info=exc)
    return _problem(request, "server_error")


_build_schema = api.get_openapi_schema


def _openapi_schema(*, path_prefix=None, path_params=None):
    """Problems are served as application/problem+json: say so in the document."""
    schema = _build_schema(path_prefix=path_prefix, path_params=path_params)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if str(status)[0] in "45" and "application/json" in content:
                    content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
    return schema


api.get_openapi_schema = _openapi_schema

from . import offer, other, referrals, token  # noqa: E402, F401  (they register their operations)
