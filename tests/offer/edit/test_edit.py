"""Completing a program after its creation, and the operator's page."""

import pytest
from django.urls import reverse

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from tests.factories import OperatorFactory, ProgramFactory


def complements_url(program):
    return reverse("offer:program_complements", args=[program.public_id])


def operator_url(operator, name="offer:operator_detail"):
    return reverse(name, args=[operator.public_id])


VALID = {
    "insee_code": "35238",
    "address": "1 rue de la Démo",
    "address_complement": "",
    "postal_code": "35000",
    "city": "",
    "contact_phone": "02 99 00 00 01",
    "contact_email": "accueil@structure-test.example",
    "cancel_non_smo_authorizations": "yes",
    "crod_coverage": "no",
    "starts_on": "2026-01-01",
    "ends_on": "",
}


@pytest.fixture
def manager(client_as):
    return client_as(Role.OPERATOR_MANAGER)


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client):
    program = ProgramFactory()
    for url in (
        complements_url(program),
        operator_url(program.operator),
        operator_url(program.operator, "offer:operator_edit"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_the_operator_manager_completes_a_program_and_it_is_audited(manager):
    program = ProgramFactory(operator=manager.membership.organization)
    response = manager.post(complements_url(program), VALID)
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.commune.insee_code == "35238"
    assert program.city == "Rennes"  # filled from the commune
    assert program.cancel_non_smo_authorizations is True
    event = AuditEvent.objects.get(action="offer.program_updated")
    assert event.object_id == str(program.public_id)
    assert "commune" in event.data["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"insee_code": "29019"}, "insee_code"),  # Brest: not in 35
        ({"insee_code": "99999"}, "insee_code"),
        ({"postal_code": "29200"}, "postal_code"),
        ({"starts_on": "2026-05-01", "ends_on": "2026-04-01"}, "ends_on"),
        ({"contact_email": "pas-une-adresse"}, "contact_email"),
    ],
)
def test_bad_complements_are_refused_and_change_nothing(manager, changes, field):
    program = ProgramFactory(operator=manager.membership.organization)
    response = manager.post(complements_url(program), {**VALID, **changes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    program.refresh_from_db()
    assert program.commune is None and program.address == ""
    assert not AuditEvent.objects.filter(action="offer.program_updated").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.DEPARTMENT_ADMIN])
def test_other_roles_may_not_complete_a_program(client_as, role):
    client = client_as(role)
    program = client.membership.program or ProgramFactory()
    assert client.get(complements_url(program)).status_code == 403


@pytest.mark.django_db
def test_the_program_manager_completes_its_own_program_only(client_as):
    client = client_as(Role.PROGRAM_MANAGER)
    assert client.get(complements_url(client.membership.program)).status_code == 200
    other = ProgramFactory(operator=client.membership.organization)
    assert client.get(complements_url(other)).status_code == 404


@pytest.mark.django_db
def test_a_program_of_another_operator_is_not_found(manager):
    assert manager.get(complements_url(ProgramFactory())).status_code == 404


@pytest.mark.django_db
def test_the_complements_page_runs_a_fixed_number_of_queries(manager, django_assert_num_queries):
    program = ProgramFactory(operator=manager.membership.organization)
    with django_assert_num_queries(8):
        assert manager.get(complements_url(program)).status_code == 200


@pytest.mark.django_db
def test_the_operator_page_shows_its_managers_and_programs(manager, django_assert_num_queries):
    operator = manager.membership.organization
    for _ in range(3):
        ProgramFactory(operator=operator)
    with django_assert_num_queries(11):
        response = manager.get(operator_url(operator))
    assert response.status_code == 200
    content = response.content.decode()
    assert manager.membership.user.email in content
    assert len(response.context["programs"]) == 3
    assert response.context["may_edit"] is True


@pytest.mark.django_db
def test_an_operator_outside_the_perimeter_is_not_found(client_as):
    client = client_as(Role.SIAO_ADMIN)
    elsewhere = OperatorFactory(department_codes=["29"])
    assert client.get(operator_url(elsewhere)).status_code == 404
    here = OperatorFactory(department_codes=["35"])
    assert client.get(operator_url(here)).status_code == 200


@pytest.mark.django_db
def test_analysts_see_no_operator_page(client_as):
    assert client_as(Role.ANALYST).get(operator_url(OperatorFactory())).status_code == 403


@pytest.mark.django_db
def test_the_operator_manager_edits_the_description_and_it_is_audited(manager):
    operator = manager.membership.organization
    data = {
        "name": "Association Renommée",
        "legal_status": "association",
        "address": "2 rue Test",
        "postal_code": "35000",
        "city": "Rennes",
        "accreditation": "Agrément n° 12",
        "collective_agreement": "CCN 66",
        "p177_agreement": "on",
        "referents": "Jeanne Test, directrice",
    }
    assert manager.post(operator_url(operator, "offer:operator_edit"), data).status_code == 302
    operator.refresh_from_db()
    assert operator.name == "Association Renommée" and operator.p177_agreement is True
    assert AuditEvent.objects.get(action="offer.operator_updated").data["fields"]


@pytest.mark.django_db
def test_a_bad_postal_code_changes_nothing(manager):
    operator = manager.membership.organization
    response = manager.post(operator_url(operator, "offer:operator_edit"), {"name": "X", "postal_code": "35"})
    assert response.status_code == 200
    assert "postal_code" in response.context["form"].errors
    operator.refresh_from_db()
    assert operator.name != "X"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.PROGRAM_MANAGER, Role.SIAO_OPERATOR])
