"""The retention run (docs/data-protection.md, « Durées de conservation »).

A household file with no action for RETENTION_MONTHS (24) is transferred, then deleted:

1. the statistics are brought up to date (siao.statistics.feed.refresh): every month the file
   counts in is computed and frozen before anything is deleted, so purging never changes a
   published total;
2. by batches: the minimized proof is written to the legal archive, marked *pending*
   (one transaction on `archive`); the file is deleted from the transactional base (one
   transaction on `default`, rows locked and the expiry checked again: an action that reached
   the file meanwhile saves it); the archive record is marked *done*;
3. the calls and outreach encounters never attached to a file, older than the same period;
4. the archive records past ARCHIVE_RETENTION_YEARS.

Killed anywhere, a run leaves every file either deleted (its archive record pending or done)
or untouched (at most a pending record, removed at the next start): `settle_pending()` begins
every run. Idempotent: a second run finds nothing. Progress goes to the RetentionRun row.

A file with a current stay (prise en charge en cours) is not « sans action »: the household is
being supported; it is reported apart and kept."""

import contextlib
import datetime
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from siao.archive.models import ArchivedFile, ArchivedPerson, ArchiveState
from siao.audit.trail import record
from siao.emergency.models import Call, EmergencyRequest, Night, OutreachEncounter, OutreachSignal, Placement
from siao.households.models import (
    Accompaniment,
    Assessment,
    AssessmentSection,
    AssessmentSectionVersion,
    Contact,
    Household,
    HouseholdMember,
    Note,
    Person,
    ResidentialSituation,
    RightsRequest,
)
from siao.orientation.models import Recommendation, Referral, Request, RequestStatusChange, Stay

from .minimize import build_records
from .models import RetentionRun, RunStatus


def fault(point: str) -> None:
    """Where tests simulate a crash (they replace this function)."""


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same local day and time `months` calendar months earlier (the last day of a
    shorter month when needed): 31 March minus one month is 28 (or 29) February."""
    local = timezone.localtime(moment)
    month_index = local.year * 12 + local.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(local.day, 27, -1):
        try:
            return local.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return local.replace(year=year, month=month, day=min(local.day, 28))


def cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Files whose last action is at or before this moment are past retention."""
    return months_before(now or timezone.now(), settings.RETENTION_MONTHS)


def _current_stay():
    return Exists(Stay.objects.filter(household=OuterRef("pk"), ended_on__isnull=True))


def expired_households(limit_moment: datetime.datetime):
    """Past retention: no action since `limit_moment`, and no current stay."""
    return Household.objects.filter(last_action_at__lte=limit_moment).exclude(_current_stay())


def exempt_households(limit_moment: datetime.datetime):
    return Household.objects.filter(last_action_at__lte=limit_moment).filter(_current_stay())


def unattached_calls(limit_moment):
    return Call.objects.filter(household__isnull=True, received_at__lte=limit_moment)


def unattached_encounters(limit_moment):
    return OutreachEncounter.objects.filter(household__isnull=True, occurred_at__lte=limit_moment)


def expired_archives(today: datetime.date):
    return ArchivedFile.objects.filter(expires_on__lt=today)


