"""The household file and the insertion request in a real browser (issue 4): from the social
worker's "search before create" to the exit from a CHRS, a refused orientation back in the
SIAO's queue, and a likely duplicate proposed at creation."""

import datetime
import re

from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from siao.accounts.enums import Role
from siao.households import actions as household_actions
from siao.households.models import Household, Person
from siao.offer.enums import PlaceState, ProgramType
from siao.offer.models import Place
from siao.orientation import actions
from siao.orientation.enums import ReferralStatus, RequestStatus
from siao.orientation.models import Request
from tests.conftest import log_in_as
from tests.factories import (
    PersonFactory,
    PlaceGroupFactory,
    ProgramFactory,
    actor_for,
    household_with,
    membership_for,
)

DORT_DANS_LA_RUE = 203
A_LA_RUE = 20


def _log_in(page, live_server, membership):
    client = log_in_as(Client(), membership)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _tick(page, label):
    """DSFR draws checkboxes and radios on their label, which takes the click (as for a user)."""
    page.locator("label").filter(has_text=label).click()


def _menu(page, name):
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name=name, exact=True).click()


def _first_contact_program(name="Service social - Rennes Nord"):
    return ProgramFactory(name=name, type=ProgramType.SOCIAL_SECTOR)


def _chrs(name="CHRS - Les Glycines", places=2):
    chrs = ProgramFactory(name=name, type=ProgramType.CHRS)
    PlaceGroupFactory(program=chrs, name="Bâtiment A", capacity=places)
    return chrs


