"""Answering the survey: once per user per campaign, both rows or none, French refusals."""

import html

import pytest
from django.urls import reverse

from siao.accounts.enums import Role
from siao.surveys import actions
from siao.surveys.enums import Territory
from siao.surveys.models import SatisfactionAnswer, SatisfactionSurvey, SurveyParticipation
from tests.factories import actor_for, membership_for

from .helpers import GOOD_ANSWER, closed_campaign, draft_campaign, open_campaign

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def answer_url(campaign):
    return reverse("surveys:answer", args=[campaign.public_id])


def test_anonymous_users_are_sent_to_the_login_page():
    from django.test import Client

    campaign = open_campaign()
    response = Client().get(answer_url(campaign))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_user_answers_in_one_post_and_lands_on_the_thanks_page(client_as, django_assert_num_queries):
    campaign = open_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    response = client.get(answer_url(campaign))
    assert response.status_code == 200
    content = text(response)
    assert "Dans l'ensemble, quelle note donnez-vous au SI SIAO ?" in content
    assert "<legend" in content and "Tout à fait" in content and "Pas du tout" in content
    response = client.post(answer_url(campaign), {**GOOD_ANSWER, "comment": "Très pratique."})
    assert response.status_code == 302
    assert response.url == reverse("surveys:thanks", args=[campaign.public_id])
    answer = SatisfactionAnswer.objects.get()
    assert (answer.score, answer.makes_work_easier, answer.comment) == (4, "fully", "Très pratique.")
    assert answer.role == Role.SOCIAL_WORKER
    assert answer.territory == Territory.DEPARTMENT and answer.department.code == "35"
    participation = SurveyParticipation.objects.get()
    assert participation.user == client.membership.user and participation.campaign == campaign
    assert "Merci pour votre réponse" in text(client.get(response.url))


def test_the_answer_page_has_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    campaign = open_campaign()
    client = client_as(Role.CALL_HANDLER)
    # Session, user, actor (2), campaign, participation, session save (savepoint, update, release).
    with django_assert_num_queries(9):
        assert client.get(answer_url(campaign)).status_code == 200


def test_a_national_answer_is_national_and_an_operator_in_several_departements_is_several():
    campaign = open_campaign()
    national = actor_for(membership_for(Role.NATIONAL_ADMIN))
    actions.submit_answer(actor=national, campaign=campaign, score=5, answers=_answers())
    from tests.factories import OperatorFactory

    operator = OperatorFactory(department_codes=["35", "56"])
    manager = actor_for(membership_for(Role.OPERATOR_MANAGER, organization=operator))
    actions.submit_answer(actor=manager, campaign=campaign, score=3, answers=_answers())
    territories = sorted(SatisfactionAnswer.objects.values_list("territory", "department", "role"))
    assert territories == [
        (Territory.NATIONAL, None, Role.NATIONAL_ADMIN),
        (Territory.SEVERAL, None, Role.OPERATOR_MANAGER),
    ]


def _answers():
    return {key: GOOD_ANSWER[key] for key in ("makes_work_easier", "finds_information", "knows_where_to_get_help")}


def test_a_second_answer_is_refused_in_french_and_nothing_more_is_stored(client_as):
    campaign = open_campaign()
    client = client_as(Role.SIAO_OPERATOR)
    assert client.post(answer_url(campaign), GOOD_ANSWER).status_code == 302
    response = client.post(answer_url(campaign), {**GOOD_ANSWER, "score": "1"})
    assert response.status_code == 409
    assert "Vous avez déjà répondu à cette enquête" in text(response)
    assert SatisfactionAnswer.objects.count() == 1 and SatisfactionAnswer.objects.get().score == 4
    assert SurveyParticipation.objects.count() == 1
    # Coming back to the page: the message, no form.
    response = client.get(answer_url(campaign))
    assert "Vous avez déjà répondu à cette enquête" in text(response)
    assert 'name="score"' not in text(response)


