"""The street outreach (maraude) pages: guards (login, role, perimeter), the phone-sized
encounter form with its household search and optional signal to the 115 (both or nothing),
the detail with its signal, French errors (nothing saved), pinned query counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.emergency import actions
from siao.emergency.enums import EncounterNeed, Provision, SignalStatus
from siao.emergency.models import OutreachEncounter, OutreachSignal
from siao.offer.enums import ProgramType
from tests.factories import PersonFactory, ProgramFactory, household_with, membership_for

from .helpers import EmergencyWorld

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"emergency:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def local_input(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def world():
    return EmergencyWorld.build()


def encounter_of(world, actor=None, **kwargs):
    kwargs.setdefault("location", "Parvis de la gare")
    return actions.record_encounter(actor=actor or world.outreach_worker, **kwargs)


def other_team():
    program = ProgramFactory(name="Maraude - Équipe de jour", type=ProgramType.OUTREACH)
    return membership_for(Role.SOCIAL_WORKER, organization=program.operator, program=program)


def valid_data(**overrides):
    data = {
        "location": "Place Sainte-Anne",
        "occurred_at": local_input(timezone.now() - datetime.timedelta(hours=1)),
        "persons_count": "2",
        "household": "",
        "description": "Homme, la quarantaine, avec un chien",
        "needs": [EncounterNeed.FOOD, EncounterNeed.SHELTER],
        "provisions": [Provision.HOT_DRINK, Provision.BLANKET],
        "comment": "Accepte d'être rappelé demain.",
    }
    data.update(overrides)
    return data


# --- guards -----------------------------------------------------------------------------------


def test_anonymous_users_go_to_login(client, world):
    encounter = encounter_of(world)
    for path in (
        url("encounter_list"),
        url("encounter_create"),
        url("encounter_detail", encounter.public_id),
        url("signal_create", encounter.public_id),
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == f"{reverse('accounts:login')}?next={path}"
    response = client.post(url("signal_create", encounter.public_id), {"message": "Vu ce soir"})
    assert response.status_code == 302 and not OutreachSignal.objects.exists()


@pytest.mark.parametrize("who", ["handler", "manager", "siao_admin"])
def test_other_roles_are_refused(client_as, world, who):
    encounter = encounter_of(world)
    membership = {
        "handler": world.handler_membership,
        "manager": world.manager_membership,  # manager of a CHU, not of a Maraude
        "siao_admin": membership_for(Role.SIAO_ADMIN),
    }[who]
    client = client_as(membership)
    for path in (
        url("encounter_list"),
        url("encounter_create"),
        url("encounter_detail", encounter.public_id),
    ):
        assert client.get(path).status_code == 403, path
    assert client.post(url("encounter_create"), valid_data()).status_code == 403
    assert client.post(url("signal_create", encounter.public_id), {"message": "Vu"}).status_code == 403
    assert OutreachEncounter.objects.count() == 1 and not OutreachSignal.objects.exists()


def test_the_manager_of_the_maraude_uses_the_pages(client_as, world):
    manager = membership_for(Role.PROGRAM_MANAGER, organization=world.outreach.operator, program=world.outreach)
    encounter = encounter_of(world)
    client = client_as(manager)
    response = client.get(url("encounter_list"))
    assert response.status_code == 200 and list(response.context["page"]) == [encounter]
    assert client.get(url("encounter_detail", encounter.public_id)).status_code == 200


def test_another_teams_encounter_is_not_found(client_as, world):
    encounter = encounter_of(world)
    client = client_as(other_team())
    response = client.get(url("encounter_list"))
    assert response.status_code == 200 and list(response.context["page"]) == []
    assert client.get(url("encounter_detail", encounter.public_id)).status_code == 404
    response = client.post(url("signal_create", encounter.public_id), {"message": "Vu ce soir"})
    assert response.status_code == 404
    assert not OutreachSignal.objects.exists()


# --- the list ---------------------------------------------------------------------------------


def test_list_latest_first_with_signal_status(client_as, world):
    now = timezone.now()
    old = encounter_of(world, location="Quai de la Vilaine", occurred_at=now - datetime.timedelta(days=2))
    recent = encounter_of(world, location="Rue de Saint-Malo", occurred_at=now - datetime.timedelta(hours=1))
    actions.send_signal(actor=world.outreach_worker, encounter=old, message="Besoin d'une place", is_urgent=True)
    response = client_as(world.outreach_membership).get(url("encounter_list"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [recent, old]
    content = response.content.decode()
    assert "Nouvelle rencontre" in content and url("encounter_create") in content
    assert "Signalement : nouveau" in content and "Non signalée au 115" in content
    assert content.index("Rue de Saint-Malo") < content.index("Quai de la Vilaine")


def test_list_query_count_does_not_grow_with_rows(client_as, world, django_assert_num_queries):
    client = client_as(world.outreach_membership)
    household = household_with(program=world.outreach)
    first = encounter_of(world, household=household)
    actions.send_signal(actor=world.outreach_worker, encounter=first, message="Vu ce soir")
    with django_assert_num_queries(9):
        assert client.get(url("encounter_list")).status_code == 200
    for n in range(5):
        encounter = encounter_of(world, location=f"Lieu {n}", household=household if n % 2 else None)
        if n % 2:
            actions.send_signal(actor=world.outreach_worker, encounter=encounter, message="Vu ce soir")
    with django_assert_num_queries(9):
        response = client.get(url("encounter_list"))
    assert len(response.context["page"]) == 6


# --- recording an encounter -------------------------------------------------------------------


def test_create_form_is_phone_sized_and_accessible(client_as, world, django_assert_num_queries):
    client = client_as(world.outreach_membership)
    with django_assert_num_queries(7):
        response = client.get(url("encounter_create"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'type="datetime-local"' in content
    assert local_input(timezone.now())[:13] in content  # now, by default
    for legend in ("Personne connue ?", "Besoins exprimés ou repérés", "Prestations délivrées", "Signaler au 115"):
        assert legend in content
    assert 'name="needs"' in content and 'name="provisions"' in content
    main = content.split("<main", 1)[1].split("</main>", 1)[0]
    assert "style=" not in main and "<script" not in main and "onclick" not in main
    assert '<label for="id_location" class="fr-label">' in content and 'id="id_location"' in content


def test_record_an_encounter_with_a_signal(client_as, world):
    client = client_as(world.outreach_membership)
    data = valid_data(signal="on", signal_message="Personne très fatiguée, demande une place", signal_urgent="on")
    response = client.post(url("encounter_create"), data, follow=True)
    assert response.status_code == 200
    encounter = OutreachEncounter.objects.get()
    assert response.redirect_chain == [(url("encounter_detail", encounter.public_id), 302)]
    assert messages_of(response) == ["Rencontre enregistrée et signalée au 115."]
    assert encounter.program == world.outreach and encounter.location == "Place Sainte-Anne"
    assert encounter.persons_count == 2 and encounter.household is None
    assert encounter.needs == ["food", "shelter"] and encounter.provisions == ["hot_drink", "blanket"]
    assert encounter.recorded_by == world.outreach_membership.user
    signal = OutreachSignal.objects.get()
    assert signal.encounter == encounter and signal.status == SignalStatus.NEW and signal.is_urgent
    assert signal.department_id == world.outreach.department_id
    # The 115 of the département sees it in its queue.
    assert list(OutreachSignal.objects.visible_to(world.handler)) == [signal]
    content = response.content.decode()
    assert "Nouveau" in content and "Personne très fatiguée" in content


def test_record_an_encounter_without_signal(client_as, world):
    client = client_as(world.outreach_membership)
    response = client.post(url("encounter_create"), valid_data(needs=[], provisions=[]), follow=True)
    assert messages_of(response) == ["Rencontre enregistrée."]
    encounter = OutreachEncounter.objects.get()
    assert encounter.needs == [] and not OutreachSignal.objects.exists()
    assert 'action="' + url("signal_create", encounter.public_id) + '"' in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"location": "  "}, "location", "Indiquez le lieu de la rencontre."),
        (
            {"occurred_at": local_input(timezone.now() + datetime.timedelta(days=1))},
            "occurred_at",
            "La rencontre ne peut pas être dans le futur.",
        ),
        ({"occurred_at": "hier soir"}, "occurred_at", "Saisissez une date et une heure valides"),
        ({"persons_count": "0"}, "persons_count", "Indiquez le nombre de personnes rencontrées (de 1 à 99)."),
        ({"needs": ["shelter", "teleportation"]}, "needs", "Choisissez les besoins dans la liste proposée."),
        ({"provisions": ["caviar"]}, "provisions", "Choisissez les prestations dans la liste proposée."),
        ({"signal": "on", "signal_message": "  "}, "signal_message", "Indiquez le message pour le 115."),
    ],
)
def test_bad_inputs_save_nothing(client_as, world, overrides, field, message):
    client = client_as(world.outreach_membership)
    response = client.post(
        url("encounter_create"), valid_data(**{"signal": "on", "signal_message": "Vu", **overrides})
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in errors[field][0]
    assert message.split(" (")[0] in response.content.decode()
    assert not OutreachEncounter.objects.exists() and not OutreachSignal.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="emergency.").exists()


def test_a_failing_signal_leaves_no_encounter(client_as, world, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"message": "Indiquez le message pour le 115."})

    monkeypatch.setattr(actions, "send_signal", refuse)
    client = client_as(world.outreach_membership)
    response = client.post(url("encounter_create"), valid_data(signal="on", signal_message="Vu"))
    assert response.status_code == 400
    assert response.context["form"].errors == {"signal_message": ["Indiquez le message pour le 115."]}
    assert not OutreachEncounter.objects.exists() and not OutreachSignal.objects.exists()


def test_comment_is_rendered_escaped(client_as, world):
    client = client_as(world.outreach_membership)
    script = "<script>alert('x')</script>"
    response = client.post(
        url("encounter_create"),
        valid_data(comment=script, location=f"Gare {script}", signal="on", signal_message=script),
        follow=True,
    )
    content = response.content.decode()
    assert script not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content
    content = client.get(url("encounter_list")).content.decode()
    assert script not in content and "&lt;script&gt;" in content


# --- the household search ---------------------------------------------------------------------


def test_household_search_finds_only_the_households_the_team_sees(client_as, world):
    followed = household_with(persons=[PersonFactory(last_name="Kerbrat", first_name="Yann")], program=world.outreach)
    household_with(persons=[PersonFactory(last_name="Kerbrat", first_name="Anne")])  # held by the SIAO only
    client = client_as(world.outreach_membership)
    response = client.get(url("encounter_create"), {"nom": "kerbrat"})
    assert response.status_code == 200
    choices = dict(response.context["form"].fields["household"].choices)
    assert list(choices) == ["", str(followed.public_id)]
    content = response.content.decode()
    assert "Yann KERBRAT" in content and "Anne KERBRAT" not in content
    assert "1 ménage trouvé" in content
    # Chosen: the encounter is linked to the household.
    response = client.post(
        url("encounter_create") + "?nom=kerbrat", valid_data(household=str(followed.public_id)), follow=True
    )
    assert response.status_code == 200
    assert OutreachEncounter.objects.get().household == followed


def test_a_household_the_team_does_not_see_is_refused(client_as, world):
    client = client_as(world.outreach_membership)
    response = client.post(url("encounter_create"), valid_data(household=str(world.household.public_id)))
    assert response.status_code == 400
    assert response.context["form"].errors == {"household": ["Choisissez un ménage parmi ceux que votre équipe suit."]}
    assert not OutreachEncounter.objects.exists()


def test_household_search_tolerates_a_misheard_name(client_as, world, django_assert_num_queries):
    followed = household_with(
        persons=[PersonFactory(last_name="Le Guennec", first_name="Yann")], program=world.outreach
    )
    client = client_as(world.outreach_membership)
    with django_assert_num_queries(12):
        response = client.get(url("encounter_create"), {"nom": "Leguenec"})
    assert list(dict(response.context["form"].fields["household"].choices)) == ["", str(followed.public_id)]


def test_household_search_with_no_match(client_as, world):
    response = client_as(world.outreach_membership).get(url("encounter_create"), {"nom": "Personne"})
    assert response.status_code == 200
    assert "Aucun ménage suivi par votre équipe ne correspond à ce nom." in response.content.decode()


# --- the detail and its signal ----------------------------------------------------------------


def test_detail_records_the_reading_of_the_household(client_as, world, django_assert_num_queries):
    household = household_with(program=world.outreach)
    encounter = encounter_of(world, household=household, needs=["health"], provisions=["first_aid"])
    client = client_as(world.outreach_membership)
    viewed = AuditEvent.objects.filter(action="households.file_viewed").count()
    with django_assert_num_queries(13):
        response = client.get(url("encounter_detail", encounter.public_id))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Soins" in content and "Premiers soins" in content and household.head.full_name in content
    assert AuditEvent.objects.filter(action="households.file_viewed").count() == viewed + 1
    event = AuditEvent.objects.filter(action="households.file_viewed").latest("pk")
    assert event.data == {"page": "encounter", "object": str(encounter.public_id)}


def test_detail_without_household(client_as, world, django_assert_num_queries):
    encounter = encounter_of(world, description="Femme, la soixantaine")
    client = client_as(world.outreach_membership)
    with django_assert_num_queries(8):
        response = client.get(url("encounter_detail", encounter.public_id))
    assert response.status_code == 200
    assert "Femme, la soixantaine" in response.content.decode()
    assert response.context["form"] is not None and response.context["signal"] is None


def test_signal_from_the_detail_then_the_115_takes_and_closes_it(client_as, world):
    encounter = encounter_of(world)
    client = client_as(world.outreach_membership)
    path = url("signal_create", encounter.public_id)
    response = client.post(path, {"message": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {"message": ["Indiquez le message pour le 115."]}
    assert not OutreachSignal.objects.exists()
    response = client.post(path, {"message": "Couple avec un enfant sous la pluie", "is_urgent": "on"}, follow=True)
    assert response.redirect_chain == [(url("encounter_detail", encounter.public_id), 302)]
    assert messages_of(response) == ["Rencontre signalée au 115 : elle apparaît dans sa file de signalements."]
    signal = OutreachSignal.objects.get()
    assert signal.status == SignalStatus.NEW and signal.is_urgent and signal.sent_by == world.outreach_membership.user
    assert signal.department_id == world.outreach.department_id
    actions.close_signal(actor=world.handler, signal=signal)
    content = client.get(url("encounter_detail", encounter.public_id)).content.decode()
    assert "Clos le" in content and "Pris en charge par le 115 le" in content
    assert 'action="' + path + '"' not in content


def test_a_second_signal_is_refused(client_as, world):
    encounter = encounter_of(world)
    actions.send_signal(actor=world.outreach_worker, encounter=encounter, message="Premier")
    client = client_as(world.outreach_membership)
    response = client.post(url("signal_create", encounter.public_id), {"message": "Second"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Cette rencontre a déjà été signalée au 115."]
    assert "Cette rencontre a déjà été signalée au 115." in response.content.decode()
    assert list(OutreachSignal.objects.values_list("message", flat=True)) == ["Premier"]


def test_signal_page_get_goes_back_to_the_detail(client_as, world):
    encounter = encounter_of(world)
    response = client_as(world.outreach_membership).get(url("signal_create", encounter.public_id))
    assert response.status_code == 302 and response.url == url("encounter_detail", encounter.public_id)