# --- Deleting a batch of files -------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """The ids of everything a batch of files holds, read first through the foreign keys'
    indexes: each DELETE is then `WHERE <column> IN (<ids>)`, an index lookup."""

    households: list[int]
    persons: list[int] = field(default_factory=list)  # only those in no other file
    requests: list[int] = field(default_factory=list)
    stays: list[int] = field(default_factory=list)
    emergency_requests: list[int] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    encounters: list[int] = field(default_factory=list)
    assessments: list[int] = field(default_factory=list)
    sections: list[int] = field(default_factory=list)

    @classmethod
    def collect(cls, ids: list[int]) -> "Batch":
        def pks(queryset):
            return list(queryset.values_list("pk", flat=True))

        assessments = pks(Assessment.objects.filter(household_id__in=ids))
        return cls(
            households=ids,
            persons=_persons_only_in(ids),
            requests=pks(Request.objects.filter(household_id__in=ids)),
            stays=pks(Stay.objects.filter(household_id__in=ids)),
            emergency_requests=pks(EmergencyRequest.objects.filter(household_id__in=ids)),
            calls=pks(Call.objects.filter(household_id__in=ids)),
            encounters=pks(OutreachEncounter.objects.filter(household_id__in=ids)),
            assessments=assessments,
            sections=pks(AssessmentSection.objects.filter(assessment_id__in=assessments)),
        )


# Every table that holds a file's data, in an order the foreign keys accept. A test walks the
# models' relations and fails when a new one is missing here.
def _deletions(batch: Batch):
    persons_through = EmergencyRequest.persons.through
    publics_through = Household.specific_publics.through
    ids = batch.households
    return [
        (Night, Q(stay_id__in=batch.stays)),
        (Placement, Q(request_id__in=batch.emergency_requests)),
        (persons_through, Q(emergencyrequest_id__in=batch.emergency_requests)),
        (persons_through, Q(person_id__in=batch.persons)),
        (EmergencyRequest, Q(pk__in=batch.emergency_requests)),
        (OutreachSignal, Q(encounter_id__in=batch.encounters)),
        (OutreachEncounter, Q(pk__in=batch.encounters)),
        (Call, Q(pk__in=batch.calls)),
        (Stay, Q(pk__in=batch.stays)),
        (Referral, Q(request_id__in=batch.requests)),
        (Recommendation, Q(request_id__in=batch.requests)),
        (RequestStatusChange, Q(request_id__in=batch.requests)),
        (Request, Q(pk__in=batch.requests)),
        (AssessmentSectionVersion, Q(section_id__in=batch.sections)),
        (AssessmentSection, Q(pk__in=batch.sections)),
        (Assessment, Q(pk__in=batch.assessments)),
        (Contact, Q(household_id__in=ids)),
        (Note, Q(household_id__in=ids)),
        (Accompaniment, Q(household_id__in=ids)),
        (RightsRequest, Q(household_id__in=ids)),
        (publics_through, Q(household_id__in=ids)),
        (HouseholdMember, Q(household_id__in=ids)),
        (Household, Q(pk__in=ids)),
        (ResidentialSituation, Q(person_id__in=batch.persons)),
        (Person, Q(pk__in=batch.persons)),
    ]


def _persons_only_in(ids: list[int]) -> list[int]:
    """The members of these files who belong to no other file (the others keep their person)."""
    members = set(HouseholdMember.objects.filter(household_id__in=ids).values_list("person_id", flat=True))
    elsewhere = set(
        HouseholdMember.objects.filter(person_id__in=members)
        .exclude(household_id__in=ids)
        .values_list("person_id", flat=True)
    )
    return sorted(members - elsewhere)


def delete_files(ids: list[int]) -> Counter:
    """Delete these files' personal data from the transactional base. Inside a transaction."""
    batch = Batch.collect(ids)
    # Links from what stays to what goes (rare: a call, a signal or a stay shared with a
    # request of another file).
    others = ~Q(household_id__in=ids)
    EmergencyRequest.objects.filter(Q(call_id__in=batch.calls) & others).update(call=None)
    EmergencyRequest.objects.filter(Q(stay_id__in=batch.stays) & others).update(stay=None)
    Call.objects.filter(signal__encounter_id__in=batch.encounters).exclude(pk__in=batch.calls).update(signal=None)
    counts = Counter()
    for position, (model, condition) in enumerate(_deletions(batch)):
        if position == 8:
            fault("mid_delete")
        counts[model._meta.label] += model._base_manager.filter(condition)._raw_delete(model._base_manager.db) or 0
    return counts


