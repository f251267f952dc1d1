"""The audit trail viewer (/journal/): who may read it, which events each reader sees, filters."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.audit.permissions import AUDIT_READER_ROLES
from siao.audit.trail import record
from tests.factories import OperatorFactory, UserFactory, membership_for

from .test_trail import actor_for

URL = reverse("audit:trail")
PARIS = datetime.timezone(datetime.timedelta(hours=1))


def shown(response) -> set[str]:
    """The actions of the events listed, without the reader's own reading."""
    return {event.action for event in response.context["page"] if event.action != "audit.trail_viewed"}


@pytest.fixture
def perimeter_events():
    """One event per kind of author or target, in 35 and in 29; the action names which."""
    operator35 = OperatorFactory(department_codes=["35"])
    operator29 = OperatorFactory(department_codes=["29"])
    national = actor_for(membership_for(Role.NATIONAL_ADMIN))
    record("test.by_siao35", actor=actor_for(membership_for(Role.SIAO_ADMIN, "35")))
    record("test.by_siao29", actor=actor_for(membership_for(Role.SIAO_ADMIN, "29")))
    record("test.by_ddets35", actor=actor_for(membership_for(Role.ANALYST, "35")))
    record("test.by_operator35", actor=actor_for(membership_for(Role.ASSISTANT, organization=operator35)))
    record("test.by_operator29", actor=actor_for(membership_for(Role.ASSISTANT, organization=operator29)))
    record("test.about_operator35", actor=national, target_organization=operator35)
    record("test.about_operator29", actor=national, target_organization=operator29)
    record("test.by_national", actor=national)
    record("test.anonymous", data={"email": "inconnu@structure-test.example"})
    return {"operator35": operator35, "operator29": operator29}


# Access


@pytest.mark.django_db
def test_the_trail_sends_anonymous_users_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(set(Role.values) - AUDIT_READER_ROLES))
def test_the_trail_is_refused_to_roles_that_do_not_administer(client_as, role):
    response = client_as(role).get(URL)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="audit.trail_viewed").exists()


def test_the_readers_of_the_trail_are_the_four_administrator_roles():
    assert {Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.OPERATOR_MANAGER} == AUDIT_READER_ROLES


# Perimeter


@pytest.mark.django_db
def test_the_national_administrator_sees_every_event(client_as, perimeter_events):
    response = client_as(Role.NATIONAL_ADMIN).get(URL)
    assert response.status_code == 200
    assert shown(response) == {
        "test.by_siao35",
        "test.by_siao29",
        "test.by_ddets35",
        "test.by_operator35",
        "test.by_operator29",
        "test.about_operator35",
        "test.about_operator29",
        "test.by_national",
        "test.anonymous",
    }


@pytest.mark.django_db
def test_a_departmental_administrator_sees_the_events_by_or_about_organizations_of_its_departement(
    client_as, perimeter_events
):
    response = client_as(Role.DEPARTMENT_ADMIN, code="35").get(URL)
    assert response.status_code == 200
    assert shown(response) == {"test.by_siao35", "test.by_ddets35", "test.by_operator35", "test.about_operator35"}


@pytest.mark.django_db
def test_an_operator_working_in_two_departements_is_seen_from_both(client_as):
    operator = OperatorFactory(department_codes=["35", "29"])
    record("test.by_operator_35_29", actor=actor_for(membership_for(Role.ASSISTANT, organization=operator)))
    response = client_as(Role.DEPARTMENT_ADMIN, code="29").get(URL)
    assert shown(response) == {"test.by_operator_35_29"}


@pytest.mark.django_db
def test_a_siao_administrator_sees_only_its_organization_events(client_as, perimeter_events):
    client = client_as(Role.SIAO_ADMIN, code="35")
    national = actor_for(membership_for(Role.NATIONAL_ADMIN))
    record("test.about_siao35", actor=national, target_organization=client.membership.organization)
    response = client.get(URL)
    assert shown(response) == {"test.by_siao35", "test.about_siao35"}


