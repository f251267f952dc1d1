"""The check command proves retention is applied and the archive and statistics agree."""

import pytest
from django.core.management import CommandError, call_command

from siao.archive.models import ArchivedFile, ArchiveState
from siao.households.models import Household
from siao.retention import purge
from siao.retention.check import run_checks
from tests.factories import household_with

from .helpers import age, full_file, later

pytestmark = pytest.mark.django_db(databases=["default", "archive", "stats"])


def failing(report):
    return [finding.label for finding in report.findings if not finding.ok]


def test_a_file_past_retention_fails_the_check_until_the_run():
    run_now = later(26)
    _, household = full_file()
    age(household, months=25, now=run_now)
    assert any("Aucun dossier" in label for label in failing(run_checks(run_now)))
    purge.execute(now=run_now)
    assert failing(run_checks(run_now)) == []


def test_a_pending_record_or_a_duplicate_or_a_surviving_file_fails_the_check():
    run_now = later(26)
    household = household_with()
    age(household, months=25, now=run_now)
    purge.execute(now=run_now)
    ArchivedFile.objects.update(state=ArchiveState.PENDING)
    assert any("en cours" in label for label in failing(run_checks(run_now)))
    ArchivedFile.objects.update(state=ArchiveState.DONE)
    # A file that came back in production (restored from a backup, say).
    restored = household_with()
    ArchivedFile.objects.update(household_public_id=restored.public_id)
    Household.objects.filter(pk=restored.pk).update(last_action_at=run_now)
    assert any("quitté la base" in label for label in failing(run_checks(run_now)))


def test_archived_requests_missing_from_the_statistics_fail_the_check():
    run_now = later(26)
    _, household = full_file()
    age(household, months=25, now=run_now)
    purge.execute(now=run_now)
    from siao.statistics.models import Cell

    Cell.objects.filter(measure="requests", dimension="", value="").update(count=0)
    assert any("demandes publiées" in label for label in failing(run_checks(run_now)))


def test_the_command_fails_with_a_french_message(capsys):
    household = household_with()
    age(household, months=25)
    with pytest.raises(CommandError, match="vérification a échoué"):
        call_command("retention_check")
    assert "ÉCHEC" in capsys.readouterr().out
