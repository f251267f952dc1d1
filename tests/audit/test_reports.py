"""The access reports (RGPD accountability): per household file and per user; who reads them
(administrators, in their département; 404 beyond), what they list (consultations and
modifications by others, with French labels), the CSV files parsed back, the reading of a report
itself traced, pinned query counts; and the coverage of the trail: every action on a file
records an event that its report finds."""

import csv
import datetime
import html
import inspect
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit import reports
from siao.audit.labels import ACTION_LABELS
from siao.audit.models import AuditEvent
from siao.audit.report_tiles import tiles_for
from siao.emergency import actions as emergency_actions
from siao.emergency.enums import CallerType, SleepingPlace
from siao.households import actions, rights
from siao.households.enums import Section
from siao.orientation import actions as orientation_actions
from siao.orientation.enums import Priority
from tests.emergency.helpers import EmergencyWorld
from tests.factories import PersonFactory, actor_for, household_with, membership_for
from tests.households.test_rights import record_access
from tests.orientation.helpers import DESTINATION, World

pytestmark = pytest.mark.django_db

INDEX = reverse("audit:report_index")
READER_ROLES = [Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN]
OTHER_ROLES = sorted(set(Role.values) - set(READER_ROLES))


def text(response) -> str:
    return html.unescape(response.content.decode())


def file_url(household, name="audit:file_report"):
    return reverse(name, args=[household.public_id])


def user_url(user, name="audit:user_report"):
    return reverse(name, args=[user.public_id])


def parsed_csv(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


@pytest.fixture
def visited():
    """A file in 35 that a SIAO operator opened and a social worker wrote a note on."""
    worker = membership_for(Role.SOCIAL_WORKER)
    household = household_with(program=worker.program)
    operator = membership_for(Role.SIAO_OPERATOR)
    actions.view_household(actor=actor_for(operator), household=household)
    actions.write_note(actor=actor_for(worker), household=household, text="Transmission de suivi.")
    return household, operator, worker


# --- guards ------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client, visited):
    household, operator, _ = visited
    urls = [INDEX, file_url(household), file_url(household, "audit:file_report_csv")]
    urls += [user_url(operator.user), user_url(operator.user, "audit:user_report_csv")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_the_reports_are_refused_to_the_other_roles(client_as, role, visited):
    household, operator, _ = visited
    client = client_as(role)
    for url in (INDEX, file_url(household), file_url(household, "audit:file_report_csv"), user_url(operator.user)):
        assert client.get(url).status_code == 403, url
    assert not AuditEvent.objects.filter(action__startswith="audit.").exists()


@pytest.mark.parametrize("role", [Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN])
def test_a_file_or_a_user_of_another_departement_is_not_found(client_as, role, visited):
    household, operator, worker = visited
    client = client_as(role, code="29")
    for url in (
        file_url(household),
        file_url(household, "audit:file_report_csv"),
        user_url(operator.user),
        user_url(worker.user, "audit:user_report_csv"),
        reverse("audit:file_report", args=["6f1c2c7e-0000-4000-8000-000000000000"]),
    ):
        assert client.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(action__startswith="audit.").exists()


def test_the_national_administrator_reads_every_file_and_user(client_as, visited):
    household, operator, _ = visited
    client = client_as(Role.NATIONAL_ADMIN)
    assert client.get(file_url(household_with(code="29"))).status_code == 200
    assert client.get(user_url(operator.user)).status_code == 200


# --- the landing page --------------------------------------------------------------------------


def test_the_landing_page_leads_to_a_file_or_a_user_of_the_perimeter(client_as, visited):
    household, operator, _ = visited
    client = client_as(Role.SIAO_ADMIN)
    assert client.get(INDEX).status_code == 200
    response = client.get(INDEX, {"dossier": str(household.public_id)})
    assert response.status_code == 302 and response.url == file_url(household)
    response = client.get(INDEX, {"utilisateur": operator.user.email.upper()})
    assert response.status_code == 302 and response.url == user_url(operator.user)
    response = client.get(INDEX, {"dossier": str(household_with(code="29").public_id)})
    assert response.status_code == 400
    assert "Aucun dossier de votre périmètre ne porte ce numéro." in text(response)
    elsewhere = membership_for(Role.SIAO_OPERATOR, "29")
    response = client.get(INDEX, {"utilisateur": elsewhere.user.email})
    assert "Aucun utilisateur de votre périmètre n'a cette adresse." in text(response)
    response = client.get(INDEX, {"dossier": "", "utilisateur": ""})
    assert "Saisissez un numéro de dossier ou l'adresse électronique" in text(response)
    response = client.get(INDEX, {"dossier": "12-34"})
    assert "Saisissez un numéro de dossier complet." in text(response)


def test_the_tiles_lead_to_the_reports_and_the_register():
    def titles(role, code="35"):
        return [tile.title for tile in tiles_for(actor_for(membership_for(role, code)))]

    assert titles(Role.NATIONAL_ADMIN) == ["Rapports d'accès", "Droits des personnes"]
    assert titles(Role.DEPARTMENT_ADMIN) == ["Rapports d'accès"]
    assert titles(Role.SIAO_ADMIN) == ["Rapports d'accès", "Droits des personnes"]
    assert titles(Role.SIAO_OPERATOR) == ["Droits des personnes"]
    for role in (Role.CALL_HANDLER, Role.SOCIAL_WORKER, Role.ANALYST, Role.OPERATOR_MANAGER):
        assert titles(role) == []


# --- per file ------------------------------------------------------------------------------


def test_the_file_report_lists_a_consultation_and_a_modification_by_other_users(client_as, visited):
    household, operator, worker = visited
    client = client_as(Role.DEPARTMENT_ADMIN)
    response = client.get(file_url(household))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row.email, row.role, row.organization, row.action, row.page, row.nature) for row in rows] == [
        (
            worker.user.email,
            "Travailleur social",
            worker.organization.name,
            "Transmission écrite",
            "Ménage",
            "Modification",
        ),
        (
            operator.user.email,
            "Opérateur SIAO",
            operator.organization.name,
            "Consultation du dossier",
            "Dossier",
            "Consultation",
        ),
    ]
    content = text(response)
    assert operator.user.email in content and "Consultation du dossier" in content
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "audit.file_report_viewed" and event.object_id == str(household.public_id)
    assert event.data == {"since": "", "until": "", "format": "html"}
    # The next reading shows the first one.
    rows = client.get(file_url(household)).context["rows"]
    assert rows[0].action == "Consultation du rapport des accès au dossier"
    assert rows[0].nature == "Rapport des accès"


