"""Campaigns and answers for the survey tests."""

from siao.accounts.enums import Role
from siao.surveys import actions
from siao.surveys.banner import remember_open_campaign
from siao.surveys.enums import Agreement, SurveyStatus, Territory
from siao.surveys.models import SatisfactionAnswer, SatisfactionSurvey
from tests.factories import actor_for, department, membership_for

GOOD_ANSWER = {
    "score": "4",
    "makes_work_easier": Agreement.FULLY,
    "finds_information": Agreement.RATHER_YES,
    "knows_where_to_get_help": Agreement.RATHER_NO,
    "comment": "",
}


def national_admin_actor():
    return actor_for(membership_for(Role.NATIONAL_ADMIN))


def draft_campaign(title="Enquête de satisfaction Octobre 2023", admin=None) -> SatisfactionSurvey:
    return actions.create_campaign(actor=admin or national_admin_actor(), title=title, intro="Quatre questions.")


def open_campaign(title="Enquête de satisfaction Octobre 2023", admin=None) -> SatisfactionSurvey:
    """An open campaign, the banner's cache set as the action does after its commit (tests run
    inside a transaction that never commits)."""
    admin = admin or national_admin_actor()
    campaign = actions.open_campaign(actor=admin, campaign=draft_campaign(title, admin))
    remember_open_campaign(campaign)
    return campaign


def close(campaign, admin=None) -> SatisfactionSurvey:
    """Close an open campaign (its results are sealed until then)."""
    return actions.close_campaign(actor=admin or national_admin_actor(), campaign=campaign)


def closed_campaign(title="Enquête de satisfaction Mars 2023") -> SatisfactionSurvey:
    campaign = SatisfactionSurvey.objects.create(
        title=title, status=SurveyStatus.CLOSED, created_by=membership_for(Role.NATIONAL_ADMIN).user
    )
    return campaign


def add_answers(campaign, count, *, role=Role.SOCIAL_WORKER, code="35", score=4, comment="", **fields):
    """`count` answers straight in the table (what submit_answer stores), for results tests."""
    values = {
        "makes_work_easier": Agreement.FULLY,
        "finds_information": Agreement.RATHER_YES,
        "knows_where_to_get_help": Agreement.NOT_AT_ALL,
        **fields,
    }
    if code == "national":
        territory = {"territory": Territory.NATIONAL, "department": None}
    elif code is None:
        territory = {"territory": Territory.SEVERAL, "department": None}
    else:
        territory = {"territory": Territory.DEPARTMENT, "department": department(code)}
    SatisfactionAnswer.objects.bulk_create(
        [
            SatisfactionAnswer(campaign=campaign, score=score, comment=comment, role=role, **territory, **values)
            for _ in range(count)
        ]
    )
