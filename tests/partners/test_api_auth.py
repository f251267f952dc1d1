"""Who may call the API: the OAuth 2.0 token endpoint (client credentials, as form fields or
HTTP Basic; secrets rotated with a grace period), the bearer token on every call, the scopes,
and the partition between partners (another partner's objects do not exist: 404)."""

import base64
import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from siao.offer.models import Program
from siao.partners import actions
from siao.partners.models import AccessToken, ClientSecret
from tests.orientation.helpers import World

from .api_support import assert_problem, db_state, partner
from .helpers import ApiClient, national_admin, register, token_for

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/oauth/token"


def ask_token(client_id, secret, **extra):
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **extra}
    return Client().post(TOKEN_URL, {k: v for k, v in data.items() if v is not None})


def basic(client_id, secret) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.fixture
def registered():
    world = World.build(places=1)
    return register([world.target.operator], scopes=["offer:read", "referrals:read"])


# -- the token endpoint ----------------------------------------------------------------------------


def test_good_credentials_as_form_fields_give_a_working_token(registered):
    response = ask_token(registered.client.client_id, registered.client_secret)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert set(body["scope"].split()) == {"offer:read", "referrals:read"}
    assert AccessToken.objects.filter(client=registered.client).count() == 1
    assert ApiClient(body["access_token"]).get("/api/v1/operators").status_code == 200


def test_good_credentials_as_http_basic_and_a_narrower_scope(registered):
    response = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials", "scope": "offer:read"},
        HTTP_AUTHORIZATION=basic(registered.client.client_id, registered.client_secret),
    )
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "offer:read"
    token = AccessToken.objects.get(client=registered.client)
    assert token.scopes == ["offer:read"]
    assert ClientSecret.objects.get(client=registered.client).last_used_at is not None


@pytest.mark.parametrize(
    "case",
    ["wrong secret", "unknown client", "disabled client", "expired secret", "revoked secret", "basic wrong secret"],
)
def test_bad_credentials_are_refused_as_invalid_client_and_change_nothing(registered, case):
    client_id, secret = registered.client.client_id, registered.client_secret
    if case == "disabled client":
        actions.set_client_active(actor=national_admin(), client=registered.client, active=False)
    elif case == "expired secret":
        ClientSecret.objects.filter(client=registered.client).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    elif case == "revoked secret":
        actions.revoke_secret(actor=national_admin(), secret=registered.client.secrets.get())
    before = db_state()
    if case == "wrong secret":
        response = ask_token(client_id, secret + "x")
    elif case == "unknown client":
        response = ask_token("siao_inconnu", secret)
    elif case == "basic wrong secret":
        response = Client().post(
            TOKEN_URL, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(client_id, "siao_cs_faux")
        )
    else:
        response = ask_token(client_id, secret)
    document = assert_problem(response, 401, "invalid_client")
    assert document["error"] == "invalid_client" and document["error_description"]
    assert response["WWW-Authenticate"].startswith("Basic")
    assert db_state() == before


@pytest.mark.parametrize(
    ("grant_type", "error"),
    [(None, "invalid_request"), ("", "invalid_request"), ("password", "unsupported_grant_type")],
)
def test_a_missing_or_wrong_grant_type_is_an_oauth_error(registered, grant_type, error):
    before = db_state()
    response = ask_token(registered.client.client_id, registered.client_secret, grant_type=grant_type)
    document = assert_problem(response, 400, error)
    assert document["error"] == error
    assert db_state() == before


def test_a_multipart_body_without_its_boundary_is_an_oauth_error_not_a_crash(registered):
    response = Client().generic(
        "POST", TOKEN_URL, b"grant_type=client_credentials", content_type="multipart/form-data"
    )
    assert_problem(response, 400, "invalid_request")


def test_a_scope_not_granted_is_refused(registered):
    before = db_state()
    response = ask_token(registered.client.client_id, registered.client_secret, scope="offer:read referrals:write")
    document = assert_problem(response, 400, "invalid_scope")
    assert document["error"] == "invalid_scope"
    after = db_state()
    # The secret was right (its last use is noted), but no token is issued.
    [secret] = after.pop("ClientSecret")
    assert secret["last_used_at"] is not None
    before.pop("ClientSecret")
    assert after == before


def test_token_errors_in_english_on_request(registered):
    response = Client().post(TOKEN_URL, {"grant_type": "password"}, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    document = assert_problem(response, 400, "unsupported_grant_type")
    assert document["title"] == "Unsupported grant type"
    assert response["Content-Language"] == "en"


def test_rotation_keeps_both_secrets_valid_during_the_grace_period_then_only_the_new_one(registered):
    old = registered.client_secret
    new = actions.rotate_secret(actor=national_admin(), client=registered.client, grace_days=7)
    assert ask_token(registered.client.client_id, old).status_code == 200
    assert ask_token(registered.client.client_id, new).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1), tick=False):
        assert_problem(ask_token(registered.client.client_id, old), 401, "invalid_client")
        assert ask_token(registered.client.client_id, new).status_code == 200


def test_rotation_without_grace_revokes_the_old_secret_at_once(registered):
    new = actions.rotate_secret(actor=national_admin(), client=registered.client, grace_days=0)
    assert_problem(ask_token(registered.client.client_id, registered.client_secret), 401, "invalid_client")
    assert ask_token(registered.client.client_id, new).status_code == 200


# -- the bearer token ------------------------------------------------------------------------------


