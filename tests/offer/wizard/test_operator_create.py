""" "Vous ne trouvez pas votre entité ?": an operator created from step 1, submitted for
validation, then selected when the user comes back to step 1."""

import pytest
from django.urls import reverse

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Organization
from siao.audit.models import AuditEvent
from siao.offer.enums import ValidationStatus
from tests.factories import OperatorFactory

from .conftest import make_draft

pytestmark = pytest.mark.django_db
NEW_SIREN = "732829320"  # a valid SIREN (Luhn)


def form_data(**overrides):
    data = {
        "name": "Association Nouvelle Étoile",
        "siren": "732 829 320",
        "legal_status": "association",
        "address": "2 place de la Gare",
        "postal_code": "35000",
        "city": "Rennes",
        "departments": ["35"],
        "p177_agreement": "yes",
        "referents": "Jeanne Test, directrice",
    }
    return {**data, **overrides}


def create_url(draft):
    return reverse("offer:wizard_operator_create", args=[draft.public_id])


def test_an_operator_created_from_step_1_is_submitted_and_selected(client_as, siao_admin):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin)
    page = client.get(reverse("offer:wizard_step", args=[draft.public_id, 1])).content.decode()
    assert "Vous ne trouvez pas votre entité ?" in page and create_url(draft) in page
    assert 'value="35"' in client.get(create_url(draft)).content.decode()

    response = client.post(create_url(draft), form_data())
    assert response.url == reverse("offer:wizard_step", args=[draft.public_id, 1])
    operator = Organization.objects.get(siren=NEW_SIREN)
    assert operator.kind == OrganizationKind.OPERATOR
    assert operator.validation_status == ValidationStatus.SUBMITTED
    assert operator.p177_agreement and operator.legal_status == "association"
    assert list(operator.departments.values_list("code", flat=True)) == ["35"]
    event = AuditEvent.objects.get(action="offer.operator_created")
    assert event.object_id == str(operator.public_id) and event.data["departments"] == ["35"]
    draft.refresh_from_db()
    assert draft.data["operator"] == {"operator": str(operator.public_id)} and draft.completed_step == 0
    page = client.get(response.url).content.decode()
    assert f'value="{operator.public_id}" checked' in page
    assert "en attente de validation" in page


def test_an_existing_siren_is_offered_for_selection(client_as, siao_admin):
    existing = OperatorFactory(name="Déjà Là", siren=NEW_SIREN)
    client = client_as(siao_admin)
    draft = make_draft(siao_admin)
    response = client.post(create_url(draft), form_data())
    page = response.content.decode()
    assert "Une entité gestionnaire porte déjà ce SIREN : « Déjà Là »" in page
    assert f"{reverse('offer:wizard_step', args=[draft.public_id, 1])}?q={existing.siren}" in page
    assert Organization.objects.filter(siren=NEW_SIREN).count() == 1


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"siren": "123456789"}, "Le numéro SIREN « 123456789 » n&#x27;est pas valide"),
        ({"name": ""}, "Ce champ est obligatoire."),
        ({"legal_status": "pirate"}, "Sélectionnez un choix valide"),
        ({"postal_code": "ABCDE"}, "Le code postal compte 5 chiffres."),
        ({"departments": []}, "Choisissez au moins un département où l&#x27;entité intervient."),
        ({"departments": ["29"]}, "Vous ne pouvez pas choisir ce département."),
    ],
)
def test_bad_operator_input_creates_nothing(client_as, siao_admin, overrides, message):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin)
    response = client.post(create_url(draft), form_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organization.objects.filter(kind=OrganizationKind.OPERATOR).exists()
    assert not AuditEvent.objects.filter(action="offer.operator_created").exists()


def test_a_national_administrator_may_choose_any_departement(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    draft = make_draft(client.membership)
    assert client.post(create_url(draft), form_data(departments=["29", "2A"])).status_code == 302
    codes = Organization.objects.get(siren=NEW_SIREN).departments.values_list("code", flat=True)
    assert sorted(codes) == ["29", "2A"]


def test_an_operator_created_with_a_manager_grants_the_manager_role(client_as, siao_admin):
    from siao.accounts.models import Membership

    client = client_as(siao_admin)
    draft = make_draft(siao_admin)
    response = client.post(
        create_url(draft),
        form_data(
            manager_email="Lea.Gestion@asso-nouvelle.example", manager_first_name="Léa", manager_last_name="Gestion"
        ),
    )
    assert response.status_code == 302
    operator = Organization.objects.get(siren=NEW_SIREN)
    membership = Membership.objects.get(organization=operator)
    assert membership.role == Role.OPERATOR_MANAGER
    assert membership.user.email == "lea.gestion@asso-nouvelle.example"
    assert membership.granted_by == siao_admin.user
    assert AuditEvent.objects.filter(
        action="accounts.membership_granted", object_id=str(membership.public_id)
    ).exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"manager_email": "quelquun@gmail.com", "manager_first_name": "A", "manager_last_name": "B"},
        {"manager_email": "a.b@asso-nouvelle.example"},
    ],
)
def test_a_bad_manager_creates_neither_the_operator_nor_the_membership(client_as, siao_admin, overrides):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin)
    response = client.post(create_url(draft), form_data(**overrides))
    assert response.status_code in (200, 400)
    assert not Organization.objects.filter(siren=NEW_SIREN).exists()
