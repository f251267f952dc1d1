"""« Le ménage accepte la place » (use case 5 of the interconnection): the SIAO or the program's
responsable records it once the program accepted the referral; the program's partner system
is told by a webhook. Guards, French errors with nothing changed, pinned query counts."""

import html

import pytest
from django.urls import reverse

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.orientation.enums import ReferralStatus
from siao.orientation.models import Referral
from siao.partners.models import WebhookEvent
from tests.partners.helpers import register

from .helpers import World, program_role

pytestmark = pytest.mark.django_db

BUTTON = "Le ménage accepte la place"


def url(name, *args):
    return reverse(f"orientation:{name}", args=args)


def text(response) -> str:
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def world():
    return World.build(places=2)


def accept_url(referral):
    return url("referral_household_acceptance", referral.public_id)


def unchanged(referral) -> bool:
    referral = Referral.objects.get(pk=referral.pk)
    return referral.household_accepted_at is None and not AuditEvent.objects.filter(
        action="orientation.household_accepted"
    )


# --- guards -----------------------------------------------------------------------------------


def test_anonymous_users_go_to_login(client, world):
    referral = world.accepted()
    response = client.post(accept_url(referral))
    assert response.status_code == 302 and response.url == f"{reverse('accounts:login')}?next={accept_url(referral)}"
    assert unchanged(referral)


def test_only_a_post_records_it(client_as, world):
    referral = world.accepted()
    assert client_as(world.siao_membership).get(accept_url(referral)).status_code == 405
    assert unchanged(referral)


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.CALL_HANDLER, Role.OPERATOR_MANAGER, Role.NATIONAL_ADMIN])
def test_other_roles_are_forbidden(client_as, world, role):
    referral = world.accepted()
    assert client_as(role).post(accept_url(referral)).status_code == 403
    assert unchanged(referral)


def test_the_prescriber_is_forbidden(client_as, world):
    referral = world.accepted()
    assert client_as(world.prescriber_membership).post(accept_url(referral)).status_code == 403
    assert unchanged(referral)


def test_out_of_perimeter_answers_404(client_as, world):
    referral = world.accepted()
    assert client_as(Role.SIAO_OPERATOR, code="29").post(accept_url(referral)).status_code == 404
    assert client_as(Role.PROGRAM_MANAGER).post(accept_url(referral)).status_code == 404
    assert unchanged(referral)


def test_an_unknown_referral_answers_404(client_as):
    import uuid

    response = client_as(Role.SIAO_OPERATOR).post(url("referral_household_acceptance", uuid.uuid4()))
    assert response.status_code == 404


# --- the SIAO's request page --------------------------------------------------------------------


def test_the_siao_records_the_households_acceptance_from_the_request(client_as, world):
    referral = world.accepted()
    partner = register([world.target.operator])
    client = client_as(world.siao_membership)
    page = text(client.get(url("request_detail", referral.request.public_id)))
    assert BUTTON in page and accept_url(referral) in page
    response = client.post(accept_url(referral), follow=True)
    assert response.redirect_chain[-1][0] == url("request_detail", referral.request.public_id)
    assert messages_of(response) == [
        "Accord du ménage enregistré : le dispositif en est informé et peut enregistrer l'admission."
    ]
    referral.refresh_from_db()
    assert referral.household_accepted_at is not None
    assert referral.household_accepted_by == world.siao_membership.user
    assert referral.status == ReferralStatus.ACCEPTED
    page = text(response)
    assert f"Accepté par le ménage le {referral.household_accepted_at:%d/%m/%Y}" in page
    assert BUTTON not in page
    assert AuditEvent.objects.filter(action="orientation.household_accepted").count() == 1
    (event,) = WebhookEvent.objects.filter(type="referral.household_accepted")
    assert event.client == partner.client and event.payload["referral"]["id"] == str(referral.public_id)
    # Twice: refused in French, nothing more.
    response = client.post(accept_url(referral), follow=True)
    assert messages_of(response) == ["L'accord du ménage est déjà enregistré."]
    assert AuditEvent.objects.filter(action="orientation.household_accepted").count() == 1
    assert WebhookEvent.objects.filter(type="referral.household_accepted").count() == 1


def test_before_the_programs_acceptance_nothing_is_offered_nor_recorded(client_as, world):
    referral = world.oriented()
    client = client_as(world.siao_membership)
    assert BUTTON not in text(client.get(url("request_detail", referral.request.public_id)))
    response = client.post(accept_url(referral), follow=True)
    assert messages_of(response) == ["L'accord du ménage suit l'acceptation de l'orientation par le dispositif."]
    assert unchanged(referral)


def test_a_refused_referral_cannot_be_accepted(client_as, world):
    from siao.orientation import actions

    referral = world.accepted()
    actions.record_household_refusal(actor=world.siao, referral=referral, reason="location", justified=True)
    response = client_as(world.siao_membership).post(accept_url(referral), follow=True)
    assert messages_of(response) == ["L'accord du ménage suit l'acceptation de l'orientation par le dispositif."]
    assert unchanged(referral)


# --- the program's referral page ----------------------------------------------------------------


def test_the_program_manager_records_it_from_the_referral(client_as, world):
    referral = world.accepted()
    client = client_as(world.manager_membership)
    page = text(client.get(url("referral_detail", referral.public_id)))
    assert BUTTON in page
    response = client.post(accept_url(referral), follow=True)
    assert response.redirect_chain[-1][0] == url("referral_detail", referral.public_id)
    referral.refresh_from_db()
    assert referral.household_accepted_by == world.manager_membership.user
    page = text(response)
    assert "Accord du ménage" in page and BUTTON not in page
    assert f"Accepté par le ménage le {referral.household_accepted_at:%d/%m/%Y}" in page


def test_a_social_worker_of_the_program_sees_no_button(client_as, world):
    referral = world.accepted()
    client = client_as(program_role(world.target, Role.SOCIAL_WORKER))
    assert BUTTON not in text(client.get(url("referral_detail", referral.public_id)))
    assert client.post(accept_url(referral)).status_code == 403
    assert unchanged(referral)


# --- query counts -------------------------------------------------------------------------------

# The session and the actor (4), the referral, the transaction with the locked referral, its
# update, the household's clock, the audit event (5), the partners to tell, the session saved (3).
ACCEPT_QUERIES = 19


def test_recording_costs_a_fixed_number_of_queries(client_as, world, django_assert_num_queries):
    referral = world.accepted()
    client = client_as(world.siao_membership)
    with django_assert_num_queries(ACCEPT_QUERIES):
        response = client.post(accept_url(referral))
    assert response.status_code == 302
