"""The retention run: boundaries in time, what goes where, idempotence, the clock."""

import datetime

import pytest
from django.db import connections
from django.utils import timezone

from siao.archive.models import ArchivedFile, ArchivedPerson, ArchiveState
from siao.emergency.models import Call, EmergencyRequest, OutreachEncounter
from siao.households import actions as household_actions
from siao.households.models import Assessment, Household, HouseholdMember, Note, Person
from siao.orientation.models import Referral, Request, Stay
from siao.retention import purge
from siao.retention.check import run_checks
from siao.retention.models import RetentionRun, RunStatus
from siao.retention.purge import months_before
from siao.statistics.models import Cell
from tests.factories import PersonFactory, household_with
from tests.orientation.helpers import World

from .helpers import age, full_file, later

pytestmark = pytest.mark.django_db(databases=["default", "archive", "stats"])

RUN_NOW = None


@pytest.fixture
def run_now():
    """The run happens 26 months from now: every month of today's data is frozen by then."""
    return later(26)


def execute(now, **kwargs):
    return purge.execute(now=now, **kwargs)


def test_boundaries_24_months_is_out_23_months_29_days_is_in(run_now):
    exactly = household_with()
    almost = household_with()
    older = household_with()
    age(exactly, months=24, now=run_now)
    Household.objects.filter(pk=almost.pk).update(
        last_action_at=months_before(run_now, 24) + datetime.timedelta(days=1)
    )
    age(older, months=25, now=run_now)

    report = execute(run_now)

    remaining = set(Household.objects.values_list("pk", flat=True))
    assert almost.pk in remaining
    assert exactly.pk not in remaining and older.pk not in remaining
    assert report["transferred"] == 2
    assert set(ArchivedFile.objects.values_list("household_public_id", flat=True)) == {
        exactly.public_id,
        older.public_id,
    }


def test_an_action_resets_the_clock_and_a_read_does_not(run_now):
    world = World.build()
    read_only, acted_on = world.household, household_with(program=world.origin)
    for household in (read_only, acted_on):
        age(household, months=25, now=run_now)
    household_actions.view_household(actor=world.prescriber, household=read_only)
    # The action happens "later" too: the clock moves to the moment of the action.
    Household.objects.filter(pk=acted_on.pk).update(last_action_at=run_now - datetime.timedelta(days=3))
    household_actions.touch_household(acted_on, when=run_now - datetime.timedelta(days=2))

    execute(run_now)

    assert not Household.objects.filter(pk=read_only.pk).exists()
    assert Household.objects.filter(pk=acted_on.pk).exists()


def test_a_real_action_moves_the_clock_so_the_file_is_kept():
    world = World.build()
    age(world.household, months=25)
    household_actions.write_note(actor=world.prescriber, household=world.household, text="Nouvel échange fictif.")
    assert purge.expired_households(purge.cutoff()).filter(pk=world.household.pk).exists() is False


def test_everything_is_transferred_then_deleted(run_now):
    world, household = full_file()
    persons = list(Person.objects.filter(memberships__household=household).values_list("public_id", flat=True))
    age(household, months=25, now=run_now)

    report = execute(run_now)

    assert report["transferred"] == 1
    for model in (Household, HouseholdMember, Request, Referral, Stay, Note, Assessment, EmergencyRequest, Call):
        assert (
            not model.objects.exists()
            or not model.objects.filter(
                **({"household": household.pk} if hasattr(model, "household") else {})
            ).exists()
        ), model
    assert not Person.objects.filter(public_id__in=persons).exists()
    archived = ArchivedFile.objects.get(household_public_id=household.public_id)
    assert archived.state == ArchiveState.DONE
    assert archived.department == "35"
    (request,) = archived.content["requests"]
    assert request["status"] and request["history"]
    assert request["referrals"][0]["status"] == "admitted"
    (stay,) = archived.content["stays"]
    assert stay["exit_reason"] == "other" and stay["ended_on"]
    assert len(archived.content["emergency_requests"]) == 1
    # Minimized: no free text, no assessment, no contact details.
    text = str(archived.content)
    assert "Transmission fictive" not in text and "assessments" not in archived.content
    assert {p.person_public_id for p in ArchivedPerson.objects.filter(file=archived)} == set(persons)
    assert archived.expires_on.year == timezone.localdate(run_now).year + 10


