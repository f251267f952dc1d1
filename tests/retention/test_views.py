"""Retention runs, archive authorizations and the archive's pages."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.archive.models import ArchivedFile
from siao.audit.models import AuditEvent
from siao.retention import purge
from siao.retention.models import ArchiveAuthorization, RetentionRun, RunStatus
from siao.retention.tasks import retention_run_task
from tests.factories import PersonFactory, department, household_with, membership_for

from .helpers import age, later

pytestmark = pytest.mark.django_db(databases=["default", "archive", "stats"])

RUN_LIST_QUERIES = 9
ARCHIVE_SEARCH_QUERIES = 13
ARCHIVE_DETAIL_QUERIES = 13


def archived_file(code="35", last_name="Fictif"):
    run_now = later(26)
    household = household_with(code=code, persons=[PersonFactory(last_name=last_name, first_name="Alix")])
    age(household, months=25, now=run_now)
    purge.execute(now=run_now)
    return ArchivedFile.objects.get(household_public_id=household.public_id)


def grant(user, *, code=None, days=10, starts_in=0):
    admin = membership_for(Role.NATIONAL_ADMIN).user
    today = timezone.localdate()
    return ArchiveAuthorization.objects.create(
        user=user,
        purpose="Contentieux fictif devant le tribunal administratif.",
        department=department(code) if code else None,
        starts_on=today + datetime.timedelta(days=starts_in),
        ends_on=today + datetime.timedelta(days=starts_in + days),
        granted_by=admin,
    )


# --- Runs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["retention:run_list", "retention:authorization_list", "retention:archive_search"])
def test_anonymous_goes_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


@pytest.mark.parametrize("role", [Role.SIAO_ADMIN, Role.DEPARTMENT_ADMIN, Role.ANALYST, Role.SIAO_OPERATOR])
def test_other_roles_may_not_run_nor_grant(client_as, role):
    client = client_as(role)
    assert client.get(reverse("retention:run_list")).status_code == 403
    assert client.get(reverse("retention:authorization_list")).status_code == 403


def test_the_national_admin_asks_a_dry_run_and_follows_it(client_as, django_assert_num_queries):
    client = client_as(Role.NATIONAL_ADMIN)
    age(household_with(), months=25)
    response = client.post(reverse("retention:run_list"), {"mode": "dry_run"})
    run = RetentionRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "retention:run_detail", args=[run.public_id]
    )
    assert run.status == RunStatus.QUEUED and run.dry_run
    assert AuditEvent.objects.filter(action="retention.run_requested").exists()
    # A second request while the first waits is refused.
    response = client.post(reverse("retention:run_list"), {"mode": "dry_run"})
    assert "déjà en attente ou en cours" in html.unescape(response.content.decode())
    assert RetentionRun.objects.count() == 1

    retention_run_task.call(run.pk)  # what the worker does
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.total == 1
    page = html.unescape(client.get(reverse("retention:run_detail", args=[run.public_id])).content.decode())
    assert "Simulation : rien n'a été modifié." in page and "département 35 : 1" in page
    state = client.get(reverse("retention:run_status", args=[run.public_id])).json()
    assert state["finished"] and state["percent"] == 100
    with django_assert_num_queries(RUN_LIST_QUERIES):
        assert client.get(reverse("retention:run_list")).status_code == 200
    for _ in range(3):  # the count does not grow with the rows
        RetentionRun.objects.create(dry_run=True, requested_by=client.membership.user, status=RunStatus.DONE)
    with django_assert_num_queries(RUN_LIST_QUERIES):
        assert client.get(reverse("retention:run_list")).status_code == 200


def test_a_purge_needs_its_confirmation(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.post(reverse("retention:run_list"), {"mode": "purge"})
    assert "Cochez la confirmation" in response.content.decode()
    assert not RetentionRun.objects.exists()
    client.post(reverse("retention:run_list"), {"mode": "purge", "confirm": "on"})
    assert RetentionRun.objects.get().dry_run is False


def test_an_unknown_run_is_404(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    assert (
        client.get(reverse("retention:run_detail", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404
    )


# --- Authorizations --------------------------------------------------------------------------


def test_the_national_admin_grants_and_revokes_an_authorization(client_as):
    reader = membership_for(Role.SIAO_ADMIN).user
    client = client_as(Role.NATIONAL_ADMIN)
    today = timezone.localdate()
    data = {
        "email": reader.email.upper(),
        "purpose": "Réponse à une requête fictive du tribunal administratif de Rennes.",
        "reference": "TA-0000",
        "department": "35",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=30)).isoformat(),
    }
    assert client.post(reverse("retention:authorization_list"), data).status_code == 302
    authorization = ArchiveAuthorization.objects.get()
    assert authorization.user == reader and authorization.department.code == "35" and authorization.is_active
    assert AuditEvent.objects.filter(action="archive.authorization_granted").exists()
    client.post(reverse("retention:authorization_revoke", args=[authorization.public_id]))
    authorization.refresh_from_db()
    assert authorization.revoked_at is not None and not authorization.is_active
    # Twice: a clear message, nothing changed.
    response = client.post(reverse("retention:authorization_revoke", args=[authorization.public_id]), follow=True)
    assert "déjà révoquée" in html.unescape(response.content.decode())


@pytest.mark.parametrize(
    "change, message",
    [
        ({"email": "personne@exemple.invalid"}, "Aucun utilisateur actif"),
        ({"purpose": "court"}, "Décrivez la finalité"),
        ({"ends_on_days": 200}, "au plus 90 jours"),
        ({"starts_on_days": -3}, "ne peut pas être passée"),
        ({"ends_on_days": -1}, "doit suivre"),
        ({"starts_on": "31/02/2026"}, "date valide"),
    ],
)
def test_bad_authorizations_are_refused_in_french(client_as, change, message):
    reader = membership_for(Role.SIAO_ADMIN).user
    client = client_as(Role.NATIONAL_ADMIN)
    today = timezone.localdate()
    data = {
        "email": reader.email,
        "purpose": "Réponse à une requête fictive du tribunal administratif.",
        "starts_on": (today + datetime.timedelta(days=change.pop("starts_on_days", 0))).isoformat(),
        "ends_on": (today + datetime.timedelta(days=change.pop("ends_on_days", 30))).isoformat(),
    }
    data.update(change)
    response = client.post(reverse("retention:authorization_list"), data)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert not ArchiveAuthorization.objects.exists()


# --- The archive -----------------------------------------------------------------------------


def test_without_authorization_the_archive_is_403(client_as):
    archived = archived_file()
    client = client_as(Role.NATIONAL_ADMIN)  # even the national admin needs one
    assert client.get(reverse("retention:archive_search")).status_code == 403
    assert client.get(reverse("retention:archive_detail", args=[archived.household_public_id])).status_code == 403


def test_an_expired_or_future_or_revoked_authorization_gives_no_access(client_as):
    membership = membership_for(Role.SIAO_ADMIN)
    grant(membership.user, starts_in=2)
    expired = grant(membership.user, starts_in=-20, days=5)
    assert not expired.is_active
    revoked = grant(membership.user)
    ArchiveAuthorization.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    assert client_as(membership).get(reverse("retention:archive_search")).status_code == 403


def test_an_authorized_reader_searches_and_reads_and_both_are_audited(client_as, django_assert_num_queries):
    archived = archived_file(last_name="Lefèvre-Exemple")
    membership = membership_for(Role.SIAO_ADMIN)
    authorization = grant(membership.user)
    client = client_as(membership)
    with django_assert_num_queries(ARCHIVE_SEARCH_QUERIES):
        response = client.get(reverse("retention:archive_search"), {"nom": "lefevre exemple", "prenom": "alix"})
    assert str(archived.household_public_id) in response.content.decode()
    search = AuditEvent.objects.get(action="archive.searched")
    assert search.object_id == str(authorization.public_id) and search.data["results"] == 1
    with django_assert_num_queries(ARCHIVE_DETAIL_QUERIES):
        response = client.get(reverse("retention:archive_detail", args=[archived.household_public_id]))
    page = response.content.decode()
    assert "Lefèvre-Exemple".upper() in page.upper() and "Dossier archivé" in page
    assert AuditEvent.objects.filter(action="archive.read", object_id=str(archived.household_public_id)).exists()


def test_a_file_outside_the_authorization_departement_is_404(client_as):
    archived = archived_file(code="29")
    membership = membership_for(Role.SIAO_ADMIN)
    grant(membership.user, code="35")
    client = client_as(membership)
    assert client.get(reverse("retention:archive_detail", args=[archived.household_public_id])).status_code == 404
    response = client.get(reverse("retention:archive_search"), {"dossier": str(archived.household_public_id)})
    assert "Aucun dossier archivé ne correspond" in response.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ({"prenom": "Alix"}, "Indiquez un nom ou un numéro de dossier"),
        ({"dossier": "12-34"}, "numéro de dossier complet"),
    ],
)
def test_bad_searches_are_refused_in_french(client_as, query, message):
    membership = membership_for(Role.SIAO_ADMIN)
    grant(membership.user)
    response = client_as(membership).get(reverse("retention:archive_search"), query)
    assert message in html.unescape(response.content.decode())
    assert not AuditEvent.objects.filter(action="archive.searched").exists()


def test_the_home_page_shows_the_tiles(client_as):
    page = html.unescape(client_as(Role.NATIONAL_ADMIN).get(reverse("core:home")).content.decode())
    assert "Conservation des données" in page and "Accès à l'archive légale" in page
    membership = membership_for(Role.SIAO_ADMIN)
    grant(membership.user)
    assert "Archive légale" in html.unescape(client_as(membership).get(reverse("core:home")).content.decode())


def test_no_one_grants_themselves_an_authorization_nor_two_at_once(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    today = timezone.localdate()
    data = {
        "purpose": "Réponse à une requête fictive du tribunal administratif.",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=10)).isoformat(),
    }
    response = client.post(reverse("retention:authorization_list"), {**data, "email": client.membership.user.email})
    assert "Vous ne pouvez pas vous accorder une autorisation" in html.unescape(response.content.decode())
    reader = membership_for(Role.SIAO_ADMIN).user
    assert client.post(reverse("retention:authorization_list"), {**data, "email": reader.email}).status_code == 302
    response = client.post(reverse("retention:authorization_list"), {**data, "email": reader.email.upper()})
    assert "déjà une autorisation sur cette période" in html.unescape(response.content.decode())
    assert ArchiveAuthorization.objects.count() == 1
