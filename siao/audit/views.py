import datetime

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from siao.accounts.decorators import actor_required

from .forms import AuditFilterForm
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
    page = Paginator(events.order_by("-sequence"), 50).get_page(request.GET.get("page"))
    # Read the page before recording this reading, or the new event would push one off the page.
    page.object_list = list(page.object_list)
    # Reading the trail is itself traced: it holds personal data (emails, addresses).
    record("audit.trail_viewed", actor=request.actor, data={"filters": filters, "page": page.number})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/trail.html", {"form": form, "page": page, "query": query.urlencode()})