def test_the_file_report_finds_the_events_on_the_file_objects():
    world = World.build()
    referral = world.oriented()
    rights_request = record_access(world.prescriber, world.household)
    actions.update_person(actor=world.prescriber, person=world.household.head, data={"phone": "0600000000"})
    ids = reports.file_object_ids(world.household)
    for public_id in (world.household.public_id, world.household.head.public_id, referral.public_id):
        assert str(public_id) in ids
    assert str(referral.request.public_id) in ids and str(rights_request.public_id) in ids
    found = {event.action for event in reports.file_events(world.household)}
    assert {
        "orientation.request_created",
        "orientation.request_transmitted",
        "orientation.referral_proposed",
        "households.rights_request_recorded",
        "households.person_updated",
    } <= found
    assert not reports.file_events(household_with()).exists()


def test_the_period_filter_and_the_pagination(client_as, monkeypatch):
    from siao.audit import views

    monkeypatch.setattr(views, "REPORT_PAGE_SIZE", 2)
    household = household_with()
    reader = actor_for(membership_for(Role.SIAO_OPERATOR))
    with time_machine.travel(timezone.now() - datetime.timedelta(days=30)):
        actions.view_household(actor=reader, household=household)
    for _ in range(3):
        actions.view_household(actor=reader, household=household)
    client = client_as(Role.SIAO_ADMIN)
    since = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    response = client.get(file_url(household), {"du": since})
    assert len(response.context["rows"]) == 2 and response.context["older"]
    older = client.get(file_url(household), {"du": since, "avant": response.context["older"]})
    assert len(older.context["rows"]) == 1
    assert len(client.get(file_url(household)).context["rows"]) == 2
    response = client.get(file_url(household), {"du": "2026-02-01", "au": "2026-01-01"})
    assert response.status_code == 400
    assert "La date de début doit précéder la date de fin." in text(response)