def test_from_search_before_create_to_the_exit_from_a_chrs(live_server, page):
    origin = _first_contact_program()
    chrs = _chrs()
    social_worker = membership_for(Role.SOCIAL_WORKER, organization=origin.operator, program=origin)
    siao_operator = membership_for(Role.SIAO_OPERATOR)
    manager = membership_for(Role.PROGRAM_MANAGER, organization=chrs.operator, program=chrs)
    # A homonym the social worker already follows (born on another day): proposed, then set aside.
    household_with(
        program=origin,
        persons=[PersonFactory(last_name="Fictif-Martin", first_name="Alix", birth_date=datetime.date(1988, 4, 3))],
    )
    today = timezone.localdate()

    # The social worker: search before create, then create the file.
    _log_in(page, live_server, social_worker)
    page.goto(live_server.url + "/")
    _menu(page, "Ménages")
    expect(page.get_by_role("heading", name="Dossiers des ménages", level=1)).to_be_visible()
    page.get_by_role("link", name="Créer un dossier").click()
    page.get_by_role("textbox", name="Nom", exact=True).fill("Fictif-Martin")
    page.get_by_role("textbox", name="Prénom", exact=True).fill("Alix")
    page.get_by_label("Date de naissance", exact=True).fill("1988-03-04")
    page.get_by_label("Sexe").select_option(label="Femme")
    page.get_by_role("button", name="Rechercher les doublons").click()
    expect(page.get_by_text("Personnes de votre périmètre qui ressemblent à la personne saisie (1)")).to_be_visible()
    expect(page.get_by_role("cell", name="03/04/1988")).to_be_visible()
    _tick(page, "Aucune de ces personnes : créer un nouveau dossier")
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_text("Dossier du ménage créé.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ménage de Alix FICTIF-MARTIN", level=1)).to_be_visible()
    expect(page.get_by_text("Composition familiale : Femme seule")).to_be_visible()
    household = Household.objects.get(head__birth_date=datetime.date(1988, 3, 4))
    assert Person.objects.filter(last_name="Fictif-Martin").count() == 2

    # An assessment: one section with a structured field and free text.
    page.get_by_label("Type d'évaluation").select_option(label="Évaluation sociale")
    page.get_by_role("button", name="Commencer une évaluation").click()
    expect(page.get_by_text("Évaluation commencée : complétez ses rubriques.")).to_be_visible()
    page.get_by_role("link", name="Parcours résidentiel", exact=True).click()
    expect(page.get_by_role("heading", name="Parcours résidentiel", level=1)).to_be_visible()
    page.get_by_label("Situation résidentielle actuelle").select_option(label="À la rue")
    page.get_by_label("Observations").fill("Dort dans sa voiture depuis deux mois, près de la gare.")
    page.get_by_role("button", name="Enregistrer la rubrique").click()
    expect(page.get_by_text("Rubrique enregistrée.")).to_be_visible()
    expect(page.get_by_role("heading", name="Contenu actuel (version 1)")).to_be_visible()
    expect(page.get_by_text("Situation résidentielle actuelle : À la rue")).to_be_visible()
    expect(page.get_by_text("Dort dans sa voiture depuis deux mois, près de la gare.").first).to_be_visible()
    page.get_by_role("link", name="Retour au dossier").click()

    # The insertion request, then its transmission.
    page.get_by_role("link", name="Nouvelle demande d'insertion").click()
    page.get_by_label("Motif de la demande").select_option(label="Dort dans la rue")
    page.get_by_label("Situation résidentielle actuelle").select_option(label="À la rue")
    _tick(page, "Hébergement — CHRS")
    page.get_by_label("Éléments de la demande (facultatif)").fill("Souhaite un hébergement proche de son travail.")
    page.get_by_role("button", name="Créer la demande").click()
    expect(page.get_by_text(re.compile("^Demande créée, à compléter"))).to_be_visible()
    page.get_by_role("link", name="Transmettre au SIAO").click()
    expect(page.get_by_text(re.compile("^La demande est complète"))).to_be_visible()
    page.get_by_role("button", name="Transmettre au SIAO").click()
    expect(page.get_by_text("Demande transmise au SIAO.")).to_be_visible()
    expect(page.get_by_text("Transmise au SIAO", exact=True)).to_be_visible()
    insertion_request = Request.objects.get(household=household)
    assert insertion_request.status == RequestStatus.TRANSMITTED

    # The SIAO: from its queue, checks the request and orients it to the CHRS.
    _log_in(page, live_server, siao_operator)
    page.goto(live_server.url + "/")
    _menu(page, "File du SIAO")
    expect(page.get_by_role("heading", name="File d'attente du SIAO")).to_be_visible()
    page.get_by_role("link", name="Alix FICTIF-MARTIN").click()
    expect(page.get_by_text("Dort dans la rue", exact=True)).to_be_visible()
    page.get_by_role("button", name="Déclarer le dossier complet").click()
    expect(page.get_by_text("Dossier complet : la demande attend son orientation.")).to_be_visible()
    expect(page.get_by_text("En attente d'orientation", exact=True)).to_be_visible()
    page.get_by_role("link", name="Orienter", exact=True).click()
    _tick(page, "CHRS - Les Glycines")
    page.get_by_role("button", name="Orienter", exact=True).click()
    expect(page.get_by_text("Demande orientée vers « CHRS - Les Glycines ».")).to_be_visible()
    expect(page.get_by_text("Proposée au dispositif")).to_be_visible()

    # The CHRS: accepts, admits on a place today.
    _log_in(page, live_server, manager)
    page.goto(live_server.url + "/")
    _menu(page, "Orientations")
    expect(page.get_by_role("heading", name="Orientations reçues")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Décider")).click()
    expect(page.get_by_role("heading", name="Orientation vers « CHRS - Les Glycines »")).to_be_visible()
    _tick(page, "Accepter l'orientation")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text(re.compile("^Orientation acceptée"))).to_be_visible()
    page.get_by_role("link", name="Enregistrer l'admission").click()
    page.get_by_label("Place").select_option(label="Bâtiment A — Place 1 (disponible)")
    page.get_by_label("Date d'admission").fill(today.isoformat())
    page.get_by_role("button", name="Enregistrer l'admission").click()
    expect(page.get_by_text("Admission enregistrée : Place 1 est occupée.")).to_be_visible()
    place = Place.objects.get(place_group__program=chrs, label="Place 1")
    assert place.state == PlaceState.OCCUPIED
    insertion_request.refresh_from_db()
    assert insertion_request.status == RequestStatus.ADMITTED

    # The exit: the place is available again, the request closed.
    page.get_by_role("link", name=re.compile("^Enregistrer la sortie")).click()
    page.get_by_label("Date de sortie").fill(today.isoformat())
    page.get_by_label("Motif de sortie").select_option(label="Fin de prise en charge (projet réalisé)")
    page.get_by_label("Situation du ménage à la sortie").select_option(label="Hébergée par des tiers")
    page.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.get_by_text("Sortie enregistrée : la place est de nouveau disponible.")).to_be_visible()
    expect(page.get_by_text("Aucune prise en charge en cours.")).to_be_visible()
    place.refresh_from_db()
    assert place.state == PlaceState.AVAILABLE
    insertion_request.refresh_from_db()
    assert insertion_request.status == RequestStatus.CLOSED

    # The household file shows the journey.
    _menu(page, "Orientations")
    page.get_by_role("link", name="Alix FICTIF-MARTIN").click()
    journey = page.locator("#parcours")
    expect(journey.get_by_text("Sortie du dispositif")).to_be_visible()
    expect(journey.get_by_text("Admission", exact=True)).to_be_visible()
    expect(journey.get_by_text("Orientation acceptée par le dispositif")).to_be_visible()
    expect(journey.get_by_text("Demande : transmise au SIAO")).to_be_visible()
    expect(journey.get_by_text("Création du dossier")).to_be_visible()


