"""The support request in a real browser: anyone, without an account, describes a difficulty,
attaches a screenshot, reads the reference; a file lying about its type is refused in French.
Then a national administrator finds the request in the queue and downloads the attachment."""

import re
from pathlib import Path

from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.support.models import SupportRequest
from tests.conftest import log_in_as
from tests.factories import membership_for
from tests.support.helpers import png_bytes


def _log_in(page, live_server, membership):
    client = log_in_as(Client(), membership)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def fill_the_form(page):
    page.get_by_label("Prénom").fill("Camille")
    page.locator("#id_last_name").fill("Navigatrice")
    page.get_by_label("E-mail").fill("camille.navigatrice@asso-test.example")
    page.get_by_label("Objet").fill("Écran blanc sur la liste des places")
    page.get_by_label("Catégorie").select_option(label="Incidents et anomalies")
    page.get_by_label("Description").fill("Depuis ce matin, la liste reste blanche.\n<script>alert(1)</script>")


def test_anyone_sends_a_support_request_with_a_screenshot_and_the_team_downloads_it(live_server, page):
    national = membership_for(Role.NATIONAL_ADMIN, user__email="nadia.e2e@dihal-test.example")
    csp_violations = []
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and csp_violations.append(message.text)
    )
    page.goto(f"{live_server.url}/support/demande/")
    expect(page).to_have_title(re.compile("Ouvrir une demande de support"))

    # A PDF that is really an image: refused, in French, nothing stored; what was typed is kept.
    fill_the_form(page)
    page.get_by_label("Pièces jointes").set_input_files(
        files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": png_bytes()}]
    )
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text(re.compile("« facture.pdf » n'est pas ce qu'annonce son nom"))).to_be_visible()
    expect(page.get_by_text(re.compile("choisissez-les de nouveau"))).to_be_visible()
    expect(page.get_by_label("Objet")).to_have_value("Écran blanc sur la liste des places")
    assert not SupportRequest.objects.exists()

    page.get_by_label("Pièces jointes").set_input_files(
        files=[{"name": "capture écran.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", name="Demande de support envoyée")).to_be_visible()
    support_request = SupportRequest.objects.get()
    expect(page.locator("#support-request-reference")).to_have_text(support_request.reference)
    assert "/support/demande/envoyee/" in page.url and support_request.reference not in page.url
    assert support_request.attachments.count() == 1
    to_requester = [m for m in mail.outbox if m.to == ["camille.navigatrice@asso-test.example"]]
    assert len(to_requester) == 1 and support_request.reference in to_requester[0].body

    # The national administrator finds it in the queue and downloads the screenshot.
    _log_in(page, live_server, national)
    page.goto(f"{live_server.url}/support/demandes/")
    expect(page.get_by_role("heading", name="Demandes de support")).to_be_visible()
    page.get_by_role("link", name=support_request.reference).click()
    expect(page.get_by_role("heading", name=f"Demande de support {support_request.reference}")).to_be_visible()
    expect(page.locator("#support-description")).to_contain_text("<script>alert(1)</script>")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Télécharger capture écran.png")).click()
    download = download_info.value
    assert download.suggested_filename == "capture écran.png"
    assert Path(download.path()).read_bytes() == png_bytes()
    assert AuditEvent.objects.filter(action="support.attachment_downloaded").count() == 1

    # It takes the request and replies: the requester is emailed.
    page.get_by_role("button", name="M'affecter cette demande").click()
    expect(page.get_by_text(re.compile("affectée à vous"))).to_be_visible()
    page.get_by_label("Réponse au demandeur").fill("Bonjour, c'est corrigé : rechargez la page.")
    page.get_by_role("button", name="Envoyer la réponse par courriel").click()
    expect(page.get_by_text(re.compile("Réponse envoyée à camille.navigatrice"))).to_be_visible()
    support_request.refresh_from_db()
    assert support_request.status == "waiting_requester"
    assert support_request.assigned_to == national.user
    assert any("c'est corrigé" in m.body for m in mail.outbox if m.to == ["camille.navigatrice@asso-test.example"])
    assert csp_violations == []
