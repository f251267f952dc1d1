"""The dashboards and exports: who sees what (anonymous → login, other roles → 403, another
département → 404), the page (freshness, charts with their tables, the secret marker), the
filters refused in French, the exports parsed back, pinned query counts."""

import csv
import datetime
import io

import pytest
from django.db import connections
from django.urls import reverse

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.statistics.models import MonthState
from siao.statistics.months import add_months, current_month, month_label
from tests.factories import MembershipFactory, national_organization

from .helpers import STATS, computed_month, put_cell

pytestmark = pytest.mark.django_db(databases=STATS)

URL = reverse("statistics:dashboard")
CSV_URL = reverse("statistics:export_csv")
XLSX_URL = reverse("statistics:export_xlsx")
JAN, FEB, MAR = datetime.date(2025, 1, 1), datetime.date(2025, 2, 1), datetime.date(2025, 3, 1)
PERIOD = {"mesure": "requests", "ventilation": "kind", "annee": "2025"}
STATISTICS_ROLES = [Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.ANALYST]
OTHER_ROLES = [role for role in Role.values if role not in STATISTICS_ROLES]


def requests_month(month, code, insertion, emergency):
    """Insertion and emergency-kind requests of a month (count = persons)."""
    put_cell(month, "requests", "kind", "insertion", count=insertion, persons=insertion, code=code)
    put_cell(month, "requests", "kind", "emergency", count=emergency, persons=emergency, code=code)
    put_cell(month, "requests", count=insertion + emergency, persons=insertion + emergency, code=code)


@pytest.fixture
def published():
    """35: 40 + 30, 5 + 3 (8 persons: secret), 45 + 25 in Q1 2025; 29: 60 + 20 each month."""
    for month, (insertion, emergency) in zip((JAN, FEB, MAR), ((40, 30), (5, 3), (45, 25)), strict=True):
        requests_month(month, "35", insertion, emergency)
        requests_month(month, "29", 60, 20)
        computed_month(month, frozen=month < MAR)


def national_analyst():
    return MembershipFactory(role=Role.ANALYST, organization=national_organization())


@pytest.mark.parametrize("url", [URL, CSV_URL, XLSX_URL])
def test_anonymous_users_go_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused(client_as, role):
    client = client_as(role)
    for url in (URL, CSV_URL, XLSX_URL):
        assert client.get(url, PERIOD).status_code == 403


@pytest.mark.parametrize("role", [Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.ANALYST])
def test_departement_roles_see_their_departement_only(client_as, published, role):
    client = client_as(role)
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    publication = response.context["publication"]
    assert publication.department == "35"
    assert publication.total.count == 148
    assert publication.by_department == []
    assert "National" not in response.content.decode().split("<form")[1].split("</form>")[0]
    for url in (URL, CSV_URL, XLSX_URL):
        assert client.get(url, {**PERIOD, "departement": "29"}).status_code == 404
        assert client.get(url, {**PERIOD, "departement": "xx"}).status_code == 404
    assert client.get(URL, {**PERIOD, "departement": "35"}).status_code == 200


@pytest.mark.parametrize("membership", [lambda: None, national_analyst])
def test_the_national_perimeter_sees_the_nation_and_each_departement(client_as, published, membership):
    client = client_as(membership() or Role.NATIONAL_ADMIN)
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    publication = response.context["publication"]
    assert publication.department is None
    assert publication.total.count == 148 + 240
    assert [(figure.code, figure.count) for figure in publication.by_department] == [("29", 240), ("35", 148)]
    response = client.get(URL, {**PERIOD, "departement": "29"})
    assert response.context["publication"].department == "29"
    assert response.context["publication"].total.count == 240


def test_the_page_shows_freshness_charts_tables_and_the_secret_marker(client_as, published):
    response = client_as(Role.ANALYST).get(URL, PERIOD)
    content = response.content.decode()
    assert "Données à jour au" in content
    assert "Les mois jusqu'à février 2025 sont définitifs" in content
    assert content.count('role="img"') == 2
    assert 'aria-label="Demandes transmises au SIAO (demandes), par type de demande.' in content
    assert 'id="statistics-values"' in content and 'id="statistics-months"' in content
    # February (8 persons) is secret, and so is the smallest month beside it (January, equal to March).
    months = {figure.label: figure.shown for figure in response.context["publication"].by_month}
    assert months == {
        "janvier 2025": "s",
        "février 2025": "s",
        "mars 2025": "70",
        **{month_label(add_months(MAR, n)): "0" for n in range(1, 10)},
    }
    assert '<span aria-hidden="true">s</span><span class="fr-sr-only">secret statistique</span>' in content
    assert "secret statistique" in content and "moins de 11 personnes" in content
    assert "style=" not in content


