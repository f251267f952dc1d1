"""Shared builders for the vacancy board and capacity dashboard tests: places change state
by plain updates and history rows (the state-change action belongs to another module)."""

import datetime

from django.utils import timezone

from siao.offer.enums import PlaceState
from siao.offer.models import Place, PlaceStateChange, Public


def set_states(group, **counts) -> list[Place]:
    """`set_states(group, occupied=2, held=1)`: the first places of the group take those states."""
    places = list(group.places.order_by("pk"))
    index = 0
    for state, count in counts.items():
        for place in places[index : index + count]:
            place.state = state
            place.unavailability_reason = "works" if state == PlaceState.UNAVAILABLE else ""
            place.save(update_fields=["state", "unavailability_reason"])
        index += count
    return places


def record_change(place, to_state, when: datetime.datetime, from_state=None) -> PlaceStateChange:
    """A change as the state-change action writes it: from the state the place was in then
    (its latest earlier change), to `to_state`."""
    if from_state is None:
        previous = place.state_changes.filter(changed_at__lt=when).order_by("-changed_at", "-pk").first()
        from_state = previous.to_state if previous else ""
    return PlaceStateChange.objects.create(place=place, from_state=from_state, to_state=to_state, changed_at=when)


def days_ago(days: int, hour: int = 12) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), timezone.get_current_timezone())


def public(code: str) -> Public:
    return Public.objects.get(code=code)
