import datetime

from django.shortcuts import render
from django.utils import timezone

from siao.accounts.decorators import actor_required

from .forms import AuditFilterForm
from .labels import label_events
from .models import AuditEvent
from .permissions import can_read_audit_trail
from .trail import record


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@actor_required(can_read_audit_trail)
def trail(request):
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.visible_to(request.actor)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            # Exact (indexed) match: the trail is searched for one person at a time.
            events = events.filter(actor_email=data["user"].strip().lower())
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"].strip())
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["since"]:
            events = events.filter(occurred_at__gte=_day_start(data["since"]))
        if data["until"]:
            events = events.filter(occurred_at__lt=_day_start(data["until"] + datetime.timedelta(days=1)))
        filters = {k: str(v) for k, v in data.items() if v}
    elif form.is_bound:
        events = events.none()
    # Keyset pagination (events before a sequence number): no COUNT over a table of tens of
    # millions of rows, and pages that don't shift while events are being appended.
    before = _positive_int(request.GET.get("avant"))
    if before:
        events = events.filter(sequence__lt=before)
    page = list(events.order_by("-sequence")[: PAGE_SIZE + 1])
    older = page[PAGE_SIZE - 1].sequence if len(page) > PAGE_SIZE else None
    page = page[:PAGE_SIZE]
    label_events(page)
    # Reading the trail is itself traced (it holds personal data), after the page is read.
    record("audit.trail_viewed", actor=request.actor, data={"filters": filters, "before": before})
    query = request.GET.copy()
    query.pop("avant", None)
    return render(
        request,
        "audit/trail.html",
        {"form": form, "page": page, "older": older, "before": before, "query": query.urlencode()},
    )


PAGE_SIZE = 50


def _positive_int(value) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None