def test_a_refused_orientation_goes_back_to_the_siao_queue(live_server, page):
    origin = _first_contact_program()
    chrs = _chrs(name="CHRS - Le Phare", places=1)
    social_worker = actor_for(membership_for(Role.SOCIAL_WORKER, organization=origin.operator, program=origin))
    siao_operator = membership_for(Role.SIAO_OPERATOR)
    manager = membership_for(Role.PROGRAM_MANAGER, organization=chrs.operator, program=chrs)
    household = household_actions.create_household(
        actor=social_worker,
        head={"last_name": "Essai", "first_name": "Sacha", "birth_date": datetime.date(1991, 2, 3), "sex": "M"},
    )
    insertion_request = actions.create_request(
        actor=social_worker,
        household=household,
        reason=DORT_DANS_LA_RUE,
        housing_situation=A_LA_RUE,
        recommendations=[ProgramType.CHRS],
    )
    actions.transmit_request(actor=social_worker, request=insertion_request)
    siao = actor_for(siao_operator)
    actions.mark_request_complete(actor=siao, request=insertion_request)
    actions.orient_request(actor=siao, request=insertion_request, programs=[chrs])

    _log_in(page, live_server, manager)
    page.goto(live_server.url + "/demandes/orientations/")
    page.get_by_role("link", name=re.compile("^Décider")).click()
    _tick(page, "Refuser l'orientation")
    page.get_by_label("Motif du refus").select_option(label="Besoins du ménage non couverts par le dispositif")
    page.get_by_label("Commentaire (obligatoire pour « Autre »)").fill("Le projet du ménage relève d'un logement.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text(re.compile("^Orientation refusée. Le SIAO en est informé"))).to_be_visible()
    # The refused household leaves the program's perimeter.
    expect(page.get_by_text("Aucune orientation reçue.")).to_be_visible()

    _log_in(page, live_server, siao_operator)
    page.goto(live_server.url + "/demandes/file-siao/")
    page.get_by_role("link", name="En attente d'orientation").click()
    row = page.get_by_role("row").filter(has_text="Sacha ESSAI")
    expect(row.get_by_text("En attente d'orientation")).to_be_visible()
    row.get_by_role("link", name="Sacha ESSAI").click()
    expect(page.get_by_text("En attente d'orientation", exact=True)).to_be_visible()
    referral_row = page.get_by_role("row").filter(has_text="CHRS - Le Phare")
    expect(referral_row.get_by_text("Refusée par le dispositif")).to_be_visible()
    expect(referral_row.get_by_text("Besoins du ménage non couverts par le dispositif")).to_be_visible()
    expect(page.get_by_role("link", name="Orienter", exact=True)).to_be_visible()
    insertion_request.refresh_from_db()
    assert insertion_request.status == RequestStatus.WAITING
    assert insertion_request.referrals.get().status == ReferralStatus.REFUSED_BY_PROGRAM


def test_a_likely_duplicate_is_proposed_before_creating_a_file(live_server, page):
    origin = _first_contact_program()
    existing = PersonFactory(last_name="Exemple-Dupont", first_name="Camille", birth_date=datetime.date(1990, 5, 12))
    household = household_with(program=origin, persons=[existing])
    _log_in(page, live_server, membership_for(Role.SOCIAL_WORKER, organization=origin.operator, program=origin))

    page.goto(live_server.url + "/menages/")
    # The list's search is as tolerant.
    page.get_by_role("textbox", name="Nom", exact=True).fill("Dupond")
    page.get_by_role("textbox", name="Prénom", exact=True).fill("Camile")
    page.get_by_label("Date de naissance", exact=True).fill("1990-05-12")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.get_by_role("table", name="Personnes trouvées (1)")).to_be_visible()
    expect(page.get_by_role("link", name="Dossier de Camille EXEMPLE-DUPONT")).to_be_visible()

    page.get_by_role("link", name="Créer un dossier").click()
    page.get_by_role("textbox", name="Nom", exact=True).fill("Dupond")
    page.get_by_role("textbox", name="Prénom", exact=True).fill("Camile")
    page.get_by_label("Date de naissance", exact=True).fill("1990-05-12")
    page.get_by_role("button", name="Rechercher les doublons").click()

    expect(page.get_by_text("Personnes de votre périmètre qui ressemblent à la personne saisie (1)")).to_be_visible()
    expect(page.get_by_role("cell", name="Camille EXEMPLE-DUPONT", exact=True)).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("^C'est Camille EXEMPLE-DUPONT"))).not_to_be_checked()
    expect(page.get_by_role("radio", name="Aucune de ces personnes : créer un nouveau dossier")).not_to_be_checked()
    page.get_by_role("link", name="Camille EXEMPLE-DUPONT — voir le dossier").click()
    expect(page.get_by_role("heading", name="Ménage de Camille EXEMPLE-DUPONT", level=1)).to_be_visible()
    assert Household.objects.get() == household
    assert Person.objects.count() == 1