def test_other_roles_may_not_edit_an_operator(client_as, role):
    client = client_as(role)
    operator = client.membership.organization if role != Role.SIAO_OPERATOR else OperatorFactory()
    assert client.get(operator_url(operator, "offer:operator_edit")).status_code == 403


def capacity_url(group):
    return reverse("offer:place_group_capacity", args=[group.public_id])


@pytest.mark.django_db
def test_the_operator_manager_changes_a_group_capacity(manager, django_assert_num_queries):
    from siao.offer.enums import PlaceState
    from tests.factories import PlaceGroupFactory

    group = PlaceGroupFactory(program=ProgramFactory(operator=manager.membership.organization), capacity=3)
    with django_assert_num_queries(8):
        assert manager.get(capacity_url(group)).status_code == 200
    assert manager.post(capacity_url(group), {"capacity": "5"}).status_code == 302
    assert group.places.count() == 5
    group.places.filter(label__in=["Place 1", "Place 2", "Place 3", "Place 4"]).update(state=PlaceState.OCCUPIED)
    response = manager.post(capacity_url(group), {"capacity": "2"})
    assert response.status_code == 200
    assert "Seules les places disponibles" in str(response.context["form"].errors["capacity"])
    assert group.places.count() == 5
    assert AuditEvent.objects.filter(action="offer.place_group_capacity_changed").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "-1", "abc", "501", "99999999999999999999"])
def test_a_bad_capacity_changes_nothing(manager, value):
    from tests.factories import PlaceGroupFactory

    group = PlaceGroupFactory(program=ProgramFactory(operator=manager.membership.organization), capacity=3)
    response = manager.post(capacity_url(group), {"capacity": value})
    assert response.status_code == 200
    assert "capacity" in response.context["form"].errors
    assert group.places.count() == 3


@pytest.mark.django_db
def test_capacity_guards(client, client_as):
    from tests.factories import PlaceGroupFactory

    group = PlaceGroupFactory()
    assert client.get(capacity_url(group)).status_code == 302
    assert client_as(Role.SIAO_OPERATOR).get(capacity_url(group)).status_code == 403
    assert client_as(Role.OPERATOR_MANAGER).get(capacity_url(group)).status_code == 404