def test_the_file_report_csv_reads_back(client_as, visited):
    household, operator, worker = visited
    client = client_as(Role.SIAO_ADMIN)
    response = client.get(file_url(household, "audit:file_report_csv"), {"du": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="acces-dossier-{household.public_id}.csv"'
    header, *lines = parsed_csv(response)
    assert header == reports.CSV_HEADER
    assert [(line[1], line[2], line[3], line[5], line[6]) for line in lines] == [
        ("Consultation", operator.user.email, "Opérateur SIAO", "Consultation du dossier", "Dossier"),
        ("Modification", worker.user.email, "Travailleur social", "Transmission écrite", "Ménage"),
    ]
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", lines[0][0])
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "audit.file_report_viewed" and event.data["format"] == "csv"
    response = client.get(file_url(household, "audit:file_report_csv"), {"du": "nonsense"})
    assert response.status_code == 400


@pytest.mark.parametrize("consultations", [1, 30])
def test_the_file_report_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries, consultations):
    household = household_with()
    reader = actor_for(membership_for(Role.SIAO_OPERATOR))
    for _ in range(consultations):
        actions.view_household(actor=reader, household=household)
    client = client_as(Role.SIAO_ADMIN)
    # session (4), the household, the file's objects, the events, the reading recorded (5), the
    # menu's archive authorization (siao.retention's tile), session saved (3).
    with django_assert_num_queries(15):
        assert client.get(file_url(household)).status_code == 200


# --- per user --------------------------------------------------------------------------------


def test_the_user_report_lists_the_files_with_counts_and_the_detail(client_as):
    worker = membership_for(Role.SOCIAL_WORKER)
    worker_actor = actor_for(worker)
    first = household_with(program=worker.program)
    second = household_with(program=worker.program)
    elsewhere = household_with(code="29", program=worker.program)
    for _ in range(2):
        actions.view_household(actor=worker_actor, household=first)
    actions.write_note(actor=worker_actor, household=first, text="Note.")
    actions.update_person(actor=worker_actor, person=second.head, data={"phone": "0611111111"})
    actions.view_household(actor=worker_actor, household=elsewhere)
    record_access(worker_actor, second)
    client = client_as(Role.SIAO_ADMIN)
    response = client.get(user_url(worker.user))
    assert response.status_code == 200
    files = {access.household_public_id: access for access in response.context["report"].files}
    assert set(files) == {str(first.public_id), str(second.public_id)}  # not the file held in 29
    assert (files[str(first.public_id)].consultations, files[str(first.public_id)].modifications) == (2, 1)
    assert (files[str(second.public_id)].consultations, files[str(second.public_id)].modifications) == (0, 2)
    detail = response.context["report"].detail
    assert [row.action for row in detail] == [
        "Demande d'exercice des droits enregistrée",
        "Personne modifiée",
        "Transmission écrite",
        "Consultation du dossier",
        "Consultation du dossier",
    ]
    assert detail[1].household == str(second.public_id)
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "audit.user_report_viewed" and event.object_id == str(worker.user.public_id)
    national = client_as(Role.NATIONAL_ADMIN).get(user_url(worker.user))
    assert len(national.context["report"].files) == 3


def test_the_user_report_csv_reads_back_and_the_reports_reading_is_not_an_access(client_as):
    worker = membership_for(Role.SOCIAL_WORKER)
    household = household_with(program=worker.program)
    actions.write_note(actor=actor_for(worker), household=household, text="Note.")
    client = client_as(Role.SIAO_ADMIN)
    client.get(file_url(household))  # the administrator's own reading is no access to a file's data
    response = client.get(user_url(worker.user, "audit:user_report_csv"))
    header, *lines = parsed_csv(response)
    assert header == ["Dossier", *reports.CSV_HEADER]
    assert [(line[0], line[2], line[3], line[6]) for line in lines] == [
        (str(household.public_id), "Modification", worker.user.email, "Transmission écrite")
    ]
    admin_report = client_as(Role.NATIONAL_ADMIN).get(user_url(client.membership.user))
    assert admin_report.context["report"].files == []


def test_a_departmental_administrator_reports_on_the_users_of_its_departement(client_as):
    operator35 = membership_for(Role.SIAO_OPERATOR)
    operator29 = membership_for(Role.SIAO_OPERATOR, "29")
    social_worker = membership_for(Role.SOCIAL_WORKER)
    client = client_as(Role.DEPARTMENT_ADMIN)
    assert client.get(user_url(operator35.user)).status_code == 200
    assert client.get(user_url(social_worker.user)).status_code == 200  # an operator working in 35
    assert client.get(user_url(operator29.user)).status_code == 404


@pytest.mark.parametrize("files", [1, 4])
def test_the_user_report_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries, files):
    worker = membership_for(Role.SOCIAL_WORKER)
    for _ in range(files):
        household = household_with(program=worker.program)
        actions.view_household(actor=actor_for(worker), household=household)
        actions.write_note(actor=actor_for(worker), household=household, text="Note.")
    client = client_as(Role.SIAO_ADMIN)
    # session (4), the user, the grouped events, the households of those events, the detail,
    # the reading recorded (5), the menu's archive authorization (siao.retention's tile),
    # session saved (3).
    with django_assert_num_queries(16):
        assert client.get(user_url(worker.user)).status_code == 200


