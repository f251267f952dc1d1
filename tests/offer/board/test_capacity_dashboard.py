"""The capacity dashboard: funded, created and occupied capacity by département, operator and
program, now and at a past date; gaps; exports; perimeters."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from siao.accounts.enums import Role
from siao.offer.enums import PlaceState, ProgramType, ValidationStatus
from siao.offer.models import Place
from tests.factories import OperatorFactory, PlaceGroupFactory, ProgramFactory, department

from .helpers import days_ago, record_change, set_states

pytestmark = pytest.mark.django_db

URL = reverse("offer:capacity_dashboard")


def rows_of(response) -> dict:
    return {row.key: row for row in response.context["table"].rows}


def a_program_with_places(*, funded=10, capacity=6, occupied=2, **kwargs):
    program = ProgramFactory(funded_p177=funded, total_managed=funded, **kwargs)
    group = PlaceGroupFactory(program=program, capacity=capacity)
    set_states(group, occupied=occupied)
    return program


# --- guards ----------------------------------------------------------------------------------


def test_dashboard_sends_anonymous_users_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={URL}"


@pytest.mark.parametrize(
    "role", [Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.SOCIAL_WORKER, Role.OPERATOR_MANAGER, Role.ASSISTANT]
)
def test_dashboard_is_forbidden_to_roles_without_steering(client_as, role):
    assert client_as(role).get(URL).status_code == 403
    assert client_as(role).get(URL, {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("role", [Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.ANALYST])
def test_dashboard_is_open_to_administrators_and_analysts(client_as, role):
    assert client_as(role).get(URL).status_code == 200


def test_an_analyst_sees_the_dashboard_but_not_the_vacancy_board(client_as):
    client = client_as(Role.ANALYST)
    assert client.get(URL).status_code == 200
    assert client.get(reverse("offer:vacancy_board")).status_code == 403


@pytest.mark.parametrize("role", [Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.ANALYST])
def test_a_departement_outside_the_territory_is_answered_404(client_as, role):
    a_program_with_places(department=department("29"))
    client = client_as(role)
    assert client.get(URL, {"departement": "29"}).status_code == 404
    assert client.get(URL, {"departement": "29", "format": "csv"}).status_code == 404


def test_an_operator_outside_the_territory_is_answered_404(client_as):
    theirs = a_program_with_places(department=department("29")).operator
    client = client_as(Role.DEPARTMENT_ADMIN)
    assert client.get(URL, {"entite": str(theirs.public_id)}).status_code == 404
    assert client.get(URL, {"entite": "not-a-uuid"}).status_code == 404


# --- figures ---------------------------------------------------------------------------------


def test_national_view_totals_funded_created_and_occupied_per_departement(client_as):
    a_program_with_places(funded=10, capacity=6, occupied=2)
    a_program_with_places(funded=4, capacity=4, occupied=4)
    a_program_with_places(funded=5, capacity=3, occupied=1, department=department("29"))
    ProgramFactory(funded_p177=50, total_managed=50, validation_status=ValidationStatus.SUBMITTED)

    response = client_as(Role.NATIONAL_ADMIN).get(URL)

    assert response.context["group_by"] == "departements"
    rows = {row.label["department__code"]: row for row in response.context["table"].rows}
    assert (rows["35"].programs, rows["35"].funded, rows["35"].created, rows["35"].occupied) == (2, 14, 10, 6)
    assert rows["35"].occupancy_rate == 60.0
    assert rows["35"].uncreated == 4
    assert (rows["29"].funded, rows["29"].created, rows["29"].occupied) == (5, 3, 1)
    total = response.context["table"].total
    assert (total.programs, total.funded, total.managed, total.created, total.occupied) == (3, 19, 19, 13, 7)
    body = response.content.decode()
    assert "Capacité non créée" in body
    assert "4 place(s) financée(s) sans groupe de places correspondant." in body
    assert 'href="?departement=35"' in body


def test_funded_capacity_sums_the_three_funding_lines(client_as):
    program = ProgramFactory(
        type=ProgramType.IML_SUBLETTING, funded_p177=3, funded_non_p177=2, funded_iml_plus=1, total_managed=8
    )
    row = rows_of(client_as(Role.DEPARTMENT_ADMIN).get(URL))[program.pk]
    assert (row.funded, row.managed, row.created) == (6, 8, 0)


def test_a_departement_admin_lands_on_the_programs_of_its_departement(client_as):
    ours = a_program_with_places(funded=10, capacity=12, occupied=11)
    a_program_with_places(department=department("29"))

    response = client_as(Role.DEPARTMENT_ADMIN).get(URL)

    assert response.context["department"].code == "35"
    assert response.context["group_by"] == "dispositifs"
    assert list(rows_of(response)) == [ours.pk]
    row = rows_of(response)[ours.pk]
    assert row.beyond_managed == 2 and row.overflow == 1
    body = response.content.decode()
    assert "Créée au-delà du total géré" in body and "Occupation au-delà du financement" in body


def test_drill_down_to_the_operators_then_the_programs_of_an_operator(client_as):
    operator = OperatorFactory(name="Association Alpha")
    first = a_program_with_places(operator=operator, funded=10, capacity=6, occupied=2)
    a_program_with_places(operator=operator, funded=4, capacity=4, occupied=1)
    other = a_program_with_places()
    client = client_as(Role.NATIONAL_ADMIN)

    by_operator = client.get(URL, {"departement": "35", "vue": "entites"})
    rows = {row.label["operator__name"]: row for row in by_operator.context["table"].rows}
    assert (
        rows["Association Alpha"].programs,
        rows["Association Alpha"].funded,
        rows["Association Alpha"].occupied,
    ) == (
        2,
        14,
        3,
    )
    assert f"?entite={operator.public_id}&amp;departement=35" in by_operator.content.decode()

    of_operator = client.get(URL, {"departement": "35", "entite": str(operator.public_id)})
    assert of_operator.context["group_by"] == "dispositifs"
    assert first.pk in rows_of(of_operator) and other.pk not in rows_of(of_operator)


def test_occupied_capacity_at_a_past_date_reads_the_state_history(client_as):
    program = ProgramFactory()
    group = PlaceGroupFactory(program=program, capacity=3)
    first, second, third = group.places.order_by("pk")
    record_change(first, PlaceState.OCCUPIED, days_ago(10))
    record_change(first, PlaceState.AVAILABLE, days_ago(2))  # left since
    record_change(second, PlaceState.OCCUPIED, days_ago(5, hour=23))  # late in the evening: counts
    record_change(third, PlaceState.OCCUPIED, days_ago(4, hour=0))  # after the chosen day
    Place.objects.filter(pk__in=[second.pk, third.pk]).update(state=PlaceState.OCCUPIED)
    day = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()

    response = client_as(Role.DEPARTMENT_ADMIN).get(URL, {"date": day})

    row = rows_of(response)[program.pk]
    assert (row.occupied, row.occupied_at) == (2, 2)
    assert response.context["table"].total.occupied_at == 2
    earlier = (timezone.localdate() - datetime.timedelta(days=8)).isoformat()
    assert rows_of(client_as(Role.DEPARTMENT_ADMIN).get(URL, {"date": earlier}))[program.pk].occupied_at == 1
    assert "Occupée au" in response.content.decode()


def test_a_future_date_is_refused_with_a_message(client_as):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client_as(Role.DEPARTMENT_ADMIN).get(URL, {"date": tomorrow})
    assert response.status_code == 200
    assert response.context["at"] is None
    assert "La date ne peut pas être dans le futur." in response.content.decode()


def test_the_chart_is_rendered_with_the_vendored_component_and_the_nonce(client_as):
    a_program_with_places()
    response = client_as(Role.NATIONAL_ADMIN).get(URL)
    body = response.content.decode()
    assert '<script type="module" src="/static/vendor/dsfr-chart/BarChart.js" nonce="' in body
    assert "<bar-chart " in body
    assert "<caption>" in body
    assert "style=" not in body


# --- exports ---------------------------------------------------------------------------------


def test_csv_export_of_the_programs_of_a_departement_with_referential_codes(client_as):
    program = a_program_with_places(funded=10, capacity=6, occupied=2, name="=CHRS - Formule")
    response = client_as(Role.DEPARTMENT_ADMIN).get(URL, {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="capacites-dispositifs-35-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, line, total = rows
    assert header[:8] == [
        "Code département (INSEE)",
        "SIRET",
        "Dispositif",
        "Entité gestionnaire",
        "Catégorie",
        "Type de dispositif",
        "Code SI SIAO nature de l'offre",
        "Code SI SIAO type d'établissement",
    ]
    assert line[:8] == [
        "35",
        program.siret,
        "'=CHRS - Formule",
        program.operator.name,
        "Hébergement",
        "CHRS",
        "1",
        "400",
    ]
    record = dict(zip(header, line, strict=True))
    assert record["Capacité financée (P177 + hors P177 + IML+)"] == "10"
    assert record["Capacité créée"] == "6"
    assert record["Capacité occupée"] == "2"
    assert record["Taux d'occupation (%)"] == "33.3"
    assert record["Capacité non créée"] == "4"
    assert total[0] == "Total" and total[header.index("Capacité créée")] == "6"


def test_xlsx_export_of_the_departements_at_a_date(client_as):
    a_program_with_places(funded=10, capacity=6, occupied=2)
    day = timezone.localdate().isoformat()
    response = client_as(Role.NATIONAL_ADMIN).get(URL, {"format": "xlsx", "date": day})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    header = values[0]
    assert header[:2] == ("Code département (INSEE)", "Département")
    assert f"Capacité occupée au {timezone.localdate():%d/%m/%Y}" in header
    line = dict(zip(header, values[1], strict=True))
    assert line["Code département (INSEE)"] == "35"
    assert line["Capacité créée"] == 6
    assert values[-1][0] == "Total"


# --- cost ------------------------------------------------------------------------------------


def _populate(n: int):
    for i in range(n):
        program = ProgramFactory(department=department("35" if i % 2 else "29"))
        for _ in range(2):
            group = PlaceGroupFactory(program=program, capacity=3)
            places = set_states(group, occupied=1)
            record_change(places[0], PlaceState.OCCUPIED, days_ago(3))


@pytest.mark.parametrize("programs", [1, 10])
def test_dashboard_query_count_does_not_grow_with_the_data(client_as, django_assert_num_queries, programs):
    _populate(programs)
    client = client_as(Role.NATIONAL_ADMIN)
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    # actor (4), territory départements, funded, created, occupied now, occupied at the date
    # (5); the session save (3).
    with django_assert_num_queries(12):
        client.get(URL, {"date": day})
    with django_assert_num_queries(11):
        client.get(URL, {"departement": "35"})
    # + the operator's check.
    operator = ProgramFactory(department=department("35")).operator
    with django_assert_num_queries(12):
        client.get(URL, {"departement": "35", "entite": str(operator.public_id), "format": "csv"})
