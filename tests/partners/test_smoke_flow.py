import pytest
from django.utils import timezone

from siao.orientation import actions as orientation
from siao.partners.delivery import claim
from siao.partners.models import WebhookEvent
from tests.orientation.helpers import DESTINATION, World

from .helpers import ApiClient, register, token_for

pytestmark = pytest.mark.django_db


def test_the_seven_use_cases_through_the_api():
    world = World.build(places=2)
    partner = register([world.target.operator])
    api = ApiClient(token_for(partner))
    # 1. offer
    response = api.get("/api/v1/programs")
    assert response.status_code == 200, response.content
    assert [p["id"] for p in response.json()["items"]] == [str(world.target.public_id)]
    response = api.post_json(
        f"/api/v1/programs/{world.target.public_id}/place-groups",
        {
            "name": "Logements T2",
            "unit_kind": "dwelling",
            "place_type": "insertion",
            "place_category": "single_room",
            "capacity": 2,
        },
    )
    assert response.status_code == 201, response.content
    # 4. vacancies
    places = api.get("/api/v1/places?limit=1").json()
    assert places["next_cursor"]
    place = places["items"][0]
    response = api.post_json(f"/api/v1/places/{place['id']}/state", {"state": "unavailable", "reason": "works"})
    assert response.status_code == 200, response.content
    response = api.post_json(f"/api/v1/places/{place['id']}/state", {"state": "available"})
    assert response.status_code == 200, response.content
    # 2. the SIAO orients: an event is queued
    request = world.waiting()
    [referral] = orientation.orient_request(actor=world.siao, request=request, programs=[world.target])
    assert WebhookEvent.objects.filter(type="referral.proposed").count() == 1
    detail = api.get(f"/api/v1/referrals/{referral.public_id}")
    assert detail.status_code == 200, detail.content
    assert detail.json()["household"]["persons"]
    # 6 before 3: refused
    response = api.post_json(
        f"/api/v1/referrals/{referral.public_id}/arrival",
        {"place": place["id"], "started_on": str(timezone.localdate())},
    )
    assert response.status_code == 409, response.content
    # 3. accepted
    response = api.post_json(
        f"/api/v1/referrals/{referral.public_id}/decision", {"decision": "accepted"}, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 200, response.content
    again = api.post_json(
        f"/api/v1/referrals/{referral.public_id}/decision", {"decision": "accepted"}, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    twice = api.post_json(f"/api/v1/referrals/{referral.public_id}/decision", {"decision": "accepted"})
    assert twice.status_code == 409, twice.content
    # 5. household accepts
    orientation.record_household_acceptance(actor=world.siao, referral=referral)
    assert WebhookEvent.objects.filter(type="referral.household_accepted").count() == 1
    # 6. arrival
    response = api.post_json(
        f"/api/v1/referrals/{referral.public_id}/arrival",
        {"place": place["id"], "started_on": str(timezone.localdate())},
    )
    assert response.status_code == 201, response.content
    stay = response.json()
    # 7. end
    response = api.post_json(
        f"/api/v1/stays/{stay['id']}/end",
        {"ended_on": str(timezone.localdate()), "exit_reason": "end_of_support", "exit_destination": DESTINATION},
    )
    assert response.status_code == 200, response.content
    assert response.json()["ended_on"] == str(timezone.localdate())
    events = claim(10)
    assert [e.type for e in events] == ["referral.proposed"]  # in order per referral
    assert api.get("/api/v1/prefectoral-quota").status_code == 200
    assert api.get("/api/v1/events").status_code == 200
    schema = ApiClient("x").get("/api/v1/openapi.json")
    assert schema.status_code == 200
