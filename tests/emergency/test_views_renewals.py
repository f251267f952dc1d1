"""Reconduction: the SIAO's sheltered households, the nights granted in one action (all or
nothing, French errors), the rollover that ends the stays not renewed (command and task)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.emergency import actions
from siao.emergency.enums import EmergencyStatus
from siao.emergency.models import EmergencyRequest, Night
from siao.emergency.nights import last_renewable_night, tonight
from siao.emergency.tasks import rollover_nights_task
from siao.orientation.models import Stay
from tests.factories import household_with

from .helpers import EmergencyWorld

pytestmark = pytest.mark.django_db

URL = reverse("emergency:renewal_list")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def world():
    return EmergencyWorld.build(places=12)


def post(client, requests, until):
    return client.post(
        URL, {"demandes": [str(r.public_id) for r in requests], "until": until.isoformat() if until else ""}
    )


def nights_of(emergency_request) -> list[datetime.date]:
    return list(Night.objects.filter(stay_id=emergency_request.stay_id).values_list("night", flat=True))


def test_anonymous_users_go_to_the_login_page(client):
    for response in (client.get(URL), client.post(URL)):
        assert response.status_code == 302
        assert response.url == f"{reverse('accounts:login')}?next={URL}"


@pytest.mark.parametrize("role", [Role.PROGRAM_MANAGER, Role.OPERATOR_MANAGER, Role.ANALYST, Role.DEPARTMENT_ADMIN])
def test_roles_outside_the_desk_are_forbidden(client_as, role):
    client = client_as(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403


def test_the_siao_admin_reads_but_does_not_renew(client_as, world):
    sheltered = world.sheltered()
    client = client_as(Role.SIAO_ADMIN)
    response = client.get(URL)
    assert response.status_code == 200
    assert [row.pk for row in response.context["rows"]] == [sheltered.pk]
    assert 'name="demandes"' not in response.content.decode()
    assert post(client, [sheltered], tonight() + datetime.timedelta(days=1)).status_code == 403
    assert nights_of(sheltered) == [sheltered.night_of]


def test_another_siao_sees_nothing_and_renews_nothing(client_as, world):
    sheltered = world.sheltered()
    client = client_as(Role.CALL_HANDLER, code="29")
    assert client.get(URL).context["rows"] == []
    response = post(client, [sheltered], tonight() + datetime.timedelta(days=1))
    assert response.status_code == 400
    assert response.context["errors"] == ["Une des prises en charge cochées est introuvable : rechargez la page."]
    assert nights_of(sheltered) == [sheltered.night_of]


def test_the_list_shows_the_sheltered_most_urgent_first(client_as, world):
    later = world.sheltered()
    actions.renew_nights(actor=world.handler, emergency_requests=[later], until=tonight() + datetime.timedelta(days=2))
    other = household_with()
    due = world.sheltered(household=other)
    world.oriented(household=household_with())  # not sheltered: not listed
    overdue = world.sheltered(household=household_with())
    # Sheltered last night, not renewed for tonight (the rollover has not run yet).
    yesterday = tonight() - datetime.timedelta(days=1)
    EmergencyRequest.objects.filter(pk=overdue.pk).update(night_of=yesterday, last_night=yesterday)
    Stay.objects.filter(pk=overdue.stay_id).update(started_on=yesterday)
    response = client_as(world.handler_membership).get(URL)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.pk for row in rows] == [overdue.pk, due.pk, later.pk]
    assert [row.nights_count for row in rows] == [1, 1, 3]
    assert [(row.overdue, row.due) for row in rows] == [(True, True), (False, True), (False, False)]
    page = response.content.decode()
    assert "dont 2 à reconduire ce soir" in page
    assert "À reconduire ce soir : nuit de ce soir non accordée" in page
    assert other.head.full_name in page
    assert "se termine le matin qui suit sa dernière nuit" in page
    form = response.context["form"]
    assert form["until"].value() == tonight() + datetime.timedelta(days=1)
    assert f'max="{last_renewable_night().isoformat()}"' in page


def test_the_handler_renews_several_stays_in_one_action(client_as, world):
    first = world.sheltered()
    second = world.sheltered(household=household_with())
    until = tonight() + datetime.timedelta(days=2)
    client = client_as(world.handler_membership)
    response = client.post(
        URL, {"demandes": [str(first.public_id), str(second.public_id)], "until": until.isoformat()}, follow=True
    )
    assert response.redirect_chain == [(URL, 302)]
    assert messages_of(response) == [f"Nuits reconduites jusqu'à la nuit du {until:%d/%m/%Y} pour 2 ménages."]
    for emergency_request in (first, second):
        emergency_request.refresh_from_db()
        assert emergency_request.last_night == until
        assert nights_of(emergency_request) == [tonight() + datetime.timedelta(days=n) for n in range(3)]


def test_nothing_checked_is_refused(client_as, world):
    sheltered = world.sheltered()
    response = post(client_as(world.handler_membership), [], tonight() + datetime.timedelta(days=1))
    assert response.status_code == 400
    assert response.context["errors"] == ["Cochez au moins une prise en charge à reconduire."]
    assert nights_of(sheltered) == [sheltered.night_of]


def test_a_renewal_beyond_the_window_is_refused(client_as, world):
    sheltered = world.sheltered()
    limit = last_renewable_night()
    response = post(client_as(world.handler_membership), [sheltered], limit + datetime.timedelta(days=1))
    assert response.status_code == 400
    assert response.context["errors"] == [
        f"On reconduit au plus jusqu'à la nuit du {limit:%d/%m/%Y} : au-delà, la nuit est trop lointaine."
    ]
    assert "Aucune nuit n'a été reconduite" in response.content.decode()
    assert nights_of(sheltered) == [sheltered.night_of]


def test_a_renewal_with_an_ended_stay_changes_nothing_and_names_each_household(client_as, world):
    ended = world.sheltered()
    kept = world.sheltered(household=household_with())
    already = world.sheltered(household=household_with())
    actions.renew_nights(
        actor=world.handler, emergency_requests=[already], until=tonight() + datetime.timedelta(days=3)
    )
    # The stay of `ended` ends meanwhile (the rollover of a later morning).
    EmergencyRequest.objects.filter(pk=ended.pk).update(last_night=tonight() - datetime.timedelta(days=1))
    assert actions.rollover_nights()["stays_ended"] == 1
    client = client_as(world.handler_membership)
    page = client.get(URL)
    assert ended.pk not in [row.pk for row in page.context["rows"]]
    until = tonight() + datetime.timedelta(days=2)
    response = post(client, [ended, kept, already], until)
    assert response.status_code == 400
    assert response.context["errors"] == [
        f"{ended.household} : la prise en charge est terminée, elle ne peut plus être reconduite.",
        f"{already.household} : les nuits sont déjà accordées jusqu'à la nuit du "
        f"{tonight() + datetime.timedelta(days=3):%d/%m/%Y}.",
    ]
    kept.refresh_from_db()
    assert kept.last_night == tonight() and nights_of(kept) == [tonight()]
    # The checked rows stay checked for the next try.
    assert [row.is_checked for row in response.context["rows"]] == [True, True]


def test_a_bad_date_is_refused_in_french(client_as, world):
    sheltered = world.sheltered()
    response = client_as(world.handler_membership).post(
        URL, {"demandes": [str(sheltered.public_id)], "until": "demain"}
    )
    assert response.status_code == 400
    assert response.context["errors"] == ["Saisissez une date valide, par exemple 15/03/2025."]


# session, user, memberships, départements; the rows' count, the page of rows, the count of
# those due tonight; session saved (3)
RENEWAL_QUERIES = 10


def test_the_list_costs_the_same_whatever_the_rows(client_as, django_assert_num_queries, world):
    world.sheltered()
    client = client_as(world.handler_membership)
    with django_assert_num_queries(RENEWAL_QUERIES):
        assert len(client.get(URL).context["rows"]) == 1
    for _ in range(3):
        world.sheltered(household=household_with())
    with django_assert_num_queries(RENEWAL_QUERIES):
        assert len(client.get(URL).context["rows"]) == 4


# --- the rollover: the command and the task -------------------------------------------------------


def _stale_world(world):
    """A pending request, an oriented one and a stay not renewed, all of a past night."""
    pending = world.request()
    oriented = world.oriented(household=household_with())
    sheltered = world.sheltered(household=household_with())
    yesterday = tonight() - datetime.timedelta(days=1)
    EmergencyRequest.objects.filter(pk__in=[pending.pk, oriented.pk]).update(night_of=yesterday)
    EmergencyRequest.objects.filter(pk=sheltered.pk).update(night_of=yesterday, last_night=yesterday)
    Stay.objects.filter(pk=sheltered.stay_id).update(started_on=yesterday)
    return pending, oriented, sheltered


def test_the_rollover_command_closes_what_the_night_left_open(world):
    pending, oriented, sheltered = _stale_world(world)
    out = io.StringIO()
    call_command("emergency_rollover", stdout=out)
    assert out.getvalue().strip() == (
        f"Changement de nuit (nuit du {tonight():%d/%m/%Y}) : 1 demande(s) sans rappel, "
        "1 ménage(s) ne s'étant pas présenté(s), 1 prise(s) en charge terminée(s) faute de reconduction."
    )
    statuses = dict(EmergencyRequest.objects.values_list("pk", "status"))
    assert statuses[pending.pk] == EmergencyStatus.NO_CALLBACK
    assert statuses[oriented.pk] == EmergencyStatus.NO_SHOW
    assert statuses[sheltered.pk] == EmergencyStatus.CLOSED
    assert Stay.objects.get(pk=sheltered.stay_id).ended_on == tonight()
    out = io.StringIO()
    call_command("emergency_rollover", stdout=out)
    assert "0 demande(s) sans rappel, 0 ménage(s)" in out.getvalue()


def test_the_rollover_runs_as_a_task(world):
    pending, _, _ = _stale_world(world)
    assert rollover_nights_task.call() == {"no_callback": 1, "no_show": 1, "stays_ended": 1}
    pending.refresh_from_db()
    assert pending.status == EmergencyStatus.NO_CALLBACK
    assert rollover_nights_task.name == "rollover_nights_task"
    assert timezone.now()  # the task takes no argument: it is enqueued as is each morning


def test_the_list_comes_a_page_at_a_time_the_most_urgent_first(client_as, world, monkeypatch):
    from siao.emergency.views import renewals

    monkeypatch.setattr(renewals, "PAGE_SIZE", 1)
    first = world.sheltered()
    second = world.sheltered(household=household_with())
    actions.renew_nights(
        actor=world.handler, emergency_requests=[second], until=tonight() + datetime.timedelta(days=1)
    )
    client = client_as(world.handler_membership)
    response = client.get(URL)
    assert [row.pk for row in response.context["rows"]] == [first.pk]
    assert response.context["total"] == 2 and response.context["due_count"] == 1
    assert "Page 1 sur 2" in response.content.decode()
    assert [row.pk for row in client.get(URL, {"page": 2}).context["rows"]] == [second.pk]
