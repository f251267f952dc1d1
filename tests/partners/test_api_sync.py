"""Synchronisation: the flows are walked with `next_cursor` (stable order by last change), a
change made during the walk comes back later instead of being lost, `updated_since` resumes;
ETags; `Idempotency-Key` on POST (a retried call acts once); the per-client rate limit."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from siao.offer.models import Place, PlaceGroup
from siao.partners.models import IdempotencyRecord

from .api_support import assert_problem, db_state, fields_of, partner
from .helpers import ApiClient, register, token_for

pytestmark = pytest.mark.django_db

GROUP = {"name": "Chambres", "place_type": "insertion", "place_category": "single_room", "capacity": 2}


def walk(api, path, limit, between_pages=None):
    """Every page of a flow, in order; `between_pages(n)` runs after page n was read."""
    items, cursor, pages = [], None, 0
    while True:
        response = api.get(path, {"limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["items"]
        pages += 1
        if between_pages:
            between_pages(pages)
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 50


def test_the_cursor_walks_every_place_once():
    mine = partner(places=7)
    items, pages = walk(mine.api, "/api/v1/places", limit=3)
    assert pages == 3
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == 7
    assert set(ids) == {str(p.public_id) for p in mine.places()}


def test_items_changed_during_the_walk_are_not_lost():
    mine = partner(places=6)
    places = mine.places()
    first_page = [str(p.public_id) for p in places[:2]]
    changed = []

    def change(page_number):
        if page_number == 1:
            # One place already read and one not yet read change: both come back at the end.
            for place in (places[0], places[4]):
                response = mine.api.post_json(
                    f"/api/v1/places/{place.public_id}/state", {"state": "unavailable", "reason": "works"}
                )
                assert response.status_code == 200, response.content
                changed.append(str(place.public_id))

    items, _ = walk(mine.api, "/api/v1/places", limit=2, between_pages=change)
    ids = [item["id"] for item in items]
    assert ids[:2] == first_page
    # No gap: every place is there; the only repeat is the place changed after it was read,
    # seen again with its new state.
    assert set(ids) == {str(p.public_id) for p in places}
    repeated = {i for i in ids if ids.count(i) > 1}
    assert repeated == {str(places[0].public_id)}
    last = {item["id"]: item for item in items}  # the latest version of each
    assert {i for i, item in last.items() if item["state"] == "unavailable"} == set(changed)
    assert ids[-2:] == changed


def test_updated_since_gives_only_what_changed():
    mine = partner(places=3)
    place = mine.places()[1]
    Place.objects.update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    since = timezone.now()
    assert mine.api.get("/api/v1/places", {"updated_since": since.isoformat()}).json()["items"] == []
    mine.api.post_json(f"/api/v1/places/{place.public_id}/state", {"state": "unavailable", "reason": "works"})
    items = mine.api.get("/api/v1/places", {"updated_since": since.isoformat()}).json()["items"]
    assert [i["id"] for i in items] == [str(place.public_id)]
    groups = mine.api.get("/api/v1/place-groups", {"updated_since": since.isoformat()}).json()["items"]
    assert groups == []


@pytest.mark.parametrize("path", ["/api/v1/places", "/api/v1/programs", "/api/v1/referrals", "/api/v1/stays"])
def test_an_updated_since_without_time_zone_is_refused(path):
    mine = partner(places=1)
    document = assert_problem(mine.api.get(path, {"updated_since": "2026-01-31T08:00:00"}), 422, "validation")
    assert fields_of(document) == {"updated_since"}


@pytest.mark.parametrize("cursor", ["pas un curseur !", "abc", "W10", "eyJhIjogMX0"])
def test_a_bad_cursor_is_422(cursor):
    mine = partner(places=1)
    for path in ["/api/v1/places", "/api/v1/referrals", "/api/v1/events"]:
        document = assert_problem(mine.api.get(path, {"cursor": cursor}), 422, "validation")
        assert fields_of(document) == {"cursor"}


def test_a_stay_answers_304_to_its_etag_strong_weak_or_star():
    mine = partner(places=1)
    stay = mine.world.admitted()
    first = mine.api.get(f"/api/v1/stays/{stay.public_id}")
    assert first.status_code == 200 and first["Cache-Control"] == "private, no-store"
    assert mine.api.get(f"/api/v1/stays/{stay.public_id}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert mine.api.get(f"/api/v1/stays/{stay.public_id}", HTTP_IF_NONE_MATCH="*").status_code == 304
    weak = mine.api.get(f"/api/v1/stays/{stay.public_id}", HTTP_IF_NONE_MATCH=f'"x", W/{first["ETag"]}')
    assert weak.status_code == 304


# -- idempotency ------------------------------------------------------------------------------------


def test_the_same_key_and_body_replays_the_response_and_acts_once():
    mine = partner(places=1)
    path = f"/api/v1/programs/{mine.program.public_id}/place-groups"
    groups = PlaceGroup.objects.filter(program=mine.program).count()
    first = mine.api.post_json(path, GROUP, HTTP_IDEMPOTENCY_KEY="creation-42")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    after_first = db_state()
    again = mine.api.post_json(path, GROUP, HTTP_IDEMPOTENCY_KEY="creation-42")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert PlaceGroup.objects.filter(program=mine.program).count() == groups + 1
    assert db_state() == after_first
    # Without the key, the same call acts again.
    assert mine.api.post_json(path, GROUP).status_code == 201
    assert PlaceGroup.objects.filter(program=mine.program).count() == groups + 2


def test_the_same_key_with_another_body_is_refused():
    mine = partner(places=1)
    path = f"/api/v1/programs/{mine.program.public_id}/place-groups"
    assert mine.api.post_json(path, GROUP, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    before = db_state()
    other = mine.api.post_json(path, {**GROUP, "capacity": 3}, HTTP_IDEMPOTENCY_KEY="k")
    assert_problem(other, 422, "idempotency_mismatch")
    assert db_state() == before


def test_keys_belong_to_one_client_and_refused_calls_are_replayed_too():
    mine = partner(places=1)
    path = f"/api/v1/programs/{mine.program.public_id}/place-groups"
    refused = mine.api.post_json(path, {**GROUP, "capacity": 0}, HTTP_IDEMPOTENCY_KEY="k")
    assert_problem(refused, 422, "validation")
    replay = mine.api.post_json(path, {**GROUP, "capacity": 0}, HTTP_IDEMPOTENCY_KEY="k")
    assert replay.status_code == 422 and replay["Idempotent-Replayed"] == "true"
    # Another client may use the same key for its own call.
    other = register([mine.program.operator], name="Autre partenaire")
    response = ApiClient(token_for(other)).post_json(path, GROUP, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert IdempotencyRecord.objects.filter(key="k").count() == 2


@pytest.mark.parametrize("key", ["", " ", "x" * 256])
def test_an_empty_or_too_long_key_is_refused(key):
    mine = partner(places=1)
    before = db_state()
    response = mine.api.post_json(
        f"/api/v1/programs/{mine.program.public_id}/place-groups", GROUP, HTTP_IDEMPOTENCY_KEY=key
    )
    assert fields_of(assert_problem(response, 422, "validation")) == {"Idempotency-Key"}
    assert db_state() == before


# -- rate limit -------------------------------------------------------------------------------------


def test_the_fourth_call_of_a_client_limited_to_three_per_minute_is_a_429():
    limited = partner(places=1, rate_limit=3)
    cache.clear()
    for _ in range(3):
        assert limited.api.get("/api/v1/programs").status_code == 200
    response = limited.api.get("/api/v1/programs")
    document = assert_problem(response, 429, "rate_limited")
    assert "Retry-After" in document["detail"]
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["RateLimit-Limit"] == "3" and response["RateLimit-Remaining"] == "0"
    # Another client is not affected.
    other = register([limited.program.operator], name="Autre partenaire")
    assert ApiClient(token_for(other)).get("/api/v1/programs").status_code == 200