def test_a_call_without_token_is_a_401_problem_with_www_authenticate(registered):
    response = Client().get("/api/v1/programs")
    document = assert_problem(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == "Bearer"
    assert "Authorization: Bearer" in document["detail"]
    english = Client().get("/api/v1/programs", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_problem(english, 401)["title"] == "Authentication required"


@pytest.mark.parametrize("token", ["siao_at_inconnu", "pas-un-jeton", "siao_at_"])
def test_an_unknown_token_is_refused(registered, token):
    response = ApiClient(token).get("/api/v1/programs")
    assert_problem(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_an_expired_token_is_refused(registered):
    api = ApiClient(token_for(registered))
    assert api.get("/api/v1/programs").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=901), tick=False):
        assert_problem(api.get("/api/v1/programs"), 401, "invalid_token")


def test_a_token_of_a_disabled_client_is_refused(registered):
    api = ApiClient(token_for(registered))
    actions.set_client_active(actor=national_admin(), client=registered.client, active=False)
    assert_problem(api.get("/api/v1/programs"), 401, "invalid_token")


def test_a_token_without_the_scope_gets_403_insufficient_scope_and_changes_nothing():
    reader = partner(scopes=["offer:read"])
    place = reader.places()[0]
    before = db_state()
    response = reader.api.post_json(
        f"/api/v1/places/{place.public_id}/state", {"state": "unavailable", "reason": "works"}
    )
    document = assert_problem(response, 403, "insufficient_scope")
    assert "offer:write" in document["detail"]
    assert 'scope="offer:write"' in response["WWW-Authenticate"]
    assert_problem(reader.api.get("/api/v1/referrals"), 403, "insufficient_scope")
    assert db_state() == before


@pytest.mark.parametrize("change", ["scopes", "operators"])
def test_update_client_revokes_the_tokens_issued_before(change):
    first = partner()
    other = World.build(places=1)
    api = first.api
    assert api.get("/api/v1/programs").status_code == 200
    client = first.registered.client
    actions.update_client(
        actor=national_admin(),
        client=client,
        name=client.name,
        operators=[first.program.operator, other.target.operator]
        if change == "operators"
        else [first.program.operator],
        scopes=["offer:read"] if change == "scopes" else client.scopes,
        webhook_url=client.webhook_url,
        rate_limit=client.rate_limit_per_minute,
        contact_email=client.contact_email,
    )
    assert_problem(api.get("/api/v1/programs"), 401, "invalid_token")
    fresh = ApiClient(token_for(first.registered))
    programs = {p["id"] for p in fresh.get("/api/v1/programs").json()["items"]}
    assert str(first.program.public_id) in programs
    assert (str(other.target.public_id) in programs) == (change == "operators")


# -- partners see only their own objects -----------------------------------------------------------


def test_another_partners_objects_are_not_found_and_cannot_be_changed():
    mine, theirs = partner(places=1, name="Partenaire A"), partner(places=2, name="Partenaire B")
    referral = theirs.world.oriented()
    stay = theirs.world.admitted()
    place = next(p for p in theirs.places() if p.state == "available")
    group = place.place_group
    api = mine.api
    for path in [
        f"/api/v1/programs/{theirs.program.public_id}",
        f"/api/v1/place-groups/{group.public_id}",
        f"/api/v1/places/{place.public_id}",
        f"/api/v1/referrals/{referral.public_id}",
        f"/api/v1/stays/{stay.public_id}",
    ]:
        assert_problem(api.get(path), 404, "not_found")
    before = db_state()
    writes = [
        api.patch_json(f"/api/v1/programs/{theirs.program.public_id}", {"city": "Rennes"}),
        api.post_json(
            f"/api/v1/programs/{theirs.program.public_id}/place-groups",
            {"name": "Intrus", "place_type": "insertion", "place_category": "single_room", "capacity": 1},
        ),
        api.patch_json(f"/api/v1/place-groups/{group.public_id}", {"capacity": 9}),
        api.post_json(f"/api/v1/places/{place.public_id}/state", {"state": "unavailable", "reason": "works"}),
        api.post_json("/api/v1/vacancies", {"items": [{"place": str(place.public_id), "state": "available"}]}),
        api.post_json(f"/api/v1/referrals/{referral.public_id}/decision", {"decision": "accepted"}),
        api.post_json(
            f"/api/v1/referrals/{referral.public_id}/arrival",
            {"place": str(place.public_id), "started_on": str(timezone.localdate())},
        ),
        api.post_json(
            f"/api/v1/stays/{stay.public_id}/end",
            {"ended_on": str(timezone.localdate()), "exit_reason": "end_of_support", "exit_destination": 1},
        ),
    ]
    for response in writes:
        assert_problem(response, 404, "not_found")
    assert db_state() == before
    # And the flows list only mine.
    assert [p["id"] for p in api.get("/api/v1/programs").json()["items"]] == [str(mine.program.public_id)]
    assert api.get("/api/v1/referrals").json()["items"] == []
    assert api.get("/api/v1/stays").json()["items"] == []
    assert {p["program"] for p in api.get("/api/v1/places").json()["items"]} == {str(mine.program.public_id)}
    Program.objects.filter(pk__in=[mine.program.pk, theirs.program.pk]).update(prefectoral_quota=1)
    quota = api.get("/api/v1/prefectoral-quota").json()["items"]
    assert [row["program"] for row in quota] == [str(mine.program.public_id)]
