"""The answer table cannot say who answered or when: no user, no timestamp, no sequential id.
Who answered lives in a separate table, joined to nothing."""

import uuid

import pytest
from django.db import connection

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.surveys import actions
from siao.surveys.models import SatisfactionAnswer, SurveyParticipation
from tests.factories import actor_for, membership_for

from .helpers import GOOD_ANSWER, open_campaign

pytestmark = pytest.mark.django_db


def test_the_answer_table_has_no_user_no_timestamp_and_a_random_primary_key():
    columns = {
        column.name
        for column in connection.introspection.get_table_description(
            connection.cursor(), SatisfactionAnswer._meta.db_table
        )
    }
    assert not {"user_id", "created_at", "updated_at", "answered_at", "participation_id"} & columns
    assert not [
        f for f in SatisfactionAnswer._meta.get_fields() if f.get_internal_type() in ("DateTimeField", "DateField")
    ]
    assert not any(
        getattr(f, "related_model", None) and f.related_model._meta.label == "accounts.User"
        for f in SatisfactionAnswer._meta.get_fields()
    )
    pk = SatisfactionAnswer._meta.pk
    assert pk.get_internal_type() == "UUIDField" and pk.default is uuid.uuid4


def test_answering_writes_an_answer_and_a_participation_that_share_only_the_campaign():
    campaign = open_campaign()
    actor = actor_for(membership_for(Role.SOCIAL_WORKER))
    before = AuditEvent.objects.count()
    actions.submit_answer(
        actor=actor,
        campaign=campaign,
        score=2,
        answers={k: GOOD_ANSWER[k] for k in ("makes_work_easier", "finds_information", "knows_where_to_get_help")},
        comment="Trop de clics",
    )
    participation = SurveyParticipation.objects.get()
    answer = SatisfactionAnswer.objects.get()
    assert participation.user == actor.user and answer.campaign_id == participation.campaign_id
    assert str(participation.pk) != str(answer.pk)
    # The answer is not in the audit trail (the trail would tie it to its author).
    assert AuditEvent.objects.count() == before


def test_answers_do_not_come_back_in_the_order_they_were_given():
    campaign = open_campaign()
    for n in range(12):
        actions.submit_answer(
            actor=actor_for(membership_for(Role.SOCIAL_WORKER)),
            campaign=campaign,
            score=1 + n % 5,
            answers={k: GOOD_ANSWER[k] for k in ("makes_work_easier", "finds_information", "knows_where_to_get_help")},
            comment=f"Commentaire {n:02}",
        )
    ordered = list(SatisfactionAnswer.objects.order_by("pk").values_list("comment", flat=True))
    # Random keys: the probability that twelve answers sort in their order of arrival is 1/12!.
    assert ordered != sorted(ordered)
