"""Use cases 1 and 4: the partner publishes its offer (programs, place groups, dwellings) and
its vacancies. Everything is scoped to the client's operators; writes go through the offer
actions, with the partner acting as the operator (or the program), audited."""

import datetime
import uuid

from django.db import transaction
from django.http import HttpResponse
from ninja import Query, Schema, Status
from pydantic import Field

from siao.accounts.models import Organization
from siao.geo.models import Department
from siao.offer.actions.edit import update_program_complements
from siao.offer.actions.places import change_place_group_capacity, change_place_state, create_place_group
from siao.offer.actions.wizard import submit_program
from siao.offer.enums import CATEGORY_OF_TYPE
from siao.offer.models import Place, PlaceGroup, Program
from siao.partners.enums import Scope

from . import api
from .base import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ApiError,
    etag_of,
    not_modified,
    operator_actor,
    operator_ids,
    page,
    require_scope,
)
from .schemas import (
    OperatorOut,
    PlaceGroupIn,
    PlaceGroupOut,
    PlaceGroupPage,
    PlaceGroupPatch,
    PlaceOut,
    PlacePage,
    PlaceStateIn,
    Problem,
    ProgramIn,
    ProgramOut,
    ProgramPage,
    ProgramPatch,
    VacanciesIn,
    VacanciesOut,
)

TAG_OFFER = "Offre (cas 1)"
TAG_VACANCIES = "Vacances (cas 4)"
READ_ERRORS = {401: Problem, 403: Problem, 422: Problem, 429: Problem}
DETAIL_ERRORS = {304: None, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
WRITE_ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem, 429: Problem}


class Listing(Schema):
    cursor: str | None = Field(None, description="Le `next_cursor` de la page précédente.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    updated_since: datetime.datetime | None = Field(
        None, description="Seulement les objets modifiés depuis (ISO 8601, avec fuseau)."
    )


class PlaceListing(Listing):
    program: uuid.UUID | None = None
    state: str | None = Field(None, description="available, held, occupied ou unavailable")


# -- serializers ----------------------------------------------------------------------------------


def program_out(program: Program) -> dict:
    return {
        "id": program.public_id,
        "operator": program.operator.public_id,
        "name": program.name,
        "type": program.type,
        "category": program.category,
        "siret": program.siret,
        "finess": program.finess,
        "department": program.department.code,
        "validation_status": program.validation_status,
        "total_managed": program.total_managed,
        "prefectoral_quota": program.prefectoral_quota,
        "address": program.address,
        "postal_code": program.postal_code,
        "city": program.city,
        "contact_phone": program.contact_phone,
        "contact_email": program.contact_email,
        "starts_on": program.starts_on,
        "ends_on": program.ends_on,
        "updated_at": program.updated_at,
    }


def group_out(group: PlaceGroup) -> dict:
    return {
        "id": group.public_id,
        "program": group.program.public_id,
        "name": group.name,
        "unit_kind": group.unit_kind,
        "place_type": group.place_type,
        "place_category": group.place_category,
        "capacity": group.capacity,
        "address": group.address,
        "postal_code": group.postal_code,
        "city": group.city,
        "updated_at": group.updated_at,
    }


def place_out(place: Place) -> dict:
    return {
        "id": place.public_id,
        "place_group": place.place_group.public_id,
        "program": place.place_group.program.public_id,
        "label": place.label,
        "unit_kind": place.place_group.unit_kind,
        "state": place.state,
        "unavailability_reason": place.unavailability_reason,
        "unavailable_until": place.unavailable_until,
        "version": place.version,
        "department": place.department.code,
        "updated_at": place.updated_at,
    }


# -- querysets: the client's operators only --------------------------------------------------------


def programs_of(request):
    return Program.objects.filter(operator_id__in=operator_ids(request)).select_related("operator", "department")


def groups_of(request):
    return PlaceGroup.objects.filter(program__operator_id__in=operator_ids(request)).select_related("program")


def places_of(request):
    return Place.objects.filter(place_group__program__operator_id__in=operator_ids(request)).select_related(
        "place_group__program", "department"
    )


def _get(queryset, public_id):
    obj = queryset.filter(public_id=public_id).first()
    if obj is None:
        raise ApiError("not_found")
    return obj


def _detail(request, data: dict, *parts):
    etag = etag_of(*parts)
    if not_modified(request, etag):
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return response
    response = api.create_response(request, data, status=200)
    response["ETag"] = etag
    return response


