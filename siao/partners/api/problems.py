"""Every API error as an RFC 9457 problem (application/problem+json), in French or English
(Accept-Language). Domain rules (the actions' messages) are stated in French in `detail` and
`errors[].message`; their stable `code` lets a client act on them in any language."""

import json

from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
# The OAuth 2.0 token endpoint: its errors are OAuth's (400/401 with `error`), never a 422.
TOKEN_PATH = "/api/v1/oauth/token"  # noqa: S105 (an address, not a secret)

# code: (status, French title, English title, French detail, English detail)
PROBLEMS: dict[str, tuple[int, str, str, str, str]] = {
    "unauthorized": (
        401,
        "Authentification requise",
        "Authentication required",
        "Présentez un jeton d'accès : en-tête « Authorization: Bearer <jeton> » obtenu sur /api/v1/oauth/token.",
        "Send an access token: header “Authorization: Bearer <token>” obtained from /api/v1/oauth/token.",
    ),
    "invalid_token": (
        401,
        "Jeton invalide ou expiré",
        "Invalid or expired token",
        "Ce jeton est inconnu, expiré ou son client est désactivé : demandez-en un nouveau.",
        "This token is unknown, expired or its client is disabled: request a new one.",
    ),
    "insufficient_scope": (
        403,
        "Droit insuffisant",
        "Insufficient scope",
        "Ce jeton n'a pas le droit (scope) nécessaire à cette opération.",
        "This token lacks the scope this operation requires.",
    ),
    "forbidden": (
        403,
        "Opération non autorisée",
        "Forbidden",
        "Cette opération n'est pas permise à ce client.",
        "This client may not perform this operation.",
    ),
    "not_found": (
        404,
        "Introuvable",
        "Not found",
        "Aucun objet de ce type avec cet identifiant parmi ceux de vos entités.",
        "No such object among those of your operators.",
    ),
    "method_not_allowed": (
        405,
        "Méthode non permise",
        "Method not allowed",
        "Cette adresse n'accepte pas cette méthode HTTP (voir l'en-tête Allow).",
        "This address does not accept this HTTP method (see the Allow header).",
    ),
    "malformed": (
        400,
        "Requête mal formée",
        "Malformed request",
        "Le corps de la requête n'est pas un JSON valide.",
        "The request body is not valid JSON.",
    ),
    "validation": (
        422,
        "Données invalides",
        "Invalid data",
        "Certaines valeurs sont manquantes ou invalides : voir « errors ».",
        "Some values are missing or invalid: see “errors”.",
    ),
    "conflict": (
        409,
        "Opération impossible dans l'état actuel",
        "Operation not possible in the current state",
        "L'objet n'est pas dans un état qui permet cette opération.",
        "The object is not in a state that allows this operation.",
    ),
    "idempotency_mismatch": (
        422,
        "Clé d'idempotence déjà utilisée",
        "Idempotency key reused",
        "Cette clé d'idempotence a déjà servi pour une autre requête : utilisez une nouvelle clé.",
        "This idempotency key was already used for a different request: use a new key.",
    ),
    "idempotency_in_progress": (
        409,
        "Requête en cours",
        "Request in progress",
        "Une requête avec cette clé d'idempotence est en cours : réessayez dans un instant.",
        "A request with this idempotency key is in progress: retry in a moment.",
    ),
    "precondition_failed": (
        412,
        "L'objet a changé",
        "The object has changed",
        "L'objet a changé depuis votre lecture (If-Match) : relisez-le.",
        "The object changed since you read it (If-Match): read it again.",
    ),
    "rate_limited": (
        429,
        "Trop de requêtes",
        "Too many requests",
        "Ce client a dépassé sa limite d'appels par minute : réessayez après le délai indiqué (Retry-After).",
        "This client exceeded its calls per minute: retry after the given delay (Retry-After).",
    ),
    "invalid_client": (
        401,
        "Client non reconnu",
        "Invalid client",
        "Identifiant client ou secret incorrect, ou client désactivé.",
        "Wrong client id or secret, or disabled client.",
    ),
    "invalid_request": (
        400,
        "Requête de jeton invalide",
        "Invalid token request",
        "Envoyez grant_type=client_credentials, client_id et client_secret (formulaire ou authentification Basic).",
        "Send grant_type=client_credentials, client_id and client_secret (form or Basic authentication).",
    ),
    "unsupported_grant_type": (
        400,
        "Type d'autorisation non pris en charge",
        "Unsupported grant type",
        "Seul grant_type=client_credentials est accepté.",
        "Only grant_type=client_credentials is supported.",
    ),
    "invalid_scope": (
        400,
        "Droit non accordé",
        "Invalid scope",
        "Un des droits demandés n'est pas accordé à ce client.",
        "One of the requested scopes is not granted to this client.",
    ),
    "server_error": (
        500,
        "Erreur interne",
        "Internal error",
        "Une erreur inattendue est survenue ; elle a été enregistrée.",
        "An unexpected error occurred; it was logged.",
    ),
}

