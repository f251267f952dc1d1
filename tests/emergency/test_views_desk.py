"""The 115 desk pages: guards (login, role, perimeter), the call screen in each of its states,
the POST-redirect-GET of each step with its French errors (nothing changed), the places held
at once, and pinned query counts."""

import pytest
from django.urls import reverse

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.emergency import actions
from siao.emergency.enums import CallerType, EmergencyStatus, SignalStatus, SleepingPlace, UnmetReason
from siao.emergency.models import Call, EmergencyRequest, OutreachSignal
from siao.households.models import Household
from siao.offer.enums import PlaceState, PlaceType
from siao.offer.models import Place
from tests.factories import PlaceGroupFactory, household_with

from .helpers import EmergencyWorld

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"emergency:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


@pytest.fixture
def world():
    return EmergencyWorld.build(places=2)


def held(world) -> int:
    return world.group.places.filter(state=PlaceState.HELD).count()


def a_signal(world, household=None):
    encounter = actions.record_encounter(
        actor=world.outreach_worker, location="Gare de Rennes, hall nord", household=household
    )
    return actions.send_signal(
        actor=world.outreach_worker, encounter=encounter, message="Une femme seule, il fait froid"
    )


def post_urls(world):
    """Every POST of the desk, on objects of the SIAO of 35."""
    call = world.call()
    er = world.request(household=household_with())
    signal = a_signal(world)
    return [
        (url("call_create"), {"caller_type": CallerType.PERSON}),
        (url("call_notes", call.public_id), {"comment": "x"}),
        (url("call_household", call.public_id), {"household": str(world.household.public_id)}),
        (url("call_household_create", call.public_id), {"last_name": "Essai", "first_name": "Alix"}),
        (url("request_create", call.public_id), {"sleeping_place": SleepingPlace.STREET}),
        (url("request_orient", er.public_id), {"place_group": str(world.group.public_id)}),
        (url("request_release", er.public_id), {}),
        (url("request_unmet", er.public_id), {"unmet_reason": UnmetReason.NO_PLACE}),
        (url("request_no_callback", er.public_id), {}),
        (url("request_no_show", er.public_id), {}),
        (url("signal_take", signal.public_id), {}),
        (url("signal_close", signal.public_id), {}),
    ]


def get_urls(world):
    call = world.call()
    er = world.request(household=household_with())
    return [url("desk"), url("call_detail", call.public_id), url("request_detail", er.public_id)]


# --- guards -------------------------------------------------------------------------------------


def test_anonymous_users_go_to_the_login_page(client, world):
    for path in get_urls(world):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), path
    for path, data in post_urls(world):
        response = client.post(path, data)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), path


@pytest.mark.parametrize("role", [Role.ANALYST, Role.DEPARTMENT_ADMIN, Role.SOCIAL_WORKER, Role.PROGRAM_MANAGER])
def test_roles_outside_the_desk_are_forbidden(client_as, world, role):
    client = client_as(role)
    paths, posts = get_urls(world), post_urls(world)
    calls, requests = Call.objects.count(), EmergencyRequest.objects.count()
    for path in paths[:2]:
        assert client.get(path).status_code == 403, path
    # The request's page is also the program's: another program finds nothing there.
    program_role = role in (Role.SOCIAL_WORKER, Role.PROGRAM_MANAGER)
    assert client.get(paths[2]).status_code == (404 if program_role else 403)
    for path, data in posts:
        expected = 404 if path.endswith("/absent/") and program_role else 403
        assert client.post(path, data).status_code == expected, path
    assert Call.objects.count() == calls and EmergencyRequest.objects.count() == requests
    assert not Place.objects.filter(state=PlaceState.HELD).exists()