# --- labels ----------------------------------------------------------------------------------


def test_every_action_on_household_data_has_a_french_label():
    source = "\n".join(
        inspect.getsource(module) for module in (actions, rights, orientation_actions, emergency_actions)
    )
    names = set(re.findall(r'"((?:households|orientation|emergency)\.[a-z_]+)"', source)) - set(
        reports.FILE_OBJECT_TYPES
    )
    names |= {"households.data_exported"}
    assert len(names) > 40
    assert sorted(name for name in names if name not in ACTION_LABELS) == []


# --- coverage of the trail -------------------------------------------------------------------

# Public functions of the action modules that record nothing themselves, and why.
NOT_RECORDING = {
    "siao.households.actions": {
        "touch_household": "a helper of the actions (the retention clock)",
        "editable_person_fields": "a permission helper",
        "readable_person_fields": "a permission helper",
        "consultations": "reads the trail itself",
    },
    "siao.households.rights": {
        "add_one_month": "a date helper",
        "can_record_rights_request": "a permission helper",
        "can_answer_rights_requests": "a permission helper",
        "can_view_register": "a permission helper",
        "holds_file": "a permission helper",
        "open_access_requests": "a query",
        "register_for": "a query",
        "refusal_errors": "a check of a refusal's text (the answer records)",
    },
    "siao.orientation.actions": {"missing_for_transmission": "a check before transmitting"},
    "siao.emergency.actions": {
        "on_stay_ended": "runs inside end_stay, which records orientation.stay_ended",
        "rollover_nights": "calls _rollover_one, which records each change",
    },
}


@pytest.mark.parametrize("module", [actions, rights, orientation_actions, emergency_actions])
def test_every_public_action_records_an_audit_event(module):
    exempt = NOT_RECORDING[module.__name__]
    functions = {
        name: function
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }
    missing = [name for name, f in functions.items() if name not in exempt and "record(" not in inspect.getsource(f)]
    assert missing == []
    assert set(exempt) <= set(functions)  # no stale exemption