# OAuth 2.0 (RFC 6749 §5.2) error codes, also given as `error` on the token endpoint.
OAUTH_ERRORS = {"invalid_client", "invalid_request", "unsupported_grant_type", "invalid_scope"}


def language(request) -> str:
    accepted = (request.headers.get("Accept-Language") or "").strip().lower() if request is not None else ""
    return "en" if accepted.startswith("en") else "fr"


def problem_document(request, code: str, *, detail: str | None = None, errors: list | None = None) -> dict:
    status, title_fr, title_en, detail_fr, detail_en = PROBLEMS[code]
    english = language(request) == "en"
    document = {
        "type": f"/api/v1/guide/#probleme-{code}",
        "title": title_en if english else title_fr,
        "status": status,
        "detail": detail or (detail_en if english else detail_fr),
        "code": code,
    }
    if request is not None:
        document["instance"] = request.path
    if errors:
        document["errors"] = errors
    if code in OAUTH_ERRORS:
        document["error"] = code
        document["error_description"] = document["detail"]
    return document


def problem(
    request, code: str, *, detail: str | None = None, errors: list | None = None, headers=None
) -> HttpResponse:
    document = problem_document(request, code, detail=detail, errors=errors)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False), status=document["status"], content_type=PROBLEM_CONTENT_TYPE
    )
    response["Content-Language"] = language(request)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# French wording of pydantic's error types, for request validation errors.
PYDANTIC_FR = {
    "missing": "Ce champ est obligatoire.",
    "string_type": "Une chaîne de caractères est attendue.",
    "int_type": "Un nombre entier est attendu.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "bool_type": "Un booléen (true ou false) est attendu.",
    "bool_parsing": "Un booléen (true ou false) est attendu.",
    "date_type": "Une date AAAA-MM-JJ est attendue.",
    "date_parsing": "Une date AAAA-MM-JJ est attendue.",
    "date_from_datetime_parsing": "Une date AAAA-MM-JJ est attendue.",
    "date_from_datetime_inexact": "Une date AAAA-MM-JJ est attendue (sans heure).",
    "datetime_type": "Une date et heure ISO 8601 est attendue.",
    "datetime_parsing": "Une date et heure ISO 8601 est attendue.",
    "datetime_from_date_parsing": "Une date et heure ISO 8601 est attendue.",
    "uuid_type": "Un identifiant (UUID) est attendu.",
    "uuid_parsing": "Un identifiant (UUID) est attendu.",
    "enum": "Cette valeur n'est pas dans la liste autorisée.",
    "literal_error": "Cette valeur n'est pas dans la liste autorisée.",
    "extra_forbidden": "Ce champ n'est pas attendu.",
    "string_too_long": "Ce texte est trop long.",
    "string_too_short": "Ce texte est trop court.",
    "greater_than_equal": "Cette valeur est trop petite.",
    "less_than_equal": "Cette valeur est trop grande.",
    "greater_than": "Cette valeur est trop petite.",
    "less_than": "Cette valeur est trop grande.",
    "list_type": "Une liste est attendue.",
    "too_long": "Cette liste est trop longue.",
    "too_short": "Cette liste est trop courte.",
    "model_type": "Un objet JSON est attendu.",
    "dict_type": "Un objet JSON est attendu.",
    "url_parsing": "Une adresse web est attendue.",
    "url_scheme": "Une adresse web http ou https est attendue.",
    "value_error": "Valeur invalide.",
    "json_invalid": "Le corps de la requête n'est pas un JSON valide.",
    "string_pattern_mismatch": "Cette valeur n'a pas le format attendu.",
    "uuid_version": "Un identifiant (UUID) est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
}

_LOCATIONS = {"body", "query", "path", "header", "form", "cookie", "payload", "data", "filters"}


def field_of(loc) -> str:
    parts = [str(p) for p in loc]
    while parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(parts)


def pydantic_errors(request, errors: list[dict]) -> list[dict]:
    english = language(request) == "en"
    result = []
    for error in errors:
        kind = error.get("type", "value_error")
        message = error.get("msg", "") if english else PYDANTIC_FR.get(kind, error.get("msg", "Valeur invalide."))
        result.append({"field": field_of(error.get("loc", ())), "code": kind, "message": message})
    return result
