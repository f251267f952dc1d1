"""The simulator's client and listener without a server: a scripted HTTP session, a fake
operator. Pure Python, no database."""

import json
import time

import pytest
import requests

from partner_simulator import ApiError, SimulatorClient, WebhookListener, WebhookVerifier, sign


class FakeResponse:
    def __init__(self, status, document=None, headers=None):
        self.status_code, self.headers, self.reason = status, headers or {}, ""
        self.content = json.dumps(document).encode() if document is not None else b""
        self.text = self.content.decode()

    def json(self):
        return json.loads(self.content)


class FakeSession:
    """Answers from a script: each item a FakeResponse or an exception to raise."""

    def __init__(self, *script):
        self.script, self.calls = list(script), []

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def token(value="siao_at_1"):
    return FakeResponse(200, {"access_token": value, "token_type": "Bearer", "expires_in": 900, "scope": "s"})


def client(*script):
    session, waits = FakeSession(*script), []
    return SimulatorClient("http://siao.test/", "id", "secret", session=session, sleep=waits.append), session, waits


def test_the_token_is_asked_once_with_http_basic_then_kept():
    simulator, session, _ = client(token(), FakeResponse(200, []), FakeResponse(200, []))
    simulator.operators()
    simulator.operators()
    assert [c[1] for c in session.calls] == [
        "http://siao.test/api/v1/oauth/token",
        "http://siao.test/api/v1/operators",
        "http://siao.test/api/v1/operators",
    ]
    assert session.calls[0][2]["auth"] == ("id", "secret")
    assert session.calls[2][2]["headers"]["Authorization"] == "Bearer siao_at_1"


def test_a_401_asks_a_new_token_once_and_retries():
    simulator, session, _ = client(
        token("siao_at_old"), FakeResponse(401, {"code": "invalid_token"}), token("siao_at_new"), FakeResponse(200, [])
    )
    assert simulator.operators() == []
    assert session.calls[-1][2]["headers"]["Authorization"] == "Bearer siao_at_new"


def test_every_post_has_an_idempotency_key_kept_across_retries():
    simulator, session, waits = client(
        token(),
        requests.ConnectionError("coupure"),
        FakeResponse(429, {"code": "rate_limited"}, {"Retry-After": "7"}),
        FakeResponse(200, {"id": "r1", "status": "accepted"}),
        FakeResponse(200, {"id": "r2", "status": "accepted"}),
    )
    simulator.decide("r1", True)
    simulator.decide("r2", True)
    keys = [c[2]["headers"]["Idempotency-Key"] for c in session.calls[1:]]
    assert len(set(keys[:3])) == 1 and keys[3] != keys[0]
    assert waits == [1.0, 7.0]


def test_an_error_is_raised_as_the_problem():
    simulator, _, _ = client(
        token(),
        FakeResponse(409, {"code": "conflict", "detail": "Déjà traitée.", "errors": [{"field": "", "message": "x"}]}),
    )
    with pytest.raises(ApiError) as error:
        simulator.decide("r1", False, reason="no_place")
    assert error.value.status == 409 and error.value.code == "conflict" and "Déjà traitée." in str(error.value)


def test_pagination_follows_next_cursor_until_null():
    simulator, session, _ = client(
        token(),
        FakeResponse(200, {"items": [{"id": 1}], "next_cursor": "abc"}),
        FakeResponse(200, {"items": [{"id": 2}], "next_cursor": None}),
    )
    assert [p["id"] for p in simulator.places(state="available")] == [1, 2]
    assert session.calls[2][2]["params"] == {"limit": 200, "state": "available", "cursor": "abc"}


class FakeOperator:
    def __init__(self, fail=False):
        self.handled, self.fail = [], fail

    def handle(self, event):
        if self.fail:
            raise RuntimeError("API indisponible")
        self.handled.append(event["id"])


def signed(event_id="e1", secret="whsec_x", timestamp=None):  # noqa: S107 (a test secret)
    timestamp = timestamp or int(time.time())
    body = json.dumps({"id": event_id, "type": "referral.proposed", "data": {}}).encode()
    return {
        "SIAO-Webhook-Id": event_id,
        "SIAO-Webhook-Timestamp": str(timestamp),
        "SIAO-Webhook-Signature": sign(secret, event_id, timestamp, body),
    }, body


@pytest.fixture
def listener():
    made = []

    def make(operator):
        made.append(WebhookListener(WebhookVerifier("whsec_x"), operator, port=0, log=lambda m: None))
        return made[-1]

    yield make
    for one in made:
        one.server.server_close()


def test_the_listener_acts_once_per_event(listener):
    operator = FakeOperator()
    receiver = listener(operator)
    assert receiver.receive(*signed())[0] == 200
    headers, body = signed(timestamp=int(time.time()) + 1)  # a new attempt of the same event
    assert receiver.receive(headers, body) == (200, {"status": "duplicate"})
    assert receiver.receive(headers, body)[0] == 400  # replayed as is
    assert receiver.receive(*signed(secret="whsec_other"))[0] == 401
    assert operator.handled == ["e1"]


def test_a_failed_reaction_answers_500_and_the_next_attempt_acts(listener):
    operator = FakeOperator(fail=True)
    receiver = listener(operator)
    assert receiver.receive(*signed())[0] == 500
    operator.fail = False
    headers, body = signed(timestamp=int(time.time()) + 1)
    assert receiver.receive(headers, body)[0] == 200
    assert operator.handled == ["e1"]
