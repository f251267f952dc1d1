"""Use cases 2, 3, 5, 6 and 7: the candidatures the SIAO sends (read here after the
`referral.proposed` webhook), the partner's answer, the arrival (start of the stay) and the
end of the stay. The partner acts as the program's manager: the orientation actions decide,
in the same transactions and with the same rules as on the site."""

import uuid

from django.db.models import OuterRef, Prefetch, Subquery
from ninja import Query, Status
from pydantic import Field

from siao.audit.trail import record
from siao.geo.models import Department
from siao.households.models import HouseholdMember
from siao.offer.models import Place, Public
from siao.orientation.actions import admit, decide_referral, end_stay
from siao.orientation.enums import ReferralStatus
from siao.orientation.models import Referral, Stay
from siao.partners.enums import Scope

from . import api
from .base import (
    ApiError,
    Projection,
    detail_response,
    etag_of,
    listed,
    operator_ids,
    program_actor,
    require_scope,
)
from .offer import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS, Listing
from .schemas import (
    ArrivalIn,
    DecisionIn,
    DecisionOut,
    ReferralOut,
    ReferralPage,
    ReferralStatusCode,
    StayEndIn,
    StayOut,
    StayPage,
)

TAG_REFERRALS = "Candidatures (cas 2, 3 et 5)"
TAG_STAYS = "Arrivées et sorties (cas 6 et 7)"


class ReferralListing(Listing):
    status: ReferralStatusCode | None = Field(
        None, description="proposed, accepted, refused_by_program, refused_by_household, withdrawn, admitted"
    )
    program: uuid.UUID | None = None


class StayListing(Listing):
    current: bool | None = Field(None, description="true : prises en charge en cours ; false : terminées.")


def referrals_of(request):
    return Referral.objects.filter(program__operator_id__in=operator_ids(request)).select_related(
        "program__operator", "place", "request__household", "stay"
    )


def stays_of(request):
    return Stay.objects.filter(program__operator_id__in=operator_ids(request)).select_related(
        "program__operator", "place", "referral", "household"
    )


def _get(queryset, public_id):
    obj = queryset.filter(public_id=public_id).first()
    if obj is None:
        raise ApiError("not_found")
    return obj


REFERRAL_FIELDS = Projection(
    {
        "id": "public_id",
        "program": "program__public_id",
        "place": "place__public_id",
        "status": "status",
        "proposed_at": "proposed_at",
        "decided_at": "decided_at",
        "household_accepted_at": "household_accepted_at",
        "member_count": "request__household__member_count",
        "updated_at": "updated_at",
    }
)
STAY_FIELDS = Projection(
    {
        "id": "public_id",
        "referral": "referral__public_id",
        "program": "program__public_id",
        "place": "place__public_id",
        "household": "household__public_id",
        "started_on": "started_on",
        "ended_on": "ended_on",
        "exit_reason": "exit_reason",
        "exit_destination": "exit_destination",
        "updated_at": "updated_at",
    }
)


def referral_out(referral: Referral) -> dict:
    request, household = referral.request, referral.request.household
    members = (
        HouseholdMember.objects.filter(household=household, left_on__isnull=True)
        .select_related("person")
        .order_by("pk")
    )
    return {
        **REFERRAL_FIELDS.of(referral),
        "request": request.public_id,
        "department": referral.department_code,
        "request_reason": request.reason,
        "housing_situation": request.housing_situation,
        "priority": request.priority,
        "siao_comment": referral.comment,
        "program_refusal_reason": referral.program_refusal_reason,
        "decision_comment": referral.decision_comment,
        "household": {
            "id": household.public_id,
            "composition": referral.composition_label,
            "member_count": household.member_count,
            "children_count": household.children_count,
            "persons": [
                {
                    "id": m.person.public_id,
                    "last_name": m.person.last_name,
                    "first_name": m.person.first_name,
                    "birth_date": m.person.birth_date,
                    "sex": m.person.sex,
                    "relationship": m.relationship,
                }
                for m in members
            ],
        },
        "wished_offer": {
            "program": referral.program.public_id,
            "program_types": [r.program_type for r in request.recommendations.all()],
            "place": referral.place.public_id if referral.place_id else None,
        },
        "stay": referral.stay_public_id,
    }


def _detailed(request):
    """Few joins: with the stay, the composition and the département joined too, PostgreSQL
    spent 6 ms planning the query (0.5 ms running it); scalar subqueries plan in a fraction."""
    return (
        Referral.objects.filter(program__operator_id__in=operator_ids(request))
        .select_related("program__operator", "request__household", "place")
        .annotate(
            stay_public_id=Subquery(Stay.objects.filter(referral_id=OuterRef("pk")).values("public_id")[:1]),
            department_code=Subquery(
                Department.objects.filter(pk=OuterRef("program__department_id")).values("code")[:1]
            ),
            composition_label=Subquery(
                Public.objects.filter(pk=OuterRef("request__household__composition_id")).values("label")[:1]
            ),
        )
        .prefetch_related(Prefetch("request__recommendations"))
    )


# -- referrals --------------------------------------------------------------------------------------


