"""The audit trail: chaining, context capture, integrity check and append-only guarantees."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from siao.accounts.actor import Actor
from siao.accounts.enums import Role
from siao.audit.models import AuditChainHead, AuditEvent
from siao.audit.trail import compute_hash, record, verify_chain
from tests.factories import UserFactory, membership_for

ON_POSTGRESQL = connection.vendor == "postgresql"


def actor_for(membership) -> Actor:
    department_ids = set(membership.organization.departments.values_list("pk", flat=True))
    return Actor.for_membership(membership, department_ids, [membership])


def record_events(count: int) -> list[AuditEvent]:
    return [record("test.event", data={"n": n}) for n in range(count)]


def allow_tampering() -> None:
    """Lift the database guards on the trail, inside the test's transaction (rolled back with it):
    what an attacker with the database owner's rights could do."""
    with connection.cursor() as cursor:
        if ON_POSTGRESQL:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_delete")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")


def raw_sql(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# Chaining


@pytest.mark.django_db
def test_each_event_takes_the_next_sequence_and_chains_to_the_previous_hash():
    first, second, third = record_events(3)
    assert second.sequence == first.sequence + 1
    assert third.sequence == second.sequence + 1
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len(third.hash) == 64
    assert third.hash == compute_hash(third)


@pytest.mark.django_db
def test_the_chain_head_follows_the_last_event():
    *_, last = record_events(2)
    head = AuditChainHead.objects.get(pk=1)
    assert (head.sequence, head.last_hash) == (last.sequence, last.hash)


@pytest.mark.django_db
def test_an_event_recorded_with_an_actor_names_the_user_the_active_role_and_the_organization():
    membership = membership_for(Role.SIAO_ADMIN)
    target = membership_for(Role.SIAO_OPERATOR)
    event = record(
        "accounts.membership_granted",
        actor=actor_for(membership),
        obj=target,
        target_organization=target.organization,
        data={"role": target.role},
    )
    event.refresh_from_db()
    assert event.actor_user_id == membership.user.pk
    assert event.actor_email == membership.user.email
    assert event.actor_role == Role.SIAO_ADMIN
    assert event.actor_organization_id == membership.organization.pk
    assert event.actor_organization_name == membership.organization.name
    assert event.target_organization_id == target.organization.pk
    assert event.object_type == "accounts.membership"
    assert event.object_id == str(target.public_id)
    assert event.data == {"role": Role.SIAO_OPERATOR}


@pytest.mark.django_db
def test_an_event_recorded_with_a_user_alone_has_no_role_nor_organization():
    user = UserFactory()
    event = record("auth.login_failed", user=user, data={"reason": "wrong_code"})
    assert event.actor_user_id == user.pk
    assert event.actor_email == user.email
    assert event.actor_role == ""
    assert event.actor_organization_id is None


@pytest.mark.django_db
def test_an_event_recorded_outside_a_request_has_no_address_nor_correlation_id():
    event = record("test.event")
    assert event.ip_address is None
    assert event.correlation_id == ""


@pytest.mark.django_db
def test_an_event_recorded_during_a_request_carries_its_correlation_id_and_client_address(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.get(reverse("audit:trail"))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="audit.trail_viewed")
    assert event.correlation_id == response["X-Request-ID"]
    assert event.ip_address == "127.0.0.1"
    assert event.actor_user_id == client.membership.user.pk
    assert event.actor_role == Role.NATIONAL_ADMIN


@pytest.mark.django_db
def test_a_correlation_id_sent_by_the_proxy_is_the_one_recorded(client_as, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.get(reverse("audit:trail"), headers={"X-Request-ID": "proxy-req-0001"})
    assert response["X-Request-ID"] == "proxy-req-0001"
    assert AuditEvent.objects.get(action="audit.trail_viewed").correlation_id == "proxy-req-0001"


@pytest.mark.django_db
def test_data_is_stored_as_json_with_non_json_values_as_strings():
    import datetime
    import uuid

    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    event = record("test.event", data={"id": value, "day": datetime.date(2025, 3, 1)})
    event.refresh_from_db()
    assert event.data == {"id": str(value), "day": "2025-03-01"}
    assert verify_chain().ok


# Integrity check


@pytest.mark.django_db
def test_verify_audit_chain_succeeds_on_an_intact_chain(capsys):
    record_events(4)
    call_command("verify_audit_chain")
    assert f"Journal intègre : {AuditEvent.objects.count()} événements vérifiés." in capsys.readouterr().out


@pytest.mark.django_db
def test_verify_audit_chain_succeeds_on_an_empty_trail(capsys):
    call_command("verify_audit_chain")
    assert "Journal intègre" in capsys.readouterr().out


@pytest.mark.django_db
def test_verify_audit_chain_names_an_event_whose_content_was_altered_in_the_database():
    events = record_events(5)
    allow_tampering()
    raw_sql(
        "UPDATE audit_auditevent SET actor_email = %s WHERE sequence = %s", ["intrus@example.org", events[2].sequence]
    )
    with pytest.raises(CommandError, match=f"n° {events[2].sequence} : le contenu de l'événement a été modifié"):
        call_command("verify_audit_chain")


@pytest.mark.django_db
def test_rehashing_an_altered_event_breaks_the_link_to_the_next_one():
    events = record_events(4)
    forged = AuditEvent.objects.get(sequence=events[1].sequence)
    forged.action = "test.forged"
    allow_tampering()
    raw_sql(
        "UPDATE audit_auditevent SET action = %s, hash = %s WHERE sequence = %s",
        [forged.action, compute_hash(forged), forged.sequence],
    )
    result = verify_chain()
    assert result.broken_sequence == events[2].sequence
    assert result.reason == "l'empreinte précédente ne correspond pas"


@pytest.mark.django_db
def test_verify_audit_chain_names_the_event_after_one_deleted_in_the_middle():
    events = record_events(5)
    allow_tampering()
    raw_sql("DELETE FROM audit_auditevent WHERE sequence = %s", [events[2].sequence])
    with pytest.raises(CommandError) as error:
        call_command("verify_audit_chain")
    message = str(error.value)
    assert f"n° {events[3].sequence}" in message
    assert f"numéro attendu {events[2].sequence} : un événement manque" in message


@pytest.mark.django_db
def test_verify_audit_chain_names_the_first_missing_sequence_when_the_last_events_were_deleted():
    events = record_events(5)
    allow_tampering()
    raw_sql("DELETE FROM audit_auditevent WHERE sequence >= %s", [events[3].sequence])
    with pytest.raises(CommandError, match=f"n° {events[3].sequence} : les derniers événements ont été supprimés"):
        call_command("verify_audit_chain")


@pytest.mark.django_db
def test_verify_audit_chain_notices_that_every_event_was_deleted():
    events = record_events(3)
    allow_tampering()
    raw_sql("DELETE FROM audit_auditevent")
    with pytest.raises(CommandError, match=f"n° {events[0].sequence} : les derniers événements ont été supprimés"):
        call_command("verify_audit_chain")


# Append-only


@pytest.mark.django_db
def test_saving_an_existing_event_is_refused():
    event = record("test.event")
    event.action = "test.changed"
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.django_db
def test_deleting_an_event_is_refused():
    event = record("test.event")
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_updating_events_through_the_queryset_is_refused():
    event = record("test.event")
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="test.changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.changed")
    with pytest.raises(PermissionError), transaction.atomic():  # bulk_update poisons the enclosing transaction
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.django_db
def test_deleting_events_through_the_queryset_is_refused():
    event = record("test.event")
    with pytest.raises(PermissionError):
        AuditEvent.objects.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_the_database_refuses_a_raw_sql_update_of_an_event():
    event = record("test.event")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql("UPDATE audit_auditevent SET action = 'test.changed' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"
    assert verify_chain().ok


@pytest.mark.django_db
@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="only PostgreSQL refuses DELETE: SQLite keeps it for the test runner's flush"
)
def test_postgresql_refuses_a_raw_sql_delete_of_an_event():
    event = record("test.event")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
