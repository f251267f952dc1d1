"""Per-request context (correlation id, client address) readable from anywhere in the request,
so that the audit trail can record where an action came from without threading `request`
through every call."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    correlation_id: str
    ip_address: str | None
    user_agent: str = ""


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("siao_request", default=None)


def get_request_context() -> RequestContext | None:
    return _current.get()


def set_request_context(value: RequestContext | None):
    return _current.set(value)


def reset_request_context(token) -> None:
    _current.reset(token)
