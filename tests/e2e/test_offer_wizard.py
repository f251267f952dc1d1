"""The creation wizard in a real browser: an Administrateur SIAO creates the missing operator
from step 1, reloads in the middle, goes through the six steps and submits."""

import re

from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from siao.accounts.enums import Role
from siao.offer.enums import ValidationStatus
from siao.offer.models import Program, ProgramDraft
from tests.conftest import log_in_as
from tests.factories import fake_siren, fake_siret, membership_for

SIREN = "732829320"


def _session_cookie(live_server, membership):
    client = log_in_as(Client(), membership)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def tick(locator):
    # DSFR draws its own radios and checkboxes: the label covers the real input.
    locator.check(force=True)


def test_an_siao_administrator_creates_an_operator_and_a_program_in_six_steps(live_server, page):
    membership = membership_for(Role.SIAO_ADMIN, user__email="admin.siao@siao-test.example")
    page.context.add_cookies([_session_cookie(live_server, membership)])
    csp_violations = []
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and csp_violations.append(message.text)
    )
    page.goto(f"{live_server.url}/offre/dispositifs/nouveau/")
    page.get_by_role("button", name="Commencer").click()

    # Step 1: the operator does not exist yet.
    expect(page.get_by_text("Étape 1 sur 6")).to_be_visible()
    page.get_by_label("Rechercher une entité par raison sociale ou SIREN").fill(SIREN)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_text("Entités (0)")).to_be_visible()
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_text("Sélectionnez l'entité gestionnaire du dispositif dans la liste.")).to_be_visible()
    page.get_by_role("link", name="Créer une entité gestionnaire").click()
    page.get_by_label("Raison sociale").fill("Association Nouvelle Étoile")
    page.get_by_label("Numéro SIREN").fill(SIREN)
    page.get_by_label("Statut juridique").select_option("association")
    page.locator("#id_address").fill("2 place de la Gare")
    page.get_by_label("Code postal").fill("35000")
    page.get_by_label("Ville").fill("Rennes")
    page.get_by_role("button", name="Créer l'entité").click()
    expect(page.get_by_text(re.compile("a été créée et sélectionnée"))).to_be_visible()
    expect(page.get_by_text("Étape 1 sur 6")).to_be_visible()
    expect(page.get_by_label("Association Nouvelle Étoile")).to_be_checked()
    page.get_by_role("button", name="Suivant").click()

    # Step 2: nature.
    expect(page.get_by_text("Étape 2 sur 6")).to_be_visible()
    tick(page.get_by_role("group", name="Hébergement").get_by_label("CHRS", exact=True))
    page.get_by_role("button", name="Suivant").click()

    # Step 3: funding, first refused, then right.
    expect(page.get_by_text("Étape 3 sur 6")).to_be_visible()
    tick(page.get_by_label("Nombre de places"))
    page.get_by_label("Financées P177").fill("12")
    page.get_by_label("Total géré par le dispositif").fill("10")
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_text(re.compile("ne peut pas être inférieur à la somme des lignes financées"))).to_be_visible()
    page.get_by_label("Total géré par le dispositif").fill("15")
    page.get_by_role("button", name="Suivant").click()

    # A reload in the middle keeps the draft.
    expect(page.get_by_text("Étape 4 sur 6")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Étape 4 sur 6")).to_be_visible()
    page.get_by_role("link", name="Précédent").click()
    expect(page.get_by_label("Total géré par le dispositif")).to_have_value("15")
    page.get_by_role("button", name="Suivant").click()

    # Step 4: identification and publics.
    page.get_by_label("Nom du dispositif").fill("Les Tilleuls")
    page.get_by_label("Code SIRET").fill(fake_siret(fake_siren(999), 1))
    page.get_by_label("Département d'implantation").select_option("35")
    tick(page.get_by_label("SIAO Ille-et-Vilaine (35)"))
    tick(page.get_by_label("Homme seul", exact=True))
    tick(page.get_by_label("Jeunes"))
    page.get_by_role("button", name="Suivant").click()
    expect(
        page.get_by_text(re.compile("Ce SIRET n'appartient pas à l'entité « Association Nouvelle Étoile »"))
    ).to_be_visible()
    page.get_by_label("Code SIRET").fill(fake_siret(SIREN, 3))
    page.get_by_role("button", name="Suivant").click()

    # Step 5: optional complements.
    expect(page.get_by_text("Étape 5 sur 6")).to_be_visible()
    page.get_by_label("Code INSEE de la commune").fill("35238")
    page.get_by_label("Code postal").fill("35000")
    tick(page.get_by_role("group", name="Couverture CROD").get_by_label("Oui"))
    page.get_by_role("button", name="Suivant").click()

    # Step 6: review and submit.
    expect(page.get_by_text("Étape 6 sur 6")).to_be_visible()
    expect(page.get_by_text("CHRS - Les Tilleuls")).to_be_visible()
    assert ProgramDraft.objects.count() == 1
    page.get_by_role("button", name="Soumettre").click()
    expect(page.get_by_role("heading", name="Dispositif soumis")).to_be_visible()
    expect(page.get_by_text(re.compile("pré-validation par l'administrateur SIAO"))).to_be_visible()

    program = Program.objects.get()
    assert program.name == "CHRS - Les Tilleuls"
    assert program.validation_status == ValidationStatus.SUBMITTED
    assert program.operator.siren == SIREN and program.operator.validation_status == ValidationStatus.SUBMITTED
    assert (program.funded_p177, program.total_managed, program.crod_coverage) == (12, 15, True)
    assert not ProgramDraft.objects.exists()
    assert [membership.user.email] == [to for message in mail.outbox for to in message.to]
    assert not csp_violations