def test_the_siao_admin_reads_the_desk_but_cannot_act(client_as, world):
    a_signal(world)
    world.request()
    client = client_as(Role.SIAO_ADMIN)
    response = client.get(url("desk"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nouvel appel" not in content and "Enregistrer l'appel" not in content
    assert "Prendre l'appel" not in content and "Clore" not in content
    assert len(response.context["signals"]) == 1 and len(response.context["open_requests"]) == 1
    for path in get_urls(world):
        assert client.get(path).status_code == 200, path
    for path, data in post_urls(world):
        assert client.post(path, data).status_code == 403, path


def test_a_handler_of_another_siao_finds_nothing(client_as, world):
    call = world.call()
    er = world.request(household=household_with())
    signal = a_signal(world)
    client = client_as(Role.CALL_HANDLER, code="56")
    for path in (url("call_detail", call.public_id), url("request_detail", er.public_id)):
        assert client.get(path).status_code == 404, path
    for path, data in post_urls(world)[1:]:
        if "/appels/" in path or "/demandes/" in path or "/signalements/" in path:
            assert client.post(path, data).status_code == 404, path
    assert client.post(url("signal_take", signal.public_id)).status_code == 404
    response = client.get(url("desk"))
    assert response.context["signals"] == [] and response.context["open_requests"] == []
    assert OutreachSignal.objects.get(pk=signal.pk).status == SignalStatus.NEW


def test_the_household_of_another_siao_cannot_be_attached(client_as, world):
    other = household_with(code="56")
    call = actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)
    client = client_as(world.handler_membership)
    assert client.post(url("call_household", call.public_id), {"household": str(other.public_id)}).status_code == 404
    assert Call.objects.get(pk=call.pk).household_id is None


# --- the desk -----------------------------------------------------------------------------------


def test_the_desk_logs_a_call_in_one_keystroke(client_as, world):
    client = client_as(world.handler_membership)
    response = client.get(url("desk"))
    content = response.content.decode()
    # The person is checked and focused; the submit button comes right after the radios.
    assert 'value="person" checked autofocus' in content
    radios_end = content.index("</fieldset>", content.index('name="caller_type"'))
    assert content.index("Enregistrer l'appel</button>", radios_end) < content.index('name="caller_detail"')
    response = client.post(url("call_create"), {"caller_type": CallerType.SERVICE, "caller_detail": "Urgences CHU"})
    call = Call.objects.get()
    assert response.status_code == 302 and response.url == url("call_detail", call.public_id)
    assert (call.caller_type, call.caller_detail, call.handler_id) == (
        CallerType.SERVICE,
        "Urgences CHU",
        world.handler_membership.user_id,
    )
    assert [c.pk for c in client.get(url("desk")).context["recent_calls"]] == [call.pk]


def test_a_call_without_caller_type_is_refused_in_french(client_as, world):
    client = client_as(world.handler_membership)
    response = client.post(url("call_create"), {"caller_type": "robot"})
    assert response.status_code == 400
    assert "Indiquez qui appelle." in response.content.decode()
    assert not Call.objects.exists()


def test_a_signal_is_taken_once_and_closed(client_as, world):
    household = household_with(program=world.outreach)  # a household the team follows
    signal = a_signal(world, household=household)
    client = client_as(world.handler_membership)
    content = client.get(url("desk")).content.decode()
    assert "Gare de Rennes, hall nord" in content and "Une femme seule" in content
    response = client.post(url("signal_take", signal.public_id))
    call = Call.objects.get()
    assert response.url == url("call_detail", call.public_id)
    assert call.signal_id == signal.pk and call.household_id == household.pk
    assert call.caller_type == CallerType.OUTREACH
    response = client.post(url("signal_take", signal.public_id), follow=True)
    assert "déjà été pris en charge" in " ".join(messages_of(response))
    assert Call.objects.count() == 1
    response = client.post(url("signal_close", signal.public_id), follow=True)
    assert messages_of(response) == ["Signalement clos."]
    assert OutreachSignal.objects.get(pk=signal.pk).status == SignalStatus.CLOSED
    assert response.context["signals"] == []


def test_the_desk_costs_the_same_whatever_the_lists(client_as, django_assert_num_queries, world):
    client = client_as(world.handler_membership)
    with django_assert_num_queries(DESK_QUERIES):
        client.get(url("desk"))
    for _ in range(3):
        a_signal(world, household=household_with(program=world.outreach))
        world.request(household=household_with())
    with django_assert_num_queries(DESK_QUERIES):
        response = client.get(url("desk"))
    assert len(response.context["signals"]) == 3 and len(response.context["open_requests"]) == 3
    assert len(response.context["recent_calls"]) == 3


# session, user, memberships, départements; signals; tonight's requests; recent calls; session
# saved (3)
DESK_QUERIES = 10


# --- the call screen ----------------------------------------------------------------------------


def test_the_call_screen_finds_the_household_and_attaches_it(client_as, world):
    head = world.household.head
    call = actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)
    client = client_as(world.handler_membership)
    response = client.get(url("call_detail", call.public_id))
    assert response.context["focus"] == "search"
    assert 'name="last_name"' in response.content.decode()
    # Tolerant: case, and names swapped.
    response = client.get(
        url("call_detail", call.public_id), {"last_name": head.first_name.upper(), "first_name": head.last_name}
    )
    assert [found for _, found in response.context["results"]] == [world.household]
    assert "C&#x27;est ce ménage" in response.content.decode() or "C'est ce ménage" in response.content.decode()
    response = client.post(url("call_household", call.public_id), {"household": str(world.household.public_id)})
    assert response.url == url("call_detail", call.public_id)
    assert Call.objects.get(pk=call.pk).household_id == world.household.pk
    response = client.get(url("call_detail", call.public_id))
    assert response.context["focus"] == "request" and response.context["request_form"] is not None
    content = response.content.decode()
    assert head.full_name in content and 'value="street"' in content
    assert content.count("autofocus") == 1


