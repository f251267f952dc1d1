"""Use cases 2, 3, 5, 6 and 7 through the API: the candidatures a partner receives, its answer,
the arrival and the end of the stay. The state rules are the orientation actions': a call that
comes too early or twice is a 409, a value that breaks a rule a 422, and neither changes
anything. The race for the last free place is run for real on PostgreSQL."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from siao.audit.models import AuditEvent
from siao.offer.enums import PlaceState
from siao.offer.models import Place
from siao.orientation.enums import ReferralStatus
from siao.orientation.models import Referral, Stay
from tests.factories import PlaceGroupFactory, ProgramFactory, household_with
from tests.orientation.helpers import DESTINATION

from .api_support import assert_problem, db_state, fields_of, partner
from .helpers import ApiClient, token_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def decide(api, referral, **body):
    return api.post_json(f"/api/v1/referrals/{referral.public_id}/decision", body)


def arrive(api, referral, place, started_on=None):
    return api.post_json(
        f"/api/v1/referrals/{referral.public_id}/arrival",
        {"place": str(place.public_id), "started_on": str(started_on or TODAY())},
    )


def end(api, stay, ended_on=None):
    return api.post_json(
        f"/api/v1/stays/{stay.public_id}/end",
        {"ended_on": str(ended_on or TODAY()), "exit_reason": "end_of_support", "exit_destination": DESTINATION},
    )


# -- reading candidatures -----------------------------------------------------------------------------


def test_a_candidature_read_in_full_is_traced_and_has_an_etag(django_assert_num_queries):
    mine = partner(places=1)
    referral = mine.world.oriented()
    path = f"/api/v1/referrals/{referral.public_id}"
    # token, referral (joined), recommendations, members, stay; the trace (chain head, insert…)
    with django_assert_num_queries(9):
        response = mine.api.get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "proposed" and body["program"] == str(mine.program.public_id)
    assert body["household"]["persons"] and body["wished_offer"]["program_types"] == ["chrs"]
    assert body["stay"] is None
    read = AuditEvent.objects.filter(action="partners.referral_read").latest("sequence")
    assert read.data == {"household": str(referral.request.household.public_id)}
    assert read.actor_email == mine.registered.client.service_user.email
    cached = mine.api.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert cached.status_code == 304 and cached.content == b""
    assert cached["ETag"] == response["ETag"]


def test_the_candidatures_flow_makes_a_fixed_number_of_queries(django_assert_num_queries):
    mine = partner(places=3)
    mine.world.oriented()
    with django_assert_num_queries(2):  # token, the page (program, place, request, household, stay joined)
        one = mine.api.get("/api/v1/referrals")
    for _ in range(3):
        mine.world.household = household_with(program=mine.world.origin)
        mine.world.accepted()
    with django_assert_num_queries(2):
        four = mine.api.get("/api/v1/referrals")
    assert len(one.json()["items"]) == 1 and len(four.json()["items"]) == 4
    accepted = mine.api.get("/api/v1/referrals?status=accepted").json()["items"]
    assert len(accepted) == 3 and {r["status"] for r in accepted} == {"accepted"}


# -- the answer -------------------------------------------------------------------------------------


def test_a_candidature_accepted_then_answered_again_is_a_409():
    mine = partner(places=1)
    referral = mine.world.oriented()
    response = decide(mine.api, referral, decision="accepted", comment="Entretien prévu mardi.")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert response.json()["decision_comment"] == "Entretien prévu mardi."
    # A write's answer carries no persons: reading them is the traced GET's job.
    assert "household" not in response.json()
    assert not AuditEvent.objects.filter(action="partners.referral_read").exists()
    before = db_state()
    for body in [{"decision": "accepted"}, {"decision": "refused", "reason": "no_place"}]:
        assert_problem(decide(mine.api, referral, **body), 409, "conflict")
    assert db_state() == before


def test_a_refusal_needs_a_reason():
    mine = partner(places=1)
    referral = mine.world.oriented()
    before = db_state()
    document = assert_problem(decide(mine.api, referral, decision="refused"), 422, "validation")
    assert document["errors"] == [{"field": "reason", "code": "required", "message": "Indiquez le motif du refus."}]
    assert_problem(decide(mine.api, referral, decision="refused", reason="pas-un-motif"), 422, "validation")
    assert_problem(decide(mine.api, referral, decision="peut-être"), 422, "validation")
    assert db_state() == before
    response = decide(mine.api, referral, decision="refused", reason="no_place")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == ReferralStatus.REFUSED_BY_PROGRAM
    assert response.json()["program_refusal_reason"] == "no_place"


# -- the arrival ------------------------------------------------------------------------------------


def test_an_arrival_before_the_acceptance_is_a_409():
    mine = partner(places=1)
    referral = mine.world.oriented()
    before = db_state()
    document = assert_problem(arrive(mine.api, referral, mine.places()[0]), 409, "conflict")
    assert "acceptation" in document["detail"]
    assert db_state() == before


def test_an_arrival_on_a_place_of_another_program_is_a_422():
    mine = partner(places=1)
    referral = mine.world.accepted()
    # Another program of the same operator: the partner sees its places, but not for this referral.
    other = ProgramFactory(operator=mine.program.operator)
    PlaceGroupFactory(program=other, capacity=1)
    elsewhere = Place.objects.get(place_group__program=other)
    before = db_state()
    document = assert_problem(arrive(mine.api, referral, elsewhere), 422, "validation")
    assert fields_of(document) == {"place"}
    assert db_state() == before


def test_an_arrival_starts_the_stay_and_the_place_is_occupied():
    mine = partner(places=1)
    referral = mine.world.accepted()
    place = mine.places()[0]
    response = arrive(mine.api, referral, place)
    assert response.status_code == 201, response.content
    stay = Stay.objects.get(public_id=response.json()["id"])
    assert stay.referral == referral and stay.place == place and stay.started_on == TODAY()
    assert Place.objects.get(pk=place.pk).state == PlaceState.OCCUPIED
    assert mine.api.get(f"/api/v1/referrals/{referral.public_id}").json()["stay"] == str(stay.public_id)
    assert mine.api.get("/api/v1/stays?current=true").json()["items"][0]["id"] == str(stay.public_id)
    assert mine.api.get("/api/v1/stays?current=false").json()["items"] == []


def _two_accepted_for_the_last_place(mine):
    first = mine.world.accepted()
    mine.world.household = household_with(program=mine.world.origin)
    second = mine.world.accepted()
    return first, second, mine.places()[0]


def test_two_arrivals_on_the_last_free_place_one_wins_the_other_is_a_409():
    mine = partner(places=1)
    first, second, place = _two_accepted_for_the_last_place(mine)
    assert arrive(mine.api, first, place).status_code == 201
    before = db_state()
    document = assert_problem(arrive(mine.api, second, place), 409, "conflict")
    assert document["detail"].startswith("Cette place n'est plus disponible")
    assert db_state() == before
    assert Referral.objects.get(pk=second.pk).status == ReferralStatus.ACCEPTED


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serializes write transactions: no real concurrency")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_arrivals_on_the_last_free_place_one_wins():
    mine = partner(places=1)
    first, second, place = _two_accepted_for_the_last_place(mine)
    # Two systems of the partner (two tokens) confirm at the same moment.
    clients = [mine.api, ApiClient(token_for(mine.registered))]
    barrier = threading.Barrier(2)
    statuses = []

    def confirm(api, referral):
        try:
            barrier.wait()
            response = arrive(api, referral, place)
            statuses.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=confirm, args=(api, referral))
        for api, referral in zip(clients, [first, second], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in statuses) == [201, 409], statuses
    loser = next(body for status, body in statuses if status == 409)
    assert loser["code"] == "conflict" and loser["detail"].startswith("Cette place n'est plus disponible")
    assert Stay.objects.filter(place=place).count() == 1
    assert Place.objects.get(pk=place.pk).state == PlaceState.OCCUPIED
    statuses = sorted(Referral.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses == sorted([ReferralStatus.ADMITTED, ReferralStatus.ACCEPTED])


# -- the end of the stay ------------------------------------------------------------------------------


def test_a_stay_ended_twice_is_a_409():
    mine = partner(places=1)
    stay = mine.world.admitted()
    response = end(mine.api, stay)
    assert response.status_code == 200, response.content
    assert response.json()["ended_on"] == str(TODAY()) and response.json()["exit_reason"] == "end_of_support"
    assert Place.objects.get(pk=stay.place_id).state != PlaceState.OCCUPIED
    before = db_state()
    assert_problem(end(mine.api, stay), 409, "conflict")
    assert db_state() == before


def test_an_end_before_the_start_is_a_422():
    mine = partner(places=1)
    stay = mine.world.admitted()
    before = db_state()
    document = assert_problem(end(mine.api, stay, ended_on=stay.started_on - datetime.timedelta(days=1)), 422)
    assert fields_of(document) == {"ended_on"}
    assert document["errors"][0]["message"] == "La date de sortie ne peut pas précéder la date d'admission."
    assert db_state() == before
    bad_code = mine.api.post_json(
        f"/api/v1/stays/{stay.public_id}/end",
        {"ended_on": str(TODAY()), "exit_reason": "end_of_support", "exit_destination": True},
    )
    assert fields_of(assert_problem(bad_code, 422)) == {"exit_destination"}
    assert db_state() == before
