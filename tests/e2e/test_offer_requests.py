"""The public creation request in a real browser: anyone, without an account, fills the form,
reads the reference and receives it by email; a robot filling the hidden field gets nothing."""

import re

from django.core import mail
from playwright.sync_api import expect

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.offer.models import CreationRequest
from tests.factories import fake_siren, fake_siret, membership_for

SIREN = fake_siren(8080)


def fill_the_form(page):
    page.get_by_label("Prénom").fill("Camille")
    page.locator("#id_requester_last_name").fill("Navigatrice")
    page.get_by_label("Adresse électronique").fill("camille.navigatrice@asso-test.example")
    page.get_by_label("Raison sociale de l'entité gestionnaire").fill("Association Le Phare")
    page.get_by_label("SIREN de l'entité gestionnaire").fill(SIREN)
    page.get_by_label("Type de dispositif (facultatif)").select_option(label="Pension de famille")
    page.get_by_label("Nom du dispositif (facultatif)").fill("Pension de famille - Le Phare")
    page.get_by_label("SIRET du dispositif (facultatif)").fill(fake_siret(SIREN, 3))
    page.get_by_label("Département").select_option("35")
    page.get_by_label("Précisions (facultatif)").fill("Vingt logements, ouverture au printemps.")


def test_anyone_sends_a_creation_request_and_receives_its_reference(live_server, page):
    admin = membership_for(Role.SIAO_ADMIN, user__email="admin.phare@siao-test.example")
    page.goto(f"{live_server.url}/offre/demande/")
    expect(page).to_have_title(re.compile("Demander la création d'un dispositif"))
    # A SIRET outside the SIREN is refused with a clear message, what was typed is kept.
    fill_the_form(page)
    page.get_by_label("SIRET du dispositif (facultatif)").fill(fake_siret(fake_siren(1), 3))
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text(re.compile("n'appartient pas à l'entité"))).to_be_visible()
    expect(page.get_by_label("Raison sociale de l'entité gestionnaire")).to_have_value("Association Le Phare")
    assert not CreationRequest.objects.exists()

    page.get_by_label("SIRET du dispositif (facultatif)").fill(fake_siret(SIREN, 3))
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", name="Demande envoyée")).to_be_visible()
    creation_request = CreationRequest.objects.get()
    expect(page.locator("#creation-request-reference")).to_have_text(creation_request.reference)
    assert "/offre/demande/envoyee/" in page.url and creation_request.reference not in page.url
    assert creation_request.program_type == "family_boarding_house"
    assert creation_request.department.code == "35"

    to_requester = [m for m in mail.outbox if m.to == ["camille.navigatrice@asso-test.example"]]
    assert len(to_requester) == 1 and creation_request.reference in to_requester[0].body
    to_siao = [m for m in mail.outbox if m.to == [admin.user.email]]
    assert len(to_siao) == 1 and creation_request.reference in to_siao[0].subject
    assert AuditEvent.objects.filter(action="offer.creation_request_received").count() == 1


def test_a_robot_filling_the_hidden_field_is_shown_a_confirmation_but_nothing_is_saved(live_server, page):
    membership_for(Role.SIAO_ADMIN)
    page.goto(f"{live_server.url}/offre/demande/")
    honeypot = page.locator("input[name=website]")
    expect(honeypot).not_to_be_in_viewport()
    fill_the_form(page)
    honeypot.fill("http://spam.example", force=True)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", name="Demande envoyée")).to_be_visible()
    expect(page.locator("#creation-request-reference")).to_have_text(re.compile(r"^DEM-\d{4}-[A-Z2-9]{6}$"))
    assert not CreationRequest.objects.exists()
    assert mail.outbox == []
