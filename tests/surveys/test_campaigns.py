"""Campaign management (Administrateur national): list, prepare, edit before opening, open
(one at a time), close; every change audited."""

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from siao.accounts.enums import Role
from siao.audit.labels import ACTION_LABELS
from siao.audit.models import AuditEvent
from siao.surveys import actions
from siao.surveys.enums import SurveyStatus
from siao.surveys.models import SatisfactionSurvey
from siao.surveys.tiles import tiles_for
from tests.factories import actor_for, membership_for

from .helpers import add_answers, draft_campaign, national_admin_actor, open_campaign

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_national_administrator_prepares_edits_opens_and_closes_a_campaign(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.get(reverse("surveys:campaign_create"))
    assert response.status_code == 200 and "Enquête de satisfaction" in text(response)
    response = client.post(
        reverse("surveys:campaign_create"), {"title": "Enquête de satisfaction Octobre 2023", "intro": "Merci !"}
    )
    assert response.status_code == 302
    campaign = SatisfactionSurvey.objects.get()
    assert (campaign.status, campaign.created_by) == (SurveyStatus.DRAFT, client.membership.user)

    response = client.post(
        reverse("surveys:campaign_edit", args=[campaign.public_id]),
        {"title": "Enquête de satisfaction Novembre 2023", "intro": ""},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "Enquête de satisfaction Novembre 2023"

    response = client.post(reverse("surveys:campaign_open", args=[campaign.public_id]), follow=True)
    assert "est ouverte" in text(response)
    campaign.refresh_from_db()
    assert campaign.status == SurveyStatus.OPEN and campaign.opened_at

    # Once open, no more edits.
    response = client.post(
        reverse("surveys:campaign_edit", args=[campaign.public_id]), {"title": "Autre titre", "intro": ""}, follow=True
    )
    assert "ne se modifie plus" in text(response)
    campaign.refresh_from_db()
    assert campaign.title == "Enquête de satisfaction Novembre 2023"

    response = client.post(reverse("surveys:campaign_close", args=[campaign.public_id]), follow=True)
    assert "est close" in text(response)
    campaign.refresh_from_db()
    assert campaign.status == SurveyStatus.CLOSED and campaign.closed_at
    assert list(
        AuditEvent.objects.filter(object_id=str(campaign.public_id))
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == [
        "surveys.campaign_created",
        "surveys.campaign_updated",
        "surveys.campaign_opened",
        "surveys.campaign_closed",
    ]


def test_only_one_campaign_is_open_at_a_time(client_as):
    admin = national_admin_actor()
    first = open_campaign("Enquête de satisfaction Octobre 2023", admin)
    second = draft_campaign("Enquête de satisfaction Novembre 2023", admin)
    with pytest.raises(ValidationError, match="Une autre enquête est déjà ouverte"):
        actions.open_campaign(actor=admin, campaign=second)
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.post(reverse("surveys:campaign_open", args=[second.public_id]), follow=True)
    assert (
        "Une autre enquête est déjà ouverte (« Enquête de satisfaction Octobre 2023 ») : clôturez-la avant "
        "d'ouvrir celle-ci." in text(response)
    )
    assert "Une enquête est ouverte : clôturez-la pour pouvoir en ouvrir une autre." in text(response)
    assert "closez" not in text(response)
    second.refresh_from_db()
    assert second.status == SurveyStatus.DRAFT
    assert SatisfactionSurvey.objects.open().get() == first


def test_a_closed_campaign_does_not_reopen_and_a_draft_does_not_close():
    admin = national_admin_actor()
    campaign = open_campaign(admin=admin)
    actions.close_campaign(actor=admin, campaign=campaign)
    with pytest.raises(ValidationError, match="une enquête close ne rouvre pas"):
        actions.open_campaign(actor=admin, campaign=campaign)
    with pytest.raises(ValidationError, match="Seule une enquête ouverte peut être close"):
        actions.close_campaign(actor=admin, campaign=draft_campaign(admin=admin))


def test_a_campaign_needs_a_title_of_at_most_150_characters(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    response = client.post(reverse("surveys:campaign_create"), {"title": "   ", "intro": ""})
    assert response.status_code == 400 and "Indiquez le titre de l'enquête" in text(response)
    response = client.post(reverse("surveys:campaign_create"), {"title": "x" * 151, "intro": ""})
    assert response.status_code == 400 and "Le titre fait au plus 150 caractères." in text(response)
    assert not SatisfactionSurvey.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.NATIONAL_ADMIN])
def test_other_roles_may_not_manage_campaigns(client_as, role):
    campaign = draft_campaign()
    client = client_as(role)
    assert client.get(reverse("surveys:campaign_create")).status_code == 403
    assert client.get(reverse("surveys:campaign_edit", args=[campaign.public_id])).status_code == 403
    assert client.post(reverse("surveys:campaign_open", args=[campaign.public_id])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == SurveyStatus.DRAFT
    with pytest.raises(PermissionDenied):
        actions.create_campaign(actor=actor_for(client.membership), title="Enquête")


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    campaign = draft_campaign()
    for url in (
        reverse("surveys:campaign_list"),
        reverse("surveys:campaign_create"),
        reverse("surveys:campaign_edit", args=[campaign.public_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    response = client.post(reverse("surveys:campaign_open", args=[campaign.public_id]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == SurveyStatus.DRAFT


def test_an_unknown_campaign_is_not_found(client_as):
    import uuid

    client = client_as(Role.NATIONAL_ADMIN)
    assert client.get(reverse("surveys:campaign_edit", args=[uuid.uuid4()])).status_code == 404
    assert client.post(reverse("surveys:campaign_close", args=[uuid.uuid4()])).status_code == 404


def test_the_list_costs_the_same_number_of_queries_whatever_its_length(client_as, django_assert_num_queries):
    admin = national_admin_actor()
    client = client_as(Role.NATIONAL_ADMIN)
    draft_campaign("Première", admin)
    # Session, user, actor (2), campaigns, session save (3).
    with django_assert_num_queries(8):
        response = client.get(reverse("surveys:campaign_list"))
    assert "Première" in text(response)
    open_campaign("Deuxième", admin)
    draft_campaign("Troisième", admin)
    with django_assert_num_queries(8):
        response = client.get(reverse("surveys:campaign_list"))
    assert "Deuxième" in text(response) and "Troisième" in text(response)


def test_readers_of_results_see_opened_campaigns_only(client_as):
    admin = national_admin_actor()
    draft_campaign("En préparation", admin)
    open_campaign("Ouverte", admin)
    response = client_as(Role.DEPARTMENT_ADMIN).get(reverse("surveys:campaign_list"))
    assert response.status_code == 200
    assert "Ouverte" in text(response) and "En préparation" not in text(response)
    assert "Préparer une enquête" not in text(response)
    assert client_as(Role.SIAO_ADMIN).get(reverse("surveys:campaign_list")).status_code == 403


def test_closing_records_the_number_of_answers_but_no_answer():
    admin = national_admin_actor()
    campaign = open_campaign(admin=admin)
    add_answers(campaign, 3)
    actions.close_campaign(actor=admin, campaign=campaign)
    event = AuditEvent.objects.get(action="surveys.campaign_closed")
    assert event.data == {"title": campaign.title, "answers": 3}


def test_every_recorded_action_has_a_french_label():
    for action in (
        "surveys.campaign_created",
        "surveys.campaign_updated",
        "surveys.campaign_opened",
        "surveys.campaign_closed",
        "surveys.results_viewed",
        "surveys.results_exported",
    ):
        assert ACTION_LABELS[action]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.NATIONAL_ADMIN, "Préparer, ouvrir et clore"),
        (Role.DEPARTMENT_ADMIN, "Les résultats"),
        (Role.ANALYST, "Les résultats"),
        (Role.SOCIAL_WORKER, None),
        (Role.SIAO_ADMIN, None),
    ],
)
def test_home_tiles_without_query(role, expected, django_assert_num_queries):
    actor = actor_for(membership_for(role))
    with django_assert_num_queries(0):
        tiles = tiles_for(actor)
    if expected is None:
        assert tiles == []
    else:
        assert len(tiles) == 1 and tiles[0].description.startswith(expected)
        assert tiles[0].url == reverse("surveys:campaign_list")
