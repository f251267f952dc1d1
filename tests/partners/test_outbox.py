"""The outbox: an event is written in the transaction of the change it tells (no change, no
event), and only for the active partners of the program's operator that have a webhook
address and the event's scope."""

import pytest
from django.db import transaction

from siao.orientation import actions as orientation
from siao.partners import actions
from siao.partners.enums import EventStatus, EventType, Scope
from siao.partners.models import WebhookEvent
from siao.partners.outbox import emit
from tests.factories import OperatorFactory
from tests.orientation.helpers import World

from .helpers import national_admin, register


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_an_action_that_fails_after_emitting_leaves_no_event(monkeypatch):
    """Real commits (a transactional test): the event of a rolled-back action never exists."""
    world = World.build()
    register([world.target.operator])
    request = world.waiting()

    def fail(*args, **kwargs):
        raise Boom

    # `touch_household` runs after the referral.proposed event is written.
    with monkeypatch.context() as patch:
        patch.setattr(orientation, "touch_household", fail)
        with pytest.raises(Boom):
            orientation.orient_request(actor=world.siao, request=request, programs=[world.target])
    assert not WebhookEvent.objects.exists()
    assert not request.referrals.exists()
    # The same action, committed: one event.
    [referral] = orientation.orient_request(actor=world.siao, request=request, programs=[world.target])
    event = WebhookEvent.objects.get()
    assert (event.type, event.ordering_key, event.status) == (
        EventType.REFERRAL_PROPOSED,
        str(referral.public_id),
        EventStatus.PENDING,
    )
    # An enclosing transaction that rolls back takes the event with it.
    with pytest.raises(Boom), transaction.atomic():
        orientation.withdraw_referral(actor=world.siao, referral=referral)
        assert WebhookEvent.objects.count() == 2
        raise Boom
    assert WebhookEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_emit_refuses_to_write_outside_a_transaction():
    world = World.build()
    register([world.target.operator])
    with pytest.raises(RuntimeError):
        emit(EventType.REFERRAL_PROPOSED, operator_id=world.target.operator_id, ordering_key="k", data={})
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_emit_refuses_an_unknown_event_type():
    with pytest.raises(ValueError), transaction.atomic():
        emit("referral.teleported", operator_id=1, ordering_key="k", data={})


@pytest.mark.django_db
def test_only_active_clients_of_the_operator_with_a_webhook_address_and_the_scope():
    world = World.build()
    operator = world.target.operator
    subscribed = register([operator], name="Abonné")
    other_operator_too = register([OperatorFactory(), operator], name="Deux entités")
    register([operator], webhook_url="", name="Sans adresse")
    register([operator], scopes=[Scope.OFFER_READ, Scope.OFFER_WRITE], name="Offre seulement")
    inactive = register([operator], name="Désactivé")
    actions.set_client_active(actor=national_admin(), client=inactive.client, active=False)
    register([OperatorFactory()], name="Autre entité")
    referral = world.oriented()
    events = WebhookEvent.objects.filter(type=EventType.REFERRAL_PROPOSED)
    assert sorted(events.values_list("client__name", flat=True)) == sorted(
        [subscribed.client.name, other_operator_too.client.name]
    )
    event = events.get(client=subscribed.client)
    assert event.ordering_key == str(referral.public_id)
    # Thin: identifiers, status and the API address; no person.
    assert event.payload == {
        "referral": {
            "id": str(referral.public_id),
            "status": referral.status,
            "program": str(world.target.public_id),
            "url": f"/api/v1/referrals/{referral.public_id}",
        }
    }


@pytest.mark.django_db
def test_no_partner_no_event():
    world = World.build()
    world.oriented()
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_each_step_of_a_referral_is_an_event_of_its_key_in_order():
    world = World.build()
    partner = register([world.target.operator])
    referral = world.accepted()
    orientation.record_household_acceptance(actor=world.siao, referral=referral)
    orientation.withdraw_referral(actor=world.siao, referral=referral)
    events = WebhookEvent.objects.filter(client=partner.client).order_by("pk")
    assert [e.type for e in events] == [
        EventType.REFERRAL_PROPOSED,
        EventType.REFERRAL_HOUSEHOLD_ACCEPTED,
        EventType.REFERRAL_WITHDRAWN,
    ]
    assert {e.ordering_key for e in events} == {str(referral.public_id)}
