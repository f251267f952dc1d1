"""The run killed mid-batch, then started again: every expired file ends either fully
transferred and deleted or untouched, none half-way, no duplicate in the archive, no double
count in the statistics."""

import pytest

from siao.archive.models import ArchivedFile, ArchivedPerson, ArchiveState
from siao.households.models import Household, HouseholdMember, Person
from siao.retention import purge
from siao.retention.check import run_checks
from siao.retention.models import RetentionRun, RunStatus
from siao.statistics.models import Cell
from tests.factories import household_with

from .helpers import age, later

pytestmark = pytest.mark.django_db(databases=["default", "archive", "stats"], transaction=True)


class Killed(BaseException):
    """Like SIGKILL for the code under test: not an Exception, nothing catches it."""


def kill_at(monkeypatch, point: str, *, occurrence: int):
    calls = {"n": 0}

    def fault(name):
        if name == point:
            calls["n"] += 1
            if calls["n"] == occurrence:
                raise Killed(point)

    monkeypatch.setattr(purge, "fault", fault)


def invariants(expired_uuids: set, kept_uuids: set, now) -> None:
    remaining = set(Household.objects.values_list("public_id", flat=True))
    archived = list(ArchivedFile.objects.values_list("household_public_id", "state"))
    archived_uuids = [uuid for uuid, _ in archived]
    assert len(archived_uuids) == len(set(archived_uuids)), "duplicate in the archive"
    for uuid in expired_uuids:
        if uuid in remaining:
            # Untouched: all its members are still there, no done record.
            household = Household.objects.get(public_id=uuid)
            assert HouseholdMember.objects.filter(household=household).count() == household.member_count
            assert (uuid, ArchiveState.DONE) not in archived
        else:
            assert uuid in archived_uuids, "deleted without its archive record"
    assert kept_uuids <= remaining
    # Every archived person's record is whole (its file has its persons).
    for file in ArchivedFile.objects.all():
        assert ArchivedPerson.objects.filter(file=file).count() >= 1


@pytest.mark.parametrize(
    "point", ["after_archive_write", "mid_delete", "before_commit", "after_delete"], ids=lambda p: p
)
def test_killed_mid_batch_then_restarted(monkeypatch, point):
    run_now = later(26)
    expired = [household_with() for _ in range(5)]
    kept = household_with()
    Household.objects.filter(pk=kept.pk).update(last_action_at=run_now)
    for household in expired:
        age(household, months=25, now=run_now)
    expired_uuids = {household.public_id for household in expired}

    from siao.statistics.feed import refresh

    refresh(today=run_now.date())
    cells = sorted(Cell.objects.values_list("month", "department", "measure", "dimension", "value", "count"))

    kill_at(monkeypatch, point, occurrence=2)  # the second batch
    with pytest.raises(Killed):
        purge.execute(now=run_now, batch_size=2)
    assert RetentionRun.objects.get().status == RunStatus.FAILED
    invariants(expired_uuids, {kept.public_id}, run_now)
    # Batch 1 went through; batch 2 rolled back (or, killed after its commit, went through).
    assert Household.objects.filter(public_id__in=expired_uuids).count() == (1 if point == "after_delete" else 3)
    if point == "after_delete":
        # The second batch's deletion was committed; its records are still pending.
        assert ArchivedFile.objects.filter(state=ArchiveState.PENDING).count() == 2

    monkeypatch.setattr(purge, "fault", lambda name: None)
    report = purge.execute(now=run_now, batch_size=2)

    invariants(expired_uuids, {kept.public_id}, run_now)
    assert not Household.objects.filter(public_id__in=expired_uuids).exists()
    assert set(ArchivedFile.objects.values_list("household_public_id", flat=True)) == expired_uuids
    assert not ArchivedFile.objects.filter(state=ArchiveState.PENDING).exists()
    assert Person.objects.count() == 1  # the kept file's head
    assert report["settled"]["confirmed"] + report["settled"]["withdrawn"] <= 2
    assert sorted(Cell.objects.values_list("month", "department", "measure", "dimension", "value", "count")) == cells
    check = run_checks(run_now)
    assert check.ok, [finding for finding in check.findings if not finding.ok]


def test_a_pending_record_of_an_untouched_file_is_withdrawn_at_restart(monkeypatch):
    run_now = later(26)
    household = household_with()
    age(household, months=25, now=run_now)
    kill_at(monkeypatch, "after_archive_write", occurrence=1)
    with pytest.raises(Killed):
        purge.execute(now=run_now)
    assert ArchivedFile.objects.get().state == ArchiveState.PENDING
    # Before the restart, someone acts on the file: it must stay, without an archive record.
    Household.objects.filter(pk=household.pk).update(last_action_at=run_now)
    monkeypatch.setattr(purge, "fault", lambda name: None)

    report = purge.execute(now=run_now)

    assert report["settled"] == {"confirmed": 0, "withdrawn": 1}
    assert Household.objects.filter(pk=household.pk).exists()
    assert not ArchivedFile.objects.exists()
