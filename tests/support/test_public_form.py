"""The public support request: anyone, logged in or not, describes a difficulty, attaches a few
files, and reads a reference on screen and in an email. Bad input is refused in French with
nothing stored: no row, no file."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.support.models import SupportAttachment, SupportMessage, SupportRequest
from tests.factories import UserFactory

from .helpers import (
    URL,
    a_pdf,
    a_png,
    docx_bytes,
    exe_bytes,
    jpeg_bytes,
    make_request,
    ods_bytes,
    pdf_bytes,
    png_bytes,
    stored_files,
    upload,
    valid_data,
)

pytestmark = pytest.mark.django_db

REFERENCE_RE = re.compile(r"^SUP-\d{4}-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$")
REFILE = "choisissez-les de nouveau"


def post(client, data, capture=None, **extra):
    if capture is not None:
        with capture(execute=True):
            return client.post(URL, data, **extra)
    return client.post(URL, data, **extra)


def assert_nothing_stored():
    assert not SupportRequest.objects.exists()
    assert not SupportAttachment.objects.exists()
    assert stored_files() == []
    assert not AuditEvent.objects.filter(action="support.request_submitted").exists()


def errors_of(response) -> str:
    assert response.status_code in (400, 429)
    return " ".join(str(error) for errors in response.context["form"].errors.values() for error in errors)


# --- the page ---------------------------------------------------------------------------------


def test_the_url_is_public_and_named(client):
    assert reverse("support:request_create") == URL
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ouvrir une demande de support" in content
    assert "INVALID_TEMPLATE_VARIABLE" not in content


def test_the_form_has_the_fields_of_the_seed_screen_each_with_a_label(client):
    response = client.get(URL)
    content = response.content.decode()
    labels = [field.label for field in response.context["form"] if field.name != "website"]
    assert labels == [
        "Prénom",
        "Nom",
        "E-mail",
        "Identifiant utilisateur",
        "Objet",
        "Catégorie",
        "Description",
        "Pièces jointes",
    ]
    for field in response.context["form"]:
        assert f'<label for="{field.id_for_label}"' in content, field.name
    assert '<option value="access">Accès au SIAO</option>' in content
    assert '<option value="improvement">Évolutions</option>' in content
    assert '<option value="incident">Incidents et anomalies</option>' in content
    assert 'enctype="multipart/form-data"' in content
    assert re.search(r'<input type="file" name="attachments"[^>]*multiple', content)
    assert "3 fichiers au plus, 5\xa0Mo au plus chacun" in content
    # contact details from the settings
    assert "support@si-siao.example" in content and "01 00 00 00 00" in content


def test_the_knowledge_base_suggestions_follow_the_description_and_htmx_is_loaded(client):
    content = client.get(URL).content.decode()
    assert 'id="id_subject"' in content and 'id="id_description"' in content
    assert content.index('id="id_description"') < content.index('id="support-suggestions"')
    assert content.index('id="support-suggestions"') < content.index('id="id_attachments"')
    assert reverse("knowledge:suggestions") in content
    assert "django_htmx/htmx-2.min.js" in content


def test_the_page_has_no_inline_style_or_script(client):
    content = client.get(URL).content.decode()
    assert "style=" not in content
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", content)


def test_the_honeypot_is_hidden_from_people_and_assistive_technologies(client):
    content = client.get(URL).content.decode()
    assert re.search(r'<div class="siao-honeypot" aria-hidden="true">\s*<div class="fr-input-group">', content)
    field = re.search(r'<input type="text" name="website"[^>]*>', content).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field


def test_a_logged_in_user_finds_their_name_address_and_identifier_filled_in(client_as):
    client = client_as(Role.SOCIAL_WORKER)
    user = client.membership.user
    form = client.get(URL).context["form"]
    assert form["first_name"].value() == user.first_name
    assert form["last_name"].value() == user.last_name
    assert form["email"].value() == user.email
    assert form["user_identifier"].value() == user.email


def test_the_page_costs_no_query_for_an_anonymous_visitor(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get(URL)


# --- a request sent ---------------------------------------------------------------------------


def test_an_anonymous_request_with_attachments_is_recorded_and_its_reference_shown(
    client, django_capture_on_commit_callbacks
):
    data = valid_data(attachments=[a_png(), a_pdf("C:\\Users\\agent\\Mes documents\\erreur <1>.pdf")])
    response = post(client, data, capture=django_capture_on_commit_callbacks, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 302
    assert response.url == reverse("support:request_sent") == "/support/demande/envoyee/"

    support_request = SupportRequest.objects.get()
    assert REFERENCE_RE.match(support_request.reference)
    assert support_request.reference.startswith(f"SUP-{timezone.localdate().year}-")
    assert support_request.email == "camille.exemple@asso-test.example"
    assert support_request.category == "access"
    assert support_request.status == "new"
    assert support_request.client_ip == "198.51.100.4"
    assert support_request.user is None and not support_request.sent_logged_in
    assert support_request.description == "Depuis ce matin, le code n'arrive pas.\nJ'ai vérifié les indésirables."

    png, pdf = support_request.attachments.order_by("pk")
    assert (png.original_name, png.content_type, png.size) == ("capture.png", "image/png", len(png_bytes()))
    assert (pdf.original_name, pdf.content_type) == ("erreur _1.pdf", "application/pdf")
    import hashlib

    assert png.sha256 == hashlib.sha256(png_bytes()).hexdigest()
    # Unguessable names under support/<request>/, nothing of the original name.
    assert re.match(rf"^support/{support_request.public_id}/[0-9a-f]{{32}}$", png.file.name)
    assert "capture" not in pdf.file.name and "erreur" not in pdf.file.name
    assert len(stored_files()) == 2
    with png.file.open("rb") as handle:
        assert handle.read() == png_bytes()

    page = client.get(response.url)
    assert page.status_code == 200
    assert support_request.reference in page.content.decode()
    assert support_request.reference not in response.url
    assert "INVALID_TEMPLATE_VARIABLE" not in page.content.decode()


def test_a_logged_in_request_is_tied_to_the_account_and_its_active_profile(client_as):
    client = client_as(Role.OPERATOR_MANAGER)
    membership = client.membership
    response = post(client, valid_data(email=membership.user.email, user_identifier=membership.user.email))
    assert response.status_code == 302
    support_request = SupportRequest.objects.get()
    assert support_request.user == membership.user
    assert support_request.sent_logged_in
    assert support_request.organization == membership.organization
    assert support_request.role == Role.OPERATOR_MANAGER
    event = AuditEvent.objects.get(action="support.request_submitted")
    assert event.actor_user_id == membership.user.pk


def test_an_anonymous_request_is_matched_to_the_account_of_the_identifier_else_of_the_email(client):
    by_identifier = UserFactory(email="identifiant@asso-test.example")
    by_email = UserFactory(email="camille.exemple@asso-test.example")
    post(client, valid_data(user_identifier="Identifiant@asso-test.example "))
    post(client, valid_data(user_identifier="inconnu@asso-test.example"))
    first, second = SupportRequest.objects.order_by("pk")
    assert (first.user, first.sent_logged_in) == (by_identifier, False)
    assert second.user == by_email


def test_the_answer_is_the_same_whether_or_not_an_account_matches(client):
    UserFactory(email="existe@asso-test.example")
    known = post(client, valid_data(email="existe@asso-test.example"))
    unknown = post(client, valid_data(email="personne@asso-test.example"))
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    first = client.get(known.url).content.decode()
    assert "existe@asso-test.example" not in first


def test_the_requester_receives_the_reference_and_what_happens_next_without_what_they_typed(
    client, django_capture_on_commit_callbacks
):
    post(
        client,
        valid_data(subject="Gagnez un prix sur http://spam.example", attachments=[a_png()]),
        capture=django_capture_on_commit_callbacks,
    )
    support_request = SupportRequest.objects.get()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["camille.exemple@asso-test.example"]
    assert support_request.reference in confirmation.subject
    body = confirmation.body
    assert support_request.reference in body
    assert "Accès au SIAO" in body
    assert "Pièces jointes : 1" in body
    assert "vous répondra à cette adresse" in body
    assert "support@si-siao.example" in body and "01 00 00 00 00" in body and "du lundi au vendredi" in body
    for typed in ("spam.example", "Camille", "le code n'arrive pas"):
        assert typed not in body
    assert confirmation.attachments == [] and confirmation.alternatives == []


def test_the_support_team_mailbox_is_told_without_the_description_when_set(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SUPPORT_TEAM_EMAIL = "equipe.support@si-siao.example"
    post(client, valid_data(attachments=[a_pdf()]), capture=django_capture_on_commit_callbacks)
    support_request = SupportRequest.objects.get()
    (team,) = [m for m in mail.outbox if m.to == ["equipe.support@si-siao.example"]]
    assert support_request.reference in team.subject and "Accès au SIAO" in team.subject
    assert "Je ne reçois pas le code de connexion" in team.body
    assert f"http://testserver/support/demandes/{support_request.public_id}/" in team.body
    assert "le code n'arrive pas" not in team.body
    assert team.attachments == []
    assert len(mail.outbox) == 2


def test_no_email_leaves_before_the_request_is_committed(client):
    post(client, valid_data())
    assert SupportRequest.objects.count() == 1
    assert mail.outbox == []


def test_the_request_is_audited_without_an_actor_when_anonymous(client):
    post(client, valid_data(attachments=[a_png()]), REMOTE_ADDR="198.51.100.4")
    support_request = SupportRequest.objects.get()
    event = AuditEvent.objects.get(action="support.request_submitted")
    assert event.actor_user_id is None
    assert (event.object_type, event.object_id) == ("support.supportrequest", str(support_request.public_id))
    assert event.ip_address == "198.51.100.4"
    assert event.data == {
        "reference": support_request.reference,
        "category": "access",
        "attachments": 1,
        "sent_logged_in": False,
    }


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_type"),
    [
        ("photo.JPG", jpeg_bytes(), "image/jpeg", "image/jpeg"),
        (
            "compte-rendu.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("tableau.ods", ods_bytes(), "application/octet-stream", "application/vnd.oasis.opendocument.spreadsheet"),
        ("journal.txt", "Erreur 500 à 10 h 02 — réessayé.\n".encode(), "text/plain", "text/plain"),
    ],
)
def test_each_accepted_format_is_stored_with_its_detected_type(client, name, content, content_type, stored_type):
    response = post(client, valid_data(attachments=[upload(name, content, content_type)]))
    assert response.status_code == 302
    attachment = SupportAttachment.objects.get()
    assert attachment.content_type == stored_type
    assert attachment.original_name == name.rsplit(".", 1)[0] + "." + name.rsplit(".", 1)[1].lower()


# --- bad input: nothing stored, a French message ----------------------------------------------


def test_a_file_too_big_is_refused_by_name(client, settings):
    settings.SUPPORT_ATTACHMENT_MAX_BYTES = 1024
    response = post(
        client, valid_data(attachments=[a_png(), upload("scan.pdf", pdf_bytes() + b"0" * 2000, "application/pdf")])
    )
    errors = errors_of(response)
    assert (
        "« scan.pdf » est trop volumineux (2\xa0125\xa0octets) : la limite est de 1\xa0Ko (1\xa0024\xa0octets) "
        "par fichier." in errors
    )
    assert REFILE in errors
    assert_nothing_stored()


def test_a_file_just_over_the_limit_says_by_how_much_in_bytes(client):
    just_over = 5 * 1024 * 1024 + 19
    response = post(
        client,
        valid_data(
            attachments=[upload("scan.pdf", pdf_bytes() + b"0" * (just_over - len(pdf_bytes())), "application/pdf")]
        ),
    )
    errors = errors_of(response)
    assert (
        "« scan.pdf » est trop volumineux (5\xa0242\xa0899\xa0octets) : la limite est de 5\xa0Mo "
        "(5\xa0242\xa0880\xa0octets) par fichier." in errors
    )
    assert_nothing_stored()


def test_more_files_than_allowed_are_refused(client):
    response = post(client, valid_data(attachments=[a_png(f"capture{n}.png") for n in range(4)]))
    assert "Vous pouvez joindre 3 fichiers au plus (vous en avez choisi 4)." in errors_of(response)
    assert_nothing_stored()


def test_a_forbidden_type_is_refused(client):
    response = post(client, valid_data(attachments=[upload("outil.exe", exe_bytes(), "application/x-msdownload")]))
    errors = errors_of(response)
    assert (
        "« outil.exe » n'est pas d'un format accepté. Formats acceptés : PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS et TXT."
        in errors
    )
    assert_nothing_stored()


def test_a_pdf_containing_an_image_is_refused_as_lying_about_its_type(client):
    response = post(client, valid_data(attachments=[upload("facture.pdf", png_bytes(), "application/pdf")]))
    assert "« facture.pdf » n'est pas ce qu'annonce son nom : son contenu est PNG, pas PDF." in errors_of(response)
    assert_nothing_stored()


def test_a_program_renamed_pdf_is_refused_as_lying_about_its_type(client):
    response = post(client, valid_data(attachments=[upload("facture.pdf", exe_bytes(), "application/pdf")]))
    errors = errors_of(response)
    assert (
        "« facture.pdf » n'est pas ce qu'annonce son nom : son contenu est programme Windows (EXE), pas PDF." in errors
    )
    assert_nothing_stored()


def test_a_file_whose_declared_type_disagrees_is_refused(client):
    response = post(client, valid_data(attachments=[upload("capture.png", png_bytes(), "application/pdf")]))
    assert "votre navigateur l'a déclaré de type application/pdf, pas PNG" in errors_of(response)
    assert_nothing_stored()


def test_a_text_file_must_be_utf8_text(client):
    for content in ("Café".encode("latin-1"), b"texte\x00binaire"):
        response = post(client, valid_data(attachments=[upload("notes.txt", content, "text/plain")]))
        assert "« notes.txt » n'est pas un texte lisible" in errors_of(response)
    response = post(client, valid_data(attachments=[upload("notes.txt", png_bytes(), "text/plain")]))
    assert "son contenu est PNG, pas TXT" in errors_of(response)
    assert_nothing_stored()


def test_an_empty_file_is_refused(client):
    response = post(client, valid_data(attachments=[upload("vide.pdf", b"", "application/pdf")]))
    assert "« vide.pdf » est vide (0 octet)" in errors_of(response)
    assert_nothing_stored()


def test_one_bad_file_among_good_ones_stores_none(client):
    response = post(
        client, valid_data(attachments=[a_png(), a_pdf(), upload("facture.pdf", png_bytes(), "application/pdf")])
    )
    assert "« facture.pdf »" in errors_of(response)
    assert_nothing_stored()


def test_missing_fields_are_named_in_french_and_files_must_be_chosen_again(client):
    response = post(client, {"website": "", "attachments": [a_png()]})
    errors = response.context["form"].errors
    assert errors["first_name"] == ["Indiquez votre prénom."]
    assert errors["last_name"] == ["Indiquez votre nom."]
    assert errors["email"] == ["Indiquez votre adresse électronique : la réponse y sera envoyée."]
    assert errors["subject"] == ["Indiquez l'objet de votre demande."]
    assert errors["category"] == ["Choisissez la catégorie de votre demande."]
    assert errors["description"] == ["Décrivez votre demande."]
    assert any(REFILE in error for error in errors["attachments"])
    assert response.status_code == 400
    assert "Le formulaire contient" in response.content.decode()
    assert_nothing_stored()


def test_an_invalid_email_and_an_unknown_category_are_refused(client):
    response = post(client, valid_data(email="pas-une-adresse", category="autre"))
    errors = response.context["form"].errors
    assert errors["email"] == ["Saisissez une adresse électronique valide, par exemple prenom.nom@organisme.fr."]
    assert errors["category"] == ["Choisissez une catégorie dans la liste."]
    assert_nothing_stored()


def test_too_long_texts_are_refused(client):
    response = post(client, valid_data(description="x" * 5001, subject="y" * 201, first_name="z" * 151))
    errors = response.context["form"].errors
    assert errors["description"] == [
        "Assurez-vous que cette valeur comporte au plus 5000 caractères (actuellement 5001)."
    ]
    assert "au plus 200 caractères" in errors["subject"][0]
    assert "au plus 150 caractères" in errors["first_name"][0]
    assert_nothing_stored()


def test_a_robot_filling_the_hidden_field_sees_a_confirmation_but_nothing_is_saved_or_sent(
    client, django_capture_on_commit_callbacks
):
    response = post(
        client,
        valid_data(website="http://spam.example", attachments=[a_png()]),
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302 and response.url == "/support/demande/envoyee/"
    assert REFERENCE_RE.match(client.get(response.url).context["reference"])
    assert_nothing_stored()
    assert mail.outbox == []


def test_the_confirmation_page_without_a_request_sent_goes_back_to_the_form(client):
    response = client.get("/support/demande/envoyee/")
    assert response.status_code == 302 and response.url == URL


# --- rate limits ------------------------------------------------------------------------------


def backdate(count, ip, minutes_ago=10):
    created = [make_request(client_ip=ip).pk for _ in range(count)]
    SupportRequest.objects.filter(pk__in=created).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )


def test_past_the_hourly_limit_per_address_the_request_is_refused_with_nothing_stored(client, settings):
    settings.SUPPORT_REQUESTS_PER_IP_PER_HOUR = 2
    backdate(2, "203.0.113.7")
    response = post(client, valid_data(attachments=[a_png()]), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    errors = errors_of(response)
    assert "plusieurs demandes de support depuis ce poste" in errors
    assert REFILE in errors
    assert SupportRequest.objects.count() == 2
    assert not SupportAttachment.objects.exists() and stored_files() == []
    # Another address, or an hour later, passes.
    assert post(client, valid_data(), REMOTE_ADDR="203.0.113.8").status_code == 302
    SupportRequest.objects.filter(client_ip="203.0.113.7").update(
        created_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    assert post(client, valid_data(), REMOTE_ADDR="203.0.113.7").status_code == 302


def test_past_the_overall_hourly_limit_every_request_is_refused(client, settings):
    settings.SUPPORT_REQUESTS_PER_HOUR = 3
    for n in range(3):
        backdate(1, f"203.0.113.{n + 20}")
    response = post(client, valid_data(), REMOTE_ADDR="198.51.100.50")
    assert response.status_code == 429
    assert "nombre inhabituel de demandes" in errors_of(response)
    assert SupportRequest.objects.count() == 3


def test_a_storage_failure_midway_leaves_no_file_and_no_row(client, monkeypatch):
    from siao.support import attachments as module

    real_write = module.write
    calls = []

    def failing_write(checked, request_public_id):
        calls.append(checked.original_name)
        if len(calls) == 2:
            raise OSError("disque plein")
        return real_write(checked, request_public_id)

    monkeypatch.setattr(module, "write", failing_write)
    client.raise_request_exception = False
    response = client.post(URL, valid_data(attachments=[a_png(), a_pdf()]))
    assert response.status_code == 500
    assert calls == ["capture.png", "erreur.pdf"]
    assert_nothing_stored()


# --- content rendered inert -------------------------------------------------------------------


def test_a_script_in_the_description_is_stored_as_text(client):
    post(client, valid_data(description="<script>alert('x')</script>\nSuite", subject="<b>Objet</b>"))
    support_request = SupportRequest.objects.get()
    assert support_request.description == "<script>alert('x')</script>\nSuite"
    assert not SupportMessage.objects.exists()
