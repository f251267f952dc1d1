"""Use cases 1 and 4: the partner publishes its offer (programs, place groups, dwellings) and
its vacancies. Everything is scoped to the client's operators; writes go through the offer
actions, with the partner acting as the operator (or the program), audited."""

import uuid

from django.db import transaction
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
    CURSOR_PATTERN,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ApiError,
    Projection,
    detail_response,
    etag_of,
    listed,
    operator_actor,
    operator_ids,
    require_scope,
)
from .schemas import (
    IsoDateTime,
    OperatorOut,
    PlaceGroupIn,
    PlaceGroupOut,
    PlaceGroupPage,
    PlaceGroupPatch,
    PlaceOut,
    PlacePage,
    PlaceStateCode,
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
    """The query of every flow: resume after `cursor`, at most `limit` items, changed since."""

    cursor: str | None = Field(
        None, pattern=CURSOR_PATTERN, description="Le `next_cursor` de la page précédente (valeur opaque)."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    updated_since: IsoDateTime | None = Field(
        None, description="Seulement les objets modifiés depuis (ISO 8601, avec fuseau)."
    )


class PlaceListing(Listing):
    program: uuid.UUID | None = None
    state: PlaceStateCode | None = Field(None, description="available, held, occupied ou unavailable")


# -- serializers ----------------------------------------------------------------------------------


PROGRAM_FIELDS = Projection(
    {
        "id": "public_id",
        "operator": "operator__public_id",
        "name": "name",
        "type": "type",
        "category": "category",
        "siret": "siret",
        "finess": "finess",
        "department": "department__code",
        "validation_status": "validation_status",
        "total_managed": "total_managed",
        "prefectoral_quota": "prefectoral_quota",
        "address": "address",
        "postal_code": "postal_code",
        "city": "city",
        "contact_phone": "contact_phone",
        "contact_email": "contact_email",
        "starts_on": "starts_on",
        "ends_on": "ends_on",
        "updated_at": "updated_at",
    }
)
GROUP_FIELDS = Projection(
    {
        "id": "public_id",
        "program": "program__public_id",
        "name": "name",
        "unit_kind": "unit_kind",
        "place_type": "place_type",
        "place_category": "place_category",
        "capacity": "capacity",
        "address": "address",
        "postal_code": "postal_code",
        "city": "city",
        "updated_at": "updated_at",
    }
)
PLACE_FIELDS = Projection(
    {
        "id": "public_id",
        "place_group": "place_group__public_id",
        "program": "place_group__program__public_id",
        "label": "label",
        "unit_kind": "place_group__unit_kind",
        "state": "state",
        "unavailability_reason": "unavailability_reason",
        "unavailable_until": "unavailable_until",
        "version": "version",
        "department": "department__code",
        "updated_at": "updated_at",
    }
)


# -- querysets: the client's operators only --------------------------------------------------------


def programs_of(request):
    return Program.objects.filter(operator_id__in=operator_ids(request)).select_related("operator", "department")


def groups_of(request):
    return PlaceGroup.objects.filter(program__operator_id__in=operator_ids(request)).select_related("program")


def places_of(request):
    return Place.objects.filter(place_group__program__operator_id__in=operator_ids(request)).select_related(
        "place_group__program", "department"
    )


def _row(projection: Projection, obj) -> dict:
    """The object as its list shows it, read again (after a write: what was saved)."""
    return projection.values(type(obj).objects.filter(pk=obj.pk)).get()


def _get(queryset, public_id):
    obj = queryset.filter(public_id=public_id).first()
    if obj is None:
        raise ApiError("not_found")
    return obj


# -- operators and programs -----------------------------------------------------------------------


@api.get("/operators", response={200: list[OperatorOut], **READ_ERRORS}, tags=[TAG_OFFER], summary="Mes entités")
def list_operators(request):
    require_scope(request, Scope.OFFER_READ)
    operators = Organization.objects.filter(pk__in=operator_ids(request)).order_by("name")
    return [{"id": o.public_id, "name": o.name, "siren": o.siren} for o in operators]


@api.get("/programs", response={200: ProgramPage, **READ_ERRORS}, tags=[TAG_OFFER], summary="Mes dispositifs")
def list_programs(request, filters: Query[Listing]):
    require_scope(request, Scope.OFFER_READ)
    return listed(request, PROGRAM_FIELDS, Program.objects.filter(operator_id__in=operator_ids(request)), filters)


@api.get(
    "/programs/{program_id}", response={200: ProgramOut, **DETAIL_ERRORS}, tags=[TAG_OFFER], summary="Un dispositif"
)
def get_program(request, program_id: uuid.UUID):
    require_scope(request, Scope.OFFER_READ)
    row = _get(PROGRAM_FIELDS.values(programs_of(request)), program_id)
    return detail_response(request, PROGRAM_FIELDS.out(row), etag_of(row["public_id"], row["updated_at"].isoformat()))


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
    return Status(201, PROGRAM_FIELDS.out(_row(PROGRAM_FIELDS, program)))


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
    return Status(200, PROGRAM_FIELDS.out(_row(PROGRAM_FIELDS, program)))


# -- place groups (places or dwellings) ------------------------------------------------------------


@api.get(
    "/place-groups",
    response={200: PlaceGroupPage, **READ_ERRORS},
    tags=[TAG_OFFER],
    summary="Mes groupes de places et de logements",
)
def list_place_groups(request, filters: Query[Listing]):
    require_scope(request, Scope.OFFER_READ)
    return listed(
        request, GROUP_FIELDS, PlaceGroup.objects.filter(program__operator_id__in=operator_ids(request)), filters
    )


@api.get(
    "/place-groups/{group_id}", response={200: PlaceGroupOut, **DETAIL_ERRORS}, tags=[TAG_OFFER], summary="Un groupe"
)
def get_place_group(request, group_id: uuid.UUID):
    require_scope(request, Scope.OFFER_READ)
    row = _get(GROUP_FIELDS.values(groups_of(request)), group_id)
    return detail_response(
        request, GROUP_FIELDS.out(row), etag_of(row["public_id"], row["updated_at"].isoformat(), row["capacity"])
    )


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
    return Status(201, GROUP_FIELDS.out(_row(GROUP_FIELDS, group)))


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
    return Status(200, GROUP_FIELDS.out(_row(GROUP_FIELDS, group)))


# -- places and vacancies ---------------------------------------------------------------------------


@api.get(
    "/places", response={200: PlacePage, **READ_ERRORS}, tags=[TAG_VACANCIES], summary="Mes places et logements (flux)"
)
def list_places(request, filters: Query[PlaceListing]):
    require_scope(request, Scope.OFFER_READ)
    queryset = Place.objects.filter(place_group__program__operator_id__in=operator_ids(request))
    if filters.program:
        queryset = queryset.filter(place_group__program__public_id=filters.program)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    return listed(request, PLACE_FIELDS, queryset, filters)


@api.get("/places/{place_id}", response={200: PlaceOut, **DETAIL_ERRORS}, tags=[TAG_VACANCIES], summary="Une place")
def get_place(request, place_id: uuid.UUID):
    require_scope(request, Scope.OFFER_READ)
    row = _get(PLACE_FIELDS.values(places_of(request)), place_id)
    return detail_response(
        request, PLACE_FIELDS.out(row), etag_of(row["public_id"], row["version"], row["updated_at"].isoformat())
    )


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
        return Status(200, PLACE_FIELDS.out(_row(PLACE_FIELDS, place)))  # already vacant: nothing to do
    _publish(request, place, payload)
    return Status(200, PLACE_FIELDS.out(_row(PLACE_FIELDS, place)))


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
    rows = {
        row["public_id"]: PLACE_FIELDS.out(row)
        for row in PLACE_FIELDS.values(places_of(request).filter(public_id__in=wanted))
    }
    return Status(200, {"items": [rows[w] for w in wanted]})
