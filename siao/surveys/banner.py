"""The survey banner's state, cheap enough for every page.

- The open campaign is kept in the cache (key `surveys:open_campaign`) as a small dict, or
  None when no campaign is open, with the time it was read from the database. Pages only read
  the cache: **zero queries**, and a missing key counts as « no campaign open » (never a
  query on a page). The key is written by the actions that open, close or edit a campaign
  (after their commit), by the survey pages, and when a process opens a database connection
  and finds it missing or older than REFRESH_SECONDS (the periodic refresh: with persistent
  connections, about once a minute per process at most). See docs/help-and-satisfaction.md.
- A cache outage (Redis down…) never breaks a page nor a database connection: every cache
  read or write here logs a warning and counts as « no campaign open » (or is skipped).
- Whether this user answered the open campaign (or said « Plus tard ») is remembered in the
  session: at most one query per session and campaign."""

import contextlib
import logging
import time

from django.core.cache import cache
from django.db import DatabaseError, router
from django.db.transaction import TransactionManagementError

logger = logging.getLogger(__name__)

CACHE_KEY = "surveys:open_campaign"
REFRESH_SECONDS = 60
SESSION_KEY = "surveys_banner"
ANSWERED, DISMISSED, PENDING = "answered", "dismissed", "pending"


def snapshot(campaign) -> dict | None:
    if campaign is None:
        return None
    return {"id": campaign.pk, "public_id": str(campaign.public_id), "title": campaign.title}


def remember_open_campaign(campaign) -> None:
    """Write what the database says (the open campaign, or None) to the cache; skipped, with a
    warning, when the cache is out of order."""
    try:
        cache.set(CACHE_KEY, {"checked_at": time.time(), "campaign": snapshot(campaign)}, timeout=None)
    except Exception:
        logger.warning("Enquêtes : cache indisponible, état du bandeau non enregistré.", exc_info=True)


def _cached_value() -> dict | None:
    """The cache's entry, or None when missing, malformed or when the cache is out of order."""
    try:
        value = cache.get(CACHE_KEY)
    except Exception:
        logger.warning("Enquêtes : cache indisponible, bandeau non affiché.", exc_info=True)
        return None
    return value if isinstance(value, dict) else None


def refresh_open_campaign() -> dict | None:
    from .models import SatisfactionSurvey

    campaign = SatisfactionSurvey.objects.open().only("pk", "public_id", "title").first()
    remember_open_campaign(campaign)
    return snapshot(campaign)


def cached_open_campaign() -> dict | None:
    """The open campaign as last seen, from the cache only (None when unknown or when the cache
    is out of order)."""
    value = _cached_value()
    return value.get("campaign") if value else None


def refresh_on_new_connection(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the process's periodic refresh, outside any page's work.
    Django sends the signal from `connect()`, before any transaction can start on the new
    connection (it has just reset `in_atomic_block` and set autocommit): the read runs in
    autocommit, so a failure cannot spoil a transaction. Skipped when the cache is fresh; a
    database without the table yet (before `migrate`) is ignored; an unreachable cache skips
    the refresh (`_cached_value` then reads None, and the write is skipped with a warning)."""
    from .models import SatisfactionSurvey

    if connection.alias != router.db_for_read(SatisfactionSurvey):
        return
    try:
        value = cache.get(CACHE_KEY)
    except Exception:
        logger.warning("Enquêtes : cache indisponible, rafraîchissement du bandeau ignoré.", exc_info=True)
        return
    if isinstance(value, dict) and time.time() - value.get("checked_at", 0) < REFRESH_SECONDS:
        return
    with contextlib.suppress(DatabaseError):
        refresh_open_campaign()


def banner_for(request) -> dict | None:
    """What the banner shows to this request's user, or None."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return None
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "surveys":
        return None
    campaign = cached_open_campaign()
    if campaign is None:
        return None
    state = request.session.get(SESSION_KEY)
    if not state or state.get("campaign") != campaign["public_id"]:
        from .models import SurveyParticipation

        try:
            answered = SurveyParticipation.objects.filter(campaign_id=campaign["id"], user_id=actor.user.pk).exists()
        except (DatabaseError, TransactionManagementError):
            return None  # an error page after a database failure: no banner rather than a second error
        state = {"campaign": campaign["public_id"], "state": ANSWERED if answered else PENDING}
        request.session[SESSION_KEY] = state
    if state["state"] != PENDING:
        return None
    return campaign


def remember_in_session(request, campaign, state: str) -> None:
    request.session[SESSION_KEY] = {"campaign": str(campaign.public_id), "state": state}