@pytest.mark.django_db
def test_an_operator_manager_sees_only_its_organization_events(client_as, perimeter_events):
    response = client_as(Role.OPERATOR_MANAGER, organization=perimeter_events["operator35"]).get(URL)
    assert shown(response) == {"test.by_operator35", "test.about_operator35"}


# Filters


@pytest.mark.django_db
def test_the_trail_filters_by_the_full_user_email_whatever_its_case(client_as):
    wanted = UserFactory(email="camille.martin@structure-test.example")
    record("test.wanted", user=wanted)
    record("test.other", user=UserFactory(email="paul.durand@structure-test.example"))
    response = client_as(Role.NATIONAL_ADMIN).get(URL, {"user": "  Camille.MARTIN@structure-test.example "})
    assert shown(response) == {"test.wanted"}


@pytest.mark.django_db
def test_the_trail_does_not_match_part_of_an_email(client_as):
    record("test.wanted", user=UserFactory(email="camille.martin@structure-test.example"))
    response = client_as(Role.NATIONAL_ADMIN).get(URL, {"user": "camille"})
    assert shown(response) == set()


@pytest.mark.django_db
def test_the_trail_filters_by_exact_object_id(client_as):
    user = UserFactory()
    record("test.wanted", user=user, obj=user)
    record("test.other", object_type="accounts.user", object_id=f"{user.public_id}0")
    response = client_as(Role.NATIONAL_ADMIN).get(URL, {"object_id": str(user.public_id)})
    assert shown(response) == {"test.wanted"}


@pytest.mark.django_db
def test_the_trail_filters_by_the_beginning_of_the_action(client_as):
    record("auth.login")
    record("auth.login_failed")
    record("accounts.membership_granted")
    record("test.auth.login")
    response = client_as(Role.NATIONAL_ADMIN).get(URL, {"action": "auth."})
    assert shown(response) == {"auth.login", "auth.login_failed"}


@pytest.mark.django_db
def test_the_trail_filters_by_a_date_range_including_the_whole_last_day_in_paris_time(client_as):
    for action, moment in [
        ("test.before", datetime.datetime(2025, 1, 31, 23, 50, tzinfo=PARIS)),
        ("test.first_day", datetime.datetime(2025, 2, 1, 0, 10, tzinfo=PARIS)),
        ("test.last_day", datetime.datetime(2025, 2, 28, 23, 50, tzinfo=PARIS)),
        ("test.after", datetime.datetime(2025, 3, 1, 0, 10, tzinfo=PARIS)),
    ]:
        with time_machine.travel(moment, tick=False):
            record(action)
    response = client_as(Role.NATIONAL_ADMIN).get(URL, {"since": "2025-02-01", "until": "2025-02-28"})
    assert shown(response) == {"test.first_day", "test.last_day"}