def test_the_search_shows_only_the_actors_households(client_as, world):
    other = household_with(code="56")
    call = actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)
    client = client_as(world.handler_membership)
    response = client.get(
        url("call_detail", call.public_id), {"last_name": other.head.last_name, "first_name": other.head.first_name}
    )
    assert response.context["results"] == []
    assert response.context["focus"] == "quick"


def test_a_household_is_created_from_the_call_with_its_children(client_as, world):
    call = actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)
    client = client_as(world.handler_membership)
    response = client.post(
        url("call_household_create", call.public_id),
        {
            "last_name": "Modèle",
            "first_name": "Sacha",
            "birth_date": "1990-05-04",
            "sex": "F",
            "child_1_first_name": "Alix",
            "child_1_birth_date": "2019-02-01",
            "child_2_first_name": "",
        },
    )
    assert response.status_code == 302, response.context["quick_form"].errors
    household = Household.objects.get(calls=call)
    assert household.member_count == 2 and household.children_count == 1
    assert household.head.full_name == "Sacha MODÈLE"
    response = client.get(url("call_detail", call.public_id))
    assert "Alix MODÈLE" in response.content.decode() and "ans" in response.content.decode()


def test_a_household_creation_with_errors_changes_nothing(client_as, world):
    call = actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)
    households = Household.objects.count()
    client = client_as(world.handler_membership)
    response = client.post(
        url("call_household_create", call.public_id),
        {"last_name": "", "first_name": "Sacha", "child_1_birth_date": "2019-02-01", "birth_date": "2999-01-01"},
    )
    assert response.status_code == 400
    errors = response.context["quick_form"].errors
    assert errors["last_name"] == ["Indiquez le nom."]
    assert errors["child_1_first_name"] == ["Indiquez le prénom de l'enfant 1."]
    assert errors["birth_date"] == ["La date de naissance ne peut pas être dans le futur."]
    assert Household.objects.count() == households and Call.objects.get(pk=call.pk).household_id is None


