"""Use cases 1 and 4 through the API: reading the offer, publishing a program (it enters the
validation circuit), place groups and vacancies; and how the API refuses bad input: malformed
JSON (400), values of the wrong type or outside the lists (422 naming the field, in French or
in English), always leaving the database as it was."""

import pytest

from siao.audit.models import AuditEvent
from siao.offer.enums import ValidationStatus
from siao.offer.models import Place, PlaceGroup, Program
from tests.factories import PlaceGroupFactory, ProgramFactory, fake_siret

from .api_support import assert_problem, db_state, fields_of, partner

pytestmark = pytest.mark.django_db

GROUP = {"name": "Logements T2", "unit_kind": "dwelling", "place_type": "insertion", "place_category": "single_room"}


def new_program(owner, **values):
    return {
        "operator": str(owner.public_id),
        "type": "chrs",
        "name": "CHRS - Les Glycines",
        "siret": fake_siret(owner.siren, 42),
        "department": "35",
        "funded_p177": 12,
        "total_managed": 12,
        **values,
    }


# -- reads ----------------------------------------------------------------------------------------


def test_programs_place_groups_and_places_of_the_partner():
    mine = partner(places=3)
    api = mine.api
    [program] = api.get("/api/v1/programs").json()["items"]
    assert program["id"] == str(mine.program.public_id)
    assert program["operator"] == str(mine.program.operator.public_id)
    assert program["department"] == "35" and program["validation_status"] == "validated"
    [group] = api.get("/api/v1/place-groups").json()["items"]
    assert group["program"] == program["id"] and group["capacity"] == 3
    places = api.get("/api/v1/places").json()["items"]
    assert len(places) == 3 and {p["state"] for p in places} == {"available"}
    assert api.get(f"/api/v1/places?program={program['id']}&state=available").json()["items"] == places
    assert api.get("/api/v1/places?state=occupied").json()["items"] == []
    assert api.get("/api/v1/operators").json() == [
        {
            "id": str(mine.program.operator.public_id),
            "name": mine.program.operator.name,
            "siren": mine.program.operator.siren,
        }
    ]
    codes = api.get("/api/v1/referentials").json()
    assert {"code": "offer:read", "label": "Lire l'offre de ses entités"} in codes["scopes"]