@pytest.mark.django_db
def test_a_date_range_that_ends_before_it_starts_shows_a_french_error_and_no_event(client_as):
    record("test.event")
    response = client_as(Role.NATIONAL_ADMIN).get(URL, {"since": "2025-03-01", "until": "2025-02-01"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "La date de début doit précéder la date de fin." in content
    assert "Aucun événement ne correspond." in content
    assert list(response.context["page"]) == []


@pytest.mark.django_db
def test_an_unreadable_date_shows_an_error_and_no_event(client_as):
    record("test.event")
    response = client_as(Role.NATIONAL_ADMIN).get(URL, {"since": "hier"})
    assert "Saisissez une date valide." in response.content.decode()
    assert list(response.context["page"]) == []


@pytest.mark.django_db
def test_the_pagination_links_keep_the_filters(client_as):
    for _ in range(51):
        record("auth.login")
    response = client_as(Role.NATIONAL_ADMIN).get(URL, {"action": "auth."})
    oldest_shown = response.context["page"][-1].sequence
    assert f'href="?action=auth.&avant={oldest_shown}"' in response.content.decode()
    older = client_as(Role.NATIONAL_ADMIN).get(URL, {"action": "auth.", "avant": oldest_shown})
    assert [event.sequence for event in older.context["page"]] == [oldest_shown - 1]


# Reading is traced


@pytest.mark.django_db
def test_reading_the_trail_records_who_read_it_with_which_filters_and_page(client_as):
    client = client_as(Role.DEPARTMENT_ADMIN)
    client.get(URL, {"action": "auth.", "user": "", "avant": "1000"})
    event = AuditEvent.objects.get(action="audit.trail_viewed")
    assert event.actor_user_id == client.membership.user.pk
    assert event.actor_role == Role.DEPARTMENT_ADMIN
    assert event.data == {"filters": {"action": "auth."}, "before": 1000}


@pytest.mark.django_db
def test_a_page_shows_the_events_as_they_were_before_this_reading(client_as):
    """The reading is recorded after the page is computed: it must not push an event off the page."""
    events = [record("test.event") for _ in range(50)]
    response = client_as(Role.NATIONAL_ADMIN).get(URL)
    page = response.context["page"]
    assert response.context["older"] is None
    assert [event.sequence for event in page] == [event.sequence for event in reversed(events)]


# Queries


@pytest.mark.django_db
@pytest.mark.parametrize("event_count", [1, 120])
def test_the_trail_runs_a_fixed_number_of_queries_whatever_the_number_of_events(
    client_as, django_assert_num_queries, event_count
):
    client = client_as(Role.DEPARTMENT_ADMIN)
    actor = actor_for(client.membership)
    for _ in range(event_count):
        record("test.event", actor=actor)
    # session, user, memberships, départements, page, the reading recorded (savepoint, locked
    # chain head, insert, head update, release), the session saved (savepoint, update, release).
    with django_assert_num_queries(13):
        response = client.get(URL)
    assert len(response.context["page"]) == min(event_count, 50)


@pytest.mark.django_db
def test_the_trail_speaks_french_to_its_readers(client_as):
    record("auth.login_failed", data={"reason": "wrong_code", "email": "x@y.example"})
    response = client_as(Role.NATIONAL_ADMIN).get(URL)
    content = response.content.decode()
    assert "Échec de connexion" in content
    assert "motif : code incorrect" in content
    event = response.context["page"][0]
    assert event.action_label == "Échec de connexion" and event.reason_label == "code incorrect"


@pytest.mark.django_db
def test_the_trail_shows_what_was_searched_in_the_archive_and_why_a_file_was_read(client_as):
    reader = actor_for(membership_for(Role.NATIONAL_ADMIN))
    record(
        "archive.searched",
        actor=reader,
        object_type="retention.archiveauthorization",
        object_id="3f0c1c9e-0000-4000-8000-000000000001",
        data={
            "criteria": {"last_name": "Fictif", "first_name": "", "birth_date": "1990-02-01", "file_number": ""},
            "results": 2,
        },
    )
    record(
        "archive.read",
        actor=reader,
        object_type="archive.archivedfile",
        object_id="3f0c1c9e-0000-4000-8000-000000000002",
        data={"authorization": "3f0c1c9e-0000-4000-8000-000000000001", "purpose": "Contentieux fictif."},
    )
    response = client_as(Role.NATIONAL_ADMIN).get(URL)
    content = response.content.decode()
    assert "Détails" in content
    events = {event.action: event for event in response.context["page"]}
    assert events["archive.searched"].details == [
        "Critères : nom : Fictif, date de naissance : 01/02/1990",
        "2 résultats",
    ]
    assert events["archive.read"].details == ["Finalité : Contentieux fictif."]
    assert "Critères : nom : Fictif, date de naissance : 01/02/1990" in content
    assert "prénom" not in content and "numéro de dossier :" not in content
    assert "Finalité : Contentieux fictif." in content