def test_the_emergency_request_is_created_then_oriented_from_the_call_screen(client_as, world):
    call = world.call()
    client = client_as(world.handler_membership)
    response = client.post(
        url("request_create", call.public_id),
        {"sleeping_place": SleepingPlace.VEHICLE, "health_urgency": "on", "comment": "Asthme"},
    )
    assert response.url == url("call_detail", call.public_id)
    er = EmergencyRequest.objects.get()
    assert (er.status, er.sleeping_place, er.health_urgency, er.violence) == (
        EmergencyStatus.PENDING,
        SleepingPlace.VEHICLE,
        True,
        False,
    )
    response = client.get(url("call_detail", call.public_id))
    assert response.context["places"] == [world.group]
    content = response.content.decode()
    assert "Places pour cette nuit" in content and "3 rue des Mouettes, 35000 Rennes" in content
    response = client.post(
        url("request_orient", er.public_id), {"place_group": str(world.group.public_id)}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("call_detail", call.public_id)
    assert messages_of(response)[0].startswith("Place réservée dans « Hors CHRS - CHU Les Mouettes »")
    assert EmergencyRequest.objects.get().status == EmergencyStatus.ORIENTED and held(world) == 1
    content = response.content.decode()
    assert "Place réservée : à donner à la personne" in content and "3 rue des Mouettes, 35000 Rennes" in content
    assert "Libérer la place" in content and "Ne s'est pas présenté(e)" in content
    # Release: the place is free again, the request waits for another solution.
    response = client.post(url("request_release", er.public_id), follow=True)
    assert messages_of(response) == ["Place libérée : la demande est de nouveau en attente de solution."]
    assert EmergencyRequest.objects.get().status == EmergencyStatus.PENDING and held(world) == 0


def test_a_request_without_sleeping_place_is_refused_in_french(client_as, world):
    call = world.call()
    client = client_as(world.handler_membership)
    response = client.post(url("request_create", call.public_id), {"sleeping_place": "", "reason": "999"})
    assert response.status_code == 400
    errors = response.context["request_form"].errors
    assert errors["sleeping_place"] == ["Indiquez où la personne dormira ce soir."]
    assert errors["reason"] == ["Choisissez un motif de la liste."]
    assert not EmergencyRequest.objects.exists()


def test_a_second_request_for_the_night_is_refused(client_as, world):
    world.request()
    call = world.call()
    client = client_as(world.handler_membership)
    response = client.post(
        url("request_create", call.public_id), {"sleeping_place": SleepingPlace.STREET}, follow=True
    )
    assert "déjà une demande d'urgence en cours" in " ".join(messages_of(response))
    assert response.context["open_request"] is not None  # the screen shows the request to resume
    assert EmergencyRequest.objects.count() == 1


def test_unmet_needs_a_reason(client_as, world):
    er = world.request()
    client = client_as(world.handler_membership)
    response = client.post(url("request_unmet", er.public_id), {"unmet_reason": "", "outcome_comment": "x"})
    assert response.status_code == 400
    assert "Indiquez pourquoi la demande n&#x27;a pas pu être pourvue." in response.content.decode()
    assert EmergencyRequest.objects.get().status == EmergencyStatus.PENDING
    response = client.post(url("request_unmet", er.public_id), {"unmet_reason": UnmetReason.OTHER})
    assert response.status_code == 400
    assert EmergencyRequest.objects.get().status == EmergencyStatus.PENDING
    response = client.post(url("request_unmet", er.public_id), {"unmet_reason": UnmetReason.HUNG_UP}, follow=True)
    assert response.redirect_chain[-1][0] == url("call_detail", er.call.public_id)
    er.refresh_from_db()
    assert (er.status, er.unmet_reason) == (EmergencyStatus.UNMET, UnmetReason.HUNG_UP)
    assert "La personne a raccroché" in response.content.decode()


def test_unmet_from_the_request_page_stays_there(client_as, world):
    er = world.request()
    client = client_as(world.handler_membership)
    response = client.post(url("request_unmet", er.public_id), {"unmet_reason": "", "retour": "demande"})
    assert response.status_code == 400 and response.templates[0].name == "emergency/desk/request_detail.html"
    response = client.post(
        url("request_unmet", er.public_id), {"unmet_reason": UnmetReason.NO_PLACE, "retour": "demande"}
    )
    assert response.url == url("request_detail", er.public_id) + "#issue"


def test_orienting_to_a_group_that_does_not_fit_holds_nothing(client_as, world):
    er = world.request()
    insertion = PlaceGroupFactory(program=world.shelter, place_type=PlaceType.INSERTION, capacity=2)
    client = client_as(world.handler_membership)
    response = client.post(url("request_orient", er.public_id), {"place_group": str(insertion.public_id)}, follow=True)
    assert "ne convient pas à ce ménage" in " ".join(messages_of(response))
    response = client.post(
        url("request_orient", er.public_id), {"place_group": "00000000-0000-0000-0000-000000000000"}, follow=True
    )
    assert "ne convient pas à ce ménage" in " ".join(messages_of(response))
    response = client.post(url("request_orient", er.public_id), {"place_group": "pas-un-uuid"}, follow=True)
    assert "ne convient pas à ce ménage" in " ".join(messages_of(response))
    assert EmergencyRequest.objects.get().status == EmergencyStatus.PENDING
    assert not Place.objects.filter(state=PlaceState.HELD).exists()


def test_the_last_place_goes_to_one_request_only(client_as):
    world = EmergencyWorld.build(places=1)
    first = world.request()
    second = world.request(household=household_with())
    client = client_as(world.handler_membership)
    data = {"place_group": str(world.group.public_id)}
    client.post(url("request_orient", first.public_id), data)
    response = client.post(url("request_orient", second.public_id), data, follow=True)
    assert "plus assez de places libres" in " ".join(messages_of(response))
    assert EmergencyRequest.objects.get(pk=second.pk).status == EmergencyStatus.PENDING
    assert EmergencyRequest.objects.get(pk=first.pk).status == EmergencyStatus.ORIENTED
    # The full group is no longer offered; the handler records the outcome instead.
    assert response.context["places"] == []
    assert "autofocus" in response.content.decode().split('name="unmet_reason"')[1].split(">")[0]


def test_no_callback_and_no_show(client_as, world):
    er = world.request()
    client = client_as(world.handler_membership)
    response = client.post(url("request_no_callback", er.public_id), follow=True)
    assert messages_of(response) == ["Issue enregistrée : la personne n'a pas rappelé."]
    assert EmergencyRequest.objects.get(pk=er.pk).status == EmergencyStatus.NO_CALLBACK
    response = client.post(url("request_no_callback", er.public_id), follow=True)
    assert "déjà close" in " ".join(messages_of(response))
    oriented = world.oriented(household=household_with())
    assert held(world) == 1
    response = client.post(url("request_no_show", oriented.public_id), follow=True)
    assert EmergencyRequest.objects.get(pk=oriented.pk).status == EmergencyStatus.NO_SHOW and held(world) == 0


def test_notes_of_the_call(client_as, world):
    call = world.call()
    client = client_as(world.handler_membership)
    response = client.post(url("call_notes", call.public_id), {"comment": "Rappelle à 22 h", "caller_detail": "Sœur"})
    assert response.url == url("call_detail", call.public_id)
    call.refresh_from_db()
    assert (call.comment, call.caller_detail) == ("Rappelle à 22 h", "Sœur")
    response = client.post(url("call_notes", call.public_id), {"comment": "x" * 5001})
    assert response.status_code == 400 and Call.objects.get(pk=call.pk).comment == "Rappelle à 22 h"


def test_a_script_in_a_comment_is_inert(client_as, world):
    script = "<script>alert('x')</script>"
    er = world.request(comment=script)
    actions.update_call_notes(actor=world.handler, call=er.call, comment=script)
    client = client_as(world.handler_membership)
    for path in (url("request_detail", er.public_id), url("call_detail", er.call.public_id)):
        content = client.get(path).content.decode()
        assert script not in content and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content, path


# --- the call screen's cost, in each state ------------------------------------------------------


def test_the_call_screen_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries, world):
    client = client_as(world.handler_membership)
    call = actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)
    path = url("call_detail", call.public_id)
    with django_assert_num_queries(CALL_NO_HOUSEHOLD):
        response = client.get(path)
    assert response.context["focus"] == "search"
    for _ in range(2):
        household_with(persons=None)
    search = {"last_name": "", "birth_date": "1985-04-12"}  # the factories' birth date: every head
    with django_assert_num_queries(CALL_SEARCH):
        response = client.get(path, search)
    assert len(response.context["results"]) == 3
    actions.attach_household(actor=world.handler, call=call, household=world.household)
    with django_assert_num_queries(CALL_HOUSEHOLD):
        response = client.get(path)
    assert response.context["focus"] == "request"
    actions.create_emergency_request(actor=world.handler, call=call, sleeping_place=SleepingPlace.STREET)
    for _ in range(2):
        PlaceGroupFactory(program=world.shelter, place_type=PlaceType.EMERGENCY, capacity=2)
    with django_assert_num_queries(CALL_PENDING):
        response = client.get(path)
    assert len(response.context["places"]) == 3
    er = EmergencyRequest.objects.get()
    actions.orient_emergency_request(actor=world.handler, emergency_request=er, place_group=world.group)
    with django_assert_num_queries(CALL_ORIENTED):
        response = client.get(path)
    assert response.context["solution"]["address"] == "3 rue des Mouettes, 35000 Rennes"


