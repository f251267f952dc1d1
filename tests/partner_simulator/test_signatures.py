"""The simulator's webhook verification, as a partner would write it: pure Python, no
database. The signing side is the SI SIAO's own (siao.partners.delivery.signature), so that
both ends agree on the recipe."""

import json

import pytest

from partner_simulator.signatures import Rejected, WebhookVerifier, sign
from siao.partners.delivery import signature as siao_signature

SECRET = "whsec_current"
OLD_SECRET = "whsec_previous"
NOW = 1_760_000_000
EVENT_ID = "6c1f0e1e-7a39-4d5e-9a53-0f1d4b1b2c3d"


def delivery(*, secrets=(SECRET,), timestamp=NOW, event_id=EVENT_ID, body=None):
    body = (
        body
        if body is not None
        else json.dumps(
            {"id": event_id, "type": "referral.proposed", "created_at": "2025-10-09T08:00:00Z", "data": {}}
        ).encode()
    )
    headers = {
        "SIAO-Webhook-Id": event_id,
        "SIAO-Webhook-Event": "referral.proposed",
        "SIAO-Webhook-Timestamp": str(timestamp),
        "SIAO-Webhook-Signature": " ".join(sign(s, event_id, timestamp, body) for s in secrets),
    }
    return headers, body


def verifier(secrets=SECRET, now=NOW):
    return WebhookVerifier(secrets, clock=lambda: now)


def test_the_recipe_is_the_siao_s():
    _, body = delivery()
    assert sign(SECRET, EVENT_ID, NOW, body) == siao_signature(SECRET, EVENT_ID, NOW, body)


def test_a_valid_delivery_is_accepted():
    checked = verifier().verify(*delivery())
    assert (checked.event_id, checked.event_type, checked.timestamp) == (EVENT_ID, "referral.proposed", NOW)
    assert checked.event["id"] == EVENT_ID


def test_headers_are_case_insensitive():
    headers, body = delivery()
    assert verifier().verify({k.lower(): v for k, v in headers.items()}, body).event_id == EVENT_ID


def test_a_wrong_secret_is_refused_with_401():
    with pytest.raises(Rejected) as refused:
        verifier("whsec_someone_else").verify(*delivery())
    assert refused.value.status == 401


def test_an_altered_body_is_refused_with_401():
    headers, body = delivery()
    with pytest.raises(Rejected) as refused:
        verifier().verify(headers, body.replace(b"referral.proposed", b"referral.withdrawn"))
    assert refused.value.status == 401


def test_an_altered_timestamp_is_refused_with_401():
    headers, body = delivery()
    headers["SIAO-Webhook-Timestamp"] = str(NOW + 1)
    with pytest.raises(Rejected) as refused:
        verifier(now=NOW + 1).verify(headers, body)
    assert refused.value.status == 401


@pytest.mark.parametrize("offset", [301, -301, 3600])
def test_a_timestamp_beyond_five_minutes_is_refused(offset):
    with pytest.raises(Rejected) as refused:
        verifier(now=NOW + offset).verify(*delivery())
    assert refused.value.status == 400


@pytest.mark.parametrize("offset", [300, -300, 0])
def test_five_minutes_of_clock_drift_are_tolerated(offset):
    assert verifier(now=NOW + offset).verify(*delivery()).event_id == EVENT_ID


def test_a_replayed_delivery_is_refused_even_with_a_valid_signature():
    checker = verifier()
    headers, body = delivery()
    checker.verify(headers, body)
    with pytest.raises(Rejected) as refused:
        checker.verify(headers, body)
    assert refused.value.status == 400 and "rejou" in refused.value.reason


def test_a_new_attempt_of_a_processed_event_is_accepted_then_recognized_as_processed():
    """The SI SIAO delivers at least once: a retry (new timestamp, new signature) of an event
    already processed is acknowledged, and the receiver does not act twice."""
    checker = verifier(now=NOW + 30)
    first = checker.verify(*delivery())
    checker.mark_processed(first.event_id)
    retry = checker.verify(*delivery(timestamp=NOW + 30))
    assert retry.event_id == EVENT_ID and checker.already_processed(retry.event_id)


def test_two_signatures_during_a_rotation_either_secret_verifies():
    rotated = delivery(secrets=(SECRET, OLD_SECRET))
    assert verifier(SECRET).verify(*rotated).event_id == EVENT_ID  # partner already on the new secret
    assert verifier(OLD_SECRET).verify(*rotated).event_id == EVENT_ID  # partner not yet switched
    assert verifier([SECRET, OLD_SECRET]).verify(*delivery(secrets=(OLD_SECRET,))).event_id == EVENT_ID


def test_two_signatures_none_of_them_ours_is_refused():
    with pytest.raises(Rejected) as refused:
        verifier("whsec_mine").verify(*delivery(secrets=(SECRET, OLD_SECRET)))
    assert refused.value.status == 401


@pytest.mark.parametrize(
    "change",
    [
        {"SIAO-Webhook-Signature": ""},
        {"SIAO-Webhook-Signature": "v0=abc"},
        {"SIAO-Webhook-Id": ""},
        {"SIAO-Webhook-Timestamp": "hier"},
    ],
)
def test_missing_or_malformed_headers_are_refused_with_400(change):
    headers, body = delivery()
    with pytest.raises(Rejected) as refused:
        verifier().verify({**headers, **change}, body)
    assert refused.value.status == 400


def test_a_body_about_another_event_is_refused():
    body = json.dumps({"id": "another", "type": "referral.proposed", "data": {}}).encode()
    with pytest.raises(Rejected) as refused:
        verifier().verify(*delivery(body=body))
    assert refused.value.status == 400


def test_the_memory_of_seen_deliveries_is_bounded():
    checker = WebhookVerifier(SECRET, clock=lambda: NOW, memory=2)
    for n in range(3):
        checker.verify(*delivery(event_id=f"e{n}"))
        checker.mark_processed(f"e{n}")
    assert not checker.already_processed("e0") and checker.already_processed("e2")


def test_a_verifier_needs_a_secret():
    with pytest.raises(ValueError):
        WebhookVerifier([])