def test_every_change_and_consultation_of_a_file_shows_in_its_report():
    """Walk the actions on one file (the household, its persons, assessment, notes, contacts,
    requests to the exit, the 115 and outreach, the rights) and check that each event they
    record is in the file's report."""
    world = World.build()
    prescriber, siao, manager = world.prescriber, world.siao, world.manager
    household = actions.create_household(
        actor=prescriber,
        head={"last_name": "Exemple", "first_name": "Camille", "birth_date": datetime.date(1990, 5, 1), "sex": "F"},
    )
    world.household = household
    head = household.head
    partner = actions.add_member(
        actor=prescriber,
        household=household,
        relationship="spouse",
        identity={"last_name": "Exemple", "first_name": "Alix", "birth_date": datetime.date(1988, 1, 1)},
    ).person
    actions.update_person(actor=prescriber, person=partner, data={"phone": "0600000000"})
    actions.record_residential_situation(actor=prescriber, person=head, situation=20)
    actions.set_head(actor=prescriber, household=household, person=partner, previous_head_relationship="spouse")
    actions.set_head(actor=prescriber, household=household, person=head, previous_head_relationship="spouse")
    actions.set_composition(actor=prescriber, household=household, composition="couple_without_children")
    assessment = actions.start_assessment(actor=prescriber, household=household, kind="social")
    actions.save_assessment_section(
        actor=prescriber, assessment=assessment, section=Section.HEALTH, data={}, text="Suivi.", expected_version=0
    )
    actions.view_section(actor=siao, assessment=assessment, section=Section.HEALTH)
    actions.write_note(actor=prescriber, household=household, text="Note.")
    actions.record_contact(actor=prescriber, household=household, occurred_on=timezone.localdate(), channel="phone")
    actions.view_household(actor=siao, household=household)
    # Requests: one cancelled and reactivated, one to the exit.
    draft = world.draft()
    orientation_actions.update_request(
        actor=prescriber, request=draft, reason=draft.reason, housing_situation=draft.housing_situation, comment="Maj"
    )
    orientation_actions.cancel_request(actor=prescriber, request=draft, reason="duplicate")
    orientation_actions.reactivate_request(actor=prescriber, request=draft)
    orientation_actions.cancel_request(actor=prescriber, request=draft, reason="duplicate")
    request = world.transmitted()
    orientation_actions.send_back_request(actor=siao, request=request, reason="Compléter.")
    orientation_actions.transmit_request(actor=prescriber, request=request)
    orientation_actions.mark_request_complete(actor=siao, request=request)
    orientation_actions.set_request_priority(actor=siao, request=request, priority=Priority.HIGH)
    (referral,) = orientation_actions.orient_request(actor=siao, request=request, programs=[world.target])
    orientation_actions.record_household_refusal(actor=siao, referral=referral, reason="location", justified=True)
    (referral,) = orientation_actions.orient_request(actor=siao, request=request, programs=[world.target])
    orientation_actions.decide_referral(actor=manager, referral=referral, accept=True)
    place = next(place for place in world.places() if place.state == "available")
    stay = orientation_actions.admit(actor=manager, referral=referral, place=place, started_on=timezone.localdate())
    orientation_actions.end_stay(
        actor=manager,
        stay=stay,
        ended_on=timezone.localdate(),
        exit_reason="end_of_support",
        exit_destination=DESTINATION,
    )
    # The 115 and the outreach team.
    emergency = EmergencyWorld.build()
    emergency.household = household
    handler = emergency.handler
    unmet = emergency.request()
    emergency_actions.update_call_notes(actor=handler, call=unmet.call, comment="Rappellera.")
    emergency_actions.orient_emergency_request(actor=handler, emergency_request=unmet, place_group=emergency.group)
    emergency_actions.release_orientation(actor=handler, emergency_request=unmet)
    emergency_actions.record_unmet(actor=handler, emergency_request=unmet, reason="no_place")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        sheltered = emergency.sheltered(sleeping_place=SleepingPlace.STREET)
        emergency_actions.renew_nights(
            actor=handler,
            emergency_requests=[sheltered],
            until=sheltered.night_of + datetime.timedelta(days=1),
        )
    household.accompaniments.create(program=emergency.outreach)
    encounter = emergency_actions.record_encounter(
        actor=emergency.outreach_worker, location="Gare", household=household
    )
    signal = emergency_actions.send_signal(actor=emergency.outreach_worker, encounter=encounter, message="À voir.")
    emergency_actions.log_call(actor=handler, caller_type=CallerType.OUTREACH, signal=signal)
    emergency_actions.close_signal(actor=handler, signal=signal)
    # The rights.
    rights_request = record_access(prescriber, household)
    rights.export_person_data(actor=siao, rights_request=rights_request, person=head)
    rights.answer_rights_request(actor=siao, rights_request=rights_request, outcome="answered", answer="Remis.")

    recorded = AuditEvent.objects.filter(action__regex=r"^(households|orientation|emergency)\.")
    in_report = set(reports.file_events(household).values_list("pk", flat=True))
    assert sorted({event.action for event in recorded if event.pk not in in_report}) == []
    assert {event.action for event in recorded} >= {
        "households.created",
        "households.member_added",
        "households.section_viewed",
        "households.file_viewed",
        "orientation.household_refused",
        "orientation.stay_ended",
        "emergency.request_unmet",
        "emergency.nights_renewed",
        "emergency.signal_closed",
        "households.data_exported",
        "households.rights_request_answered",
    }


def test_moving_a_person_leaves_no_event_on_the_household_left():
    """A known gap (reported): `move_person` records `households.person_moved` on the household
    joined only; the household left learns of the departure through the person's object."""
    operator = actor_for(membership_for(Role.SIAO_OPERATOR))
    left = household_with(persons=[PersonFactory(), PersonFactory()])
    partner = left.members.exclude(person=left.head).get().person
    joined = household_with()
    actions.move_person(actor=operator, person=partner, to_household=joined)
    assert "households.person_moved" in {event.action for event in reports.file_events(joined)}
    assert "households.person_moved" not in {event.action for event in reports.file_events(left)}


# --- the legal archive and purged files ------------------------------------------------------

ARCHIVE_DATABASES = ["default", "archive", "stats"]


