"""The contract's shapes. Strict types (a boolean is never taken for 0, a number never for a
date), closed lists as enums, unknown fields refused on writes."""

import datetime
import re
import uuid
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, StrictStr, field_validator
from pydantic_core import PydanticCustomError

from siao.households.enums import ExitDestination
from siao.offer.enums import PlaceCategory, PlaceState, PlaceType, ProgramType, UnavailabilityReason, UnitKind
from siao.orientation.enums import ExitReason, ProgramRefusalReason, ReferralStatus
from siao.partners.enums import EventStatus, Scope

PlaceTypeCode = Literal[tuple(PlaceType.values)]
PlaceCategoryCode = Literal[tuple(PlaceCategory.values)]
UnitKindCode = Literal[tuple(UnitKind.values)]
PlaceStateCode = Literal[tuple(PlaceState.values)]
PublishedStateCode = Literal["available", "unavailable"]
UnavailabilityCode = Literal[tuple(UnavailabilityReason.values)]
ProgramTypeCode = Literal[tuple(ProgramType.values)]
RefusalCode = Literal[tuple(ProgramRefusalReason.values)]
ExitReasonCode = Literal[tuple(ExitReason.values)]
ExitDestinationCode = Literal[tuple(ExitDestination.values)]
ScopeCode = Literal[tuple(Scope.values)]
ReferralStatusCode = Literal[tuple(ReferralStatus.values)]
EventStatusCode = Literal[tuple(EventStatus.values)]

Text = Field(default="", max_length=2000)

# -- strict scalars ---------------------------------------------------------------------------------
# Pydantic's lax mode reads `true` as 1, `0.5` as a timestamp and `"12"` as 12: none of them is
# what the document says. These types take only what the contract announces (an integral number,
# an ISO 8601 date or date-time), in the body as in the query string.

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _integer(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _iso_date(value):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")
    return value


def _iso_datetime(value):
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.match(value):
        raise PydanticCustomError("datetime_parsing", "Input should be a valid ISO 8601 datetime")
    return value


def _not_boolean(value):
    if isinstance(value, bool):  # Literal[1] would take `true`
        raise PydanticCustomError("literal_error", "Input should be one of the listed codes")
    return value


Integer = Annotated[int, BeforeValidator(_integer)]
"""A JSON integer (`3` or `3.0`), never a boolean nor a string."""
IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]
"""A date written AAAA-MM-JJ."""
IsoDateTime = Annotated[datetime.datetime, BeforeValidator(_iso_datetime)]
"""A date and time in ISO 8601 (RFC 3339), never a number of seconds."""


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# -- problems -------------------------------------------------------------------------------------


class ProblemError(Schema):
    field: str
    code: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[ProblemError] | None = None
    error: str | None = Field(None, description="Code d'erreur OAuth 2.0 (point d'accès du jeton).")
    error_description: str | None = None


# -- token ----------------------------------------------------------------------------------------


class TokenOut(Schema):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str


# -- offer ----------------------------------------------------------------------------------------


class OperatorOut(Schema):
    id: uuid.UUID
    name: str
    siren: str


class ProgramOut(Schema):
    id: uuid.UUID
    operator: uuid.UUID
    name: str
    type: ProgramTypeCode
    category: str
    siret: str
    finess: str
    department: str = Field(description="Code du département (INSEE).")
    validation_status: str
    total_managed: int
    prefectoral_quota: int
    address: str
    postal_code: str
    city: str
    contact_phone: str
    contact_email: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    updated_at: datetime.datetime


class ProgramIn(Input):
    """A program published by the partner: it enters the validation circuit (SIAO, then DDETS
    where the type requires it) before it can receive orientations."""

    operator: uuid.UUID
    type: ProgramTypeCode
    name: StrictStr = Field(min_length=3, max_length=255)
    siret: StrictStr = Field(min_length=14, max_length=14)
    finess: StrictStr = Field(default="", max_length=9)
    department: StrictStr = Field(min_length=2, max_length=3, description="Code du département (INSEE).")
    funded_p177: Integer = Field(default=0, ge=0, le=100000)
    funded_non_p177: Integer = Field(default=0, ge=0, le=100000)
    funded_iml_plus: Integer = Field(default=0, ge=0, le=100000)
    total_managed: Integer = Field(ge=0, le=100000)
    prefectoral_quota: Integer = Field(default=0, ge=0, le=100000)
    address: StrictStr = Field(default="", max_length=255)
    postal_code: StrictStr = Field(default="", max_length=5)
    city: StrictStr = Field(default="", max_length=100)
    contact_phone: StrictStr = Field(default="", max_length=20)
    contact_email: StrictStr = Field(default="", max_length=254)


class ProgramPatch(Input):
    """Only the fields sent change; `null` empties a text (and clears a date)."""

    address: StrictStr | None = Field(default=None, max_length=255)
    postal_code: StrictStr | None = Field(default=None, max_length=5)
    city: StrictStr | None = Field(default=None, max_length=100)
    contact_phone: StrictStr | None = Field(default=None, max_length=20)
    contact_email: StrictStr | None = Field(default=None, max_length=254)
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None

    @field_validator("address", "postal_code", "city", "contact_phone", "contact_email")
    @classmethod
    def _empty_text(cls, value):
        return "" if value is None else value  # the columns hold "" for "none", never NULL


class ProgramPage(Schema):
    items: list[ProgramOut]
    next_cursor: str | None


