"""Results of a campaign: counts, distributions, means, by profile and territory, comments;
small groups never shown apart; département readers see their départements only; CSV. While
a campaign is open, only its number of answers is shown and its exports are 404 (two readings
would otherwise differ by the answers given in between)."""

import csv
import html
import io

import pytest
from django.test import Client
from django.urls import reverse

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.surveys.enums import Agreement
from siao.surveys.exports import safe_cell
from siao.surveys.models import SatisfactionAnswer
from siao.surveys.results import results_for
from tests.conftest import log_in_as
from tests.factories import membership_for

from .helpers import GOOD_ANSWER, add_answers, close, closed_campaign, draft_campaign, open_campaign

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def results_url(campaign):
    return reverse("surveys:results", args=[campaign.public_id])


def export_url(campaign, what="resultats"):
    return reverse("surveys:results_export", args=[campaign.public_id, what])


def csv_rows(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def filled_campaign(*, closed=True):
    """19 answers; closed unless asked otherwise (an open campaign shows its count only)."""
    campaign = open_campaign()
    add_answers(campaign, 6, role=Role.SOCIAL_WORKER, code="35", score=5)
    add_answers(campaign, 5, role=Role.CALL_HANDLER, code="35", score=3, finds_information=Agreement.NOT_AT_ALL)
    add_answers(campaign, 2, role=Role.PROGRAM_MANAGER, code="35", score=1)  # a small group
    add_answers(campaign, 5, role=Role.SIAO_ADMIN, code="29", score=4)
    add_answers(campaign, 1, role=Role.NATIONAL_ADMIN, code="national", score=2, comment="Un seul au national")
    return close(campaign) if closed else campaign


def test_the_national_administrator_reads_the_results(client_as):
    campaign = filled_campaign()
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.get(results_url(campaign))
    assert response.status_code == 200
    results = response.context["results"]
    assert results.total == 19
    assert [row.count for row in results.scores] == [2, 1, 5, 5, 6]
    assert results.mean_text == "3,6"
    finds = next(q for q in results.questions if q.code == "finds_information")
    assert [row.count for row in finds.rows] == [0, 14, 0, 5]
    content = text(response)
    assert "<svg" in content and 'role="img"' in content
    assert "Exporter les résultats (CSV)" in content
    assert AuditEvent.objects.filter(action="surveys.results_viewed", object_id=str(campaign.public_id)).count() == 1


def test_small_groups_are_merged_so_that_no_group_has_fewer_answers_than_the_threshold(client_as, settings):
    settings.SURVEY_MIN_GROUP_SIZE = 5
    campaign = filled_campaign()
    results = client_as(Role.NATIONAL_ADMIN).get(results_url(campaign)).context["results"]
    by_role, by_territory = results.breakdowns
    labels = {group.label: group.count for group in by_role.groups}
    # Program managers (2) and the national admin (1) are too few: with the smallest shown
    # group (5), « Autres » reaches the threshold, so that nothing small can be subtracted.
    assert "Responsable de dispositif" not in labels and "Administrateur national" not in labels
    assert labels["Autres profils (regroupés)"] >= 5
    assert all(count >= 5 for count in labels.values())
    assert sum(labels.values()) == 19
    territories = {group.label: group.count for group in by_territory.groups}
    assert territories == {"35 – Ille-et-Vilaine": 13, "Autres territoires (regroupés)": 6}
    assert by_role.merged_note and "moins de 5 réponses" in by_role.merged_note


def test_below_the_threshold_only_the_count_is_shown(client_as, settings):
    settings.SURVEY_MIN_GROUP_SIZE = 5
    campaign = open_campaign()
    add_answers(campaign, 4, comment="Je suis le seul de mon service")
    close(campaign)
    response = client_as(Role.NATIONAL_ADMIN).get(results_url(campaign))
    content = text(response)
    assert response.context["results"].total == 4 and not response.context["results"].published
    assert "Moins de 5 réponses : seul leur nombre est publié" in content
    assert "Je suis le seul de mon service" not in content and "<svg" not in content
    rows = csv_rows(client_as(Role.NATIONAL_ADMIN).get(export_url(campaign)))
    assert ["Nombre de réponses", "4"] in rows and not any("Note" in row[0] for row in rows if row)
    assert client_as(Role.NATIONAL_ADMIN).get(export_url(campaign, "commentaires")).status_code == 404


def test_a_departmental_administrator_reads_only_the_answers_from_its_departement(client_as):
    campaign = filled_campaign()
    response = client_as(Role.DEPARTMENT_ADMIN, code="35").get(results_url(campaign))
    results = response.context["results"]
    assert results.total == 13
    assert "35 – Ille-et-Vilaine" in results.scope_label
    assert "Un seul au national" not in text(response)
    # Département 29: 5 answers, published; its administrator never sees 35's.
    results = client_as(Role.DEPARTMENT_ADMIN, code="29").get(results_url(campaign)).context["results"]
    assert results.total == 5
    assert {group.label for group in results.breakdowns[1].groups} == {"29 – Finistère"}


def test_a_departmental_analyst_is_limited_and_a_national_analyst_is_not(client_as):
    campaign = filled_campaign()
    assert client_as(Role.ANALYST, code="29").get(results_url(campaign)).context["results"].total == 5
    from tests.factories import MembershipFactory, national_organization

    national_analyst = MembershipFactory(role=Role.ANALYST, organization=national_organization())
    assert client_as(national_analyst).get(results_url(campaign)).context["results"].total == 19


def test_comments_are_listed_without_attributes_in_a_stable_order_and_escaped(client_as):
    campaign = open_campaign()
    add_answers(campaign, 3, comment="<script>alert('x')</script>")
    add_answers(campaign, 2, comment='=HYPERLINK("http://evil.example")')
    add_answers(campaign, 1, comment="Bien")
    close(campaign)
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.get(results_url(campaign))
    raw = response.content.decode()
    assert "<script>alert(" not in raw and "&lt;script&gt;alert(" in raw
    expected = list(SatisfactionAnswer.objects.order_by("pk").values_list("comment", flat=True))
    assert response.context["results"].comments == expected
    rows = csv_rows(client.get(export_url(campaign, "commentaires")))
    assert rows[0] == ["Commentaire"] and len(rows) == 7
    assert ['\'=HYPERLINK("http://evil.example")'] in rows
    assert ["<script>alert('x')</script>"] in rows  # a CSV is text: what a spreadsheet shows as is
    assert AuditEvent.objects.filter(action="surveys.results_exported").count() == 1


def test_the_csv_export_has_the_same_protected_figures(client_as, settings):
    settings.SURVEY_MIN_GROUP_SIZE = 5
    campaign = filled_campaign()
    response = client_as(Role.NATIONAL_ADMIN).get(export_url(campaign))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="enquete-de-satisfaction-octobre-2023-resultats-national.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert ["Nombre de réponses", "19"] in rows
    assert ["Note moyenne (sur 5)", "3,6"] in rows
    assert not any(row and row[0] == "Responsable de dispositif" for row in rows)
    assert any(row and row[0] == "Autres profils (regroupés)" for row in rows)
    event = AuditEvent.objects.get(action="surveys.results_exported")
    assert event.data == {"scope": "national", "export": "resultats"}


@pytest.mark.parametrize("value", ["=1+1", "+33", "-2", "@SUM(A1)", "\tx"])
def test_formula_like_cells_are_defused(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("Bonjour") == "Bonjour" and safe_cell(3) == 3


def test_results_never_name_a_respondent(client_as):
    campaign = open_campaign()
    respondent = membership_for(Role.SOCIAL_WORKER, user__email="camille.repondante@asso-test.example")
    client_as(respondent).post(
        reverse("surveys:answer", args=[campaign.public_id]),
        {
            "score": "5",
            "makes_work_easier": "fully",
            "finds_information": "fully",
            "knows_where_to_get_help": "fully",
            "comment": "",
        },
    )
    add_answers(campaign, 5)
    close(campaign)
    client = client_as(Role.NATIONAL_ADMIN)
    for response in (client.get(results_url(campaign)), client.get(export_url(campaign))):
        content = text(response)
        assert "camille.repondante" not in content and respondent.user.last_name not in content


@pytest.mark.parametrize("role", [Role.SIAO_ADMIN, Role.SOCIAL_WORKER, Role.CALL_HANDLER, Role.OPERATOR_MANAGER])
def test_other_roles_may_not_read_results(client_as, role):
    campaign = filled_campaign()
    client = client_as(role)
    assert client.get(results_url(campaign)).status_code == 403
    assert client.get(export_url(campaign)).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="surveys.results").exists()


def test_anonymous_visitors_go_to_the_login_page(client):
    campaign = filled_campaign()
    for url in (results_url(campaign), export_url(campaign)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_campaign_in_preparation_or_an_unknown_export_is_not_found(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    assert client.get(results_url(draft_campaign())).status_code == 404
    assert client.get(export_url(closed_campaign(), "tout")).status_code == 404


def test_the_results_page_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    campaign = filled_campaign()
    client = client_as(Role.NATIONAL_ADMIN)
    # Session, user, actor (2), campaign, overall, by profile, by territory, comments, audit
    # (savepoint, head, insert, head update, release), session save (3).
    with django_assert_num_queries(17):
        assert client.get(results_url(campaign)).status_code == 200
    add_answers(campaign, 20, role=Role.ASSISTANT, code="56")
    with django_assert_num_queries(17):
        assert client.get(results_url(campaign)).status_code == 200


def test_the_results_of_a_departement_cost_one_more_query_for_its_name(client_as, django_assert_num_queries):
    campaign = filled_campaign()
    client = client_as(Role.DEPARTMENT_ADMIN, code="35")
    with django_assert_num_queries(18):
        assert client.get(results_url(campaign)).status_code == 200


def test_results_computed_for_an_empty_campaign():
    results = results_for(open_campaign(), scope_label="National")
    assert results.total == 0 and not results.published and results.mean_text == "—"


# -- an open campaign: its results are sealed until it closes ----------------------------------


def test_an_open_campaign_shows_only_its_number_of_answers(client_as):
    campaign = filled_campaign(closed=False)
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.get(results_url(campaign))
    assert response.status_code == 200
    results = response.context["results"]
    assert results.sealed and not results.published and results.total == 19
    assert results.mean is None and not results.scores and not results.breakdowns and not results.comments
    content = text(response)
    assert '<strong id="survey-total">19</strong> réponses à ce jour' in content
    assert "Résultats publiés à la clôture de l'enquête" in content
    assert "seul le nombre de réponses est affiché" in content
    assert "<svg" not in content and "Un seul au national" not in content and "note moyenne" not in content
    assert "Exporter" not in content and export_url(campaign) not in content
    assert AuditEvent.objects.filter(action="surveys.results_viewed", object_id=str(campaign.public_id)).count() == 1
    # A département reader: the count of its scope only.
    assert client_as(Role.DEPARTMENT_ADMIN, code="35").get(results_url(campaign)).context["results"].total == 13


def test_the_exports_of_an_open_campaign_are_not_found(client_as):
    campaign = filled_campaign(closed=False)
    client = client_as(Role.NATIONAL_ADMIN)
    for what in ("resultats", "commentaires"):
        response = client.get(export_url(campaign, what))
        assert response.status_code == 404 and response.get("Content-Disposition") is None
    assert not AuditEvent.objects.filter(action="surveys.results_exported").exists()


def test_one_more_answer_cannot_be_read_by_comparing_two_readings_of_an_open_campaign(client_as):
    """The differencing attack: read, let one person answer, read again."""
    campaign = filled_campaign(closed=False)
    reader = client_as(Role.NATIONAL_ADMIN)
    before = reader.get(results_url(campaign)).context["results"]
    respondent = log_in_as(Client(), membership_for(Role.SOCIAL_WORKER, code="29"))
    answer = {**GOOD_ANSWER, "score": "1", "comment": "Réponse de la personne observée"}
    assert respondent.post(reverse("surveys:answer", args=[campaign.public_id]), answer).status_code == 302
    response = reader.get(results_url(campaign))
    after = response.context["results"]
    # Only the count moved: no distribution, group or comment to compare.
    assert (before.total, after.total) == (19, 20)
    for results in (before, after):
        assert results.sealed and results.mean is None
        assert not (results.scores or results.questions or results.breakdowns or results.comments)
    assert "Réponse de la personne observée" not in text(response) and "<svg" not in text(response)
    assert reader.get(export_url(campaign)).status_code == 404
    # Once closed, everything is published, the observed answer among the others.
    close(campaign)
    closed = reader.get(results_url(campaign))
    assert closed.context["results"].published and closed.context["results"].total == 20
    assert "Réponse de la personne observée" in text(closed)
    assert reader.get(export_url(campaign)).status_code == 200


def test_the_results_of_an_open_campaign_cost_fewer_queries(client_as, django_assert_num_queries):
    campaign = filled_campaign(closed=False)
    client = client_as(Role.NATIONAL_ADMIN)
    # Session, user, actor (2), campaign, count, audit (savepoint, head, insert, head update,
    # release), session save (3).
    with django_assert_num_queries(14):
        assert client.get(results_url(campaign)).status_code == 200
