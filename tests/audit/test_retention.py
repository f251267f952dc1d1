"""The retention purge of the audit trail: old events go, the chain still verifies."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from siao.audit.models import AuditChainHead, AuditEvent, AuditPurgePermit
from siao.audit.trail import record, verify_chain

PARIS = datetime.timezone(datetime.timedelta(hours=1))
LONG_AGO = datetime.datetime(2024, 1, 10, 9, 0, tzinfo=PARIS)
RECENTLY = datetime.datetime(2025, 2, 1, 9, 0, tzinfo=PARIS)
TODAY = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=PARIS)


@pytest.fixture
def old_and_recent_events():
    with time_machine.travel(LONG_AGO, tick=False):
        old = [record("test.old", data={"n": n}) for n in range(3)]
    with time_machine.travel(RECENTLY, tick=False):
        recent = [record("test.recent", data={"n": n}) for n in range(2)]
    return old, recent


@pytest.mark.django_db
def test_purge_deletes_events_older_than_the_retention_and_keeps_the_newer_ones(old_and_recent_events, capsys):
    old, recent = old_and_recent_events
    with time_machine.travel(TODAY, tick=False):
        call_command("purge_audit_events")
    assert "3 événements de plus de 365 jours supprimés." in capsys.readouterr().out
    assert not AuditEvent.objects.filter(action="test.old").exists()
    assert set(AuditEvent.objects.filter(action="test.recent").values_list("sequence", flat=True)) == {
        event.sequence for event in recent
    }


@pytest.mark.django_db
def test_after_a_purge_the_chain_still_verifies_from_the_moved_anchor(old_and_recent_events, capsys):
    old, recent = old_and_recent_events
    with time_machine.travel(TODAY, tick=False):
        call_command("purge_audit_events")
    head = AuditChainHead.objects.get(pk=1)
    assert (head.anchor_sequence, head.anchor_hash) == (old[-1].sequence, old[-1].hash)
    assert verify_chain().ok
    call_command("verify_audit_chain")
    assert "Journal intègre : 3 événements vérifiés." in capsys.readouterr().out  # two recent, one purge


@pytest.mark.django_db
def test_a_purge_records_what_it_deleted(old_and_recent_events):
    with time_machine.travel(TODAY, tick=False):
        call_command("purge_audit_events")
    event = AuditEvent.objects.get(action="audit.purged")
    assert event.data["deleted"] == 3
    assert event.data["retention_days"] == 365
    assert datetime.datetime.fromisoformat(event.data["before"]) == TODAY - datetime.timedelta(days=365)
    assert event.occurred_at == TODAY
    assert not AuditPurgePermit.objects.exists()


@pytest.mark.django_db
def test_a_dry_run_counts_the_expired_events_and_deletes_nothing(old_and_recent_events, capsys):
    count_before = AuditEvent.objects.count()
    with time_machine.travel(TODAY, tick=False):
        call_command("purge_audit_events", "--dry-run")
    assert "3 événements de plus de 365 jours seraient supprimés." in capsys.readouterr().out
    assert AuditEvent.objects.count() == count_before
    assert AuditChainHead.objects.get(pk=1).anchor_sequence == 0


@pytest.mark.django_db
def test_the_retention_can_be_shortened_on_the_command_line(old_and_recent_events, capsys):
    with time_machine.travel(TODAY, tick=False):
        call_command("purge_audit_events", "--days", "20")
    assert "5 événements de plus de 20 jours supprimés." in capsys.readouterr().out
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["audit.purged"]
    assert verify_chain().ok


@pytest.mark.django_db
def test_an_event_just_inside_the_retention_is_kept():
    with time_machine.travel(TODAY - datetime.timedelta(days=365, seconds=-1), tick=False):
        kept = record("test.boundary")
    with time_machine.travel(TODAY, tick=False):
        call_command("purge_audit_events")
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert not AuditEvent.objects.filter(action="audit.purged").exists()


@pytest.mark.django_db
def test_purging_in_small_batches_deletes_everything_expired_and_keeps_the_chain(old_and_recent_events):
    from siao.audit.retention import purge_expired_events

    with time_machine.travel(TODAY, tick=False):
        assert purge_expired_events(batch_size=2) == 3
    assert verify_chain().ok
    assert AuditChainHead.objects.get(pk=1).anchor_sequence == old_and_recent_events[0][-1].sequence


@pytest.mark.django_db
def test_a_second_purge_finds_nothing_and_records_nothing(old_and_recent_events, capsys):
    with time_machine.travel(TODAY, tick=False):
        call_command("purge_audit_events")
        call_command("purge_audit_events")
    assert "0 événements de plus de 365 jours supprimés." in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="audit.purged").count() == 1
    assert verify_chain().ok
