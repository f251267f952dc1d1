"""What operators do with the offer of their programs: place groups and their places, place
states (with the race of two users on one place), support measures and provisions."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.offer.actions.places import (
    change_place_group_capacity,
    change_place_state,
    create_place_group,
    create_provision,
    create_support_measure,
)
from siao.offer.enums import PlaceCategory, PlaceState, PlaceType, ProgramType, UnitKind, ValidationStatus
from siao.offer.models import Place, PlaceGroup, PlaceStateChange, Provision, Public, SupportMeasure
from tests.factories import PlaceGroupFactory, ProgramFactory, department, membership_for

from .helpers import actions_recorded, actor_for

pytestmark = pytest.mark.django_db

OFFER_ROLES = [Role.OPERATOR_MANAGER, Role.ASSISTANT, Role.PROGRAM_MANAGER]
NOT_OFFER_ROLES = [Role.SIAO_ADMIN, Role.DEPARTMENT_ADMIN, Role.CALL_HANDLER, Role.SOCIAL_WORKER, Role.NATIONAL_ADMIN]


def owner_of(program, role=Role.OPERATOR_MANAGER):
    if role == Role.PROGRAM_MANAGER:
        return membership_for(role, organization=program.operator, program=program)
    return membership_for(role, organization=program.operator)


def group_data(**overrides):
    data = {
        "name": "Bâtiment A",
        "unit_kind": UnitKind.PLACE,
        "place_type": PlaceType.INSERTION,
        "place_category": PlaceCategory.SINGLE_ROOM,
        "capacity": 3,
    }
    return {**data, **overrides}


def a_place(**kwargs) -> Place:
    return PlaceGroupFactory(capacity=1, **kwargs).places.get()


# --- place groups ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", OFFER_ROLES)
def test_offer_roles_create_a_group_with_its_places(role):
    program = ProgramFactory()
    program.publics.set(Public.objects.all()[:2])
    actor = actor_for(owner_of(program, role))
    group = create_place_group(actor=actor, program=program, **group_data(capacity=3))
    places = list(group.places.order_by("pk"))
    assert [p.label for p in places] == ["Place 1", "Place 2", "Place 3"]
    assert {p.state for p in places} == {PlaceState.AVAILABLE}
    assert {p.department_id for p in places} == {program.department_id}
    assert PlaceStateChange.objects.filter(place__in=places, from_state="", to_state="available").count() == 3
    assert set(group.publics.all()) == set(program.publics.all())  # defaults to the program's
    assert group.created_by == actor.user
    event = AuditEvent.objects.get(action="offer.place_group_created")
    assert event.object_id == str(group.public_id) and event.data["capacity"] == 3


def test_a_group_gets_the_publics_chosen():
    program = ProgramFactory()
    program.publics.set(Public.objects.all()[:2])
    chosen = list(Public.objects.all()[3:4])
    group = create_place_group(actor=actor_for(owner_of(program)), program=program, publics=chosen, **group_data())
    assert list(group.publics.all()) == chosen


def test_nobody_creates_groups_on_the_programs_of_others():
    program = ProgramFactory()
    for membership in (membership_for(Role.OPERATOR_MANAGER), membership_for(Role.PROGRAM_MANAGER)):
        with pytest.raises(PermissionDenied):
            create_place_group(actor=actor_for(membership), program=program, **group_data())
    for role in NOT_OFFER_ROLES:
        with pytest.raises(PermissionDenied):
            create_place_group(actor=actor_for(membership_for(role)), program=program, **group_data())
    assert not PlaceGroup.objects.exists() and not Place.objects.exists()


def test_a_program_not_yet_validated_gets_no_group():
    program = ProgramFactory(validation_status=ValidationStatus.SUBMITTED)
    with pytest.raises(ValidationError, match="pas encore validé"):
        create_place_group(actor=actor_for(owner_of(program)), program=program, **group_data())
    assert not PlaceGroup.objects.exists()


def test_a_first_reception_program_never_gets_places():
    program = ProgramFactory(type=ProgramType.SPIP, funded_p177=0, total_managed=0)
    with pytest.raises(ValidationError, match="Premier accueil"):
        create_place_group(actor=actor_for(owner_of(program)), program=program, **group_data())
    assert not PlaceGroup.objects.exists() and not Place.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("capacity", [0, -2, 501])
def test_a_group_capacity_is_between_1_and_500(capacity):
    program = ProgramFactory()
    with pytest.raises(ValidationError):
        create_place_group(actor=actor_for(owner_of(program)), program=program, **group_data(capacity=capacity))
    assert not PlaceGroup.objects.exists()


def test_the_capacity_grows_with_new_places_and_shrinks_by_available_ones_only():
    program = ProgramFactory()
    actor = actor_for(owner_of(program))
    group = create_place_group(actor=actor, program=program, **group_data(capacity=3))
    change_place_group_capacity(actor=actor, place_group=group, capacity=5)
    assert sorted(group.places.values_list("label", flat=True)) == [f"Place {n}" for n in range(1, 6)]
    Place.objects.filter(place_group=group, label__in=["Place 4", "Place 5"]).update(state=PlaceState.OCCUPIED)
    change_place_group_capacity(actor=actor, place_group=group, capacity=2)
    labels = set(group.places.values_list("label", flat=True))
    assert labels == {"Place 4", "Place 5"}
    with pytest.raises(ValidationError, match="Seules les places disponibles"):
        change_place_group_capacity(actor=actor, place_group=group, capacity=1)
    group.refresh_from_db()
    assert group.capacity == 2 and group.places.count() == 2


# --- the place group form --------------------------------------------------------------------


def create_url(program, name="offer:place_group_create"):
    return reverse(name, args=[program.public_id])


def form_post(**overrides):
    return {**group_data(), "capacity": "3", **overrides}


def test_the_group_form_creates_the_group_and_shows_it(client_as):
    program = ProgramFactory()
    program.publics.set(Public.objects.all()[:2])
    client = client_as(owner_of(program))
    response = client.get(create_url(program))
    assert set(response.context["form"]["publics"].value()) == {p.code for p in program.publics.all()}
    response = client.post(
        create_url(program), form_post(publics=[p.code for p in program.publics.all()]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("offer:program_detail", args=[program.public_id])
    content = response.content.decode()
    assert "Groupe de places créé" in content and "Bâtiment A" in content
    assert Place.objects.filter(place_group__program=program).count() == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"capacity": "0"}, "La capacité est d&#x27;au moins une place."),
        ({"capacity": "abc"}, "Saisissez un nombre entier."),
        ({"place_type": "castle"}, "Sélectionnez un choix valide"),
        ({"name": ""}, "Ce champ est obligatoire."),
        ({"postal_code": "3500"}, "Le code postal compte 5 chiffres"),
    ],
)
def test_the_group_form_refuses_bad_input_in_french(client_as, overrides, message):
    program = ProgramFactory()
    response = client_as(owner_of(program)).post(create_url(program), form_post(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PlaceGroup.objects.exists()


def test_the_group_form_of_a_first_reception_program_explains_and_refuses(client_as):
    program = ProgramFactory(type=ProgramType.HEALTH, funded_p177=0, total_managed=0)
    client = client_as(owner_of(program))
    content = client.get(create_url(program)).content.decode()
    assert "Un dispositif de Premier accueil n&#x27;a ni places, ni mesures, ni prestations." in content
    assert '<form method="post" novalidate>' not in content
    response = client.post(create_url(program), form_post())
    assert response.status_code == 400
    assert "aucun groupe de places ne peut y être créé" in response.content.decode()
    assert not PlaceGroup.objects.exists()


OFFER_FORMS = ["offer:place_group_create", "offer:support_measure_create", "offer:provision_create"]


@pytest.mark.parametrize("name", OFFER_FORMS)
def test_the_offer_forms_send_anonymous_users_to_login(client, name):
    url = create_url(ProgramFactory(), name)
    assert client.get(url).url == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("role", NOT_OFFER_ROLES)
@pytest.mark.parametrize("name", OFFER_FORMS)
def test_the_offer_forms_are_forbidden_to_other_roles(client_as, role, name):
    url = create_url(ProgramFactory(), name)
    client = client_as(role)
    assert client.get(url).status_code == 403
    assert client.post(url, {**form_post(), "kind": "meal"}).status_code == 403
    assert not PlaceGroup.objects.exists() and not Provision.objects.exists()


@pytest.mark.parametrize("name", OFFER_FORMS)
def test_the_offer_forms_of_another_operator_are_not_found(client_as, name):
    url = create_url(ProgramFactory(), name)
    client = client_as(Role.OPERATOR_MANAGER)
    assert client.get(url).status_code == 404
    assert client.post(url, {**form_post(), "kind": "meal"}).status_code == 404


def test_the_group_form_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    program = ProgramFactory()
    client = client_as(owner_of(program))
    # session, user, memberships, départements; program; the program's publics, all publics; session save (3)
    with django_assert_num_queries(10):
        client.get(create_url(program))


# --- support measures and provisions ---------------------------------------------------------


def test_owners_add_measures_and_provisions(client_as):
    program = ProgramFactory()
    client = client_as(owner_of(program, Role.ASSISTANT))
    response = client.post(create_url(program, "offer:support_measure_create"), {"kind": "avdl", "capacity": "12"})
    assert response.status_code == 302
    response = client.post(create_url(program, "offer:provision_create"), {"kind": "laundry", "description": "Lun."})
    assert response.status_code == 302
    assert SupportMeasure.objects.get(program=program).capacity == 12
    assert Provision.objects.get(program=program).kind == "laundry"
    assert actions_recorded() == ["offer.support_measure_created", "offer.provision_created"]


def test_measures_and_provisions_are_refused_on_first_reception_with_the_model_message(client_as):
    program = ProgramFactory(type=ProgramType.SOCIAL_SECTOR, funded_p177=0, total_managed=0)
    client = client_as(owner_of(program))
    response = client.post(create_url(program, "offer:support_measure_create"), {"kind": "avdl", "capacity": "1"})
    assert response.status_code == 400
    assert "aucune mesure ne peut y être rattachée" in response.content.decode()
    response = client.post(create_url(program, "offer:provision_create"), {"kind": "meal"})
    assert "aucune prestation ne peut y être rattachée" in response.content.decode()
    assert not SupportMeasure.objects.exists() and not Provision.objects.exists() and not AuditEvent.objects.exists()


def test_measures_need_an_owner():
    program = ProgramFactory()
    with pytest.raises(PermissionDenied):
        create_support_measure(actor=actor_for(membership_for(Role.OPERATOR_MANAGER)), program=program, kind="avdl")
    with pytest.raises(PermissionDenied):
        create_provision(actor=actor_for(membership_for(Role.SIAO_ADMIN)), program=program, kind="meal")


# --- place states ----------------------------------------------------------------------------


def test_a_state_change_bumps_the_version_and_is_recorded():
    place = a_place()
    actor = actor_for(owner_of(place.place_group.program))
    place = change_place_state(actor=actor, place=place, to_state=PlaceState.OCCUPIED, expected_version=0)
    place.refresh_from_db()
    assert (place.state, place.version) == (PlaceState.OCCUPIED, 1)
    change = PlaceStateChange.objects.get(place=place)
    assert (change.from_state, change.to_state, change.changed_by) == ("available", "occupied", actor.user)
    event = AuditEvent.objects.get(action="offer.place_state_changed")
    assert event.data["from"] == "available" and event.data["to"] == "occupied" and event.data["version"] == 1


def test_an_unavailable_place_has_a_reason_and_an_optional_end_date_cleared_when_it_comes_back():
    place = a_place()
    actor = actor_for(owner_of(place.place_group.program, Role.PROGRAM_MANAGER))
    until = timezone.localdate() + datetime.timedelta(days=30)
    change_place_state(
        actor=actor, place=place, to_state="unavailable", expected_version=0, reason="works", until=until
    )
    place.refresh_from_db()
    assert (place.state, place.unavailability_reason, place.unavailable_until) == ("unavailable", "works", until)
    change_place_state(actor=actor, place=place, to_state="available", expected_version=1, reason="works", until=until)
    place.refresh_from_db()
    assert (place.state, place.unavailability_reason, place.unavailable_until) == ("available", "", None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason": ""}, "Indiquez le motif de l'indisponibilité."),
        ({"reason": "because"}, "Indiquez le motif de l'indisponibilité."),
        (
            {"reason": "works", "until": datetime.date(2020, 1, 1)},
            "La date de fin d'indisponibilité ne peut pas être dans le passé.",
        ),
    ],
)
def test_unavailability_needs_a_reason_and_a_future_date(kwargs, message):
    place = a_place()
    actor = actor_for(owner_of(place.place_group.program))
    with pytest.raises(ValidationError) as error:
        change_place_state(actor=actor, place=place, to_state="unavailable", expected_version=0, **kwargs)
    assert error.value.messages == [message]
    place.refresh_from_db()
    assert (place.state, place.version) == ("available", 0)


@pytest.mark.parametrize(
    ("from_state", "to_state", "message"),
    [
        ("occupied", "held", "Une place « Occupée » ne peut pas passer à l'état « Réservée pour une orientation »."),
        ("unavailable", "occupied", "Une place « Indisponible » ne peut pas passer à l'état « Occupée »."),
        ("available", "available", "Une place « Disponible » ne peut pas passer à l'état « Disponible »."),
        ("available", "demolished", "Choisissez un état de place parmi ceux proposés."),
    ],
)
def test_impossible_transitions_are_refused_naming_both_states(from_state, to_state, message):
    place = a_place()
    Place.objects.filter(pk=place.pk).update(
        state=from_state, unavailability_reason="works" if from_state == "unavailable" else ""
    )
    with pytest.raises(ValidationError) as error:
        change_place_state(
            actor=actor_for(owner_of(place.place_group.program)), place=place, to_state=to_state, expected_version=0
        )
    assert error.value.messages == [message]
    assert not PlaceStateChange.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", NOT_OFFER_ROLES)
def test_only_owners_change_place_states(role):
    place = a_place()
    with pytest.raises(PermissionDenied):
        change_place_state(actor=actor_for(membership_for(role)), place=place, to_state="occupied", expected_version=0)
    with pytest.raises(PermissionDenied):
        change_place_state(
            actor=actor_for(membership_for(Role.OPERATOR_MANAGER)),
            place=place,
            to_state="occupied",
            expected_version=0,
        )


def test_two_users_on_one_place_one_wins_the_other_is_told():
    place = a_place()
    program = place.place_group.program
    first, second = actor_for(owner_of(program)), actor_for(owner_of(program, Role.ASSISTANT))
    seen_by_both = Place.objects.get(pk=place.pk)
    change_place_state(actor=first, place=seen_by_both, to_state="occupied", expected_version=seen_by_both.version)
    with pytest.raises(ValidationError) as error:
        change_place_state(actor=second, place=seen_by_both, to_state="held", expected_version=seen_by_both.version)
    assert error.value.messages == [
        "Cette place a changé entre-temps : elle est maintenant « Occupée ». Rechargez la page."
    ]
    place.refresh_from_db()
    assert (place.state, place.version) == ("occupied", 1)
    assert PlaceStateChange.objects.filter(place=place).count() == 1


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serializes write transactions: no real concurrency")
@pytest.mark.django_db(transaction=True)
def test_two_threads_on_one_place_one_wins_the_other_is_told():
    place = a_place()
    program = place.place_group.program
    actors = [actor_for(owner_of(program)), actor_for(owner_of(program, Role.ASSISTANT))]
    barrier = threading.Barrier(2)
    outcomes = []

    def change(actor, to_state):
        try:
            barrier.wait()
            change_place_state(actor=actor, place=place, to_state=to_state, expected_version=0)
            outcomes.append("won")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=change, args=(actor, state))
        for actor, state in zip(actors, ["occupied", "held"], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "won" and outcomes.count("won") == 1
    assert next(o for o in outcomes if o != "won").startswith("Cette place a changé entre-temps")
    place.refresh_from_db()
    assert place.version == 1 and PlaceStateChange.objects.filter(place=place).count() == 1


# --- the place state form --------------------------------------------------------------------


def state_url(place):
    return reverse("offer:place_state_change", args=[place.public_id])


def test_the_detail_offers_the_allowed_next_states_only(client_as):
    place = a_place()
    Place.objects.filter(pk=place.pk).update(state="occupied")
    client = client_as(owner_of(place.place_group.program))
    response = client.get(reverse("offer:program_detail", args=[place.place_group.program.public_id]))
    shown = response.context["groups"][0]["places"][0]
    assert shown.next_states == [("available", "Disponible")]
    assert f'id="reason-{place.public_id}"' not in response.content.decode()


def test_the_state_form_changes_the_state_and_comes_back_to_the_place(client_as):
    place = a_place()
    client = client_as(owner_of(place.place_group.program))
    response = client.post(state_url(place), {"to_state": "occupied", "version": "0"})
    assert (
        response.url
        == reverse("offer:program_detail", args=[place.place_group.program.public_id]) + f"#place-{place.public_id}"
    )
    place.refresh_from_db()
    assert place.state == "occupied"


def test_the_state_form_shows_the_french_message_and_changes_nothing(client_as):
    place = a_place()
    client = client_as(owner_of(place.place_group.program))
    client.post(state_url(place), {"to_state": "occupied", "version": "0"})
    response = client.post(
        state_url(place), {"to_state": "unavailable", "reason": "works", "version": "0"}, follow=True
    )
    assert (
        "Cette place a changé entre-temps : elle est maintenant « Occupée ». Rechargez la page."
        in response.content.decode()
    )
    response = client.post(state_url(place), {"to_state": "held", "version": "1"}, follow=True)
    assert (
        "Une place « Occupée » ne peut pas passer à l&#x27;état « Réservée pour une orientation »."
        in response.content.decode()
    )
    response = client.post(state_url(place), {"to_state": "available", "version": "", "until": "demain"}, follow=True)
    assert "La page est incomplète : rechargez-la." in response.content.decode()
    place.refresh_from_db()
    assert (place.state, place.version) == ("occupied", 1)


def test_the_state_change_only_accepts_post(client_as):
    place = a_place()
    assert client_as(owner_of(place.place_group.program)).get(state_url(place)).status_code == 405


def test_the_state_change_guards(client, client_as):
    place = a_place()
    url = state_url(place)
    assert client.post(url).url == f"{reverse('accounts:login')}?next={url}"
    assert client_as(Role.SIAO_ADMIN).post(url, {"to_state": "occupied", "version": "0"}).status_code == 403
    assert client_as(Role.OPERATOR_MANAGER).post(url, {"to_state": "occupied", "version": "0"}).status_code == 404
    elsewhere = a_place(program=ProgramFactory(department=department("29")))
    assert client_as(Role.PROGRAM_MANAGER).post(state_url(elsewhere), {"version": "0"}).status_code == 404
    place.refresh_from_db()
    assert place.state == "available"


def test_the_state_change_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    place = a_place()
    client = client_as(owner_of(place.place_group.program))
    # session, user, memberships, départements; place; savepoint, locked place, update, history,
    # audit (savepoint, head, event, head, release), release; session save with the message (3)
    with django_assert_num_queries(STATE_CHANGE_QUERIES):
        client.post(state_url(place), {"to_state": "occupied", "version": "0"})


STATE_CHANGE_QUERIES = 18


def test_a_forged_public_identifier_is_a_form_error_not_a_crash(client_as):
    client = client_as(Role.OPERATOR_MANAGER)
    program = ProgramFactory(operator=client.membership.organization)
    response = client.post(create_url(program), form_post(publics=["99999999999999999999999"]))
    assert response.status_code == 400
    assert "publics" in response.context["form"].errors
    assert not program.place_groups.exists()