def test_the_defaults_are_insertion_requests_by_kind_over_the_current_year_so_far(client_as):
    response = client_as(Role.ANALYST).get(URL)
    assert response.status_code == 200
    publication = response.context["publication"]
    assert publication.measure.name == "requests" and publication.dimension == "kind"
    assert publication.last == current_month()
    assert publication.first == current_month().replace(month=1)
    assert len(publication.by_month) == current_month().month
    # Nothing computed yet: the current year is the only one offered.
    assert response.context["form"].fields["annee"].choices == [(str(current_month().year),) * 2]
    assert "La base statistique n'a pas encore été alimentée" in response.content.decode()


def test_the_demonstration_months_are_announced(client_as, published):
    MonthState.objects.filter(month__lte=FEB).update(is_demo=True)
    content = client_as(Role.ANALYST).get(URL, PERIOD).content.decode()
    assert "Démonstration : les chiffres de janvier 2025 à février 2025 sont fictifs" in content
    # The months after them come from the demo's few real files: said, not left to look wrong.
    assert "À partir de mars 2025, ils sont calculés à partir des données réelles de la démonstration" in content


def test_the_export_date_is_paris_time(client_as, published):
    # 01:10 UTC on 15 January 2026 is 02:10 in Paris, as on the page.
    MonthState.objects.update(computed_at=datetime.datetime(2026, 1, 15, 1, 10, tzinfo=datetime.UTC))
    client = client_as(Role.ANALYST)
    assert "Données à jour au 15/01/2026 à 02:10" in client.get(URL, PERIOD).content.decode()
    rows = list(csv.reader(io.StringIO(client.get(CSV_URL, PERIOD).content.decode().lstrip("\ufeff")), delimiter=";"))
    assert ["Données à jour au", "15/01/2026 02:10"] in rows


def test_persons_by_kind_say_a_person_may_count_in_both_rows(client_as):
    # 30 persons asked for insertion, 25 for the 115, 40 distinct: the rows add up to 55.
    put_cell(JAN, "persons", "kind", "insertion", count=30, persons=30)
    put_cell(JAN, "persons", "kind", "emergency", count=25, persons=25)
    put_cell(JAN, "persons", count=40, persons=40)
    computed_month(JAN)
    client = client_as(Role.ANALYST)
    params = {"mesure": "persons", "ventilation": "kind", "annee": "2025"}
    content = client.get(URL, params).content.decode()
    note = "Une personne peut figurer dans plusieurs lignes : le total compte les personnes distinctes"
    assert note in content
    rows = list(csv.reader(io.StringIO(client.get(CSV_URL, params).content.decode().lstrip("\ufeff")), delimiter=";"))
    assert any(row[:1] == ["Lecture"] and row[1].startswith(note) for row in rows)
    # Requests by kind add up: no such note.
    assert note not in client.get(URL, {**params, "mesure": "requests"}).content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"mesure": "nope"}, "Cette mesure n&#x27;existe pas : choisissez-en une de la liste."),
        ({"ventilation": "nope"}, "Cette ventilation n&#x27;existe pas : choisissez-en une de la liste."),
        ({"annee": "2024"}, "Choisissez une année de la liste."),  # before the first computed month
        ({"annee": "2999"}, "Choisissez une année de la liste."),
        ({"annee": "<script>"}, "Choisissez une année de la liste."),
        ({"departement": "99"}, "Choisissez un département de la liste."),
    ],
)
def test_bad_filters_are_refused_in_french(client_as, published, params, message):
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.get(URL, {**PERIOD, **params})
    assert response.status_code == 400
    assert message in response.content.decode()
    # An export asked with the same filters answers the page with its errors, not a file.
    response = client.get(CSV_URL, {**PERIOD, **params})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    content = response.content.decode()
    assert message in content
    assert "L'export n'a pas pu être fait" in content


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_a_breakdown_the_measure_does_not_have_falls_back_to_the_total(client_as, published, url):
    # Changing the measure keeps the previous breakdown (exits, still « type de demande »).
    response = client_as(Role.NATIONAL_ADMIN).get(url, {**PERIOD, "mesure": "exits"})
    assert response.status_code == 200
    if url == CSV_URL:
        assert "statistiques-sorties-total-national-" in response["Content-Disposition"]
        return
    assert response.context["publication"].dimension == ""
    content = response.content.decode()
    assert (
        "La mesure « Sorties » ne se ventile pas par type de demande : elle est affichée sans ventilation "
        "(total seulement). Vous pouvez choisir la ventilation « situation à la sortie » ou « type de dispositif »."
    ) in content
    assert 'id="statistics-fallback"' in content
    # The form now shows « aucune », and the export links follow.
    assert '<option value="" selected>Aucune (total seulement)</option>' in content
    assert "ventilation=&amp;" in content or "ventilation=&" in content
    # Without a wrong breakdown, no message.
    assert 'id="statistics-fallback"' not in client_as(Role.ANALYST).get(URL, PERIOD).content.decode()


