"""The public creation request: a form anyone can fill without an account, protected against
abuse (honeypot, hourly limits), which answers with a reference on screen and by email."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.offer.actions import requests as actions
from siao.offer.enums import ProgramType
from siao.offer.models import CreationRequest
from tests.factories import department, fake_siren, fake_siret, membership_for

pytestmark = pytest.mark.django_db

URL = "/offre/demande/"
SIREN = fake_siren(4242)
REFERENCE_RE = re.compile(r"^DEM-\d{4}-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$")


def valid_data(**overrides) -> dict:
    data = {
        "requester_first_name": "Camille",
        "requester_last_name": "Exemple",
        "requester_email": "Camille.Exemple@asso-test.example",
        "requester_phone": "01 22 33 44 55",
        "requester_role": "Directrice",
        "operator_name": "Association L'Escale",
        "operator_siren": f"{SIREN[:3]} {SIREN[3:6]} {SIREN[6:]}",
        "program_type": ProgramType.CHRS,
        "program_name": "CHRS - L'Escale",
        "program_siret": fake_siret(SIREN, 12),
        "department": "35",
        "description": "Ouverture prévue en janvier, 20 places.",
        "website": "",
    }
    data.update(overrides)
    return data


def post(client, data, **extra):
    with_on_commit = extra.pop("capture", None)
    if with_on_commit is not None:
        with with_on_commit(execute=True):
            return client.post(URL, data, **extra)
    return client.post(URL, data, **extra)


def create_requests(count: int, ip: str = "203.0.113.7", minutes_ago: int = 10) -> None:
    created = [
        CreationRequest.objects.create(
            reference=actions.new_reference(),
            requester_first_name="A",
            requester_last_name="B",
            requester_email="a@b.example",
            operator_name="X",
            operator_siren=SIREN,
            department=department("35"),
            client_ip=ip,
        ).pk
        for _ in range(count)
    ]
    CreationRequest.objects.filter(pk__in=created).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )


# --- the page --------------------------------------------------------------------------------


def test_the_url_is_public_and_named(client):
    assert reverse("offer:request_create") == URL
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Demander la création d'un dispositif" in content
    assert "INVALID_TEMPLATE_VARIABLE" not in content


def test_every_field_has_a_label_and_the_types_are_grouped_by_category(client):
    content = client.get(URL).content.decode()
    form = client.get(URL).context["form"]
    for field in form:
        assert f'<label for="{field.id_for_label}"' in content, field.name
    assert '<optgroup label="Hébergement">' in content
    assert '<option value="chrs">CHRS</option>' in content
    assert '<optgroup label="Premier accueil">' in content
    assert '<option value="35">35 – Ille-et-Vilaine</option>' in content
    assert '<option value="2A">' in content and '<option value="976">' in content


def test_the_honeypot_is_hidden_from_people_and_assistive_technologies(client):
    content = client.get(URL).content.decode()
    assert re.search(r'<div class="siao-honeypot" aria-hidden="true">\s*<div class="fr-input-group">', content)
    field = re.search(r'<input type="text" name="website"[^>]*>', content).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert "Ne pas remplir ce champ" in content


def test_the_page_has_no_inline_style_or_script(client):
    content = client.get(URL).content.decode()
    assert "style=" not in content
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", content)


def test_a_logged_in_user_finds_their_name_and_address_filled_in(client_as):
    client = client_as(Role.OPERATOR_MANAGER)
    form = client.get(URL).context["form"]
    assert form["requester_email"].value() == client.membership.user.email
    assert form["requester_last_name"].value() == client.membership.user.last_name


def test_the_page_costs_a_fixed_number_of_queries(client, django_assert_num_queries):
    # départements for the select
    with django_assert_num_queries(1):
        client.get(URL)


# --- a request sent --------------------------------------------------------------------------


def test_a_request_is_recorded_with_a_reference_shown_once_sent(client, django_capture_on_commit_callbacks):
    response = post(client, valid_data(), capture=django_capture_on_commit_callbacks, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 302
    assert response.url == reverse("offer:request_sent")
    assert response.url == "/offre/demande/envoyee/"

    creation_request = CreationRequest.objects.get()
    assert REFERENCE_RE.match(creation_request.reference)
    assert creation_request.reference.startswith(f"DEM-{timezone.localdate().year}-")
    assert creation_request.requester_email == "camille.exemple@asso-test.example"
    assert creation_request.operator_siren == SIREN
    assert creation_request.program_siret == fake_siret(SIREN, 12)
    assert creation_request.department.code == "35"
    assert creation_request.status == "new"
    assert creation_request.client_ip == "198.51.100.4"

    page = client.get(response.url)
    assert page.status_code == 200
    assert creation_request.reference in page.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in page.content.decode()


def test_the_requester_receives_the_reference_by_email_without_what_they_typed(
    client, django_capture_on_commit_callbacks
):
    post(client, valid_data(description="Visitez http://spam.example"), capture=django_capture_on_commit_callbacks)
    creation_request = CreationRequest.objects.get()
    (confirmation,) = [m for m in mail.outbox if m.to == ["camille.exemple@asso-test.example"]]
    assert creation_request.reference in confirmation.subject
    assert creation_request.reference in confirmation.body
    assert "35 – Ille-et-Vilaine" in confirmation.body
    # The address is not verified: nothing the form's author wrote is relayed to it.
    for typed in ("spam.example", "Camille", "Escale"):
        assert typed not in confirmation.body


def test_the_siao_administrators_of_the_department_are_told(client, django_capture_on_commit_callbacks):
    admin = membership_for(Role.SIAO_ADMIN, user__email="admin.35@siao-test.example")
    membership_for(Role.SIAO_ADMIN, user__email="revoked.35@siao-test.example", revoked_at=timezone.now())
    membership_for(Role.SIAO_OPERATOR, user__email="operator.35@siao-test.example")
    membership_for(Role.SIAO_ADMIN, code="29", user__email="admin.29@siao-test.example")
    membership_for(Role.DEPARTMENT_ADMIN, user__email="ddets.35@ddets-test.example")

    post(client, valid_data(), capture=django_capture_on_commit_callbacks)
    creation_request = CreationRequest.objects.get()
    (notification,) = [m for m in mail.outbox if creation_request.reference in m.subject and "Nouvelle" in m.subject]
    assert notification.to == [admin.user.email]
    assert "Association L'Escale" in notification.body  # not HTML-escaped in a text email
    assert f"http://testserver/offre/demandes/{creation_request.public_id}/" in notification.body
    assert len(mail.outbox) == 2


def test_no_email_leaves_before_the_request_is_committed(client):
    # Without running the on-commit callbacks (the test transaction never commits): nothing sent.
    post(client, valid_data())
    assert CreationRequest.objects.count() == 1
    assert mail.outbox == []


def test_the_request_is_audited_without_an_actor(client):
    post(client, valid_data(), REMOTE_ADDR="198.51.100.4")
    creation_request = CreationRequest.objects.get()
    event = AuditEvent.objects.get(action="offer.creation_request_received")
    assert event.actor_user_id is None
    assert event.object_type == "offer.creationrequest"
    assert event.object_id == str(creation_request.public_id)
    assert event.ip_address == "198.51.100.4"
    assert event.data == {"reference": creation_request.reference, "department": "35", "program_type": "chrs"}


def test_an_operator_only_request_needs_no_program(client):
    data = valid_data(program_type="", program_name="", program_siret="", requester_phone="", requester_role="")
    response = post(client, data)
    assert response.status_code == 302
    creation_request = CreationRequest.objects.get()
    assert (creation_request.program_type, creation_request.program_siret) == ("", "")


def test_the_confirmation_page_needs_a_request_sent_in_this_session(client):
    response = client.get(reverse("offer:request_sent"))
    assert response.status_code == 302
    assert response.url == URL


def test_a_posted_request_costs_a_fixed_number_of_queries(client, django_assert_num_queries):
    # département; action savepoint, per-IP count, overall count, insert (3 with its savepoint),
    # audit (savepoint, chain head lock, insert, head update, release), release; session (4)
    with django_assert_num_queries(17):
        assert post(client, valid_data()).status_code == 302


def test_references_are_unique_and_drawn_again_on_a_collision(client, monkeypatch):
    post(client, valid_data())
    taken = CreationRequest.objects.get().reference
    draws = iter([taken, taken, "DEM-2099-ABCDEF"])
    monkeypatch.setattr(actions, "new_reference", lambda: next(draws))
    assert post(client, valid_data()).status_code == 302
    assert set(CreationRequest.objects.values_list("reference", flat=True)) == {taken, "DEM-2099-ABCDEF"}


def test_references_are_not_guessable():
    references = {actions.new_reference() for _ in range(200)}
    assert len(references) == 200
    assert all(REFERENCE_RE.match(reference) for reference in references)


# --- abuse protections -----------------------------------------------------------------------


def test_a_filled_honeypot_looks_like_a_success_but_saves_and_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    membership_for(Role.SIAO_ADMIN)
    response = post(client, valid_data(website="http://spam.example"), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("offer:request_sent")
    page = client.get(response.url).content.decode()
    assert re.search(r"DEM-\d{4}-[A-Z2-9]{6}", page)
    assert CreationRequest.objects.count() == 0
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action__startswith="offer.").exists()


def test_a_filled_honeypot_wins_even_over_invalid_input(client):
    response = post(client, {"website": "x"})
    assert response.status_code == 302
    assert CreationRequest.objects.count() == 0


def test_a_sixth_request_from_one_address_within_the_hour_is_refused(client, django_capture_on_commit_callbacks):
    create_requests(5, ip="203.0.113.7")
    response = post(client, valid_data(), capture=django_capture_on_commit_callbacks, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    content = response.content.decode()
    assert "Vous avez déjà envoyé plusieurs demandes depuis ce poste" in content
    assert "Demande non enregistrée" in content
    assert CreationRequest.objects.count() == 5
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="offer.creation_request_received").exists()
    # The form keeps what was typed.
    assert response.context["form"]["operator_name"].value() == "Association L'Escale"


def test_the_limit_per_address_counts_the_last_hour_only_and_that_address_only(client):
    create_requests(5, ip="203.0.113.7", minutes_ago=61)
    create_requests(4, ip="203.0.113.7")  # 4 within the hour: the fifth passes
    create_requests(9, ip="203.0.113.8")
    assert post(client, valid_data(), REMOTE_ADDR="203.0.113.7").status_code == 302
    assert post(client, valid_data(), REMOTE_ADDR="203.0.113.7").status_code == 429
    assert post(client, valid_data(), REMOTE_ADDR="203.0.113.9").status_code == 302


def test_the_limit_applies_to_the_client_behind_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    create_requests(5, ip="203.0.113.7")
    response = post(client, valid_data(), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert response.status_code == 429
    response = post(client, valid_data(), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert response.status_code == 302
    assert CreationRequest.objects.filter(client_ip="203.0.113.20").exists()


def test_past_the_overall_hourly_cap_every_request_is_refused(client, settings):
    settings.OFFER_CREATION_REQUESTS_PER_HOUR = 3
    create_requests(1, ip="203.0.113.1")
    create_requests(1, ip="203.0.113.2")
    create_requests(1, ip="203.0.113.3")
    response = post(client, valid_data(), REMOTE_ADDR="198.51.100.99")
    assert response.status_code == 429
    assert "un nombre inhabituel de demandes" in response.content.decode()
    assert CreationRequest.objects.count() == 3


# --- bad input -------------------------------------------------------------------------------


BAD_INPUTS = [
    ("operator_siren", {"operator_siren": "123456788"}, "Le numéro SIREN « 123456788 » n'est pas valide"),
    ("operator_siren", {"operator_siren": "abc"}, "Le numéro SIREN « abc » n'est pas valide"),
    ("operator_siren", {"operator_siren": ""}, "Ce champ est obligatoire."),
    ("program_siret", {"program_siret": "12345678901234"}, "Le numéro SIRET « 12345678901234 » n'est pas valide"),
    (
        "program_siret",
        {"program_siret": fake_siret(fake_siren(77), 1)},
        f"n'appartient pas à l'entité : il doit commencer par son SIREN ({SIREN})",
    ),
    ("department", {"department": ""}, "Choisissez le département du dispositif."),
    ("department", {"department": "99"}, "Choisissez un département dans la liste."),
    ("department", {"department": "35' OR 1=1"}, "Choisissez un département dans la liste."),
    ("program_type", {"program_type": "castle"}, "Sélectionnez un choix valide"),
    ("requester_email", {"requester_email": "pas-une-adresse"}, "Saisissez une adresse électronique valide"),
    ("requester_phone", {"requester_phone": "appelez-moi"}, "Saisissez un numéro de téléphone valide"),
    ("requester_first_name", {"requester_first_name": "x" * 151}, "au plus 150 caractères"),
    ("operator_name", {"operator_name": "x" * 256}, "au plus 255 caractères"),
    ("program_name", {"program_name": "x" * 256}, "au plus 255 caractères"),
    ("description", {"description": "x" * 5001}, "au plus 5000 caractères"),
    ("operator_siren", {"operator_siren": "1" * 5000}, "au plus 20 caractères"),
    ("requester_last_name", {"requester_last_name": "Nul\x00"}, "Le caractère nul n’est pas autorisé."),
]


@pytest.mark.parametrize(("field", "overrides", "message"), BAD_INPUTS)
def test_bad_input_is_refused_with_a_french_message_and_nothing_saved(client, field, overrides, message):
    response = post(client, valid_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert any(message in error for error in form.errors[field]), form.errors[field]
    content = response.content.decode()
    assert "Le formulaire contient" in content
    assert CreationRequest.objects.count() == 0
    assert not AuditEvent.objects.exists()
    assert mail.outbox == []


def test_an_empty_post_lists_every_required_field(client):
    response = post(client, {})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "requester_first_name",
        "requester_last_name",
        "requester_email",
        "operator_name",
        "operator_siren",
        "department",
    }
    assert CreationRequest.objects.count() == 0


@pytest.mark.parametrize("phone", ["02 99 00 00 00", "+33 2 99 00 00 00", "(02) 99.00.00.00", "0299000000"])
def test_phone_numbers_as_people_type_them_are_accepted(phone):
    from siao.offer.validators import is_phone_number

    assert is_phone_number(phone)


@pytest.mark.parametrize("phone", ["appelez-moi", "12", "+33", "02 99 00 00 00 00 00 00 00 00", "0299 abc"])
def test_what_is_not_a_phone_number_is_refused(phone):
    from siao.offer.validators import is_phone_number

    assert not is_phone_number(phone)
