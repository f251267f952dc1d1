"""The survey banner's state, cheap enough for every page.

- The open campaign is kept in the cache (key `surveys:open_campaign`) as a small dict, or
  None when no campaign is open, with the time it was read from the database. Pages only read
  the cache: **zero queries**, and a missing key counts as « no campaign open » (never a
  query on a page). The key is written by the actions that open, close or edit a campaign
  (after their commit), by the survey pages, and when a process opens a database connection
  and finds it missing or older than REFRESH_SECONDS (the periodic refresh: with persistent
  connections, about once a minute per process at most). See docs/help-and-satisfaction.md.
- Whether this user answered the open campaign (or said « Plus tard ») is remembered in the
  session: at most one query per session and campaign."""

import contextlib
import time

from django.core.cache import cache
from django.db import DatabaseError, router
from django.db.transaction import TransactionManagementError

CACHE_KEY = "surveys:open_campaign"
REFRESH_SECONDS = 60
SESSION_KEY = "surveys_banner"
ANSWERED, DISMISSED, PENDING = "answered", "dismissed", "pending"


def snapshot(campaign) -> dict | None:
    if campaign is None:
        return None
    return {"id": campaign.pk, "public_id": str(campaign.public_id), "title": campaign.title}


def remember_open_campaign(campaign) -> None:
    """Write what the database says (the open campaign, or None) to the cache."""
    cache.set(CACHE_KEY, {"checked_at": time.time(), "campaign": snapshot(campaign)}, timeout=None)


def refresh_open_campaign() -> dict | None:
    from .models import SatisfactionSurvey

    campaign = SatisfactionSurvey.objects.open().only("pk", "public_id", "title").first()
    remember_open_campaign(campaign)
    return snapshot(campaign)


def cached_open_campaign() -> dict | None:
    """The open campaign as last seen, from the cache only (None when unknown)."""
    value = cache.get(CACHE_KEY)
    return value["campaign"] if value else None


def refresh_on_new_connection(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the process's periodic refresh, outside any page's work.
    Skipped inside a transaction (a failed read there would spoil it) and when the cache is
    fresh; a database without the table yet (before `migrate`) is ignored."""
    from .models import SatisfactionSurvey

    if connection.alias != router.db_for_read(SatisfactionSurvey) or connection.in_atomic_block:
        return
    value = cache.get(CACHE_KEY)
    if value and time.time() - value["checked_at"] < REFRESH_SECONDS:
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
