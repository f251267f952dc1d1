import re
import uuid

from django.conf import settings
from django.template.loader import render_to_string

from .context import RequestContext, reset_request_context, set_request_context

_CORRELATION_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request) -> str | None:
    """The client's address. Behind `TRUSTED_PROXY_COUNT` reverse proxies, each appending to
    X-Forwarded-For, the client is the entry that many places from the end (anything before
    it could be forged by the client)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class CorrelationIdMiddleware:
    """Gives every request a correlation id (reused from a well-formed `X-Request-ID` when a
    trusted proxy is configured) and exposes it, with the client address, to the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only a trusted proxy's id is reused: a client could otherwise forge correlation ids.
        incoming = request.headers.get("X-Request-ID", "") if settings.TRUSTED_PROXY_COUNT else ""
        correlation_id = incoming if _CORRELATION_ID_RE.match(incoming) else uuid.uuid4().hex
        request.correlation_id = correlation_id
        token = set_request_context(
            RequestContext(
                correlation_id=correlation_id,
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", "")[:300],
            )
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = correlation_id
        return response


class CspNonceMiddleware:
    """django-csp 4.0 only adds the nonce to the header once `request.csp_nonce` is read, and the
    dsfr templates test it before reading it: read it up front (STACK.md pitfall #3)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "csp_nonce"):
            str(request.csp_nonce)
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """`require_POST` answers a GET with a bare 405 and the browser then shows its own English
    error: give that response the site's French page, keeping the 405 status and the Allow header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            response.content = render_to_string("errors/405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