def test_a_double_submit_of_the_same_form_stores_one_answer(client_as):
    campaign = open_campaign()
    client = client_as(Role.PROGRAM_MANAGER)
    first = client.post(answer_url(campaign), GOOD_ANSWER)
    second = client.post(answer_url(campaign), GOOD_ANSWER)
    assert (first.status_code, second.status_code) == (302, 409)
    assert SatisfactionAnswer.objects.count() == 1 and SurveyParticipation.objects.count() == 1


def test_a_closed_campaign_cannot_be_answered(client_as):
    campaign = closed_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    response = client.get(answer_url(campaign))
    assert response.status_code == 200 and "Cette enquête est close" in text(response)
    response = client.post(answer_url(campaign), GOOD_ANSWER)
    assert response.status_code == 409 and "Cette enquête est close" in text(response)
    assert not SatisfactionAnswer.objects.exists() and not SurveyParticipation.objects.exists()


def test_a_campaign_closed_while_the_form_was_open_refuses_the_answer(client_as):
    campaign = open_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    assert client.get(answer_url(campaign)).status_code == 200
    actions.close_campaign(actor=actor_for(membership_for(Role.NATIONAL_ADMIN)), campaign=campaign)
    response = client.post(answer_url(campaign), GOOD_ANSWER)
    assert response.status_code == 409 and "Cette enquête est close" in text(response)
    assert not SatisfactionAnswer.objects.exists() and not SurveyParticipation.objects.exists()


def test_a_campaign_in_preparation_is_not_found(client_as):
    campaign = draft_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    assert client.get(answer_url(campaign)).status_code == 404
    assert client.post(answer_url(campaign), GOOD_ANSWER).status_code == 404
    with pytest.raises(actions.AnswerRefused, match="n'est pas ouverte"):
        actions.submit_answer(
            actor=actor_for(membership_for(Role.SOCIAL_WORKER)), campaign=campaign, score=3, answers=_answers()
        )
    assert not SatisfactionAnswer.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"score": "0"}, "score", "Choisissez une note de 1 à 5."),
        ({"score": "6"}, "score", "Choisissez une note de 1 à 5."),
        ({"score": "cinq"}, "score", "Choisissez une note de 1 à 5."),
        ({"score": ""}, "score", "Choisissez une note de 1 à 5."),
        ({"finds_information": "maybe"}, "finds_information", "Choisissez une des quatre réponses proposées."),
        ({"makes_work_easier": ""}, "makes_work_easier", "Répondez à « Le SI SIAO facilite mon travail. »"),
        ({"comment": "x" * 1001}, "comment", "Le commentaire fait au plus 1 000 caractères."),
    ],
)
def test_invalid_answers_get_french_errors_and_store_nothing(client_as, change, field, message):
    campaign = open_campaign()
    client = client_as(Role.SOCIAL_WORKER)
    response = client.post(answer_url(campaign), {**GOOD_ANSWER, **change})
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert "Le formulaire contient 1 erreur" in text(response)
    assert not SatisfactionAnswer.objects.exists() and not SurveyParticipation.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"score": 0}, "score"),
        ({"score": "abc"}, "score"),
        ({"answers": {**_answers(), "finds_information": "yes"}}, "finds_information"),
        ({"comment": "é" * 1001}, "comment"),
    ],
)
def test_the_action_checks_the_values_itself(kwargs, field):
    from django.core.exceptions import ValidationError

    campaign = open_campaign()
    arguments = {"score": 3, "answers": _answers(), "comment": "", **kwargs}
    with pytest.raises(ValidationError) as error:
        actions.submit_answer(actor=actor_for(membership_for(Role.SOCIAL_WORKER)), campaign=campaign, **arguments)
    assert field in error.value.message_dict
    assert not SatisfactionAnswer.objects.exists() and not SurveyParticipation.objects.exists()


def test_the_thanks_page_needs_a_login_and_an_existing_campaign(client, client_as):
    campaign = open_campaign()
    url = reverse("surveys:thanks", args=[campaign.public_id])
    assert client.get(url).status_code == 302
    client = client_as(Role.ASSISTANT)
    assert client.get(url).status_code == 200
    assert client.get(reverse("surveys:thanks", args=[draft_campaign("Autre").public_id])).status_code == 404
    assert SatisfactionSurvey.objects.count() == 2
