"""The 115 in a real browser (issue 5): a call from logging to orientation with the keyboard
only, an unmet request, a renewal, an outreach signal reaching the 115's queue from a
phone-sized screen, and the program confirming an arrival."""

import datetime
import re

from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from siao.emergency.enums import CallerType, EmergencyStatus, SignalStatus, SleepingPlace, UnmetReason
from siao.emergency.models import Call, EmergencyRequest, Night, OutreachEncounter, Placement
from siao.emergency.nights import last_renewable_night, tonight
from siao.offer.enums import PlaceState
from tests.conftest import log_in_as
from tests.emergency.helpers import EmergencyWorld
from tests.factories import PersonFactory, household_with

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# The focused element as a keyboard user meets it: its kind and its name (the label without
# its hint text and required mark, or the text of a button or link, screen-reader text included).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "body";
  const kind = el.tagName === "INPUT" ? el.type : el.tagName.toLowerCase();
  let text = el.textContent;
  if (el.labels && el.labels.length) {
    const label = el.labels[0].cloneNode(true);
    label.querySelectorAll(".fr-hint-text").forEach((hint) => hint.remove());
    text = label.textContent;
  }
  return `${kind}: ${text.replace(/\\s+/g, " ").replace(/\\s*\\*$/, "").trim()}`;
}"""
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _log_in(page, live_server, membership):
    client = log_in_as(Client(), membership)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _tick(page, label):
    """DSFR draws checkboxes and radios on their label, which takes the click (as for a user)."""
    page.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(label)}")).click()


def _focused(page) -> str:
    return page.evaluate(FOCUSED)


def _person(last_name, first_name):
    return PersonFactory(last_name=last_name, first_name=first_name, birth_date=datetime.date(1990, 2, 3))


def test_a_call_from_logging_to_orientation_with_the_keyboard_only(live_server, page):
    world = EmergencyWorld.build(places=2)
    household = household_with(persons=[_person("Fictif-Clavier", "Alix")])
    _log_in(page, live_server, world.handler_membership)
    page.goto(live_server.url + "/115/")

    # Log the call: the caller type has the focus, one arrow key changes it, Tab reaches the button.
    person = page.get_by_role("radio", name="La personne elle-même")
    expect(person).to_be_focused()
    expect(person).to_be_checked()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Un tiers (particulier)")).to_be_checked()
    expect(page.get_by_role("radio", name="Un tiers (particulier)")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Enregistrer l'appel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Appel enregistré. Recherchez le ménage.")).to_be_visible()

    # Each step puts the focus on the next useful field. Search the household by name: Enter
    # in the search field submits it.
    assert _focused(page) == "text: Nom"
    page.keyboard.type("Fictif-Clavier")
    page.keyboard.press("Tab")
    assert _focused(page) == "text: Prénom"
    page.keyboard.type("Alix")
    page.keyboard.press("Enter")
    choose = page.get_by_role("button", name="C'est ce ménage : Alix FICTIF-CLAVIER")
    expect(choose).to_be_focused()  # the first result has the focus
    page.keyboard.press("Enter")
    expect(page.get_by_text("Appel rattaché au Ménage de Alix FICTIF-CLAVIER.")).to_be_visible()

    # The request: where the person sleeps tonight, health urgency, a few words.
    assert _focused(page) == "radio: À la rue"
    page.keyboard.press("ArrowDown")
    vehicle = page.get_by_role("radio", name="Dans un véhicule")
    expect(vehicle).to_be_checked()
    expect(vehicle).to_be_focused()
    page.keyboard.press("Tab")
    assert _focused(page) == "checkbox: Urgence de santé"
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Urgence de santé")).to_be_checked()
    stops = []
    for _ in range(7):
        page.keyboard.press("Tab")
        stops.append(_focused(page))
        if stops[-1].startswith("textarea"):
            page.keyboard.type("Dort dans sa voiture près de la gare.")
    assert stops == [
        "checkbox: Violences subies",
        "checkbox: Mobilité réduite",
        "checkbox: Accompagné(e) d'un animal",
        "select: Situation résidentielle (facultatif)",
        "select: Motif de la demande (facultatif)",
        "textarea: Éléments de la demande (facultatif)",
        "button: Créer la demande et chercher une place",
    ]
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("^Demande d'urgence créée pour cette nuit"))).to_be_visible()
    expect(page.get_by_role("heading", name="Places pour cette nuit")).to_be_visible()

    # Orient to the place group offered.
    assert _focused(page) == "button: Orienter ici : Hors CHRS - CHU Les Mouettes, Urgence hommes et femmes"
    page.keyboard.press("Enter")
    expect(
        page.get_by_text(
            "Place réservée dans « Hors CHRS - CHU Les Mouettes » (Urgence hommes et femmes) : "
            "donnez l'adresse à la personne."
        )
    ).to_be_visible()
    oriented = page.locator(".fr-callout").filter(
        has=page.get_by_role("heading", name="Place réservée : à donner à la personne")
    )
    expect(oriented).to_contain_text("Hors CHRS - CHU Les Mouettes — Urgence hommes et femmes")
    expect(oriented).to_contain_text("3 rue des Mouettes, 35000 Rennes")
    expect(oriented).to_contain_text(f"Nuit du {tonight():%d/%m/%Y}")

    call = Call.objects.get(household=household)
    assert call.caller_type == CallerType.THIRD_PARTY
    emergency_request = EmergencyRequest.objects.get(household=household)
    assert emergency_request.call == call
    assert emergency_request.status == EmergencyStatus.ORIENTED
    assert emergency_request.sleeping_place == SleepingPlace.VEHICLE
    assert emergency_request.health_urgency and not emergency_request.violence
    assert emergency_request.comment == "Dort dans sa voiture près de la gare."
    placement = Placement.objects.get(request=emergency_request, released_at__isnull=True)
    assert placement.place.place_group == world.group
    assert placement.place.state == PlaceState.HELD
    assert world.group.places.filter(state=PlaceState.HELD).count() == 1


def test_an_unmet_request_is_recorded_from_the_call_screen(live_server, page):
    world = EmergencyWorld.build(places=1)
    emergency_request = world.request(household=household_with(persons=[_person("Fictif-Sansplace", "Camille")]))
    _log_in(page, live_server, world.handler_membership)
    page.goto(f"{live_server.url}/115/appels/{emergency_request.call.public_id}/")
    expect(page.get_by_role("heading", name="Places pour cette nuit")).to_be_visible()
    submit = page.get_by_role("button", name="Enregistrer la demande non pourvue")

    # Without a reason: the French error, nothing changes.
    submit.click()
    expect(page.get_by_text("Indiquez pourquoi la demande n'a pas pu être pourvue.")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient 1 erreur")
    emergency_request.refresh_from_db()
    assert emergency_request.status == EmergencyStatus.PENDING
    assert emergency_request.unmet_reason == ""

    page.get_by_label("Motif de non-attribution").select_option(label="Refus de la personne")
    page.get_by_label("Précisions (obligatoires pour « Autre motif »)").fill("Préfère rester près de la gare.")
    submit.click()
    expect(page.get_by_text("Demande non pourvue : l'issue est enregistrée.")).to_be_visible()
    outcomes = page.locator("#issue")
    expect(outcomes).to_contain_text("Non pourvue — Refus de la personne (Préfère rester près de la gare.)")
    emergency_request.refresh_from_db()
    assert emergency_request.status == EmergencyStatus.UNMET
    assert emergency_request.unmet_reason == UnmetReason.REFUSED_BY_PERSON
    assert emergency_request.outcome_comment == "Préfère rester près de la gare."
    assert not world.group.places.exclude(state=PlaceState.AVAILABLE).exists()


def test_a_renewal_grants_the_nights_and_one_beyond_the_window_is_refused(live_server, page):
    world = EmergencyWorld.build(places=1)
    emergency_request = world.sheltered(household=household_with(persons=[_person("Fictif-Reconduit", "Sacha")]))
    stay = emergency_request.stay
    night = tonight()
    assert list(Night.objects.filter(stay=stay).values_list("night", flat=True)) == [night]
    _log_in(page, live_server, world.handler_membership)
    page.goto(live_server.url + "/115/reconductions/")
    expect(page.get_by_role("heading", name="Reconduction des nuits", level=1)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Sacha FICTIF-RECONDUIT")).to_contain_text(
        "Hors CHRS - CHU Les Mouettes"
    )
    until = page.get_by_label("Reconduire jusqu'à la nuit du (incluse)")
    submit = page.get_by_role("button", name="Reconduire les prises en charge cochées")

    # Beyond the window: refused in French, nothing recorded.
    limit = last_renewable_night()
    assert limit == night + datetime.timedelta(days=settings.EMERGENCY_RENEWAL_WINDOW_NIGHTS - 1)
    # DSFR draws the checkbox on its label, which takes the click (as for a user).
    page.locator("label").filter(has_text="Reconduire Sacha FICTIF-RECONDUIT").click()
    until.fill((limit + datetime.timedelta(days=1)).isoformat())
    submit.click()
    errors = page.get_by_role("alert").filter(has_text="Aucune nuit n'a été reconduite")
    expect(errors).to_contain_text(
        f"On reconduit au plus jusqu'à la nuit du {limit:%d/%m/%Y} : au-delà, la nuit est trop lointaine."
    )
    expect(page.get_by_role("checkbox", name="Reconduire Sacha FICTIF-RECONDUIT")).to_be_checked()
    assert Night.objects.filter(stay=stay).count() == 1

    # Two more nights.
    wanted = night + datetime.timedelta(days=2)
    until.fill(wanted.isoformat())
    submit.click()
    expect(page.get_by_text(f"Nuits reconduites jusqu'à la nuit du {wanted:%d/%m/%Y} pour 1 ménage.")).to_be_visible()
    assert list(Night.objects.filter(stay=stay).order_by("night").values_list("night", flat=True)) == [
        night,
        night + datetime.timedelta(days=1),
        wanted,
    ]
    emergency_request.refresh_from_db()
    assert emergency_request.last_night == wanted
    expect(page.get_by_role("row").filter(has_text="Sacha FICTIF-RECONDUIT")).to_contain_text(f"{wanted:%d/%m/%Y}")


def test_an_outreach_signal_reaches_the_115_queue(live_server, page):
    world = EmergencyWorld.build(places=1)

    # The outreach team, on a phone.
    page.set_viewport_size(PHONE)
    _log_in(page, live_server, world.outreach_membership)
    page.goto(live_server.url + "/115/maraude/")
    expect(page.get_by_role("heading", name="Rencontres de maraude", level=1)).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    page.get_by_role("link", name="Nouvelle rencontre").click()
    expect(page.get_by_role("heading", name="Nouvelle rencontre", level=1)).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    page.get_by_label("Lieu de la rencontre").fill("Gare de Rennes, hall nord")
    page.get_by_label("Nombre de personnes rencontrées").fill("2")
    page.get_by_label("Description (si la personne n'est pas connue)").fill("Un couple, la trentaine")
    _tick(page, "Mise à l'abri")
    _tick(page, "Soins")
    _tick(page, "Boisson chaude")
    _tick(page, "Couverture, duvet")
    _tick(page, "Signaler cette rencontre au 115")
    page.get_by_label("Message pour le 115").fill("Demandent une mise à l'abri ce soir, il fait très froid.")
    _tick(page, "Urgent")
    page.get_by_role("button", name="Enregistrer la rencontre").click()
    expect(page.get_by_text("Rencontre enregistrée et signalée au 115.")).to_be_visible()
    expect(page.get_by_text("Signalement : nouveau")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    encounter = OutreachEncounter.objects.get(location="Gare de Rennes, hall nord")
    assert encounter.persons_count == 2
    assert sorted(encounter.needs) == ["health", "shelter"]
    assert sorted(encounter.provisions) == ["blanket", "hot_drink"]
    signal = encounter.signal
    assert signal.status == SignalStatus.NEW and signal.is_urgent

    # The 115 takes it.
    page.set_viewport_size(DESKTOP)
    _log_in(page, live_server, world.handler_membership)
    page.goto(live_server.url + "/115/")
    expect(page.get_by_role("heading", name="Signalements des maraudes (1)")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Gare de Rennes, hall nord")
    expect(row).to_contain_text("Maraude - Équipe de nuit")
    expect(row).to_contain_text("Demandent une mise à l'abri ce soir, il fait très froid.")
    expect(row).to_contain_text("Un couple, la trentaine (2 pers.)")
    expect(row.get_by_text("Urgent")).to_be_visible()
    row.get_by_role("button", name=re.compile("^Prendre l'appel")).click()
    expect(page.get_by_text("Signalement pris en charge : l'appel est ouvert.")).to_be_visible()
    call_section = page.locator("#appel")
    expect(call_section).to_contain_text("Une maraude — Maraude - Équipe de nuit")
    expect(call_section).to_contain_text("Signalement d'une maraude")
    expect(page.get_by_role("heading", name="Rechercher la personne")).to_be_visible()
    signal.refresh_from_db()
    assert signal.status == SignalStatus.TAKEN
    call = Call.objects.get(signal=signal)
    assert call.caller_type == CallerType.OUTREACH
    assert call.handler == world.handler_membership.user


def test_the_program_confirms_an_arrival(live_server, page):
    world = EmergencyWorld.build(places=2)
    emergency_request = world.oriented(household=household_with(persons=[_person("Fictif-Arrivee", "Dominique")]))
    night = tonight()
    _log_in(page, live_server, world.manager_membership)
    page.goto(live_server.url + "/115/arrivees/")
    expect(page.get_by_role("heading", name="Arrivées orientées par le 115", level=1)).to_be_visible()
    row = page.locator("#arrivals-oriented").get_by_role("row").filter(has_text="Dominique FICTIF-ARRIVEE")
    expect(row).to_contain_text("Urgence hommes et femmes")
    row.get_by_role("button", name=re.compile("^Confirmer l'arrivée")).click()
    expect(
        page.get_by_text(
            f"Arrivée de Dominique FICTIF-ARRIVEE confirmée : la prise en charge commence la nuit du {night:%d/%m/%Y}."
        )
    ).to_be_visible()
    expect(page.get_by_text("Aucune orientation en attente d'arrivée.")).to_be_visible()
    expect(
        page.locator("#arrivals-sheltered").get_by_role("row").filter(has_text="Dominique FICTIF-ARRIVEE")
    ).to_contain_text("Dernière nuit ce soir")

    emergency_request.refresh_from_db()
    assert emergency_request.status == EmergencyStatus.SHELTERED
    stay = emergency_request.stay
    assert stay is not None and stay.started_on == night and stay.ended_on is None
    assert list(Night.objects.filter(stay=stay).values_list("night", flat=True)) == [night]
    placement = Placement.objects.get(request=emergency_request, released_at__isnull=True)
    assert placement.place.state == PlaceState.OCCUPIED