def test_a_person_member_of_another_living_file_is_kept():
    shared = PersonFactory()
    old = household_with(persons=[shared])
    HouseholdMember.objects.filter(household=old, person=shared).update(left_on=timezone.localdate())
    living = household_with(persons=[PersonFactory(), shared])
    run_now = later(26)
    age(old, months=25, now=run_now)
    Household.objects.filter(pk=living.pk).update(last_action_at=run_now)

    execute(run_now)

    assert Person.objects.filter(pk=shared.pk).exists()
    assert not HouseholdMember.objects.filter(household_id=old.pk).exists()
    assert HouseholdMember.objects.filter(household=living, person=shared).exists()
    assert ArchivedPerson.objects.filter(person_public_id=shared.public_id).count() == 1


def test_a_file_with_a_current_stay_is_kept_and_reported(run_now):
    world = World.build()
    referral = world.accepted()
    from siao.orientation import actions

    actions.admit(actor=world.manager, referral=referral, place=world.places()[0], started_on=timezone.localdate())
    age(world.household, months=30, now=run_now)

    report = execute(run_now)

    assert Household.objects.filter(pk=world.household.pk).exists()
    assert report["exempt_current_stay"] == 1 and report["transferred"] == 0


def test_dry_run_reports_and_changes_nothing(run_now):
    files = [household_with(code=code) for code in ("35", "35", "29")]
    for household in files:
        age(household, months=25, now=run_now)
    before = Cell.objects.count()

    report = execute(run_now, dry_run=True)

    assert report["files"] == 3 and report["by_department"] == {"35": 2, "29": 1}
    assert report["to_archive"]["persons"] == 3
    assert Household.objects.count() == 3
    assert not ArchivedFile.objects.exists()
    assert Cell.objects.count() == before
    run = RetentionRun.objects.get()
    assert run.dry_run and run.status == RunStatus.DONE and run.total == 3


def test_idempotent_second_run_finds_nothing(run_now):
    for _ in range(3):
        age(household_with(), months=25, now=run_now)
    first = execute(run_now, batch_size=2)
    cells = list(Cell.objects.order_by("pk").values_list("month", "measure", "dimension", "value", "count"))
    second = execute(run_now, batch_size=2)
    assert first["transferred"] == 3 and second["transferred"] == 0
    assert ArchivedFile.objects.count() == 3
    assert list(Cell.objects.order_by("pk").values_list("month", "measure", "dimension", "value", "count")) == cells
    assert run_checks(run_now).ok, run_checks(run_now).findings


def test_purging_never_changes_published_totals(run_now):
    world, household = full_file()
    from siao.statistics.feed import refresh

    refresh(today=timezone.localdate(run_now))
    published = sorted(Cell.objects.values_list("month", "department", "measure", "dimension", "value", "count"))
    age(household, months=25, now=run_now)

    execute(run_now)

    refresh(today=timezone.localdate(run_now))
    assert sorted(Cell.objects.values_list("month", "department", "measure", "dimension", "value", "count")) == (
        published
    )
    assert run_checks(run_now).ok, [f for f in run_checks(run_now).findings if not f.ok]


def test_files_whose_months_are_not_frozen_wait():
    """Run today with a clock set back by hand: today's month is open, the file waits."""
    _, household = full_file()
    age(household, months=25)
    report = purge.execute()
    assert Household.objects.filter(pk=household.pk).exists()
    assert report["transferred"] == 0
    assert not ArchivedFile.objects.exists()


