"""Retention: requests resolved or closed more than SUPPORT_RETENTION_MONTHS ago are deleted with
their messages, attachments and files; open ones are kept whatever their age."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from siao.audit.models import AuditEvent
from siao.support import actions
from siao.support.enums import MessageKind, SupportStatus
from siao.support.models import SupportAttachment, SupportMessage, SupportRequest

from .helpers import a_pdf, a_png, stored_files, submit_with_files

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 15, 10, 0, tzinfo=datetime.UTC)


def closed_request(closed_at, status=SupportStatus.CLOSED, files=(a_png,)):
    support_request = submit_with_files(*[make() for make in files])
    SupportRequest.objects.filter(pk=support_request.pk).update(status=status, closed_at=closed_at)
    SupportMessage.objects.create(request=support_request, kind=MessageKind.NOTE, body="note")
    return support_request


def test_months_before_keeps_the_day_within_the_month():
    assert actions.months_before(NOW, 24) == datetime.datetime(2024, 3, 15, 10, 0, tzinfo=datetime.UTC)
    end_of_may = datetime.datetime(2026, 5, 31, tzinfo=datetime.UTC)
    assert actions.months_before(end_of_may, 3) == datetime.datetime(2026, 2, 28, tzinfo=datetime.UTC)


def test_closed_and_resolved_requests_past_the_retention_period_are_deleted_with_their_files(
    settings, django_capture_on_commit_callbacks
):
    settings.SUPPORT_RETENTION_MONTHS = 24
    with time_machine.travel(NOW - datetime.timedelta(days=800), tick=False):
        old_closed = closed_request(timezone.now(), files=(a_png, a_pdf))
        old_resolved = closed_request(timezone.now(), status=SupportStatus.RESOLVED)
        old_but_open = submit_with_files(a_png())
    with time_machine.travel(NOW - datetime.timedelta(days=700), tick=False):
        recently_closed = closed_request(timezone.now())
    assert len(stored_files()) == 5

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert actions.purge_expired_support_requests(dry_run=True) == 2
        assert actions.purge_expired_support_requests() == 2

    remaining = set(SupportRequest.objects.values_list("pk", flat=True))
    assert remaining == {old_but_open.pk, recently_closed.pk}
    assert not SupportAttachment.objects.filter(request_id__in=[old_closed.pk, old_resolved.pk]).exists()
    assert SupportMessage.objects.count() == 1
    assert len(stored_files()) == 2
    event = AuditEvent.objects.get(action="support.requests_purged")
    assert event.data == {"deleted": 2, "retention_months": 24}


def test_the_command_purges_and_sweeps_orphan_files(settings, capsys):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    with time_machine.travel(NOW - datetime.timedelta(days=800), tick=False):
        closed_request(timezone.now(), files=())
    orphan = default_storage.save("support/00000000-0000-0000-0000-000000000000/abc", ContentFile(b"x"))
    kept = submit_with_files(a_png())
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2), tick=False):
        call_command("purge_support_requests")
    out = capsys.readouterr().out
    assert "1 demandes de support closes depuis plus de 24 mois supprimées ; 1 fichiers orphelins supprimés." in out
    assert not default_storage.exists(orphan)
    assert [p.name for p in stored_files()] == [kept.attachments.get().file.name.rsplit("/", 1)[-1]]


def test_a_young_orphan_is_left_alone_it_may_be_a_request_being_submitted():
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("support/11111111-1111-1111-1111-111111111111/abc", ContentFile(b"x"))
    assert actions.sweep_orphan_files() == 0
    assert default_storage.exists(name)


def test_the_dry_run_deletes_nothing(capsys):
    with time_machine.travel(NOW - datetime.timedelta(days=800), tick=False):
        closed_request(timezone.now())
    call_command("purge_support_requests", "--dry-run")
    assert "1 demandes de support closes depuis plus de 24 mois seraient supprimées." in capsys.readouterr().out
    assert SupportRequest.objects.count() == 1 and len(stored_files()) == 1


def test_a_request_reopened_after_the_batch_was_listed_is_kept_with_its_files(
    settings, django_capture_on_commit_callbacks
):
    settings.SUPPORT_RETENTION_MONTHS = 24
    with time_machine.travel(NOW - datetime.timedelta(days=800), tick=False):
        reopened = closed_request(timezone.now())
        still_closed = closed_request(timezone.now())
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        expired = actions.expired_support_requests()
        batch = list(expired.order_by("pk").values_list("pk", flat=True))
        assert batch == sorted([reopened.pk, still_closed.pk])
        # Reopened by the support team between the listing and the deletion.
        SupportRequest.objects.filter(pk=reopened.pk).update(status=SupportStatus.IN_PROGRESS, closed_at=None)
        assert actions._purge_batch(expired, batch) == 1

    assert list(SupportRequest.objects.values_list("pk", flat=True)) == [reopened.pk]
    kept_file = reopened.attachments.get().file.name
    assert [path.name for path in stored_files()] == [kept_file.rsplit("/", 1)[-1]]
    assert SupportMessage.objects.filter(request=reopened).count() == 1