def purged_file_consulted():
    """A file in 35 an operator consulted, then deleted by the retention run (its events stay)."""
    from siao.retention import purge
    from tests.retention.helpers import age, later

    household = household_with()
    actions.view_household(actor=actor_for(membership_for(Role.SIAO_OPERATOR)), household=household)
    run_now = later(26)
    age(household, months=25, now=run_now)
    purge.execute(now=run_now)
    assert not type(household).objects.filter(pk=household.pk).exists()
    return household


@pytest.mark.django_db(databases=ARCHIVE_DATABASES)
def test_the_national_administrator_reads_the_report_of_a_purged_file(client_as):
    household = purged_file_consulted()
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.get(file_url(household))
    assert response.status_code == 200
    content = text(response)
    assert reports.PURGED_NOTICE in content
    assert "Consultation du dossier" in [row.action for row in response.context["rows"]]
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "audit.file_report_viewed" and event.object_id == str(household.public_id)
    header, *lines = parsed_csv(client.get(file_url(household, "audit:file_report_csv")))
    assert any(line[5] == "Consultation du dossier" for line in lines)
    found = client.get(INDEX, {"dossier": str(household.public_id)})
    assert found.status_code == 302 and found.url == file_url(household)
    for role in (Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN):
        other = client_as(role)
        assert other.get(file_url(household)).status_code == 404
        assert other.get(file_url(household, "audit:file_report_csv")).status_code == 404
        assert "Aucun dossier de votre périmètre" in text(other.get(INDEX, {"dossier": str(household.public_id)}))


def test_a_file_number_the_trail_never_saw_is_not_found_even_nationally(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    assert client.get(reverse("audit:file_report", args=["00000000-0000-4000-8000-000000000000"])).status_code == 404


def archive_reader(code="35"):
    """A SIAO administrator of `code` holding a special authorization (for that département)."""
    from tests.retention.test_views import archived_file, grant

    archived = archived_file(code=code, last_name="Fictif")
    reader = membership_for(Role.SIAO_ADMIN, code)
    authorization = grant(reader.user, code=code)
    return archived, actor_for(reader), authorization


@pytest.mark.django_db(databases=ARCHIVE_DATABASES)
def test_the_user_report_includes_the_archive_reads_and_searches(client_as):
    from siao.retention import actions as retention_actions

    archived, reader, _ = archive_reader()
    retention_actions.search_archive(actor=reader, last_name="Fictif")
    retention_actions.read_archived_file(actor=reader, file_number=archived.household_public_id)
    number = str(archived.household_public_id)
    for role in (Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN):
        response = client_as(role).get(user_url(reader.user))
        report = response.context["report"]
        assert [(access.household_public_id, access.consultations) for access in report.files] == [(number, 1)]
        assert "Archive légale" in report.files[0].department
        assert [(row.action, row.household, row.page) for row in report.detail] == [
            ("Consultation d'un dossier archivé", number, "Archive légale"),
            ("Recherche dans l'archive légale", "", "Archive légale : recherche"),
        ]
        assert "Archive légale" in text(response)
    csv_lines = parsed_csv(client_as(Role.NATIONAL_ADMIN).get(user_url(reader.user, "audit:user_report_csv")))[1:]
    assert [(line[0], line[7]) for line in csv_lines] == [
        (number, "Archive légale"),
        ("", "Archive légale : recherche"),
    ]


@pytest.mark.django_db(databases=ARCHIVE_DATABASES)
def test_the_archive_accesses_of_another_departement_stay_out_of_the_user_report(client_as):
    from siao.retention import actions as retention_actions
    from tests.factories import OperatorFactory

    archived, reader, _ = archive_reader("29")
    retention_actions.search_archive(actor=reader, file_number=archived.household_public_id)
    retention_actions.read_archived_file(actor=reader, file_number=archived.household_public_id)
    # The reader also works for an association of 35: its departmental administrator reports on it.
    membership_for(Role.ASSISTANT, user=reader.user, organization=OperatorFactory(department_codes=["35"]))
    response = client_as(Role.DEPARTMENT_ADMIN).get(user_url(reader.user))
    assert response.status_code == 200
    assert response.context["report"].files == [] and response.context["report"].detail == []
    national = client_as(Role.NATIONAL_ADMIN).get(user_url(reader.user)).context["report"]
    assert [row.household for row in national.detail] == [str(archived.household_public_id)] * 2