# Each: session, user, memberships, départements (4); the call; the call's requests; session saved (3).
CALL_NO_HOUSEHOLD = 9
# persons born that day; their households; the visible ones; the persons; their current households
CALL_SEARCH = 14
# household (head, composition); the audited consultation (5); open request; members
CALL_HOUSEHOLD = 17
# + the household's specific publics, the places for tonight
CALL_PENDING = 19
CALL_ORIENTED = 17


def test_the_request_page_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    world = EmergencyWorld.build(places=4)
    client = client_as(world.handler_membership)
    er = world.request(household=household_with(children=2))
    with django_assert_num_queries(REQUEST_PENDING):
        response = client.get(url("request_detail", er.public_id))
    assert len(response.context["persons"]) == 3 and response.context["places"] == [world.group]
    er = world.sheltered()
    with django_assert_num_queries(REQUEST_SHELTERED):
        response = client.get(url("request_detail", er.public_id))
    assert len(response.context["nights"]) == 1 and len(response.context["placements"]) == 1


# session, user, memberships, départements (4); the request; household; audited consultation (5);
# persons; placements; the household's specific publics, places for tonight; session saved (3)
REQUEST_PENDING = 19
REQUEST_SHELTERED = 18  # no places to offer; the nights


# --- the request's page, shared with the program ----------------------------------------------


