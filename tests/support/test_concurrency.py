"""Two members of the support team assigning the same request at once (PostgreSQL: the row lock
serializes them): the second one, having seen "nobody", is refused instead of silently taking
the request over.

SQLite serializes write transactions (and the in-memory test database locks its tables), so
this runs on PostgreSQL: `DATABASE_URL=postgres://… pytest tests/support`."""

import threading

import pytest
from django.db import connection, connections

from siao.accounts.actor import Actor
from siao.audit.models import AuditEvent
from siao.support import actions
from siao.support.models import SupportRequest

from .conftest import World

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="SQLite serializes write transactions: no real concurrency"
    ),
    pytest.mark.django_db(transaction=True),
]


def actor_of(membership) -> Actor:
    departments = set(membership.organization.departments.values_list("pk", flat=True))
    return Actor.for_membership(membership, departments, (membership,))


def test_two_simultaneous_assignments_are_served_one_after_the_other():
    world = World.build()
    contenders = [actor_of(world.national), actor_of(world.siao_admin)]
    barrier = threading.Barrier(len(contenders))
    outcomes = []

    def take(actor):
        try:
            barrier.wait()
            actions.assign_support_request(
                actor=actor, support_request=world.from_staff, assignee=actor.user, expected_assignee=""
            )
            outcomes.append(("ok", actor.user.pk))
        except Exception as error:  # noqa: BLE001 - the refusal is what we count
            outcomes.append((type(error).__name__, actor.user.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(actor,)) for actor in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _ in outcomes) == ["ValidationError", "ok"]
    winner = next(user_pk for kind, user_pk in outcomes if kind == "ok")
    assert SupportRequest.objects.get(pk=world.from_staff.pk).assigned_to_id == winner
    assert AuditEvent.objects.filter(action="support.request_assigned").count() == 1


def test_simultaneous_submissions_cannot_exceed_the_hourly_limit_from_one_address(settings):
    """Each submission counts the last hour's requests then inserts its own: without the
    advisory lock, submissions posted at once would all count below the limit."""
    from .helpers import valid_data

    settings.SUPPORT_REQUESTS_PER_IP_PER_HOUR = 2
    data = valid_data()
    contenders = 5
    barrier = threading.Barrier(contenders)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            actions.submit_support_request(
                data=actions.SupportRequestInput(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"].lower(),
                    subject=data["subject"],
                    category=data["category"],
                    description=data["description"],
                ),
                client_ip="198.51.100.50",
            )
            outcomes.append("ok")
        except actions.RequestRefused as refusal:
            outcomes.append(refusal.reason)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "ok", "throttled_ip", "throttled_ip", "throttled_ip"]
    assert SupportRequest.objects.filter(client_ip="198.51.100.50").count() == 2
