"""The 115's daily figures: exact numbers on a small dataset (distinct persons per night and
over the period, the unmet split, the rate, the calls' night rule), the perimeter of each role,
the bounded period, the CSV, pinned query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.emergency import actions
from siao.emergency.enums import CallerType, UnmetReason
from siao.emergency.figures import daily_figures
from siao.emergency.models import Call, EmergencyRequest
from siao.emergency.nights import tonight
from siao.geo.models import Department
from tests.factories import actor_for, household_with, membership_for

from .helpers import EmergencyWorld

pytestmark = pytest.mark.django_db

URL = reverse("emergency:daily_figures")
CSV_URL = reverse("emergency:daily_figures_csv")
N1 = datetime.date(2025, 3, 3)
N2 = datetime.date(2025, 3, 4)
PERIOD = {"du": N1.isoformat(), "au": N2.isoformat()}


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def at_night(emergency_request, night, call_at):
    EmergencyRequest.objects.filter(pk=emergency_request.pk).update(night_of=night)
    Call.objects.filter(pk=emergency_request.call_id).update(received_at=call_at)


@pytest.fixture
def dataset():
    """Night N1: A oriented (1 person), B unmet (a mother and 2 children).
    Night N2: A unmet, C unmet (1 person). In the 29: D unmet on N1 (not in the 35's figures).
    Calls of the 35: one per request, plus one at 7:30 the morning after N1 (N1's night), one
    at 2:00 the morning after N2 (N2's), one at 7:59 on N1's day (the night before: out) and
    one at 8:00 the day after N2 (the next night: out)."""
    world = EmergencyWorld.build(places=4)
    handler = world.handler
    unmet = {"actor": handler, "reason": UnmetReason.NO_PLACE}

    a1 = world.oriented()
    at_night(a1, N1, local(N1, 20))
    family = household_with(composition="single_woman_with_children", children=2)
    b = world.request(household=family)
    actions.record_unmet(emergency_request=b, **unmet)
    at_night(b, N1, local(N1, 22))

    a2 = world.request()
    actions.record_unmet(emergency_request=a2, **unmet)
    at_night(a2, N2, local(N2, 21))
    c = world.request(household=household_with())
    actions.record_unmet(actor=handler, emergency_request=c, reason=UnmetReason.HUNG_UP)
    at_night(c, N2, local(N2, 23, 30))

    handler_29 = actor_for(membership_for(Role.CALL_HANDLER, code="29"))
    d = world.request(actor=handler_29, household=household_with(code="29"))
    actions.record_unmet(actor=handler_29, emergency_request=d, reason=UnmetReason.NO_PLACE)
    at_night(d, N1, local(N1, 20))

    department = Department.objects.get(code="35")
    for received_at in (local(N2, 7, 30), local(N2 + datetime.timedelta(days=1), 2), local(N1, 7, 59)):
        Call.objects.create(
            department=department, caller_type=CallerType.PERSON, handler=handler.user, received_at=received_at
        )
    Call.objects.create(
        department=department,
        caller_type=CallerType.SERVICE,
        handler=handler.user,
        received_at=local(N2 + datetime.timedelta(days=1), 8),
    )
    world.department = department
    return world


def summary(row):
    return (
        row.calls,
        row.requests,
        row.persons,
        row.unmet,
        row.unmet_families,
        row.unmet_children,
        row.unmet_persons,
        row.unmet_rate,
        row.oriented,
    )


def test_the_figures_of_a_small_dataset(dataset, django_assert_num_queries):
    with django_assert_num_queries(6):
        figures = daily_figures([dataset.department.pk], N1, N2)
    assert [day.night for day in figures.days] == [N1, N2]
    #                                  calls req pers unmet fam child pers-unmet rate oriented
    assert summary(figures.days[0]) == (3, 2, 4, 1, 1, 2, 3, 50.0, 1)
    assert summary(figures.days[1]) == (3, 2, 2, 2, 0, 0, 2, 100.0, 0)
    # A asked on both nights: 5 distinct persons over the period, not 4 + 2.
    assert summary(figures.total) == (6, 4, 5, 3, 1, 2, 5, 75.0, 1)
    assert figures.by_program_type == [("Hors CHRS", 1)]
    assert figures.by_place_type == [("Place en urgence", 1)]
    assert figures.unmet_by_reason == [("Aucune place disponible", 2), ("La personne a raccroché", 1)]


def test_every_departement_and_an_empty_night(dataset):
    figures = daily_figures(None, N1 - datetime.timedelta(days=1), N2)
    assert [day.night for day in figures.days] == [N1 - datetime.timedelta(days=1), N1, N2]
    assert summary(figures.days[0]) == (1, 0, 0, 0, 0, 0, 0, None, 0)  # the call at 7:59
    assert summary(figures.days[1]) == (4, 3, 5, 2, 1, 2, 4, 66.7, 1)  # with the 29
    assert figures.total.persons == 6


def test_the_period_is_bounded(dataset):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        daily_figures(None, N1, N1 + datetime.timedelta(days=366))
    assert error.value.messages == ["La période ne peut pas dépasser 366 nuits : choisissez une période plus courte."]
    assert len(daily_figures(None, N1, N1 + datetime.timedelta(days=365)).days) == 366


# --- the page -------------------------------------------------------------------------------------


def test_anonymous_users_go_to_the_login_page(client):
    for path in (URL, CSV_URL):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url == f"{reverse('accounts:login')}?next={path}"


@pytest.mark.parametrize("role", [Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER, Role.OPERATOR_MANAGER])
def test_roles_without_figures_are_forbidden(client_as, role):
    client = client_as(role)
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


@pytest.mark.parametrize(
    "role", [Role.CALL_HANDLER, Role.SIAO_OPERATOR, Role.SIAO_ADMIN, Role.ANALYST, Role.DEPARTMENT_ADMIN]
)
def test_the_departement_roles_see_their_departement(client_as, dataset, role):
    response = client_as(role).get(URL, PERIOD)
    assert response.status_code == 200
    assert summary(response.context["figures"].total) == (6, 4, 5, 3, 1, 2, 5, 75.0, 1)
    assert "departement" not in response.context["form"].fields


def test_another_departement_sees_its_own_figures_only(client_as, dataset):
    response = client_as(Role.ANALYST, code="29").get(URL, {**PERIOD, "departement": "35"})
    assert response.status_code == 200
    assert summary(response.context["figures"].total)[:4] == (1, 1, 1, 1)


def test_the_national_administration_sees_all_or_one_departement(client_as, dataset):
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    assert response.context["figures"].total.requests == 5
    assert response.context["department"] is None
    response = client.get(URL, {**PERIOD, "departement": "35"})
    assert response.context["figures"].total.requests == 4
    assert response.context["department"].code == "35"
    page = response.content.decode()
    assert "Tous les départements (national)" in page
    response = client.get(URL, {**PERIOD, "departement": "XX"})
    assert response.status_code == 400
    assert response.context["form"].errors["departement"] == ["Choisissez un département de votre périmètre."]


def test_the_page_shows_the_table_the_breakdowns_and_a_chart_without_inline_style(client_as, dataset):
    response = client_as(Role.SIAO_ADMIN).get(URL, PERIOD)
    page = response.content.decode()
    for text in (
        'id="figures-table"',
        "75,0 %",
        "Hors CHRS",
        "Place en urgence",
        "Aucune place disponible",
        "<svg",
        "Les mêmes données figurent dans le tableau ci-dessous.",
        f"{CSV_URL}?du={N1.isoformat()}&amp;au={N2.isoformat()}",
    ):
        assert text in page, text
    assert "style=" not in page.split('id="content"')[-1]
    # Aggregates only: no name.
    assert dataset.household.head.last_name not in page
    assert [row.requests_width for row in response.context["chart"]] == [470, 470]
    assert [row.unmet_width for row in response.context["chart"]] == [235, 470]


def test_the_default_period_is_the_last_seven_nights(client_as):
    response = client_as(Role.ANALYST).get(URL)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.start, figures.end) == (tonight() - datetime.timedelta(days=6), tonight())


@pytest.mark.parametrize(
    ("period", "field", "message"),
    [
        (
            {"du": "2025-01-01", "au": "2026-01-02"},
            "au",
            "La période ne peut pas dépasser 366 nuits : choisissez une période plus courte.",
        ),
        ({"du": "2025-03-04", "au": "2025-03-03"}, "au", "La fin de la période doit être après son début."),
        ({"du": "hier", "au": "2025-03-03"}, "du", "Saisissez une date valide, par exemple 15/03/2025."),
    ],
)
def test_bad_periods_are_refused_in_french(client_as, period, field, message):
    client = client_as(Role.ANALYST)
    response = client.get(URL, period)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert response.context["figures"] is None
    response = client.get(CSV_URL, period)
    assert response.status_code == 400
    assert response.content.decode() == message


def test_the_csv_export(client_as, dataset):
    response = client_as(Role.DEPARTMENT_ADMIN).get(CSV_URL, PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="chiffres-115-35-2025-03-03-2025-03-04.csv"'
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    assert content[1:].splitlines()[:4] == [
        "Nuit du;Appels;Demandes d'urgence;Personnes distinctes;Demandes non pourvues;"
        "Demandes non pourvues de familles avec enfants;Enfants dans les demandes non pourvues;"
        "Personnes distinctes non pourvues;Taux de non-attribution (%);Orientations",
        "03/03/2025;3;2;4;1;1;2;3;50,0;1",
        "04/03/2025;3;2;2;2;0;0;2;100,0;0",
        "Période du 03/03/2025 au 04/03/2025;6;4;5;3;1;2;5;75,0;1",
    ]
    # The breakdowns follow, each under its own header.
    breakdowns = content[1:].split("\r\n\r\n")[1:]
    assert [part.splitlines()[0] for part in breakdowns] == [
        "Orientations par type de dispositif;Nombre",
        "Orientations par type de places;Nombre",
        "Demandes non pourvues par motif;Nombre",
    ]
    assert all(len(part.splitlines()) >= 2 for part in breakdowns)


# session, user, memberships, départements; the perimeter's départements; the figures (6);
# session saved (3)
FIGURES_QUERIES = 14


def test_the_page_costs_the_same_whatever_the_period_and_rows(client_as, django_assert_num_queries, dataset):
    client = client_as(Role.ANALYST)
    with django_assert_num_queries(FIGURES_QUERIES):
        client.get(URL, {"du": N1.isoformat(), "au": N1.isoformat()})
    with django_assert_num_queries(FIGURES_QUERIES):
        client.get(URL, {"du": "2025-01-01", "au": "2025-12-31"})
    for _ in range(3):
        dataset.request(household=household_with())
    with django_assert_num_queries(FIGURES_QUERIES):
        client.get(URL)