def test_the_program_sees_the_request_oriented_to_it(client_as, world):
    er = world.oriented()
    client = client_as(world.manager_membership)
    response = client.get(url("request_detail", er.public_id))
    assert response.status_code == 200
    content = response.content.decode()
    assert url("request_arrival", er.public_id) in content and "Ne s'est pas présenté(e)" in content
    assert "Libérer la place" not in content and url("call_detail", er.call.public_id) not in content
    event = AuditEvent.objects.filter(action="households.file_viewed").latest("pk")
    assert event.data == {"page": "emergency_request", "object": str(er.public_id)}
    # The program says the person did not come: back to the request's page.
    response = client.post(url("request_no_show", er.public_id), {"retour": "demande"})
    assert response.url == url("request_detail", er.public_id) + "#solution"
    assert EmergencyRequest.objects.get(pk=er.pk).status == EmergencyStatus.NO_SHOW and held(world) == 0
    # Another program of the same operator sees nothing of a pending request.
    pending = world.request(household=household_with())
    assert client.get(url("request_detail", pending.public_id)).status_code == 404


def test_the_call_screen_is_a_consultation_of_the_file(client_as, world):
    call = world.call()
    client_as(world.handler_membership).get(url("call_detail", call.public_id))
    event = AuditEvent.objects.filter(action="households.file_viewed").latest("pk")
    assert event.data == {"page": "emergency_call", "object": str(call.public_id)}
    assert event.object_id == str(world.household.public_id)


def test_a_siao_with_two_departements_chooses_the_call_departement(client_as, world):
    from siao.geo.models import Department

    membership = world.handler_membership
    organization = membership.organization
    organization.departments.add(Department.objects.get(code="56"))
    client = client_as(membership)
    response = client.post(url("call_create"), {"caller_type": CallerType.PERSON})
    assert response.status_code == 400 and "Choisissez le département de l&#x27;appel." in response.content.decode()
    department = Department.objects.get(code="56")
    response = client.post(url("call_create"), {"caller_type": CallerType.PERSON, "department": department.pk})
    assert response.status_code == 302 and Call.objects.get().department_id == department.pk


def test_the_templates_have_no_inline_style_nor_script():
    import re
    from pathlib import Path

    from django.conf import settings

    for template in (Path(settings.BASE_DIR) / "siao" / "templates" / "emergency" / "desk").glob("*.html"):
        assert not re.search(r"style=|<style|<script|on(click|load|change|submit)=", template.read_text()), template


def test_a_child_known_by_age_only_counts_as_a_child(client_as, world):
    call = actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)
    client = client_as(world.handler_membership)
    response = client.post(
        url("call_household_create", call.public_id),
        {"last_name": "Modèle", "first_name": "Sacha", "sex": "F", "child_1_first_name": "Alix", "child_1_age": "4"},
    )
    assert response.status_code == 302, response.context["quick_form"].errors
    household = Household.objects.get(calls=call)
    assert household.member_count == 2 and household.children_count == 1
    child = household.members.get(relationship="child").person
    age_in_days = (household.created_at.date() - child.birth_date).days
    assert child.birth_date_is_estimated and 4 * 365 <= age_in_days < 5 * 365


