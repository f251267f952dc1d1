"""The rights pages: guards (anonymous, role, perimeter), recording and answering from the
browser with French errors that change nothing, the export's printable page and JSON file,
the file page's "Protection des données" block, the register; pinned query counts."""

import datetime
import html
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.households import rights
from siao.households.enums import RightsRequestKind, RightsRequestStatus
from siao.households.models import RightsRequest
from siao.households.rights.sections import HOUSEHOLD_SECTIONS
from tests.factories import PersonFactory, actor_for, department, household_with, membership_for

from .test_rights import REFUSAL, record_access, rich_file

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REGISTER = reverse("households:rights_register")


def text(response) -> str:
    """The page as read (entities decoded: « d'accès », not « d&#x27;accès »)."""
    return html.unescape(response.content.decode())


def create_url(household):
    return reverse("households:rights_request_create", args=[household.public_id])


def detail_url(rights_request, name="households:rights_request_detail"):
    return reverse(name, args=[rights_request.household.public_id, rights_request.public_id])


def export_url(household, person):
    return reverse("households:person_export", args=[household.public_id, person.public_id])


def a_request(household=None, **kwargs):
    household = household or household_with()
    return record_access(actor_for(membership_for(Role.SIAO_OPERATOR)), household, **kwargs)


# --- guards ------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client):
    rights_request = a_request()
    household = rights_request.household
    urls = [
        REGISTER,
        create_url(household),
        detail_url(rights_request),
        export_url(household, household.head),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == f"{reverse('accounts:login')}?next={url}"
    response = client.post(detail_url(rights_request, "households:rights_request_answer"), {})
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", [Role.DEPARTMENT_ADMIN, Role.ANALYST, Role.OPERATOR_MANAGER, Role.ASSISTANT])
def test_roles_without_household_data_are_refused_everything(client_as, role):
    rights_request = a_request()
    household = rights_request.household
    client = client_as(role)
    assert client.get(REGISTER).status_code == 403
    assert client.get(create_url(household)).status_code == 403
    assert client.get(detail_url(rights_request)).status_code == 403
    assert client.get(export_url(household, household.head)).status_code == 403
    assert client.post(detail_url(rights_request, "households:rights_request_answer"), {}).status_code == 403


@pytest.mark.parametrize("role", [Role.CALL_HANDLER, Role.SOCIAL_WORKER, Role.PROGRAM_MANAGER])
def test_the_roles_that_record_do_not_answer_export_or_read_the_register(client_as, role):
    client = client_as(role)
    household = household_with(program=client.membership.program)
    rights_request = a_request(household)
    assert client.get(create_url(household)).status_code == 200
    assert client.get(detail_url(rights_request)).status_code == 200
    assert client.get(REGISTER).status_code == 403
    assert client.get(export_url(household, household.head)).status_code == 403
    response = client.post(
        detail_url(rights_request, "households:rights_request_answer"),
        {"outcome": "answered", "answer": "x", "answered_on": TODAY.isoformat()},
    )
    assert response.status_code == 403
    rights_request.refresh_from_db()
    assert rights_request.is_open


@pytest.mark.parametrize("role", [Role.SIAO_OPERATOR, Role.SIAO_ADMIN])
def test_a_file_out_of_the_perimeter_is_not_found(client_as, role):
    client = client_as(role)
    elsewhere = record_access(actor_for(membership_for(Role.SIAO_OPERATOR, "29")), household_with(code="29"))
    household = elsewhere.household
    assert client.get(create_url(household)).status_code == 404
    assert client.get(detail_url(elsewhere)).status_code == 404
    assert client.get(export_url(household, household.head)).status_code == 404
    assert client.post(detail_url(elsewhere, "households:rights_request_answer"), {}).status_code == 404
    # Another file's request, or a person of another household, through this file: not found.
    here = household_with()
    other = reverse("households:rights_request_detail", args=[here.public_id, elsewhere.public_id])
    assert client.get(other).status_code == 404
    assert client.get(export_url(here, household_with().head)).status_code == 404


def test_a_siao_the_file_was_only_sent_to_sees_it_but_does_not_answer(client_as):
    from siao.orientation.models import Request

    rights_request = a_request()
    household = rights_request.household
    Request.objects.create(household=household, department=department("29"), status="transmitted")
    client = client_as(Role.SIAO_OPERATOR, code="29")
    assert client.get(detail_url(rights_request)).status_code == 200
    assert client.get(export_url(household, household.head)).status_code == 403
    response = client.post(
        detail_url(rights_request, "households:rights_request_answer"),
        {"outcome": "answered", "answer": "x", "answered_on": TODAY.isoformat()},
    )
    assert response.status_code == 403


# --- recording ---------------------------------------------------------------------------------


def test_a_request_is_recorded_from_the_file(client_as):
    client = client_as(Role.SOCIAL_WORKER)
    household = household_with(persons=[PersonFactory(), PersonFactory()], program=client.membership.program)
    partner = household.members.exclude(person=household.head).get().person
    page = text(client.get(create_url(household)))
    assert "Tout le ménage" in page and str(partner) in page
    response = client.post(
        create_url(household),
        {
            "person": str(partner.public_id),
            "kind": "rectification",
            "received_on": TODAY.isoformat(),
            "channel": "in_person",
            "details": "Date de naissance erronée.",
        },
    )
    rights_request = RightsRequest.objects.get()
    assert response.status_code == 302 and response.url == detail_url(rights_request)
    assert rights_request.person == partner and rights_request.kind == RightsRequestKind.RECTIFICATION
    page = text(client.get(response.url))
    assert f"réponse due au plus tard le {rights.add_one_month(TODAY):%d/%m/%Y}" in page
    # Rectification: the file's usual edit pages.
    assert reverse("households:person_edit", args=[household.public_id, partner.public_id]) in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": ""}, "Choisissez le droit exercé."),
        ({"received_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "ne peut pas être dans le futur"),
        ({"received_on": "31/02/2026"}, "Saisissez une date valide"),
        ({"by_representative": "on"}, "Indiquez le nom et la qualité du représentant."),
        ({"representative": "Me Durand, avocate"}, "Cochez « présentée par un représentant » ou effacez le nom."),
        ({"person": "00000000-0000-4000-8000-000000000000"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_is_refused_in_french_and_records_nothing(client_as, changes, message):
    client = client_as(Role.SIAO_OPERATOR)
    household = household_with()
    data = {"person": "", "kind": "access", "received_on": TODAY.isoformat(), "channel": "letter"}
    response = client.post(create_url(household), data | changes)
    assert response.status_code == 400
    content = text(response)
    assert message in content and "Le formulaire contient" in content
    assert not RightsRequest.objects.exists()


# --- the request's page and the answer ---------------------------------------------------------


def test_reading_a_request_is_a_traced_consultation_of_the_file(client_as):
    rights_request = a_request()
    client = client_as(Role.SIAO_OPERATOR)
    response = client.get(detail_url(rights_request))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.filter(action="households.file_viewed").latest("sequence")
    assert event.object_id == str(rights_request.household.public_id)
    assert event.data == {"page": "rights_request", "object": str(rights_request.public_id)}


def test_the_siao_answers_from_the_request_page_once(client_as):
    rights_request = a_request()
    client = client_as(Role.SIAO_ADMIN)
    page = text(client.get(detail_url(rights_request)))
    assert "Enregistrer la réponse" in page
    assert export_url(rights_request.household, rights_request.person) in page
    url = detail_url(rights_request, "households:rights_request_answer")
    response = client.post(url, {"outcome": "answered", "answer": "", "answered_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert "Saisissez la réponse apportée à la personne." in text(response)
    rights_request.refresh_from_db()
    assert rights_request.is_open
    response = client.post(url, {"outcome": "refused", "answer": "non", "answered_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert "Un refus est motivé : donnez ses motifs en une phrase au moins" in text(response)
    long_without_cnil = "Refusée : la demande porte sur des données que nous ne détenons pas."
    response = client.post(url, {"outcome": "refused", "answer": long_without_cnil, "answered_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert "la possibilité d'adresser une réclamation à la CNIL" in text(response)
    rights_request.refresh_from_db()
    assert rights_request.is_open and rights_request.answer == ""
    response = client.post(url, {"outcome": "refused", "answer": REFUSAL, "answered_on": TODAY.isoformat()})
    assert response.status_code == 302
    rights_request.refresh_from_db()
    assert rights_request.status == RightsRequestStatus.REFUSED
    response = client.post(url, {"outcome": "answered", "answer": "Encore.", "answered_on": TODAY.isoformat()})
    assert response.status_code == 302
    page = text(client.get(response.url))
    assert "Cette demande a déjà reçu une réponse" in page and "Enregistrer la réponse" not in page
    rights_request.refresh_from_db()
    assert rights_request.status == RightsRequestStatus.REFUSED and rights_request.answer == REFUSAL
    assert client.get(url).status_code == 405


def test_an_access_request_already_exported_cannot_be_refused_from_its_page(client_as):
    household = household_with()
    rights_request = a_request(household)
    rights.export_person_data(
        actor=actor_for(membership_for(Role.SIAO_OPERATOR)), rights_request=rights_request, person=household.head
    )
    client = client_as(Role.SIAO_ADMIN)
    url = detail_url(rights_request, "households:rights_request_answer")
    response = client.post(url, {"outcome": "refused", "answer": REFUSAL, "answered_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert "Un export des données a déjà été remis pour cette demande d'accès" in text(response)
    rights_request.refresh_from_db()
    assert rights_request.is_open and rights_request.answer == ""


def test_the_export_screen_refuses_a_representative_named_without_the_box(client_as):
    household = household_with()
    client = client_as(Role.SIAO_OPERATOR)
    data = {
        "rights_request": "new",
        "received_on": TODAY.isoformat(),
        "channel": "letter",
        "representative": "M. Martin, tuteur",
    }
    response = client.post(export_url(household, household.head), data)
    assert response.status_code == 400
    assert "Cochez « présentée par un représentant » ou effacez le nom." in text(response)
    assert not RightsRequest.objects.exists()


# --- the export --------------------------------------------------------------------------------


def test_the_export_screen_records_a_new_access_request_and_shows_the_printable_page(client_as):
    household = household_with()
    client = client_as(Role.SIAO_OPERATOR)
    url = export_url(household, household.head)
    page = text(client.get(url))
    assert "Une nouvelle demande d'accès, que j'enregistre maintenant" in page
    response = client.post(url, {"rights_request": "new", "channel": "", "received_on": "", "output": "html"})
    assert response.status_code == 400
    assert "Indiquez comment la demande a été reçue." in text(response)
    assert not RightsRequest.objects.exists()
    response = client.post(
        url, {"rights_request": "new", "channel": "in_person", "received_on": TODAY.isoformat(), "output": "html"}
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    content = text(response)
    assert "Imprimer ou enregistrer en PDF" in content and 'media="print"' in content
    assert f"Données détenues sur {household.head}" in content
    rights_request = RightsRequest.objects.get()
    assert rights_request.kind == RightsRequestKind.ACCESS and rights_request.export_count == 1
    assert AuditEvent.objects.filter(action="households.data_exported", data__format="html").count() == 1


def test_the_json_file_is_an_attachment_with_every_section(client_as):
    world, rights_request = rich_file()
    household = world.household
    client = client_as(Role.SIAO_OPERATOR)
    url = export_url(household, household.head)
    assert str(rights_request.public_id) in text(client.get(url))
    response = client.post(url, {"rights_request": str(rights_request.public_id), "output": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="donnees-si-siao-')
    export = json.loads(response.content)
    (part,) = export["households"]
    assert all(part[key] for key in HOUSEHOLD_SECTIONS)
    assert export["export"]["rights_request"] == str(rights_request.public_id)
    assert world.siao_membership.user.email not in text(response)
    # The same content, printable.
    response = client.post(url, {"rights_request": str(rights_request.public_id), "output": "html"})
    content = text(response)
    for title in ("Demandes d'insertion", "Qui a consulté le dossier", "Nuitées", "Rencontres de maraude"):
        assert title in content
    assert "Rendez-vous pris à la CAF." in content
    rights_request.refresh_from_db()
    assert rights_request.export_count == 2


def test_the_export_page_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    world, rights_request = rich_file()
    household = world.household
    client = client_as(Role.SIAO_OPERATOR)
    url = export_url(household, household.head)
    data = {"rights_request": str(rights_request.public_id), "output": "json"}
    # session (4), household, the person's membership, the open access requests; the export
    # (savepoints): the request locked, the person in the household, situations, memberships,
    # publics, requests (+ recommendations, history), referrals, stays, assessments (+ sections,
    # versions), notes, contacts, accompaniments, calls, emergency requests, nights, encounters,
    # rights requests, the file's objects, the other members, the events; the request saved, the
    # SIAO, the event (5); session saved (3).
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.post(url, data).status_code == 200
    for _ in range(3):
        rights.record_rights_request(
            actor=world.prescriber,
            household=household,
            kind="rectification",
            received_on=TODAY,
            channel="email",
            person=household.head,
        )
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.post(url, data).status_code == 200


EXPORT_QUERIES = 45


# --- the file page's block --------------------------------------------------------------------


def test_the_file_page_lists_the_requests_and_the_links_of_each_role(client_as):
    rights_request = a_request()
    household = rights_request.household
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40)):
        late = a_request(household, kind=RightsRequestKind.ERASURE)
    file_url = reverse("households:household_detail", args=[household.public_id])
    content = text(client_as(Role.SIAO_ADMIN).get(file_url))
    assert "Protection des données" in content
    assert detail_url(rights_request) in content and detail_url(late) in content
    assert "En retard" in content
    assert export_url(household, household.head) in content
    assert reverse("audit:file_report", args=[household.public_id]) in content
    assert REGISTER in content and create_url(household) in content
    content = text(client_as(Role.CALL_HANDLER).get(file_url))
    assert create_url(household) in content
    for link in (
        export_url(household, household.head),
        REGISTER,
        reverse("audit:file_report", args=[household.public_id]),
    ):
        assert link not in content


# --- the register ------------------------------------------------------------------------------


def test_the_register_shows_the_siao_requests_overdue_first(client_as, django_assert_num_queries):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40)):
        late = a_request()
    recent = a_request()
    elsewhere = record_access(actor_for(membership_for(Role.SIAO_OPERATOR, "29")), household_with(code="29"))
    client = client_as(Role.SIAO_ADMIN)
    # session (4), count, page, the menu's archive authorization (siao.retention's tile),
    # session saved (3)
    with django_assert_num_queries(REGISTER_QUERIES):
        response = client.get(REGISTER)
    assert list(response.context["page"]) == [late, recent]
    content = text(response)
    assert str(late.person) in content and "En retard" in content
    for _ in range(3):
        a_request()
    with django_assert_num_queries(REGISTER_QUERIES):
        client.get(REGISTER)
    response = client.get(REGISTER, {"statut": "overdue"})
    assert list(response.context["page"]) == [late]
    national = client_as(Role.NATIONAL_ADMIN).get(REGISTER)
    assert elsewhere in national.context["page"]
    assert str(elsewhere.person) not in text(national)  # no identified data at national level
    assert "de tous les SIAO" in text(national) and "votre SIAO" not in text(national)
    assert "que tient votre SIAO" in content and "Demandes (2)" in content


def test_a_filter_that_finds_nothing_says_zero(client_as):
    a_request()
    for role in (Role.SIAO_ADMIN, Role.NATIONAL_ADMIN):
        response = client_as(role).get(REGISTER, {"statut": "refused"})
        content = text(response)
        assert "Demandes (0)" in content and "Aucune demande ne correspond." in content


REGISTER_QUERIES = 9