class PlaceGroupOut(Schema):
    id: uuid.UUID
    program: uuid.UUID
    name: str
    unit_kind: UnitKindCode
    place_type: PlaceTypeCode
    place_category: PlaceCategoryCode
    capacity: int
    address: str
    postal_code: str
    city: str
    updated_at: datetime.datetime


class PlaceGroupIn(Input):
    name: StrictStr = Field(min_length=1, max_length=255)
    unit_kind: UnitKindCode = "place"
    place_type: PlaceTypeCode
    place_category: PlaceCategoryCode
    capacity: Integer = Field(ge=1, le=500)
    address: StrictStr = Field(default="", max_length=255)
    postal_code: StrictStr = Field(default="", max_length=5)
    city: StrictStr = Field(default="", max_length=100)


class PlaceGroupPatch(Input):
    capacity: Integer = Field(ge=1, le=500)


class PlaceGroupPage(Schema):
    items: list[PlaceGroupOut]
    next_cursor: str | None


class PlaceOut(Schema):
    id: uuid.UUID
    place_group: uuid.UUID
    program: uuid.UUID
    label: str
    unit_kind: UnitKindCode
    state: PlaceStateCode
    unavailability_reason: str
    unavailable_until: datetime.date | None
    version: int
    department: str
    updated_at: datetime.datetime


class PlacePage(Schema):
    items: list[PlaceOut]
    next_cursor: str | None


class PlaceStateIn(Input):
    """Publish a vacancy (available) or withdraw the place (unavailable, with a reason)."""

    state: PublishedStateCode
    reason: UnavailabilityCode | None = None
    until: IsoDate | None = None
    expected_version: Integer | None = Field(
        default=None, ge=0, description="Version lue : refusé (409) si la place a changé depuis."
    )


class VacancyIn(PlaceStateIn):
    place: uuid.UUID


class VacanciesIn(Input):
    items: list[VacancyIn] = Field(min_length=1, max_length=500)


class VacanciesOut(Schema):
    items: list[PlaceOut]


# -- referrals and stays --------------------------------------------------------------------------


class PersonOut(Schema):
    id: uuid.UUID
    last_name: str
    first_name: str
    birth_date: datetime.date | None
    sex: str
    relationship: str


class HouseholdOut(Schema):
    id: uuid.UUID
    composition: str | None
    member_count: int
    children_count: int
    persons: list[PersonOut]


class WishedOfferOut(Schema):
    program: uuid.UUID
    program_types: list[str] = Field(description="Types de dispositif préconisés par le SIAO.")
    place: uuid.UUID | None


class ReferralSummary(Schema):
    id: uuid.UUID
    program: uuid.UUID
    place: uuid.UUID | None
    status: str
    proposed_at: datetime.datetime
    decided_at: datetime.datetime | None
    household_accepted_at: datetime.datetime | None
    member_count: int
    updated_at: datetime.datetime


class DecisionOut(ReferralSummary):
    """The answer to a decision: the candidature's state, without its persons (read them with
    `GET /referrals/{id}`, which is traced in the audit trail)."""

    program_refusal_reason: str
    decision_comment: str


class ReferralOut(ReferralSummary):
    request: uuid.UUID
    department: str
    request_reason: int | None
    housing_situation: int | None
    priority: int
    siao_comment: str
    program_refusal_reason: str
    decision_comment: str
    household: HouseholdOut
    wished_offer: WishedOfferOut
    stay: uuid.UUID | None


class ReferralPage(Schema):
    items: list[ReferralSummary]
    next_cursor: str | None


class DecisionIn(Input):
    decision: Literal["accepted", "refused"]
    reason: RefusalCode | None = Field(default=None, description="Obligatoire pour un refus.")
    comment: StrictStr = Text


class ArrivalIn(Input):
    place: uuid.UUID
    started_on: IsoDate


class StayOut(Schema):
    id: uuid.UUID
    referral: uuid.UUID | None
    program: uuid.UUID
    place: uuid.UUID | None
    household: uuid.UUID
    started_on: datetime.date
    ended_on: datetime.date | None
    exit_reason: str
    exit_destination: int | None
    updated_at: datetime.datetime


class StayPage(Schema):
    items: list[StayOut]
    next_cursor: str | None


class StayEndIn(Input):
    ended_on: IsoDate
    exit_reason: ExitReasonCode
    exit_destination: Annotated[ExitDestinationCode, BeforeValidator(_not_boolean)]
    comment: StrictStr = Text


# -- contingent, events, referentials -------------------------------------------------------------


class QuotaOut(Schema):
    program: uuid.UUID
    name: str
    department: str
    total_managed: int
    prefectoral_quota: int
    places: int
    available_places: int
    quota_available: int = Field(
        description="Places du contingent disponibles : le contingent, dans la limite des places libres du dispositif."
    )


class QuotaList(Schema):
    items: list[QuotaOut]


class EventOut(Schema):
    id: uuid.UUID
    type: str
    created_at: datetime.datetime
    status: str
    attempts: int
    delivered_at: datetime.datetime | None
    data: dict


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: str | None


class Code(Schema):
    code: str
    label: str


class ReferentialsOut(Schema):
    program_types: list[Code]
    unit_kinds: list[Code]
    place_types: list[Code]
    place_categories: list[Code]
    place_states: list[Code]
    unavailability_reasons: list[Code]
    program_refusal_reasons: list[Code]
    exit_reasons: list[Code]
    exit_destinations: list[Code]
    scopes: list[Code]