def test_a_child_without_birth_date_nor_age_is_asked_for_one(client_as, world):
    call = actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)
    households = Household.objects.count()
    response = client_as(world.handler_membership).post(
        url("call_household_create", call.public_id),
        {
            "last_name": "Modèle",
            "first_name": "Sacha",
            "child_1_first_name": "Alix",
            "child_2_first_name": "Noa",
            "child_2_age": "19",
        },
    )
    assert response.status_code == 400
    errors = response.context["quick_form"].errors
    assert errors["child_1_birth_date"] == ["Indiquez la date de naissance ou l'âge de l'enfant 1."]
    assert errors["child_2_age"] == ["L'âge d'un enfant est de 0 à 17 ans."]
    assert Household.objects.count() == households


def test_a_household_already_sheltered_tonight_gets_no_second_place(client_as, world):
    sheltered = world.sheltered()
    call = world.call()
    client = client_as(world.handler_membership)
    page = client.get(url("call_detail", call.public_id)).content.decode()
    assert "Déjà mis(e) à l'abri cette nuit" in page and world.shelter.name in page
    assert "Créer la demande" not in page
    response = client.post(
        url("request_create", call.public_id), {"sleeping_place": SleepingPlace.STREET}, follow=True
    )
    assert "déjà mis à l'abri" in " ".join(messages_of(response))
    assert EmergencyRequest.objects.filter(household=world.household).count() == 1
    assert EmergencyRequest.objects.get(pk=sheltered.pk).status == EmergencyStatus.SHELTERED


def test_an_unmet_request_from_a_stale_screen_says_why(client_as, world):
    er = world.request()
    actions.record_no_callback(actor=world.handler, emergency_request=er)  # meanwhile, in another tab
    response = client_as(world.handler_membership).post(
        url("request_unmet", er.public_id), {"unmet_reason": UnmetReason.NO_PLACE, "retour": "appel"}, follow=True
    )
    assert response.status_code == 200
    assert "Cette demande est déjà close (« N'a pas rappelé le 115 »)" in " ".join(messages_of(response))
    assert EmergencyRequest.objects.get(pk=er.pk).status == EmergencyStatus.NO_CALLBACK


def test_the_call_taken_from_a_signal_shows_the_signal(client_as, world):
    encounter = actions.record_encounter(
        actor=world.outreach_worker, location="Square des Essais", persons_count=2, description="Deux hommes"
    )
    signal = actions.send_signal(
        actor=world.outreach_worker, encounter=encounter, message="Besoin d'un abri", is_urgent=True
    )
    client = client_as(world.handler_membership)
    response = client.post(url("signal_take", signal.public_id), follow=True)
    page = response.content.decode()
    assert "Square des Essais" in page and "Besoin d&#x27;un abri" in page and "Deux hommes" in page
    assert "Urgent" in page


def test_a_form_in_error_puts_the_focus_on_what_to_correct(client_as, world):
    call = actions.log_call(actor=world.handler, caller_type=CallerType.PERSON)
    client = client_as(world.handler_membership)
    response = client.post(url("call_household_create", call.public_id), {"last_name": "Modèle", "first_name": ""})
    page = response.content.decode()
    assert response.status_code == 400 and page.count("autofocus") == 1
    assert 'name="first_name"' in page.split("autofocus")[0].rsplit("<input", 1)[1]
    call = world.call()
    response = client.post(url("request_create", call.public_id), {"sleeping_place": "street", "comment": "x" * 6000})
    page = response.content.decode()
    assert response.status_code == 400 and page.count("autofocus") == 1
    assert 'name="comment"' in page.split("autofocus")[0].rsplit("<textarea", 1)[1]


def test_the_file_lists_a_consultation_from_the_115_as_such(client_as, world):
    from siao.households.actions import consultations

    call = world.call()
    client_as(world.handler_membership).get(url("call_detail", call.public_id))
    assert consultations(world.household)[0].page == "Appel au 115"


def test_the_places_table_shows_the_first_groups_and_all_on_demand(client_as, world, monkeypatch):
    from siao.emergency.views import desk

    monkeypatch.setattr(desk, "PLACES_SHOWN", 1)
    PlaceGroupFactory(program=world.shelter, name="Autre groupe", place_type=PlaceType.EMERGENCY)
    er = world.request()
    client = client_as(world.handler_membership)
    response = client.get(url("call_detail", er.call.public_id))
    assert len(response.context["places"]) == 1 and response.context["places_total"] == 2
    assert "Afficher l'autre groupe de places" in response.content.decode()
    response = client.get(url("call_detail", er.call.public_id), {"toutes": "1"})
    assert len(response.context["places"]) == 2 and "Afficher l" not in response.content.decode()
