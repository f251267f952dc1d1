"""The staff side of creation requests: the list and the detail on the actor's territory, and
the answer (handled or rejected), audited and sent to the requester."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.offer.actions import requests as actions
from siao.offer.enums import ProgramType
from siao.offer.models import CreationRequest, CreationRequestStatus
from siao.offer.permissions import ROLES_ALLOWED
from tests.factories import OperatorFactory, ProgramFactory, department, fake_siren, fake_siret

pytestmark = pytest.mark.django_db

HANDLERS = sorted(ROLES_ALLOWED["handle_creation_requests"])
NOT_HANDLERS = sorted(set(Role.values) - ROLES_ALLOWED["handle_creation_requests"])


def creation_request(code: str = "35", **kwargs) -> CreationRequest:
    siren = kwargs.pop("operator_siren", fake_siren(500 + CreationRequest.objects.count()))
    values = {
        "reference": actions.new_reference(),
        "requester_first_name": "Camille",
        "requester_last_name": "Demandeuse",
        "requester_email": "camille.demandeuse@asso-test.example",
        "requester_phone": "0122334455",
        "operator_name": "Association L'Abri",
        "operator_siren": siren,
        "program_type": ProgramType.HOTEL,
        "department": department(code),
        "client_ip": "198.51.100.1",
    }
    values.update(kwargs)
    return CreationRequest.objects.create(**values)


def detail_url(item: CreationRequest) -> str:
    return reverse("offer:request_detail", args=[item.public_id])


def url_of(name: str) -> str:
    return detail_url(creation_request()) if name == "offer:request_detail" else reverse(name)


VIEWS = ["offer:request_list", "offer:request_detail"]


def test_the_urls():
    assert reverse("offer:request_list") == "/offre/demandes/"
    some_id = uuid.uuid4()
    assert reverse("offer:request_detail", args=[some_id]) == f"/offre/demandes/{some_id}/"


# --- guards ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VIEWS)
def test_staff_pages_send_anonymous_users_to_login(client, name):
    url = url_of(name)
    for response in (client.get(url), client.post(url, {"status": "rejected", "answer": "non"})):
        assert response.status_code == 302
        assert response.url == f"{reverse('accounts:login')}?next={url}"
    assert not CreationRequest.objects.exclude(status=CreationRequestStatus.NEW).exists()


@pytest.mark.parametrize("role", NOT_HANDLERS)
@pytest.mark.parametrize("name", VIEWS)
def test_staff_pages_are_forbidden_to_roles_that_do_not_handle_requests(client_as, role, name):
    client = client_as(role)
    url = url_of(name)
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "rejected", "answer": "non"}).status_code == 403
    assert not CreationRequest.objects.exclude(status=CreationRequestStatus.NEW).exists()
    assert not AuditEvent.objects.filter(action__startswith="offer.creation_request").exists()


@pytest.mark.parametrize("role", [Role.SIAO_ADMIN, Role.DEPARTMENT_ADMIN])
def test_a_request_of_another_department_answers_404_like_an_absent_one(client_as, role):
    client = client_as(role, code="35")
    elsewhere = creation_request(code="29")
    assert client.get(detail_url(elsewhere)).status_code == 404
    assert client.post(detail_url(elsewhere), {"status": "handled", "answer": ""}).status_code == 404
    assert client.get(reverse("offer:request_detail", args=[uuid.uuid4()])).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == CreationRequestStatus.NEW
    assert not AuditEvent.objects.filter(action__startswith="offer.creation_request").exists()


def test_a_national_administrator_sees_every_department(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    here, there = creation_request(code="35"), creation_request(code="976")
    assert client.get(detail_url(there)).status_code == 200
    assert set(client.get(reverse("offer:request_list")).context["page"].object_list) == {here, there}


# --- list ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SIAO_ADMIN, Role.DEPARTMENT_ADMIN])
def test_the_list_shows_the_territory_only(client_as, role):
    client = client_as(role)
    here = creation_request(code="35")
    creation_request(code="29")
    response = client.get(reverse("offer:request_list"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [here]
    content = response.content.decode()
    assert here.reference in content
    assert "INVALID_TEMPLATE_VARIABLE" not in content
    # The list shows no personal data of the requester (reading them is traced on the detail).
    assert "camille.demandeuse" not in content and "Demandeuse" not in content


def test_the_list_filters_by_status_new_by_default(client_as):
    client = client_as(Role.SIAO_ADMIN)
    new = creation_request()
    handled = creation_request(status=CreationRequestStatus.HANDLED)
    rejected = creation_request(status=CreationRequestStatus.REJECTED)

    def listed(**params):
        return set(client.get(reverse("offer:request_list"), params).context["page"].object_list)

    assert listed() == listed(statut="new") == {new}
    assert listed(statut="handled") == {handled}
    assert listed(statut="rejected") == {rejected}
    assert listed(statut="all") == listed(statut="nimporte") == {new, handled, rejected}


def test_the_list_costs_the_same_number_of_queries_whatever_its_length(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    creation_request()
    # session, user, memberships, départements; count, rows (with département); session save (3)
    with django_assert_num_queries(9):
        response = client.get(reverse("offer:request_list"))
    assert len(response.context["page"].object_list) == 1
    for _ in range(15):
        creation_request(program_type="")
    with django_assert_num_queries(9):
        response = client.get(reverse("offer:request_list"))
    assert len(response.context["page"].object_list) == 16


def test_the_list_is_paginated_and_keeps_the_filter(client_as):
    client = client_as(Role.SIAO_ADMIN)
    CreationRequest.objects.bulk_create(
        CreationRequest(
            reference=f"DEM-2025-{n:06d}",
            requester_first_name="A",
            requester_last_name="B",
            requester_email="a@b.example",
            operator_name="X",
            operator_siren=fake_siren(1),
            department=department("35"),
        )
        for n in range(55)
    )
    response = client.get(reverse("offer:request_list"), {"statut": "new"})
    assert len(response.context["page"].object_list) == 50
    assert "?statut=new&page=2" in response.content.decode()
    assert len(client.get(reverse("offer:request_list"), {"statut": "new", "page": 2}).context["page"]) == 5


# --- detail ----------------------------------------------------------------------------------


def test_the_detail_shows_the_request_and_records_the_reading(client_as):
    client = client_as(Role.SIAO_ADMIN)
    item = creation_request(description="Hôtel de 30 chambres\nouverture en mars")
    response = client.get(detail_url(item))
    assert response.status_code == 200
    content = response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in content
    for text in (item.reference, "camille.demandeuse@asso-test.example", "Association L&#x27;Abri", "Hôtel"):
        assert text in content
    assert "Hôtel de 30 chambres<br>ouverture en mars" in content
    assert "Créer ce dispositif avec l&#x27;assistant" in content or "Créer ce dispositif avec l'assistant" in content
    assert 'href="/offre/dispositifs/nouveau/"' in content
    event = AuditEvent.objects.get(action="offer.creation_request_viewed")
    assert event.actor_user_id == client.membership.user_id
    assert event.object_id == str(item.public_id)
    assert event.data == {"reference": item.reference}


def test_the_detail_points_out_an_operator_and_a_program_that_already_exist(client_as):
    client = client_as(Role.SIAO_ADMIN)
    operator = OperatorFactory(name="Association Déjà Là")
    program = ProgramFactory(operator=operator, name="CHRS - Déjà ouvert")
    item = creation_request(operator_siren=operator.siren, program_siret=program.siret)
    content = client.get(detail_url(item)).content.decode()
    assert "Une entité gestionnaire avec ce SIREN existe déjà" in content
    assert "Association Déjà Là" in content
    assert "Un dispositif avec ce SIRET existe déjà" in content
    assert "CHRS - Déjà ouvert" in content


def test_the_detail_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    item = creation_request(program_siret=fake_siret(fake_siren(1)))
    # session, user, memberships, départements; request (with département and handler);
    # audit (savepoint, head, insert, head update, release); existing operator, existing
    # program; session save (3)
    with django_assert_num_queries(15):
        assert client.get(detail_url(item)).status_code == 200


def test_an_answered_request_shows_its_answer_and_no_form(client_as):
    client = client_as(Role.SIAO_ADMIN)
    item = creation_request(
        status=CreationRequestStatus.REJECTED,
        answer="Hors du champ de l'hébergement.",
        handled_by=client.membership.user,
        handled_at=timezone.now(),
    )
    response = client.get(detail_url(item))
    assert response.context["form"] is None
    content = response.content.decode()
    assert "Hors du champ de l&#x27;hébergement." in content
    assert client.membership.user.get_full_name() in content
    assert "Créer ce dispositif avec" not in content


# --- answer ----------------------------------------------------------------------------------


def test_marking_a_request_handled_tells_the_requester(client_as, django_capture_on_commit_callbacks):
    client = client_as(Role.SIAO_ADMIN)
    item = creation_request()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(item), {"status": "handled", "answer": "Dispositif créé : CHRS - L'Abri."})
    assert response.status_code == 302
    assert response.url == detail_url(item)
    item.refresh_from_db()
    assert item.status == CreationRequestStatus.HANDLED
    assert item.answer == "Dispositif créé : CHRS - L'Abri."
    assert item.handled_by == client.membership.user
    assert item.handled_at is not None
    (email,) = mail.outbox
    assert email.to == ["camille.demandeuse@asso-test.example"]
    assert item.reference in email.subject and "a été traitée" in email.subject
    assert "Dispositif créé : CHRS - L'Abri." in email.body
    event = AuditEvent.objects.get(action="offer.creation_request_handled")
    assert event.actor_user_id == client.membership.user_id
    assert event.object_id == str(item.public_id)
    assert event.data == {"reference": item.reference, "status": "handled"}


def test_rejecting_a_request_needs_a_reason(client_as, django_capture_on_commit_callbacks):
    client = client_as(Role.DEPARTMENT_ADMIN)
    item = creation_request()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(item), {"status": "rejected", "answer": "   "})
    assert response.status_code == 400
    assert "Indiquez le motif du rejet" in response.content.decode()
    item.refresh_from_db()
    assert item.status == CreationRequestStatus.NEW
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(item), {"status": "rejected", "answer": "Doublon de DEM-2025-AAAAAA."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == CreationRequestStatus.REJECTED
    assert "n’a pas été retenue" in mail.outbox[0].subject
    assert "Doublon de DEM-2025-AAAAAA." in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="offer.creation_request_rejected").count() == 1


@pytest.mark.parametrize("status", ["", "new", "deleted"])
def test_an_unknown_decision_is_refused(client_as, status):
    client = client_as(Role.SIAO_ADMIN)
    item = creation_request()
    response = client.post(detail_url(item), {"status": status, "answer": "ok"})
    assert response.status_code == 400
    assert "Choisissez une décision." in response.content.decode()
    item.refresh_from_db()
    assert item.status == CreationRequestStatus.NEW


def test_an_oversized_answer_is_refused(client_as):
    client = client_as(Role.SIAO_ADMIN)
    item = creation_request()
    response = client.post(detail_url(item), {"status": "handled", "answer": "x" * 2001})
    assert response.status_code == 400
    assert "au plus 2000 caractères" in response.content.decode()


def test_an_answered_request_cannot_be_answered_again(client_as, django_capture_on_commit_callbacks):
    client = client_as(Role.SIAO_ADMIN)
    item = creation_request(status=CreationRequestStatus.HANDLED, answer="Créé.")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(item), {"status": "rejected", "answer": "Finalement non."}, follow=True)
    assert "Cette demande a déjà reçu une réponse" in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.answer) == (CreationRequestStatus.HANDLED, "Créé.")
    assert mail.outbox == []


def test_the_second_of_two_simultaneous_answers_is_told_it_came_too_late(client_as):
    client = client_as(Role.SIAO_ADMIN)
    item = creation_request()
    stale = CreationRequest.objects.get(pk=item.pk)  # read by the second administrator
    actions.handle_creation_request(actor=_actor(client), request=item, status="handled", answer="")
    with pytest.raises(actions.ValidationError, match="déjà reçu une réponse"):
        actions.handle_creation_request(actor=_actor(client), request=stale, status="rejected", answer="Non.")
    item.refresh_from_db()
    assert item.status == CreationRequestStatus.HANDLED
    assert AuditEvent.objects.filter(action__startswith="offer.creation_request_").count() == 1


def test_the_action_refuses_a_request_outside_the_territory(client_as):
    client = client_as(Role.SIAO_ADMIN)
    elsewhere = creation_request(code="29")
    with pytest.raises(actions.PermissionDenied):
        actions.handle_creation_request(actor=_actor(client), request=elsewhere, status="handled", answer="")
    elsewhere.refresh_from_db()
    assert elsewhere.status == CreationRequestStatus.NEW


def _actor(client):
    from siao.accounts.actor import Actor

    membership = client.membership
    return Actor.for_membership(membership, membership.organization.departments.values_list("pk", flat=True))