# -- operators and programs -----------------------------------------------------------------------


@api.get("/operators", response={200: list[OperatorOut], **READ_ERRORS}, tags=[TAG_OFFER], summary="Mes entités")
def list_operators(request):
    require_scope(request, Scope.OFFER_READ)
    operators = Organization.objects.filter(pk__in=operator_ids(request)).order_by("name")
    return [{"id": o.public_id, "name": o.name, "siren": o.siren} for o in operators]


@api.get("/programs", response={200: ProgramPage, **READ_ERRORS}, tags=[TAG_OFFER], summary="Mes dispositifs")
def list_programs(request, filters: Query[Listing]):
    require_scope(request, Scope.OFFER_READ)
    items, cursor = page(
        programs_of(request), cursor=filters.cursor, limit=filters.limit, updated_since=filters.updated_since
    )
    return {"items": [program_out(p) for p in items], "next_cursor": cursor}


@api.get(
    "/programs/{program_id}", response={200: ProgramOut, **DETAIL_ERRORS}, tags=[TAG_OFFER], summary="Un dispositif"
)
def get_program(request, program_id: uuid.UUID):
    require_scope(request, Scope.OFFER_READ)
    program = _get(programs_of(request), program_id)
    return _detail(request, program_out(program), program.public_id, program.updated_at.isoformat())


@api.post(
    "/programs",
    response={201: ProgramOut, **WRITE_ERRORS},
    tags=[TAG_OFFER],
    summary="Publier un dispositif (circuit de validation)",
)
def create_program(request, payload: ProgramIn):
    require_scope(request, Scope.OFFER_WRITE)
    operator = Organization.objects.filter(public_id=payload.operator, pk__in=operator_ids(request)).first()
    if operator is None:
        raise ApiError(
            "validation",
            errors=[{"field": "operator", "code": "unknown", "message": "Cette entité n'est pas l'une des vôtres."}],
        )
    department = Department.objects.filter(code=payload.department).first()
    if department is None:
        raise ApiError(
            "validation",
            errors=[{"field": "department", "code": "unknown", "message": "Ce code de département n'existe pas."}],
        )
    values = payload.dict(exclude={"operator", "department", "type"})
    program = Program(
        operator=operator, department=department, type=payload.type, category=CATEGORY_OF_TYPE[payload.type], **values
    )
    program = submit_program(actor=operator_actor(request, operator), program=program)
    return Status(201, program_out(programs_of(request).get(pk=program.pk)))


@api.patch(
    "/programs/{program_id}",
    response={200: ProgramOut, **WRITE_ERRORS},
    tags=[TAG_OFFER],
    summary="Mettre à jour un dispositif",
)
def patch_program(request, program_id: uuid.UUID, payload: ProgramPatch):
    require_scope(request, Scope.OFFER_WRITE)
    program = _get(programs_of(request), program_id)
    values = payload.dict(exclude_unset=True)
    if values:
        update_program_complements(actor=operator_actor(request, program.operator), program=program, values=values)
    return Status(200, program_out(programs_of(request).get(pk=program.pk)))


# -- place groups (places or dwellings) ------------------------------------------------------------


@api.get(
    "/place-groups",
    response={200: PlaceGroupPage, **READ_ERRORS},
    tags=[TAG_OFFER],
    summary="Mes groupes de places et de logements",
)
def list_place_groups(request, filters: Query[Listing]):
    require_scope(request, Scope.OFFER_READ)
    items, cursor = page(
        groups_of(request), cursor=filters.cursor, limit=filters.limit, updated_since=filters.updated_since
    )
    return {"items": [group_out(g) for g in items], "next_cursor": cursor}


@api.get(
    "/place-groups/{group_id}", response={200: PlaceGroupOut, **DETAIL_ERRORS}, tags=[TAG_OFFER], summary="Un groupe"
)
def get_place_group(request, group_id: uuid.UUID):
    require_scope(request, Scope.OFFER_READ)
    group = _get(groups_of(request), group_id)
    return _detail(request, group_out(group), group.public_id, group.updated_at.isoformat(), group.capacity)


@api.post(
    "/programs/{program_id}/place-groups",
    response={201: PlaceGroupOut, **WRITE_ERRORS},
    tags=[TAG_OFFER],
    summary="Créer un groupe de places ou de logements",
)
def create_group(request, program_id: uuid.UUID, payload: PlaceGroupIn):
    require_scope(request, Scope.OFFER_WRITE)
    program = _get(programs_of(request), program_id)
    group = create_place_group(actor=operator_actor(request, program.operator), program=program, **payload.dict())
    return Status(201, group_out(groups_of(request).get(pk=group.pk)))


