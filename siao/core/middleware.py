import re
import uuid

from .context import RequestContext, reset_request_context, set_request_context

_CORRELATION_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class CorrelationIdMiddleware:
    """Gives every request a correlation id (reused from a well-formed `X-Request-ID` sent by a
    trusted proxy) and exposes it, with the client address, to the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        correlation_id = incoming if _CORRELATION_ID_RE.match(incoming) else uuid.uuid4().hex
        request.correlation_id = correlation_id
        token = set_request_context(
            RequestContext(
                correlation_id=correlation_id,
                ip_address=request.META.get("REMOTE_ADDR") or None,
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