def test_the_csv_export_is_the_page_under_the_same_secret(client_as, published):
    client = client_as(Role.DEPARTMENT_ADMIN)
    response = client.get(CSV_URL, PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="statistiques-demandes-type-de-demande-35-2025.csv"' in response["Content-Disposition"]
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Par type de demande"]
    assert rows[1] == ["Code", "Type de demande", "Nombre (demandes)"]
    assert rows[2:5] == [
        ["insertion", "Demande d'insertion", "90"],
        ["emergency", "Demande d'urgence (115)", "58"],
        ["", "Total", "148"],
    ]
    by_month = rows.index(["Par mois"])
    assert rows[by_month + 2 : by_month + 6] == [
        ["01/2025", "janvier 2025", "s"],
        ["02/2025", "février 2025", "s"],
        ["03/2025", "mars 2025", "70"],
        ["04/2025", "avril 2025", "0"],
    ]
    assert rows[by_month + 14] == ["", "Total de l'année", "148"]
    assert ["Période", "Année 2025 (01/2025 à 12/2025)"] in rows
    assert ["Périmètre", "Département 35 – Ille-et-Vilaine"] in rows
    assert any(row and row[0] == "s" and row[1].startswith("Secret statistique") for row in rows)


def test_the_xlsx_export_is_the_page_under_the_same_secret(client_as, published):
    from openpyxl import load_workbook

    response = client_as(Role.NATIONAL_ADMIN).get(XLSX_URL, PERIOD)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Par type de demande", "Par mois", "Par département", "Notes"]
    values = [list(row) for row in workbook["Par type de demande"].iter_rows(values_only=True)]
    assert values[-1] == [None, "Total", 388]
    months = [list(row) for row in workbook["Par mois"].iter_rows(values_only=True)]
    assert months[1:4] == [
        ["01/2025", "janvier 2025", 150],
        ["02/2025", "février 2025", 88],
        ["03/2025", "mars 2025", 150],
    ]
    assert months[-1] == [None, "Total de l'année", 388] and len(months) == 14
    departments = [list(row) for row in workbook["Par département"].iter_rows(values_only=True)]
    assert departments[1:] == [
        ["29", "29 – Finistère", 240],
        ["35", "35 – Ille-et-Vilaine", 148],
        [None, "Total national", 388],
    ]


def test_an_export_is_recorded_in_the_audit_trail(client_as, published):
    client_as(Role.ANALYST).get(CSV_URL, PERIOD)
    event = AuditEvent.objects.get(action="statistics.exported")
    assert event.data == {
        "format": "csv",
        "measure": "requests",
        "dimension": "kind",
        "year": 2025,
        "first": "2025-01-01",
        "last": "2025-12-01",
        "department": "35",
    }
    assert not AuditEvent.objects.exclude(action="statistics.exported").filter(action__startswith="statistics")


def test_delays_and_occupancy_read_as_means_and_rates(client_as):
    put_cell(JAN, "delay_orientation", "bucket", "0-7", count=20, persons=25, total=60.0)
    put_cell(JAN, "delay_orientation", count=20, persons=25, total=60.0)
    put_cell(JAN, "occupancy", "program_type", "chrs", count=900, persons=40, total=1000.0)
    put_cell(JAN, "occupancy", count=900, persons=40, total=1000.0)
    computed_month(JAN)
    client = client_as(Role.ANALYST)
    content = client.get(URL, {"mesure": "delay_orientation", "ventilation": "bucket", "annee": "2025"})
    assert "Délai moyen (jours)" in content.content.decode() and "3,0 jours" in content.content.decode()
    content = client.get(URL, {"mesure": "occupancy", "ventilation": "program_type", "annee": "2025"})
    assert "Taux d&#x27;occupation" in content.content.decode() and "90,0 %" in content.content.decode()


# Statistics database: the cells of the publication, the months' state.
STATS_QUERIES = 2


# Default database: session, user, memberships, the organization's départements (the actor),
# the départements shown, the session saved (savepoint, update, release).
DEFAULT_QUERIES = 8


@pytest.mark.parametrize("role", [Role.NATIONAL_ADMIN, Role.ANALYST])
def test_the_page_costs_a_fixed_number_of_queries(client_as, published, role, django_assert_num_queries):
    client = client_as(role)
    # Whatever the year, dimension or measure (an old free period too).
    for params in (
        PERIOD,
        {**PERIOD, "annee": str(current_month().year), "ventilation": ""},
        {"mesure": "requests", "du": "2025-01", "au": "2025-03"},
        {**PERIOD, "mesure": "occupancy", "ventilation": "program_type"},
    ):
        with (
            django_assert_num_queries(DEFAULT_QUERIES),
            django_assert_num_queries(STATS_QUERIES, connection=connections["stats"]),
        ):
            assert client.get(URL, params).status_code == 200


def test_an_export_costs_a_fixed_number_of_queries(client_as, published, django_assert_num_queries):
    client = client_as(Role.NATIONAL_ADMIN)
    # Session, user, memberships, the organization's départements (the actor), the départements
    # shown, the audit event (savepoint, chain head locked, insert, head updated, release), the
    # session saved (savepoint, update, release): no page header.
    with (
        django_assert_num_queries(13),
        django_assert_num_queries(STATS_QUERIES, connection=connections["stats"]),
    ):
        assert client.get(XLSX_URL, PERIOD).status_code == 200


def test_the_home_tile_of_each_role():
    from siao.statistics.tiles import tiles_for
    from tests.factories import actor_for, membership_for

    for role in Role.values:
        tiles = tiles_for(actor_for(membership_for(role)))
        if role in STATISTICS_ROLES:
            assert [tile.title for tile in tiles] == ["Statistiques"]
            assert tiles[0].url == URL
            assert tiles[0].nav_title == ("Statistiques" if role == Role.ANALYST else "")
        else:
            assert tiles == []


def test_a_siao_over_two_departements_chooses_among_them(client_as, published):
    from siao.geo.models import Department

    client = client_as(Role.SIAO_ADMIN)
    client.membership.organization.departments.add(Department.objects.get(code="29"))
    response = client.get(URL, PERIOD)
    assert response.context["publication"].department == "29"  # the first of its départements
    assert 'name="departement"' in response.content.decode()
    assert "National (tous" not in response.content.decode()
    response = client.get(URL, {**PERIOD, "departement": "35"})
    assert response.context["publication"].total.count == 148
    assert client.get(URL, {**PERIOD, "departement": "56"}).status_code == 404


AUG, SEP = datetime.date(2025, 8, 1), datetime.date(2025, 9, 1)


def figures(publication) -> dict:
    """Every figure of a publication as shown (the total, by value, by month, by département)."""
    return {
        "total": publication.total.shown,
        "by_value": {figure.code: figure.shown for figure in publication.by_value},
        "by_month": {figure.code: figure.shown for figure in publication.by_month},
        "by_department": {figure.code: figure.shown for figure in publication.by_department},
    }


def test_an_old_free_period_shows_the_year_of_its_last_month_and_says_why(client_as, published):
    client = client_as(Role.ANALYST)
    response = client.get(URL, {"mesure": "requests", "ventilation": "kind", "du": "2024-12", "au": "2025-02"})
    assert response.status_code == 200
    publication = response.context["publication"]
    assert (publication.first, publication.last) == (JAN, datetime.date(2025, 12, 1))
    content = response.content.decode()
    assert 'id="statistics-period-message"' in content
    assert "désormais publiées par année civile" in content and "L&#x27;année 2025 est affichée." in content
    assert '<option value="2025" selected>2025</option>' in content
    # The export links carry the year, not the old period.
    assert "annee=2025" in content and "du=" not in content and "au=" not in content
    # A month before any data, or unreadable: the current year, said too.
    for au in ("2019-05", "<script>"):
        response = client.get(URL, {"mesure": "requests", "au": au})
        assert response.status_code == 200
        assert response.context["publication"].first.year == current_month().year
        assert f"L&#x27;année en cours ({current_month().year}) est affichée." in response.content.decode()
    # A chosen year: no message.
    assert 'id="statistics-period-message"' not in client.get(URL, PERIOD).content.decode()
    # Old export links: the file of the year.
    response = client.get(CSV_URL, {"mesure": "requests", "ventilation": "kind", "du": "2025-01", "au": "2025-03"})
    assert 'filename="statistiques-demandes-type-de-demande-35-2025.csv"' in response["Content-Disposition"]


def test_overlapping_periods_can_no_longer_be_differenced_for_a_total(client_as):
    # The acceptance tester's attack: August–September 1499 persons minus August 1496 gave
    # September's 3 persons. Every request touching September 2025 is now the 2025 table.
    put_cell(AUG, "persons", count=1496, persons=1496)
    put_cell(SEP, "persons", count=3, persons=3)
    for month in (AUG, SEP):
        computed_month(month)
    client = client_as(Role.ANALYST)
    asked = [
        {"mesure": "persons", "ventilation": "", "du": "2025-08", "au": "2025-09"},
        {"mesure": "persons", "ventilation": "", "du": "2025-08", "au": "2025-08"},
        {"mesure": "persons", "ventilation": "", "du": "2025-09", "au": "2025-09"},
        {"mesure": "persons", "ventilation": "", "annee": "2025"},
        {"mesure": "persons", "ventilation": "kind", "annee": "2025"},
    ]
    publications = [client.get(URL, params).context["publication"] for params in asked]
    by_month = {figure.code: figure.shown for figure in publications[0].by_month}
    # September (3 persons) is secret, and so is August beside it: their sum only is known.
    assert by_month.pop("2025-09-01") == "s" and by_month.pop("2025-08-01") == "s"
    assert set(by_month.values()) == {"0"}
    assert publications[0].total.shown == "1499"
    # The same figures whatever was asked: no difference of two tables tells anything.
    assert all(
        figures(publication)["by_month"] == figures(publications[0])["by_month"] for publication in publications
    )
    assert {publication.total.shown for publication in publications} == {"1499"}
    # The other years never contain September 2025.
    other = client.get(URL, {"mesure": "persons", "annee": str(current_month().year)}).context["publication"]
    assert SEP not in [datetime.date.fromisoformat(figure.code) for figure in other.by_month]


def test_overlapping_periods_can_no_longer_be_differenced_for_a_value(client_as):
    # The second attack: requests by outcome, August « Orientée » 53 of 392, August–September
    # 55 of 394: the 2 September requests were both oriented. A value is now published over the
    # whole year only (never by month), once for every request that touches the year.
    put_cell(AUG, "requests", "outcome", "oriented", count=53, persons=53)
    put_cell(AUG, "requests", "outcome", "waiting", count=339, persons=339)
    put_cell(AUG, "requests", count=392, persons=392)
    put_cell(SEP, "requests", "outcome", "oriented", count=2, persons=2)
    put_cell(SEP, "requests", count=2, persons=2)
    for month in (AUG, SEP):
        computed_month(month)
    client = client_as(Role.NATIONAL_ADMIN)
    tables = []
    for period in ({"du": "2025-08", "au": "2025-08"}, {"du": "2025-08", "au": "2025-09"}, {"annee": "2025"}):
        for scope in ({}, {"departement": "35"}):
            params = {"mesure": "requests", "ventilation": "outcome", **period, **scope}
            tables.append(figures(client.get(URL, params).context["publication"]))
    national, departmental = tables[0], tables[1]
    assert all(table == national for table in tables[::2]) and all(table == departmental for table in tables[1::2])
    assert departmental["by_value"]["oriented"] == "55" and departmental["total"] == "394"
    assert departmental["by_month"]["2025-09-01"] == "s" and departmental["by_month"]["2025-08-01"] == "s"
    # National and département tables are the same cells: nothing to subtract either.
    assert national["by_value"] == departmental["by_value"] and national["by_department"]["35"] == "394"
