"""The demo survey: an open campaign with answers (its results sealed until closing), a closed
one with answers in groups big enough to be shown, the demo national administrator not having
answered (the banner shows), idempotent."""

import pytest
from django.urls import reverse

from siao.accounts.enums import Role
from siao.demo.help_surveys import ANSWERS, PREVIOUS_ANSWERS, seed
from siao.surveys.banner import remember_open_campaign
from siao.surveys.enums import SurveyStatus
from siao.surveys.models import SatisfactionAnswer, SatisfactionSurvey, SurveyParticipation
from tests.factories import UserFactory, membership_for

pytestmark = pytest.mark.django_db

DOMAIN = "demo.si-siao.example"


def test_the_demo_survey_is_open_with_answers_and_seeding_twice_changes_nothing(client_as):
    admin = membership_for(Role.NATIONAL_ADMIN, user=UserFactory(email=f"admin.national@{DOMAIN}"))
    campaign = seed(DOMAIN)
    assert campaign.status == SurveyStatus.OPEN and campaign.title.startswith("Enquête de satisfaction ")
    assert SatisfactionAnswer.objects.filter(campaign=campaign).count() == ANSWERS
    closed = SatisfactionSurvey.objects.get(status=SurveyStatus.CLOSED)
    assert SatisfactionAnswer.objects.filter(campaign=closed).count() == PREVIOUS_ANSWERS
    assert not SurveyParticipation.objects.exists()
    assert seed(DOMAIN) == campaign
    assert SatisfactionSurvey.objects.count() == 2 and SatisfactionAnswer.objects.count() == ANSWERS + PREVIOUS_ANSWERS

    remember_open_campaign(campaign)
    client = client_as(admin)
    assert 'id="survey-banner"' in client.get("/").content.decode()
    # The open campaign: its number of answers only, until it is closed.
    results = client.get(reverse("surveys:results", args=[campaign.public_id])).context["results"]
    assert results.sealed and results.total == ANSWERS and not results.published
    # The closed campaign: everything, in groups big enough to be shown.
    results = client.get(reverse("surveys:results", args=[closed.public_id])).context["results"]
    assert results.published and all(len(b.groups) >= 2 for b in results.breakdowns)
    assert len(results.comments) >= 5
    # The demo's département 35 has enough answers for its readers.
    department = client_as(Role.DEPARTMENT_ADMIN, code="35").get(reverse("surveys:results", args=[closed.public_id]))
    assert department.context["results"].published