def test_a_detail_carries_an_etag_and_answers_304_to_if_none_match():
    mine = partner(places=1)
    place = mine.places()[0]
    for path in [
        f"/api/v1/programs/{mine.program.public_id}",
        f"/api/v1/place-groups/{place.place_group.public_id}",
        f"/api/v1/places/{place.public_id}",
    ]:
        first = mine.api.get(path)
        assert first.status_code == 200, first.content
        etag = first["ETag"]
        again = mine.api.get(path, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == etag
        assert mine.api.get(path, HTTP_IF_NONE_MATCH='"autre"').status_code == 200
    # A change gives a new ETag: the cached copy is no longer current.
    etag = mine.api.get(f"/api/v1/places/{place.public_id}")["ETag"]
    response = mine.api.post_json(
        f"/api/v1/places/{place.public_id}/state", {"state": "unavailable", "reason": "works"}
    )
    assert response.status_code == 200, response.content
    changed = mine.api.get(f"/api/v1/places/{place.public_id}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


@pytest.mark.parametrize("path", ["/api/v1/programs", "/api/v1/places", "/api/v1/place-groups"])
def test_reads_make_a_fixed_number_of_queries_whatever_the_number_of_items(path, django_assert_num_queries):
    mine = partner(places=2)
    # token + the page (program, operator, department, group joined)
    expected = {"/api/v1/programs": 2, "/api/v1/places": 2, "/api/v1/place-groups": 2}[path]
    with django_assert_num_queries(expected):
        small = mine.api.get(path)
    assert small.status_code == 200
    for _ in range(3):
        PlaceGroupFactory(program=ProgramFactory(operator=mine.program.operator), capacity=3)
    with django_assert_num_queries(expected):
        large = mine.api.get(path)
    assert len(large.json()["items"]) > len(small.json()["items"])


# -- offer publication ----------------------------------------------------------------------------


def test_a_published_program_enters_the_validation_circuit():
    mine = partner(places=1)
    operator = mine.program.operator
    response = mine.api.post_json("/api/v1/programs", new_program(operator))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["validation_status"] == ValidationStatus.SUBMITTED
    program = Program.objects.get(public_id=body["id"])
    assert program.operator == operator and program.validation_status == ValidationStatus.SUBMITTED
    assert program.name == "CHRS - Les Glycines" and program.category == "shelter"
    event = AuditEvent.objects.filter(action="offer.program_submitted").latest("sequence")
    assert event.object_id in {str(program.pk), str(program.public_id)}
    assert event.actor_email == mine.registered.client.service_user.email
    assert event.target_organization_id == operator.pk
    # It is the partner's: listed with its own.
    ids = {p["id"] for p in mine.api.get("/api/v1/programs").json()["items"]}
    assert ids == {str(mine.program.public_id), body["id"]}


def test_a_bad_siret_is_refused_with_the_models_french_message_and_nothing_created():
    mine = partner(places=1)
    before = db_state()
    response = mine.api.post_json("/api/v1/programs", new_program(mine.program.operator, siret="12345678901234"))
    document = assert_problem(response, 422, "validation")
    messages = [e["message"] for e in document["errors"] if e["field"] == "siret"]
    assert any(m.startswith("Le numéro SIRET « 12345678901234 » n'est pas valide") for m in messages), messages
    assert "Le numéro SIRET" in document["detail"]
    assert db_state() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"operator": "8a6e0804-2bd0-4672-b79d-d97027f9071a"}, "operator"),  # not one of mine
        ({"department": "00"}, "department"),
        ({"type": "castle"}, "type"),
        ({"total_managed": True}, "total_managed"),
        ({"total_managed": "12"}, "total_managed"),
        ({"total_managed": 12.5}, "total_managed"),
        ({"siret": 12345678901234}, "siret"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_program_with_a_bad_value_is_refused_naming_the_field(change, field):
    mine = partner(places=1)
    before = db_state()
    response = mine.api.post_json("/api/v1/programs", new_program(mine.program.operator, **change))
    document = assert_problem(response, 422, "validation")
    assert field in fields_of(document), document
    assert db_state() == before


def test_patch_program_null_empties_a_text_instead_of_failing():
    """Found by schemathesis: `{"city": null}` reached the database as NULL (a 500)."""
    mine = partner(places=1)
    Program.objects.filter(pk=mine.program.pk).update(city="Rennes", address="1 rue de la Paix")
    response = mine.api.patch_json(f"/api/v1/programs/{mine.program.public_id}", {"city": None})
    assert response.status_code == 200, response.content
    assert response.json()["city"] == "" and response.json()["address"] == "1 rue de la Paix"
    mine.program.refresh_from_db()
    assert mine.program.city == ""


def test_patch_program_refuses_a_number_for_a_date():
    """Found by schemathesis: `0` was read as 1970-01-01."""
    mine = partner(places=1)
    before = db_state()
    response = mine.api.patch_json(f"/api/v1/programs/{mine.program.public_id}", {"starts_on": 0})
    assert fields_of(assert_problem(response, 422, "validation")) == {"starts_on"}
    assert db_state() == before


# -- place groups and vacancies ---------------------------------------------------------------------


def test_a_place_group_is_created_with_its_places_and_its_capacity_changed():
    mine = partner(places=1)
    response = mine.api.post_json(f"/api/v1/programs/{mine.program.public_id}/place-groups", {**GROUP, "capacity": 2})
    assert response.status_code == 201, response.content
    group = PlaceGroup.objects.get(public_id=response.json()["id"])
    assert group.places.count() == 2 and group.unit_kind == "dwelling"
    # An integral number written 3.0 is an integer (JSON Schema says so).
    response = mine.api.patch_json(f"/api/v1/place-groups/{group.public_id}", {"capacity": 3.0})
    assert response.status_code == 200, response.content
    assert response.json()["capacity"] == 3 and group.places.count() == 3


def test_vacancies_are_published_all_or_nothing():
    mine = partner(places=3)
    first, second, third = mine.places()
    response = mine.api.post_json(
        "/api/v1/vacancies",
        {
            "items": [
                {"place": str(first.public_id), "state": "unavailable", "reason": "works"},
                {"place": str(second.public_id), "state": "unavailable", "reason": "works"},
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert [p["state"] for p in response.json()["items"]] == ["unavailable", "unavailable"]
    before = db_state()
    response = mine.api.post_json(
        "/api/v1/vacancies",
        {
            "items": [
                {"place": str(first.public_id), "state": "available"},
                {"place": str(third.public_id), "state": "unavailable"},  # no reason: all refused
            ]
        },
    )
    assert fields_of(assert_problem(response, 422, "validation")) == {"items.1.reason"}
    assert db_state() == before
    duplicate = mine.api.post_json(
        "/api/v1/vacancies",
        {"items": [{"place": str(third.public_id), "state": "available"}] * 2},
    )
    assert fields_of(assert_problem(duplicate, 422)) == {"items"}
    assert db_state() == before


def test_a_stale_expected_version_is_a_conflict():
    mine = partner(places=1)
    place = mine.places()[0]
    before = db_state()
    response = mine.api.post_json(
        f"/api/v1/places/{place.public_id}/state",
        {"state": "unavailable", "reason": "works", "expected_version": place.version + 1},
    )
    assert_problem(response, 409, "conflict")
    assert db_state() == before


# -- bad input --------------------------------------------------------------------------------------


def test_malformed_json_is_a_400_problem_and_changes_nothing():
    mine = partner(places=1)
    place = mine.places()[0]
    before = db_state()
    for path in [f"/api/v1/places/{place.public_id}/state", "/api/v1/programs", "/api/v1/vacancies"]:
        response = mine.api.post(path, '{"state": "available",', content_type="application/json")
        document = assert_problem(response, 400, "malformed")
        assert document["detail"] == "Le corps de la requête n'est pas un JSON valide."
    english = mine.api.post(
        f"/api/v1/places/{place.public_id}/state", "{", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert assert_problem(english, 400)["detail"] == "The request body is not valid JSON."
    assert db_state() == before


@pytest.mark.parametrize(
    ("body", "field", "code", "message"),
    [
        ({"capacity": True}, "capacity", "int_type", "Un nombre entier est attendu."),
        ({"capacity": "2"}, "capacity", "int_type", "Un nombre entier est attendu."),
        ({"capacity": 2, "colour": "bleu"}, "colour", "extra_forbidden", "Ce champ n'est pas attendu."),
        (
            {"capacity": 2, "place_type": "castle"},
            "place_type",
            "literal_error",
            "Cette valeur n'est pas dans la liste autorisée.",
        ),
        ({"capacity": 0}, "capacity", "greater_than_equal", "Cette valeur est trop petite."),
        ({"capacity": 2, "name": ""}, "name", "string_too_short", "Ce texte est trop court."),
    ],
)
def test_wrong_types_are_422_naming_the_field_in_french(body, field, code, message):
    mine = partner(places=1)
    before = db_state()
    response = mine.api.post_json(f"/api/v1/programs/{mine.program.public_id}/place-groups", {**GROUP, **body})
    document = assert_problem(response, 422, "validation")
    assert document["title"] == "Données invalides"
    assert {"field": field, "code": code, "message": message} in document["errors"], document
    assert response["Content-Language"] == "fr"
    assert db_state() == before


@pytest.mark.parametrize("until", ["31/12/2026", 0, "2026-02-30", True])
def test_a_bad_date_is_refused(until):
    mine = partner(places=1)
    place = mine.places()[0]
    before = db_state()
    response = mine.api.post_json(
        f"/api/v1/places/{place.public_id}/state", {"state": "unavailable", "reason": "works", "until": until}
    )
    document = assert_problem(response, 422, "validation")
    assert fields_of(document) == {"until"}
    assert document["errors"][0]["message"].startswith("Une date AAAA-MM-JJ est attendue")
    assert db_state() == before


def test_errors_in_english_with_accept_language_en():
    mine = partner(places=1)
    response = mine.api.post_json(
        f"/api/v1/programs/{mine.program.public_id}/place-groups",
        {**GROUP, "capacity": True},
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
    )
    document = assert_problem(response, 422, "validation")
    assert document["title"] == "Invalid data"
    assert document["detail"] == "Some values are missing or invalid: see “errors”."
    assert document["errors"][0]["field"] == "capacity"
    assert document["errors"][0]["message"] == "Input should be a valid integer"
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/places/pas-un-uuid", "/api/v1/programs/12", "/api/v1/place-groups/0000", "/api/v1/stays/x/end"],
)
def test_a_bad_uuid_in_the_path_is_422_on_the_path_parameter(path):
    mine = partner(places=1)
    before = db_state()
    response = mine.api.get(path) if not path.endswith("/end") else mine.api.post_json(path, {})
    document = assert_problem(response, 422, "validation")
    errors = [e for e in document["errors"] if e["code"] == "uuid_parsing"]
    assert errors and errors[0]["field"].endswith("_id"), document
    assert errors[0]["message"] == "Un identifiant (UUID) est attendu."
    assert db_state() == before


@pytest.mark.parametrize(
    "query",
    ["updated_since=0.5", "updated_since=hier", "limit=0", "limit=201", "limit=true", "state=vacant", "program=12"],
)
def test_bad_query_parameters_are_422(query):
    mine = partner(places=1)
    document = assert_problem(mine.api.get(f"/api/v1/places?{query}"), 422, "validation")
    assert fields_of(document) == {query.split("=")[0]}


def test_an_unknown_method_is_a_405_problem_with_allow():
    mine = partner(places=1)
    response = mine.api.delete(f"/api/v1/programs/{mine.program.public_id}")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
    Place.objects.get(pk=mine.places()[0].pk)  # nothing deleted
