"""The offer's program journeys in a real browser: both validation circuits, a refusal, and
a place state change showing on the SIAO's vacancy board."""

import re

from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from siao.accounts.enums import Role
from siao.offer.enums import PlaceState, ProgramType, ValidationStatus
from siao.offer.models import Place, Program
from tests.conftest import log_in_as
from tests.factories import PlaceGroupFactory, ProgramFactory, UserFactory, membership_for


def _log_in(page, live_server, membership):
    client = log_in_as(Client(), membership)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _submitted(**kwargs) -> Program:
    return ProgramFactory(
        validation_status=ValidationStatus.SUBMITTED,
        submitted_by=UserFactory(email="demandeur@asso-e2e.example"),
        submitted_at=timezone.now(),
        **kwargs,
    )


def test_the_siao_prevalidates_from_the_queue_then_the_ddets_validates(live_server, page):
    program = _submitted(name="CHRS - Les Glycines")
    _log_in(page, live_server, membership_for(Role.SIAO_ADMIN))
    page.goto(f"{live_server.url}/offre/validations/")
    expect(page.get_by_role("heading", name="Dispositifs à traiter")).to_be_visible()
    page.get_by_role("button", name="Pré-valider CHRS - Les Glycines").click()
    expect(page.get_by_text(re.compile("pré-validé : il est transmis"))).to_be_visible()
    expect(page.get_by_text("Aucun dispositif n'attend votre décision.")).to_be_visible()

    _log_in(page, live_server, membership_for(Role.DEPARTMENT_ADMIN))
    page.goto(f"{live_server.url}/offre/validations/")
    page.get_by_role("link", name="CHRS - Les Glycines").click()
    expect(page.get_by_role("heading", name="Décision attendue")).to_be_visible()
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.get_by_text(re.compile("« CHRS - Les Glycines » validé"))).to_be_visible()
    expect(page.get_by_text(re.compile("^Pré-validé par"))).to_be_visible()
    program.refresh_from_db()
    assert program.validation_status == ValidationStatus.VALIDATED


def test_a_hotel_is_validated_directly_by_the_siao(live_server, page):
    program = _submitted(type=ProgramType.HOTEL, name="Hôtel - Le Relais")
    _log_in(page, live_server, membership_for(Role.SIAO_ADMIN))
    page.goto(f"{live_server.url}/offre/dispositifs/{program.public_id}/")
    expect(page.get_by_role("button", name="Pré-valider")).to_have_count(0)
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.get_by_text(re.compile("« Hôtel - Le Relais » validé"))).to_be_visible()
    program.refresh_from_db()
    assert program.validation_status == ValidationStatus.VALIDATED
    assert program.prevalidated_at is None


def test_a_refusal_needs_a_reason_shown_on_the_program(live_server, page):
    program = _submitted(name="CHRS - Doublon")
    _log_in(page, live_server, membership_for(Role.SIAO_ADMIN))
    page.goto(f"{live_server.url}/offre/dispositifs/{program.public_id}/")
    page.get_by_role("link", name="Refuser").click()
    page.get_by_role("button", name="Refuser le dispositif").click()
    expect(page.get_by_text(re.compile("Le formulaire contient 1 erreur"))).to_be_visible()
    page.get_by_label("Motif du refus").fill("Ce dispositif existe déjà sous un autre nom.")
    page.get_by_role("button", name="Refuser le dispositif").click()
    expect(page.get_by_text(re.compile("refusé. Le demandeur en est informé"))).to_be_visible()
    expect(page.get_by_text("Ce dispositif existe déjà sous un autre nom.")).to_be_visible()
    program.refresh_from_db()
    assert program.validation_status == ValidationStatus.REFUSED


def test_a_place_state_change_shows_on_the_vacancy_board(live_server, page):
    program = ProgramFactory(name="CHRS - Le Phare")
    PlaceGroupFactory(program=program, name="Bâtiment A", capacity=3)
    manager = membership_for(Role.OPERATOR_MANAGER, organization=program.operator)
    siao_admin = membership_for(Role.SIAO_ADMIN)
    counter = f"#program-{program.public_id}-available"

    _log_in(page, live_server, siao_admin)
    page.goto(f"{live_server.url}/offre/places-disponibles/")
    expect(page.locator(counter)).to_have_text("3")

    _log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/offre/dispositifs/{program.public_id}/")
    page.get_by_label("Nouvel état de Place 1, Bâtiment A").select_option(label="Occupée")
    page.get_by_role("button", name="Changer l'état de Place 1, Bâtiment A").click()
    expect(page.get_by_text("Place 1 (Bâtiment A) : occupée.")).to_be_visible()
    assert Place.objects.get(place_group__program=program, label="Place 1").state == PlaceState.OCCUPIED

    _log_in(page, live_server, siao_admin)
    page.goto(f"{live_server.url}/offre/places-disponibles/")
    expect(page.locator(counter)).to_have_text("2")

    _log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/offre/dispositifs/{program.public_id}/")
    page.get_by_label("Nouvel état de Place 1, Bâtiment A").select_option(label="Disponible")
    page.get_by_role("button", name="Changer l'état de Place 1, Bâtiment A").click()
    expect(page.get_by_text("Place 1 (Bâtiment A) : disponible.")).to_be_visible()

    _log_in(page, live_server, siao_admin)
    page.goto(f"{live_server.url}/offre/places-disponibles/")
    expect(page.locator(counter)).to_have_text("3")