@api.get(
    "/referrals",
    response={200: ReferralPage, **READ_ERRORS},
    tags=[TAG_REFERRALS],
    summary="Candidatures reçues (flux)",
)
def list_referrals(request, filters: Query[ReferralListing]):
    require_scope(request, Scope.REFERRALS_READ)
    queryset = Referral.objects.filter(program__operator_id__in=operator_ids(request))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.program:
        queryset = queryset.filter(program__public_id=filters.program)
    return listed(request, REFERRAL_FIELDS, queryset, filters)


@api.get(
    "/referrals/{referral_id}",
    response={200: ReferralOut, **DETAIL_ERRORS},
    tags=[TAG_REFERRALS],
    summary="Une candidature : les personnes et l'offre souhaitée (lecture tracée)",
)
def get_referral(request, referral_id: uuid.UUID):
    require_scope(request, Scope.REFERRALS_READ)
    referral = _get(_detailed(request), referral_id)
    etag = etag_of(
        referral.public_id, referral.updated_at.isoformat(), referral.request.household.updated_at.isoformat()
    )
    record(
        "partners.referral_read",
        actor=program_actor(request, referral.program),
        obj=referral,
        target_organization=referral.program.operator_id,
        data={"household": str(referral.request.household.public_id)},
    )
    return detail_response(request, referral_out(referral), etag)


@api.post(
    "/referrals/{referral_id}/decision",
    response={200: DecisionOut, **WRITE_ERRORS},
    tags=[TAG_REFERRALS],
    summary="Répondre à une candidature (acceptée, ou refusée avec un motif)",
)
def decide(request, referral_id: uuid.UUID, payload: DecisionIn):
    require_scope(request, Scope.REFERRALS_WRITE)
    referral = _get(referrals_of(request), referral_id)
    if payload.decision == "refused" and payload.reason is None:
        raise ApiError(
            "validation", errors=[{"field": "reason", "code": "required", "message": "Indiquez le motif du refus."}]
        )
    decide_referral(
        actor=program_actor(request, referral.program),
        referral=referral,
        accept=payload.decision == "accepted",
        reason=payload.reason or "",
        comment=payload.comment,
    )
    # No persons in a write's answer: it would be an untraced read (and kept with the
    # idempotency record); the partner reads them with the traced GET.
    decided = _get(_detailed(request), referral_id)
    return Status(
        200,
        {
            **REFERRAL_FIELDS.of(decided),
            "program_refusal_reason": decided.program_refusal_reason,
            "decision_comment": decided.decision_comment,
        },
    )


@api.post(
    "/referrals/{referral_id}/arrival",
    response={201: StayOut, **WRITE_ERRORS},
    tags=[TAG_STAYS],
    summary="Confirmer l'arrivée du ménage : début de la prise en charge",
)
def confirm_arrival(request, referral_id: uuid.UUID, payload: ArrivalIn):
    require_scope(request, Scope.REFERRALS_WRITE)
    referral = _get(referrals_of(request), referral_id)
    if referral.status == ReferralStatus.PROPOSED:
        raise ApiError(
            "conflict",
            detail="L'arrivée suit l'acceptation de la candidature : répondez d'abord à la candidature.",
            errors=[{"field": "", "code": "transition", "message": "Candidature pas encore acceptée."}],
        )
    place = Place.objects.filter(public_id=payload.place, place_group__program_id=referral.program_id).first()
    if place is None:
        raise ApiError(
            "validation",
            errors=[
                {
                    "field": "place",
                    "code": "unknown",
                    "message": "Choisissez une place du dispositif de la candidature.",
                }
            ],
        )
    stay = admit(
        actor=program_actor(request, referral.program),
        referral=referral,
        place=place,
        started_on=payload.started_on,
    )
    return Status(201, STAY_FIELDS.of(stays_of(request).get(pk=stay.pk)))


# -- stays ------------------------------------------------------------------------------------------


@api.get("/stays", response={200: StayPage, **READ_ERRORS}, tags=[TAG_STAYS], summary="Prises en charge (flux)")
def list_stays(request, filters: Query[StayListing]):
    require_scope(request, Scope.REFERRALS_READ)
    queryset = Stay.objects.filter(program__operator_id__in=operator_ids(request))
    if filters.current is not None:
        queryset = queryset.filter(ended_on__isnull=filters.current)
    return listed(request, STAY_FIELDS, queryset, filters)


@api.get("/stays/{stay_id}", response={200: StayOut, **DETAIL_ERRORS}, tags=[TAG_STAYS], summary="Une prise en charge")
def get_stay(request, stay_id: uuid.UUID):
    require_scope(request, Scope.REFERRALS_READ)
    stay = _get(stays_of(request), stay_id)
    return detail_response(request, STAY_FIELDS.of(stay), etag_of(stay.public_id, stay.updated_at.isoformat()))


@api.post(
    "/stays/{stay_id}/end",
    response={200: StayOut, **WRITE_ERRORS},
    tags=[TAG_STAYS],
    summary="Déclarer la fin de la prise en charge (sortie)",
)
def finish_stay(request, stay_id: uuid.UUID, payload: StayEndIn):
    require_scope(request, Scope.REFERRALS_WRITE)
    stay = _get(stays_of(request), stay_id)
    end_stay(
        actor=program_actor(request, stay.program),
        stay=stay,
        ended_on=payload.ended_on,
        exit_reason=payload.exit_reason,
        exit_destination=payload.exit_destination,
        comment=payload.comment,
    )
    return Status(200, STAY_FIELDS.of(stays_of(request).get(pk=stay.pk)))
