"""Two submissions of the same user at the same moment (two tabs, a double click): one answer,
one participation, the other refused in French. PostgreSQL only: SQLite serializes write
transactions. `DATABASE_URL=postgres://… pytest tests/surveys`."""

import threading

import pytest
from django.db import connection, connections

from siao.accounts.enums import Role
from siao.surveys import actions
from siao.surveys.models import SatisfactionAnswer, SurveyParticipation
from tests.factories import actor_for, membership_for

from .helpers import GOOD_ANSWER, open_campaign

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="SQLite serializes write transactions: no real concurrency"
    ),
    pytest.mark.django_db(transaction=True),
]

ANSWERS = {k: GOOD_ANSWER[k] for k in ("makes_work_easier", "finds_information", "knows_where_to_get_help")}


def test_four_answers_at_once_store_one():
    campaign = open_campaign()
    actor = actor_for(membership_for(Role.SOCIAL_WORKER))
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def submit(score):
        try:
            barrier.wait()
            actions.submit_answer(actor=actor, campaign=campaign, score=score, answers=ANSWERS)
            outcomes.append("stored")
        except actions.AnswerRefused as refused:
            outcomes.append(refused.message)
        except Exception as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n + 1,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(outcomes) == [actions.ALREADY_ANSWERED_MESSAGE] * 3 + ["stored"]
    assert SurveyParticipation.objects.count() == 1 and SatisfactionAnswer.objects.count() == 1
