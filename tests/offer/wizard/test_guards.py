"""Who may open the wizard's pages: anonymous users go to the login page, roles that do not
create programs get 403, somebody else's draft answers 404."""

import uuid

import pytest
from django.urls import reverse

from siao.accounts.enums import Role
from siao.offer.models import ProgramDraft
from tests.factories import ProgramFactory, membership_for

from .conftest import make_draft

pytestmark = pytest.mark.django_db

NOT_CREATORS = [Role.ANALYST, Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER]
CREATORS = [Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.OPERATOR_MANAGER, Role.ASSISTANT]
DRAFT_VIEWS = ["offer:wizard_step", "offer:wizard_operator_create", "offer:wizard_cancel"]


def url_of(name, draft_id=None):
    draft_id = draft_id or uuid.uuid4()
    if name == "offer:wizard_start":
        return reverse(name)
    if name == "offer:wizard_step":
        return reverse(name, args=[draft_id, 1])
    if name == "offer:wizard_done":
        return reverse(name, args=[ProgramFactory().public_id])
    return reverse(name, args=[draft_id])


@pytest.mark.parametrize("name", ["offer:wizard_start", "offer:wizard_done", *DRAFT_VIEWS])
def test_wizard_pages_send_anonymous_users_to_login(client, name):
    url = url_of(name)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response.url == f"{reverse('accounts:login')}?next={url}"
    assert not ProgramDraft.objects.exists()


@pytest.mark.parametrize("role", NOT_CREATORS)
@pytest.mark.parametrize("name", ["offer:wizard_start", "offer:wizard_done", *DRAFT_VIEWS])
def test_wizard_pages_are_forbidden_to_roles_that_create_no_program(client_as, role, name):
    client = client_as(role)
    draft = make_draft(client.membership)
    url = url_of(name, draft.public_id)
    assert client.get(url).status_code == 403
    response = client.post(url, {"operator": "x"})
    assert response.status_code == 403
    assert "Votre profil actif ne donne pas accès à cette page." in response.content.decode()
    assert ProgramDraft.objects.count() == 1


@pytest.mark.parametrize("role", CREATORS)
def test_every_creator_role_can_start_a_draft(client_as, role):
    client = client_as(role)
    page = client.get(reverse("offer:wizard_start"))
    assert page.status_code == 200
    assert "Commencer" in page.content.decode()
    response = client.post(reverse("offer:wizard_start"))
    draft = ProgramDraft.objects.get()
    assert (draft.author, draft.membership, draft.completed_step) == (client.membership.user, client.membership, 0)
    assert response.url == reverse("offer:wizard_step", args=[draft.public_id, 1])


@pytest.mark.parametrize("name", DRAFT_VIEWS)
def test_another_users_draft_answers_404(client_as, siao_admin, name):
    draft = make_draft(siao_admin)
    client = client_as(Role.SIAO_ADMIN)
    url = url_of(name, draft.public_id)
    assert client.get(url).status_code == 404
    assert client.post(url, {"operator": ""}).status_code == 404
    assert ProgramDraft.objects.filter(pk=draft.pk).exists()


def test_a_draft_started_under_another_role_answers_404(client_as, siao_admin):
    other_role = membership_for(Role.DEPARTMENT_ADMIN, user=siao_admin.user)
    draft = make_draft(other_role)
    client = client_as(siao_admin)
    assert client.get(url_of("offer:wizard_step", draft.public_id)).status_code == 404


def test_an_unknown_step_answers_404(client_as, siao_admin):
    draft = make_draft(siao_admin)
    client = client_as(siao_admin)
    assert client.get(reverse("offer:wizard_step", args=[draft.public_id, 7])).status_code == 404
    assert client.get(reverse("offer:wizard_step", args=[draft.public_id, 0])).status_code == 404


@pytest.mark.parametrize("role", [Role.OPERATOR_MANAGER, Role.ASSISTANT])
def test_operator_roles_cannot_create_another_operator(client_as, role):
    client = client_as(role)
    draft = make_draft(client.membership)
    url = reverse("offer:wizard_operator_create", args=[draft.public_id])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Autre", "siren": "732829320"}).status_code == 403
    step_1 = client.get(url_of("offer:wizard_step", draft.public_id)).content.decode()
    assert "Vous ne trouvez pas votre entité ?" not in step_1


def test_the_confirmation_page_is_only_for_who_submitted(client_as):
    program = ProgramFactory()
    client = client_as(Role.NATIONAL_ADMIN)
    assert client.get(reverse("offer:wizard_done", args=[program.public_id])).status_code == 404
