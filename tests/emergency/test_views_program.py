"""The programs' side of the 115: the orientations made to them, the arrival confirmed (or
not), the households sheltered; guards, perimeter, French errors, pinned query counts."""

import pytest
from django.urls import reverse

from siao.accounts.enums import Role
from siao.emergency.enums import EmergencyStatus
from siao.emergency.models import Night
from siao.offer.enums import PlaceState
from siao.orientation.models import Stay
from tests.factories import household_with

from .helpers import EmergencyWorld

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"emergency:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def world():
    return EmergencyWorld.build(places=12)


def test_anonymous_users_go_to_the_login_page(client, world):
    oriented = world.oriented()
    for response, path in (
        (client.get(url("arrival_list")), url("arrival_list")),
        (client.post(url("request_arrival", oriented.public_id)), url("request_arrival", oriented.public_id)),
    ):
        assert response.status_code == 302
        assert response.url == f"{reverse('accounts:login')}?next={path}"


@pytest.mark.parametrize("role", [Role.OPERATOR_MANAGER, Role.CALL_HANDLER, Role.SIAO_ADMIN, Role.ANALYST])
def test_roles_other_than_the_programs_are_forbidden(client_as, world, role):
    oriented = world.oriented()
    client = client_as(role)
    assert client.get(url("arrival_list")).status_code == 403
    assert client.post(url("request_arrival", oriented.public_id)).status_code == 403
    oriented.refresh_from_db()
    assert oriented.status == EmergencyStatus.ORIENTED


def test_the_arrival_is_confirmed_by_post_only(client_as, world):
    oriented = world.oriented()
    client = client_as(world.manager_membership)
    assert client.get(url("request_arrival", oriented.public_id)).status_code == 405


def test_another_program_finds_nothing(client_as, world):
    oriented = world.oriented()
    client = client_as(Role.PROGRAM_MANAGER)
    response = client.get(url("arrival_list"))
    assert response.status_code == 200
    assert response.context["oriented"] == [] and response.context["sheltered"] == []
    assert client.post(url("request_arrival", oriented.public_id)).status_code == 404
    oriented.refresh_from_db()
    assert oriented.status == EmergencyStatus.ORIENTED


def test_the_program_sees_the_orientations_and_the_sheltered(client_as, world):
    oriented = world.oriented(comment="Arrive en bus vers 21 h.", health_urgency=True)
    other = household_with()
    sheltered = world.sheltered(household=other)
    pending = world.request(household=household_with())  # not oriented: not the program's
    response = client_as(world.manager_membership).get(url("arrival_list"))
    assert response.status_code == 200
    assert [item.pk for item in response.context["oriented"]] == [oriented.pk]
    assert [item.pk for item in response.context["sheltered"]] == [sheltered.pk]
    assert pending.pk not in [item.pk for item in response.context["oriented"]]
    page = response.content.decode()
    assert world.household.head.full_name in page
    assert other.head.full_name in page
    assert "Arrive en bus vers 21 h." in page
    assert "Urgence de santé" in page
    assert "Confirmer l&#x27;arrivée" in page or "Confirmer l'arrivée" in page
    assert url("request_arrival", oriented.public_id) in page
    assert url("request_no_show", oriented.public_id) in page
    held = world.group.places.filter(state=PlaceState.HELD).values_list("label", flat=True)
    assert all(label in page for label in held)


def test_the_program_confirms_the_arrival(client_as, world):
    oriented = world.oriented()
    client = client_as(world.manager_membership)
    response = client.post(url("request_arrival", oriented.public_id), follow=True)
    assert response.redirect_chain == [(url("arrival_list"), 302)]
    assert messages_of(response) == [
        f"Arrivée de {world.household.head.full_name} confirmée : la prise en charge commence la nuit du "
        f"{oriented.night_of:%d/%m/%Y}. Le 115 reconduit les nuits suivantes."
    ]
    oriented.refresh_from_db()
    assert oriented.status == EmergencyStatus.SHELTERED
    assert [item.pk for item in response.context["sheltered"]] == [oriented.pk]
    assert response.context["oriented"] == []


def test_an_arrival_confirmed_twice_is_refused_in_french(client_as, world):
    oriented = world.oriented()
    client = client_as(world.manager_membership)
    client.post(url("request_arrival", oriented.public_id), follow=True)
    response = client.post(url("request_arrival", oriented.public_id), follow=True)
    assert messages_of(response) == ["L'arrivée de ce ménage est déjà confirmée."]
    assert Stay.objects.filter(household=world.household).count() == 1
    assert Night.objects.count() == 1


def test_an_arrival_after_the_115_released_the_place_is_refused(client_as, world):
    from siao.emergency import actions

    oriented = world.oriented()
    actions.release_orientation(actor=world.handler, emergency_request=oriented)
    response = client_as(world.manager_membership).post(url("request_arrival", oriented.public_id))
    # Released: the request is pending and no longer the program's (out of perimeter).
    assert response.status_code == 404
    assert not Stay.objects.exists()


def test_an_arrival_after_a_no_show_is_refused_in_french(client_as, world):
    from siao.emergency import actions

    oriented = world.oriented()
    actions.record_no_show(actor=world.handler, emergency_request=oriented)
    response = client_as(world.manager_membership).post(url("request_arrival", oriented.public_id), follow=True)
    assert messages_of(response) == [
        "Cette demande est close : le ménage a été déclaré absent, les places sont libérées."
    ]
    assert not Stay.objects.exists()


# session, user, memberships, départements; oriented rows, their placements;
# sheltered rows, their placements; session saved (3)
ARRIVAL_QUERIES = 11


def test_the_arrival_list_costs_the_same_whatever_the_rows(client_as, django_assert_num_queries, world):
    world.oriented()
    world.sheltered(household=household_with())
    client = client_as(world.manager_membership)
    with django_assert_num_queries(ARRIVAL_QUERIES):
        response = client.get(url("arrival_list"))
    assert (len(response.context["oriented"]), len(response.context["sheltered"])) == (1, 1)
    for _ in range(2):
        world.oriented(household=household_with())
        world.sheltered(household=household_with())
    with django_assert_num_queries(ARRIVAL_QUERIES):
        response = client.get(url("arrival_list"))
    assert (len(response.context["oriented"]), len(response.context["sheltered"])) == (3, 3)