@api.patch(
    "/place-groups/{group_id}",
    response={200: PlaceGroupOut, **WRITE_ERRORS},
    tags=[TAG_OFFER],
    summary="Changer la capacité d'un groupe",
)
def patch_group(request, group_id: uuid.UUID, payload: PlaceGroupPatch):
    require_scope(request, Scope.OFFER_WRITE)
    group = _get(groups_of(request), group_id)
    change_place_group_capacity(
        actor=operator_actor(request, group.program.operator), place_group=group, capacity=payload.capacity
    )
    return Status(200, group_out(groups_of(request).get(pk=group.pk)))


# -- places and vacancies ---------------------------------------------------------------------------


@api.get(
    "/places", response={200: PlacePage, **READ_ERRORS}, tags=[TAG_VACANCIES], summary="Mes places et logements (flux)"
)
def list_places(request, filters: Query[PlaceListing]):
    require_scope(request, Scope.OFFER_READ)
    queryset = places_of(request)
    if filters.program:
        queryset = queryset.filter(place_group__program__public_id=filters.program)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    items, cursor = page(queryset, cursor=filters.cursor, limit=filters.limit, updated_since=filters.updated_since)
    return {"items": [place_out(p) for p in items], "next_cursor": cursor}


@api.get("/places/{place_id}", response={200: PlaceOut, **DETAIL_ERRORS}, tags=[TAG_VACANCIES], summary="Une place")
def get_place(request, place_id: uuid.UUID):
    require_scope(request, Scope.OFFER_READ)
    place = _get(places_of(request), place_id)
    return _detail(request, place_out(place), place.public_id, place.version, place.updated_at.isoformat())


def _publish(request, place: Place, change: PlaceStateIn) -> Place:
    if change.state == "unavailable" and change.reason is None:
        raise ApiError(
            "validation",
            errors=[{"field": "reason", "code": "required", "message": "Indiquez le motif de l'indisponibilité."}],
        )
    program = place.place_group.program
    return change_place_state(
        actor=operator_actor(request, program.operator),
        place=place,
        to_state=change.state,
        expected_version=place.version if change.expected_version is None else change.expected_version,
        reason=change.reason or "",
        until=change.until,
    )


@api.post(
    "/places/{place_id}/state",
    response={200: PlaceOut, **WRITE_ERRORS},
    tags=[TAG_VACANCIES],
    summary="Publier une vacance (disponible) ou retirer une place (indisponible)",
)
def publish_place_state(request, place_id: uuid.UUID, payload: PlaceStateIn):
    require_scope(request, Scope.OFFER_WRITE)
    place = _get(places_of(request), place_id)
    if place.state == payload.state and payload.state == "available":
        return Status(200, place_out(place))  # already vacant: nothing to do
    _publish(request, place, payload)
    return Status(200, place_out(places_of(request).get(pk=place.pk)))


@api.post(
    "/vacancies",
    response={200: VacanciesOut, **WRITE_ERRORS},
    tags=[TAG_VACANCIES],
    summary="Publier plusieurs vacances à la fois (tout ou rien)",
)
def publish_vacancies(request, payload: VacanciesIn):
    require_scope(request, Scope.OFFER_WRITE)
    wanted = [item.place for item in payload.items]
    if len(set(wanted)) != len(wanted):
        raise ApiError(
            "validation",
            errors=[{"field": "items", "code": "duplicate", "message": "Une place figure deux fois dans la liste."}],
        )
    places = {p.public_id: p for p in places_of(request).filter(public_id__in=wanted)}
    missing = [str(w) for w in wanted if w not in places]
    if missing:
        raise ApiError(
            "not_found", detail=f"Places introuvables parmi celles de vos entités : {', '.join(missing[:10])}."
        )
    with transaction.atomic():
        for item in payload.items:
            place = places[item.place]
            if not (place.state == item.state == "available"):
                try:
                    _publish(request, place, item)
                except ApiError as exc:
                    for error in exc.errors or []:
                        error["field"] = f"items.{wanted.index(item.place)}.{error['field']}"
                    raise
    refreshed = {p.public_id: p for p in places_of(request).filter(public_id__in=wanted)}
    return Status(200, {"items": [place_out(refreshed[w]) for w in wanted]})
