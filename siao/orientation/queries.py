"""Read-side queries of the orientation pages, each a fixed number of queries whatever the
data (prefetches and annotations, never a query per row)."""

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from siao.offer.enums import PlaceState
from siao.offer.models import Place

from .actions import UPDATABLE_STATUSES
from .eligibility import orientable_programs
from .enums import (
    ACTIVE_REFERRAL_STATUSES,
    OPEN_STATUSES,
    REQUEST_TRANSITIONS,
    SIAO_QUEUE_STATUSES,
    RequestStatus,
)
from .models import Referral, Request, RequestStatusChange, Stay
from .permissions import ROLES_ALLOWED, can_edit_request, can_record_household_refusal, can_review_request

ADMISSIBLE_PLACE_STATES = (PlaceState.AVAILABLE, PlaceState.HELD)


def seniority_days(request: Request, now=None) -> int | None:
    if request.seniority_from is None:
        return None
    return ((now or timezone.now()) - request.seniority_from).days


def abilities(actor, insertion_request) -> dict:
    """What the actor may do with the request, for the buttons (the actions decide anyway)."""
    status = insertion_request.status
    may_edit = can_edit_request(actor, insertion_request)
    may_review = can_review_request(actor, insertion_request)
    owner_or_siao = may_edit or may_review
    return {
        "may_edit": may_edit and status in UPDATABLE_STATUSES,
        "may_transmit": actor.role in ROLES_ALLOWED["transmit_request"]
        and may_edit
        and status in (RequestStatus.DRAFT, RequestStatus.TO_UPDATE),
        "may_cancel": actor.role in ROLES_ALLOWED["cancel_request"]
        and owner_or_siao
        and RequestStatus.CANCELLED in REQUEST_TRANSITIONS[status],
        "may_reactivate": actor.role in ROLES_ALLOWED["cancel_request"]
        and owner_or_siao
        and status == RequestStatus.CANCELLED,
        "may_transfer": actor.role in ROLES_ALLOWED["transfer_request"] and owner_or_siao and status in OPEN_STATUSES,
        "may_mark_complete": may_review and status == RequestStatus.TRANSMITTED,
        "may_send_back": may_review and RequestStatus.TO_UPDATE in REQUEST_TRANSITIONS[status],
        "may_set_priority": may_review and status in SIAO_QUEUE_STATUSES,
        "may_orient": may_review and actor.role in ROLES_ALLOWED["orient_request"] and status in SIAO_QUEUE_STATUSES,
        "may_withdraw": may_review,
    }


# Per displayed row, on the (request, status) index: cheaper than a grouped join of the queue.
_active_referrals_count = (
    Referral.objects.filter(request=OuterRef("pk"), status__in=ACTIVE_REFERRAL_STATUSES)
    .order_by()
    .values("request")
    .annotate(count=Count("pk"))
    .values("count")
)


def siao_queue(actor, status: str | None = None):
    """The SIAO's queue: its requests in TRANSMITTED, WAITING, ORIENTED (or one of them), in
    the SIAO's order, with their recommendations prefetched and active referrals counted."""
    statuses = [status] if status in SIAO_QUEUE_STATUSES else list(SIAO_QUEUE_STATUSES)
    return (
        Request.objects.visible_to(actor)
        .filter(department_id__in=actor.perimeter.department_ids, status__in=statuses)
        .select_related("household__head", "household__composition")
        .prefetch_related("recommendations")
        .annotate(active_referrals=Coalesce(Subquery(_active_referrals_count, output_field=IntegerField()), 0))
        .siao_queue()
    )


def requests_of_household(household, actor) -> list[Request]:
    """The household's requests the actor sees, newest first, with recommendations, referrals
    and stays (4 queries)."""
    return list(
        Request.objects.visible_to(actor)
        .filter(household=household)
        .select_related("origin_program")
        .prefetch_related(
            "recommendations",
            Prefetch(
                "referrals", queryset=Referral.objects.select_related("program", "place").order_by("proposed_at", "pk")
            ),
            Prefetch("stays", queryset=Stay.objects.select_related("program", "place").order_by("started_on", "pk")),
        )
        .order_by("-created_at", "-pk")
    )


def request_history(request: Request) -> list[RequestStatusChange]:
    return list(request.status_changes.select_related("changed_by").order_by("changed_at", "pk"))


def request_referrals(request: Request) -> list[Referral]:
    return list(request.referrals.select_related("program", "place", "decided_by").order_by("proposed_at", "pk"))


def program_referrals(actor):
    """Referrals to the actor's program: proposed and accepted first (oldest first), then the
    decided ones (most recent first). Only those of households the actor still sees: a
    refused household leaves the program's perimeter."""
    program_id = actor.membership.program_id
    if not program_id:
        return Referral.objects.none()
    return (
        Referral.objects.filter(program_id=program_id, request__in=Request.objects.visible_to(actor).values("pk"))
        .select_related("request__household__head", "request__household__composition", "place")
        .annotate(
            is_active=Case(
                When(status__in=ACTIVE_REFERRAL_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("is_active", "-decided_at", "proposed_at", "pk")
    )


def current_stays(actor):
    program_id = actor.membership.program_id
    if not program_id:
        return Stay.objects.none()
    return (
        Stay.objects.current()
        .filter(program_id=program_id)
        .select_related("household__head", "household__composition", "place__place_group")
        .order_by("started_on", "pk")
    )


def admissible_places(program):
    """The program's places one can admit into (available or held for an orientation)."""
    return (
        Place.objects.filter(place_group__program=program, state__in=ADMISSIBLE_PLACE_STATES)
        .select_related("place_group")
        .order_by("place_group__name", "label", "pk")
    )


def orientation_choices(request: Request, department_ids):
    """The programs the request can be oriented to, recommended types first."""
    recommended = request.recommended_types
    return orientable_programs(request, department_ids).order_by(
        Case(When(type__in=recommended, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "name",
        "pk",
    )


def orientation_places(program_ids):
    return (
        Place.objects.filter(place_group__program_id__in=program_ids, state__in=ADMISSIBLE_PLACE_STATES)
        .select_related("place_group__program")
        .order_by("place_group__program__name", "place_group__name", "label", "pk")
    )


def status_label(status: str) -> str:
    return RequestStatus(status).label


def requests_block(household, actor) -> dict:
    """What the household file shows of its requests (4 queries, none per request)."""
    requests = requests_of_household(household, actor)
    own_program = actor.membership.program_id
    for insertion_request in requests:
        insertion_request.may = abilities(actor, insertion_request)
        for referral in insertion_request.referrals.all():
            referral.request = insertion_request
            referral.is_own_program = bool(own_program) and referral.program_id == own_program
            referral.may_record_refusal = referral.status in ACTIVE_REFERRAL_STATUSES and can_record_household_refusal(
                actor, referral
            )
    program = actor.membership.program if own_program else None
    return {
        "requests": requests,
        "may_create": actor.role in ROLES_ALLOWED["create_request"],
        "may_direct_admission": actor.role in ROLES_ALLOWED["direct_admission"]
        and program is not None
        and program.holds_offer,
    }
