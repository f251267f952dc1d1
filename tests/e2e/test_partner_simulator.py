"""The seven use cases of the interconnection, end to end: the partner simulator (the public
API only, over HTTP) against a live SI SIAO, its webhook listener on a local port receiving
the deliveries of the SIAO's worker.

Threads: the live server serves the API; the listener runs in a thread of this process; the
test thread plays the SIAO's agents (orientation actions) and the webhook worker
(`deliver_due`), whose POST waits for the simulator, which calls the live server before it
answers. Database work thus never overlaps (the SQLite test database is shared between the
test and the live server)."""

import time

from django.utils import timezone

from partner_simulator import Operator, SimulatorClient, WebhookListener, WebhookVerifier
from partner_simulator.cli import publish_offer, publish_vacancies
from siao.households.enums import ExitDestination
from siao.offer.models import Place
from siao.orientation import actions as orientation
from siao.orientation.models import Referral, Stay
from siao.partners.delivery import deliver_due, signature
from siao.partners.enums import EventStatus
from siao.partners.models import WebhookEvent
from tests.orientation.helpers import World
from tests.partners.helpers import register

TIMEOUT = 10


def deliver_until(condition, what: str) -> None:
    """Run the webhook worker until `condition()` holds, within TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"délai dépassé : {what}"
        if not deliver_due(threads=1):
            time.sleep(0.05)


def test_the_simulator_plays_the_seven_use_cases_against_a_live_instance(live_server):
    journal = []
    world = World.build(places=0)
    client = SimulatorClient(live_server.url, "pending", "pending", log=journal.append)
    operator = Operator(client, policy="accept", log=journal.append)
    # The listener needs the webhook secret, which exists once the partner is registered: the
    # server is bound first (its free port goes into the registration), the secret set after.
    listener = WebhookListener(WebhookVerifier("unset"), operator, port=0, log=journal.append)
    partner = register([world.target.operator], webhook_url=listener.url, name="Adoma (simulateur)")
    client.client_id, client.client_secret = partner.client.client_id, partner.client_secret
    listener.verifier.secrets = [partner.webhook_secret]
    listener.start()
    try:
        # 1. the partner publishes its offer: a group of two dwellings.
        [group] = publish_offer(client, program=str(world.target.public_id), name="Logements T2 Adoma", capacity=2)
        dwellings = Place.objects.filter(place_group__public_id=group["id"]).order_by("label")
        assert [d.state for d in dwellings] == ["available", "available"]
        assert {d.place_group.unit_kind for d in dwellings} == {"dwelling"}

        # 4. vacancies: one dwelling withdrawn for works, then published vacant again.
        first, second = (str(d.public_id) for d in dwellings)
        assert client.set_place_state(second, "unavailable", reason="works")["state"] == "unavailable"
        assert [p["id"] for p in publish_vacancies(client, count=5)] == [second]
        assert set(Place.objects.filter(place_group__public_id=group["id"]).values_list("state", flat=True)) == {
            "available"
        }

        # 2. the SIAO orients a household onto the first dwelling: the webhook is delivered,
        # 3. the simulator reads the referral through the API and accepts it.
        request = world.waiting()
        [referral] = orientation.orient_request(
            actor=world.siao, request=request, programs=[world.target], place=Place.objects.get(public_id=first)
        )
        deliver_until(lambda: Referral.objects.get(pk=referral.pk).status == "accepted", "candidature acceptée")

        # 5. the household accepts: the webhook is delivered, 6. the simulator confirms the arrival.
        referral.refresh_from_db()
        orientation.record_household_acceptance(actor=world.siao, referral=referral)
        deliver_until(lambda: Stay.objects.filter(referral=referral).exists(), "arrivée confirmée")
        stay = Stay.objects.get(referral=referral)
        assert stay.started_on == timezone.localdate() and str(stay.place.public_id) == first
        assert Place.objects.get(public_id=first).state == "occupied"
        assert Referral.objects.get(pk=referral.pk).status == "admitted"

        # 7. the simulator ends the stay: the dwelling is vacant again.
        destination = ExitDestination.values[0]
        ended = operator.end_stay(str(stay.public_id), reason="end_of_support", destination=destination)
        assert ended is not None, journal
        stay.refresh_from_db()
        assert stay.ended_on == timezone.localdate() and stay.exit_reason == "end_of_support"
        assert stay.exit_destination == destination
        assert Place.objects.get(public_id=first).state == "available"

        # Each event was delivered, and acted upon exactly once.
        events = WebhookEvent.objects.filter(client=partner.client).order_by("pk")
        assert [(e.type, e.status) for e in events] == [
            ("referral.proposed", EventStatus.DELIVERED),
            ("referral.household_accepted", EventStatus.DELIVERED),
        ]
        assert operator.handled == [(e.type, str(e.event_id)) for e in events]

        # A captured delivery replayed as is: refused, nothing done again.
        headers, body = listener.received[0]
        replayed = client.session.post(listener.url, data=body, headers=headers, timeout=5)
        assert replayed.status_code == 400, replayed.text
        # A new attempt of a processed event (fresh timestamp and signature, as the worker
        # sends after a lost acknowledgment): acknowledged, not acted upon twice.
        event_id = headers["SIAO-Webhook-Id"]
        now = max(int(time.time()), int(headers["SIAO-Webhook-Timestamp"]) + 1)
        retry_headers = {
            **headers,
            "SIAO-Webhook-Timestamp": str(now),
            "SIAO-Webhook-Signature": signature(partner.webhook_secret, event_id, now, body),
        }
        retried = client.session.post(listener.url, data=body, headers=retry_headers, timeout=5)
        assert retried.status_code == 200 and retried.json() == {"status": "duplicate"}
        # A forged delivery: refused.
        forged = client.session.post(
            listener.url,
            data=body,
            headers={**retry_headers, "SIAO-Webhook-Signature": signature("whsec_forged", event_id, now, body)},
            timeout=5,
        )
        assert forged.status_code == 401
        assert len(operator.handled) == 2
        assert Stay.objects.filter(referral=referral).count() == 1
    finally:
        listener.stop()
