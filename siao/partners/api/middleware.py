"""What every partner call goes through before its endpoint: the bearer token (one query),
the per-client rate limit, and the idempotency of POSTs. Errors here are problems too."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from siao.partners.credentials import authenticate_token
from siao.partners.models import IdempotencyRecord

from .problems import TOKEN_PATH, problem

API_PREFIX = "/api/v1/"
UNAUTHENTICATED_PATHS = {TOKEN_PATH, "/api/v1/openapi.json"}
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Pages for people under /api/v1/ (their 404s stay the site's pages).
HTML_PATHS = {"/api/v1/guide/", "/api/v1/docs"}
MAX_IDEMPOTENCY_KEY_LENGTH = 255


def bearer_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class PartnerApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        request.partner_token = None
        if request.path not in UNAUTHENTICATED_PATHS and not request.path.startswith("/api/v1/docs"):
            token = bearer_token(request)
            if token is not None:
                access = authenticate_token(token)
                if access is None:
                    return problem(
                        request, "invalid_token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
                    )
                request.partner_token = access
                limited = self._rate_limited(request, access)
                if limited is not None:
                    return limited
                if request.method == "POST" and IDEMPOTENCY_HEADER in request.headers:
                    return self._idempotent(request, access)
        return self._finish(request, self.get_response(request))

    def _finish(self, request, response):
        content_type = response.get("Content-Type", "")
        if response.status_code == 404 and content_type.startswith("text/html") and request.path not in HTML_PATHS:
            # An address outside the contract (no route): a problem too, not the site's page.
            return problem(request, "not_found")
        if response.status_code == 405 and not content_type.startswith("application/problem+json"):
            allow = response.get("Allow", "")
            response = problem(request, "method_not_allowed", headers={"Allow": allow} if allow else None)
        if request.partner_token is not None or request.path == TOKEN_PATH:
            # Personal data, per-client answers, tokens (RFC 6749 §5.1): never kept by a cache.
            response.setdefault("Cache-Control", "private, no-store")
        return response

    @staticmethod
    def _rate_limited(request, access):
        limit = access.client.rate_limit_per_minute
        now = time.time()
        window = int(now // 60)
        key = f"partners:rate:{access.client_id}:{window}"
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=120)
            count = 1
        if count > limit:
            retry_after = max(1, int(60 - now % 60))
            return problem(
                request,
                "rate_limited",
                headers={"Retry-After": str(retry_after), "RateLimit-Limit": str(limit), "RateLimit-Remaining": "0"},
            )
        return None

    def _idempotent(self, request, access):
        key = request.headers[IDEMPOTENCY_HEADER].strip()
        if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
            return problem(
                request,
                "validation",
                errors=[
                    {
                        "field": IDEMPOTENCY_HEADER,
                        "code": "invalid",
                        "message": f"La clé d'idempotence compte de 1 à {MAX_IDEMPOTENCY_KEY_LENGTH} caractères.",
                    }
                ],
            )
        fingerprint = hashlib.sha256(
            request.method.encode() + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        client = access.client
        # The record, the action and its response commit together: a crash in between leaves
        # no trace, and the retried call acts once.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(client=client, key=key, fingerprint=fingerprint)
            except IntegrityError:  # the key is known (or being used by a call in flight)
                record = None
            if record is not None:
                response = self._finish(request, self.get_response(request))
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                    return response
                record.status_code = response.status_code
                record.content_type = response.get("Content-Type", "")
                record.body = response.content
                record.save(update_fields=["status_code", "content_type", "body"])
                return response
        existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
        if existing is None or existing.status_code is None:
            return problem(request, "idempotency_in_progress", headers={"Retry-After": "1"})
        if existing.fingerprint != fingerprint:
            return problem(request, "idempotency_mismatch")
        response = HttpResponse(bytes(existing.body), status=existing.status_code, content_type=existing.content_type)
        response["Idempotent-Replayed"] = "true"
        response["Cache-Control"] = "private, no-store"
        return response


def purge_idempotency_records() -> int:
    limit = timezone.now() - timezone.timedelta(hours=settings.IDEMPOTENCY_RETENTION_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=limit).delete()
    return deleted