def delete_unattached(queryset_factory, limit_moment, batch_size: int) -> int:
    """Calls or encounters past retention that no file holds, by batches."""
    deleted = 0
    while True:
        ids = list(queryset_factory(limit_moment).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        with transaction.atomic():
            if queryset_factory is unattached_calls:
                EmergencyRequest.objects.filter(call_id__in=ids).update(call=None)
                Call.objects.filter(pk__in=ids)._raw_delete("default")
            else:
                Call.objects.filter(signal__encounter_id__in=ids).update(signal=None)
                OutreachSignal.objects.filter(encounter_id__in=ids)._raw_delete("default")
                OutreachEncounter.objects.filter(pk__in=ids)._raw_delete("default")
        deleted += len(ids)


# --- The run -------------------------------------------------------------------------------


def settle_pending() -> dict:
    """Finish what a killed run left: a pending record whose file is gone was transferred
    (mark it done); one whose file is still here was not (remove it, the file is untouched)."""
    pending = list(ArchivedFile.objects.filter(state=ArchiveState.PENDING).values_list("pk", "household_public_id"))
    if not pending:
        return {"confirmed": 0, "withdrawn": 0}
    still_here = set(
        Household.objects.filter(public_id__in=[uuid for _, uuid in pending]).values_list("public_id", flat=True)
    )
    withdrawn = [pk for pk, uuid in pending if uuid in still_here]
    confirmed = [pk for pk, uuid in pending if uuid not in still_here]
    with transaction.atomic(using="archive"):
        ArchivedFile.objects.filter(pk__in=withdrawn).delete()
        ArchivedFile.objects.filter(pk__in=confirmed).update(state=ArchiveState.DONE)
    return {"confirmed": len(confirmed), "withdrawn": len(withdrawn)}


def _write_archive(records) -> None:
    with transaction.atomic(using="archive"):
        uuids = [file.household_public_id for file, _ in records]
        ArchivedFile.objects.filter(household_public_id__in=uuids).delete()
        files = ArchivedFile.objects.bulk_create([file for file, _ in records])
        persons = []
        for file, (_, members) in zip(files, records, strict=True):
            for person in members:
                person.file = file
                persons.append(person)
        ArchivedPerson.objects.bulk_create(persons)


def _settle_batch(records, deleted_uuids: set) -> None:
    """After the batch's deletion: the records of deleted files are done; a file not deleted
    (an action reached it meanwhile) keeps no record, unless it is gone anyway (then it was
    deleted by another run and its record is done)."""
    others = [file.household_public_id for file, _ in records if file.household_public_id not in deleted_uuids]
    still_here = set(Household.objects.filter(public_id__in=others).values_list("public_id", flat=True))
    with transaction.atomic(using="archive"):
        ArchivedFile.objects.filter(household_public_id__in=still_here, state=ArchiveState.PENDING).delete()
        done = [file.household_public_id for file, _ in records if file.household_public_id not in still_here]
        ArchivedFile.objects.filter(household_public_id__in=done, state=ArchiveState.PENDING).update(
            state=ArchiveState.DONE
        )


@contextlib.contextmanager
def exclusive_run():
    """One run at a time (PostgreSQL advisory lock; SQLite has a single writer anyway)."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise RunAlreadyInProgress("Un autre passage de conservation est en cours.")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_KEY])


RUN_LOCK_KEY = 6_202_406  # any constant; names this lock among the database's advisory locks
STALE_AFTER = datetime.timedelta(minutes=30)


class RunAlreadyInProgress(Exception):
    pass


def plan(now: datetime.datetime | None = None) -> dict:
    """What a run would do now (the dry run's report)."""
    now = now or timezone.now()
    limit = cutoff(now)
    expired = expired_households(limit)
    by_department = {
        row["department__code"]: row["n"]
        for row in expired.order_by()
        .values("department__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "department__code")
    }
    waiting = _active_after(expired, _first_month_left_open(now))
    # What goes to the archive: the files that will be purged (not those that wait).
    ids = expired.exclude(pk__in=waiting.values("pk")).values("pk")
    return {
        "cutoff": limit.isoformat(),
        "files": sum(by_department.values()),
        "by_department": by_department,
        "exempt_current_stay": exempt_households(limit).count(),
        "to_archive": {
            "persons": HouseholdMember.objects.filter(household_id__in=ids).count(),
            "requests": Request.objects.filter(household_id__in=ids).exclude(status="draft").count(),
            "stays": Stay.objects.filter(household_id__in=ids).count(),
            "emergency_requests": EmergencyRequest.objects.filter(household_id__in=ids).count(),
        },
        "deleted_only": {
            "assessments": Assessment.objects.filter(household_id__in=ids).count(),
            "notes": Note.objects.filter(household_id__in=ids).count(),
            "contacts": Contact.objects.filter(household_id__in=ids).count(),
        },
        "waiting_for_statistics": waiting.count(),
        "unattached_calls": unattached_calls(limit).count(),
        "unattached_encounters": unattached_encounters(limit).count(),
        "archives_expired": expired_archives(timezone.localdate(now)).count(),
    }


def _first_month_left_open(now) -> datetime.datetime:
    """The start of the first month the statistics' refresh will leave open today: a file with
    activity from then on waits (its figures could still change)."""
    from siao.statistics.feed import last_open_month_to_freeze

    last_frozen = last_open_month_to_freeze(timezone.localdate(now))
    first_open = (last_frozen + datetime.timedelta(days=32)).replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(first_open, datetime.time.min))


def _active_after(households, moment: datetime.datetime):
    """Those of `households` with activity (as the statistics count it) at or after `moment`."""
    from django.db.models.functions import Coalesce

    day = timezone.localdate(moment)
    from siao.statistics.sources import COUNTED_REQUESTS

    return households.filter(
        Exists(
            Request.objects.filter(COUNTED_REQUESTS, household=OuterRef("pk"))
            .alias(at=Coalesce("transmitted_at", "created_at"))
            .filter(at__gte=moment)
        )
        | Exists(Referral.objects.filter(request__household=OuterRef("pk"), proposed_at__gte=moment))
        | Exists(Stay.objects.filter(household=OuterRef("pk")).filter(Q(started_on__gte=day) | Q(ended_on__gte=day)))
        | Exists(EmergencyRequest.objects.filter(household=OuterRef("pk"), night_of__gte=day))
    )


def _progress(run: RetentionRun | None, callback, **fields) -> None:
    fields["heartbeat_at"] = timezone.now()
    if run is not None:
        for name, value in fields.items():
            setattr(run, name, value)
        RetentionRun.objects.filter(pk=run.pk).update(**fields)
    if callback is not None:
        callback(run, fields)


def execute(
    run: RetentionRun | None = None,
    *,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
    batch_size: int | None = None,
    progress=None,
) -> dict:
    """Run the retention. `run` (created if None) receives the progress and the report;
    `progress(run, fields)` is called at each step (the command prints it)."""
    now = now or timezone.now()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    if run is None:
        run = RetentionRun.objects.create(dry_run=dry_run)
    limit = cutoff(now)
    # A run killed without a word (power cut, OOM) stays "running": say it was interrupted.
    RetentionRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=timezone.now() - STALE_AFTER).exclude(
        pk=run.pk
    ).update(status=RunStatus.FAILED, step="Interrompu", error="Plus de nouvelles du passage.")
    _progress(run, progress, status=RunStatus.RUNNING, started_at=timezone.now(), cutoff=limit, step="Préparation")
    try:
        if dry_run:
            report = _execute(run, dry_run=True, now=now, limit=limit, batch_size=batch_size, progress=progress)
        else:
            with exclusive_run():
                report = _execute(run, dry_run=False, now=now, limit=limit, batch_size=batch_size, progress=progress)
    except BaseException as error:
        _progress(
            run,
            progress,
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error=repr(error)[:2000],
            step="Interrompu",
        )
        raise
    _progress(run, progress, status=RunStatus.DONE, finished_at=timezone.now(), report=report, step="Terminé")
    return report


def _execute(run, *, dry_run, now, limit, batch_size, progress) -> dict:
    report = plan(now)
    if dry_run:
        _progress(run, progress, total=report["files"], done=report["files"], report=report)
        return report
    report["settled"] = settle_pending()

    _progress(run, progress, step="Mise à jour de la base statistique")
    from siao.statistics.feed import frozen_through, refresh
    from siao.statistics.models import MonthState

    refresh_started = time.perf_counter()
    refresh(today=timezone.localdate(now))
    report["statistics_seconds"] = round(time.perf_counter() - refresh_started, 2)
    frozen = frozen_through()
    # Only files whose every month of activity is frozen in the statistics are purged (all are,
    # 24 months back; files whose clock was set back by hand wait, see below).
    report["statistics_frozen_through"] = frozen.isoformat() if frozen else None
    frozen_months = set(MonthState.objects.filter(frozen_at__isnull=False).values_list("month", flat=True))
    total = report["files"]
    _progress(run, progress, total=total, done=0, step="Transfert et suppression des dossiers")

    started = time.perf_counter()  # the files' transfer and deletion, timed alone
    phases = Counter()
    archived = Counter()
    deleted = Counter()
    transferred = skipped = not_frozen = 0
    last_pk = 0
    while True:
        rows = list(
            expired_households(limit).filter(pk__gt=last_pk).order_by("pk").values_list("pk", "public_id")[:batch_size]
        )
        if not rows:
            break
        last_pk = rows[-1][0]
        pk_of = {uuid: pk for pk, uuid in rows}
        ids = list(pk_of.values())
        phase = time.perf_counter()
        records = build_records(ids, run_id=run.pk, now=now)
        phases["read"] += time.perf_counter() - phase
        # A file with activity in a month the statistics have not frozen yet waits (its clock
        # was set back by hand, or the statistics are late): purging it would change a total.
        waiting = {
            file.household_public_id
            for file, _ in records
            if file.last_month and not {file.first_month, file.last_month} <= frozen_months
        }
        records = [record for record in records if record[0].household_public_id not in waiting]
        not_frozen += len(waiting)
        ids = [pk_of[file.household_public_id] for file, _ in records]
        if not records:
            _progress(run, progress, done=transferred + skipped + not_frozen)
            continue
        phase = time.perf_counter()
        _write_archive(records)
        phases["archive"] += time.perf_counter() - phase
        fault("after_archive_write")
        phase = time.perf_counter()
        with transaction.atomic():
            # Lock the rows and check again: an action that reached a file since the batch was
            # chosen moved its clock, and the file stays.
            locked = list(
                expired_households(limit).filter(pk__in=ids).select_for_update().values_list("pk", "public_id")
            )
            locked_ids = [pk for pk, _ in locked]
            deleted += delete_files(locked_ids)
            fault("before_commit")
        phases["delete"] += time.perf_counter() - phase
        fault("after_delete")
        phase = time.perf_counter()
        deleted_uuids = {uuid for _, uuid in locked}
        _settle_batch(records, deleted_uuids)
        for file, persons in records:
            if file.household_public_id in deleted_uuids:
                archived["files"] += 1
                archived["persons"] += len(persons)
                archived["requests"] += len(file.content["requests"])
                archived["stays"] += len(file.content["stays"])
                archived["emergency_requests"] += len(file.content["emergency_requests"])
        phases["confirm"] += time.perf_counter() - phase
        transferred += len(locked_ids)
        skipped += len(records) - len(locked_ids)
        _progress(run, progress, done=transferred + skipped + not_frozen)

    seconds = time.perf_counter() - started
    _progress(run, progress, step="Appels et rencontres sans dossier")
    calls = delete_unattached(unattached_calls, limit, batch_size)
    encounters = delete_unattached(unattached_encounters, limit, batch_size)

    _progress(run, progress, step="Archive : dossiers de plus de dix ans")
    archives_deleted = 0
    while ids := list(expired_archives(timezone.localdate(now)).values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic(using="archive"):
            archives_deleted += ArchivedFile.objects.filter(pk__in=ids).delete()[1].get(ArchivedFile._meta.label, 0)

    report.update(
        transferred=transferred,
        kept_after_recheck=skipped,
        not_in_statistics_yet=not_frozen,
        deleted_rows=dict(deleted),
        unattached_calls_deleted=calls,
        unattached_encounters_deleted=encounters,
        archives_deleted=archives_deleted,
        seconds=round(seconds, 2),
        files_per_second=round(transferred / seconds) if seconds and transferred else None,
        phase_seconds={name: round(value, 2) for name, value in phases.items()},
        archived=dict(archived),
    )
    record(
        "retention.run_finished",
        obj=run,
        data={
            key: report[key]
            for key in ("cutoff", "transferred", "unattached_calls_deleted", "unattached_encounters_deleted")
        }
        | {"archives_deleted": archives_deleted},
    )
    return report