def test_unattached_calls_and_encounters_past_retention_are_deleted(run_now):
    from siao.accounts.enums import Role
    from siao.emergency import actions as emergency_actions
    from siao.emergency.enums import CallerType
    from tests.factories import actor_for, membership_for

    handler = actor_for(membership_for(Role.CALL_HANDLER))
    old_call = emergency_actions.log_call(actor=handler, caller_type=CallerType.PERSON)
    Call.objects.filter(pk=old_call.pk).update(received_at=months_before(run_now, 25))
    recent_call = emergency_actions.log_call(actor=handler, caller_type=CallerType.PERSON)
    Call.objects.filter(pk=recent_call.pk).update(received_at=run_now)

    report = execute(run_now)

    assert report["unattached_calls_deleted"] == 1
    assert list(Call.objects.values_list("pk", flat=True)) == [recent_call.pk]
    assert OutreachEncounter.objects.count() == 0


def test_archives_older_than_ten_years_are_deleted(run_now):
    age(household_with(), months=25, now=run_now)
    execute(run_now)
    assert ArchivedFile.objects.count() == 1
    eleven_years = run_now + datetime.timedelta(days=365 * 11)
    report = purge.execute(now=eleven_years)
    assert report["archives_deleted"] == 1
    assert not ArchivedFile.objects.exists() and not ArchivedPerson.objects.exists()


def test_every_table_holding_a_file_is_in_the_deletion_plan():
    """Walk the relations from Household and Person: every model they cascade to (or that
    points at them) is deleted by the run, so a new table can't be forgotten."""
    from django.apps import apps

    planned = {model for model, _ in purge._deletions(purge.Batch([]))}
    reached, frontier = {Household, Person}, [Household, Person]
    while frontier:
        target = frontier.pop()
        for model in apps.get_models(include_auto_created=True):
            for field in model._meta.get_fields():
                if field.is_relation and field.concrete and field.related_model is target and model not in reached:
                    reached.add(model)
                    frontier.append(model)
    ignored = {apps.get_model("offer", "Public")}  # reached through a m2m's through table only
    assert reached - planned - ignored == set()


def test_the_deletion_order_is_accepted_by_the_database(run_now):
    """With foreign keys checked (SQLite and PostgreSQL both defer them to the commit)."""
    full_file()
    for household in Household.objects.all():
        age(household, months=25, now=run_now)
    execute(run_now)
    assert Household.objects.count() == 0
    connection = connections["default"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []


def test_the_dry_run_forecasts_the_files_that_will_wait_and_the_reports_say_it():
    from siao.retention.management.commands.retention_run import format_report

    _, household = full_file()
    age(household, months=25)
    forecast = purge.execute(dry_run=True)
    assert forecast["files"] == 1 and forecast["waiting_for_statistics"] == 1
    assert "dont en attente" in format_report(forecast, dry_run=True)
    assert forecast["to_archive"]["persons"] == 0  # what waits is not announced for the archive
    report = purge.execute()
    assert report["transferred"] == 0 and report["not_in_statistics_yet"] == 1
    text = format_report(report, dry_run=False)
    assert "Transférés vers l'archive légale puis supprimés : 0 dossier" in text and "Non purgés" in text
    # Waiting for the statistics is normal: the check passes and says it.
    check = run_checks()
    assert check.ok
    assert "1 dossier en attente du gel des statistiques" in check.findings[0].detail


def test_the_real_run_reports_what_it_archived(run_now):
    from siao.retention.management.commands.retention_run import format_report

    _, household = full_file()
    age(household, months=25, now=run_now)
    report = execute(run_now)
    assert report["archived"] == {"files": 1, "persons": 1, "requests": 1, "stays": 1, "emergency_requests": 1}
    text = format_report(report, dry_run=False)
    assert "1 dossier (1 personne, 1 demande, 1 prise en charge, 1 demande au 115)" in text
    assert "depuis le " in text and "-" not in text.split("depuis le ")[1][:10]


def test_a_draft_request_does_not_hold_a_file_back():
    """A draft was never transmitted: the statistics don't count it, the file does not wait."""
    world = World.build()
    world.draft()
    age(world.household, months=25)
    forecast = purge.execute(dry_run=True)
    assert forecast["files"] == 1 and forecast["waiting_for_statistics"] == 0
    report = purge.execute()
    assert report["transferred"] == 1 and not Household.objects.filter(pk=world.household.pk).exists()
    assert ArchivedFile.objects.get().content["requests"] == []
