"""Submitting a draft: everything validated again, the program created waiting for its
circuit, the draft deleted, the reviewers told."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from siao.accounts.actor import Actor
from siao.accounts.enums import OrganizationKind, Role
from siao.audit.models import AuditEvent
from siao.offer.actions.wizard import DraftIncomplete, submit_program_draft
from siao.offer.enums import ValidationStatus
from siao.offer.models import Program, ProgramDraft
from tests.factories import OperatorFactory, default_organization, membership_for

from .conftest import full_data, make_draft

pytestmark = pytest.mark.django_db


def actor_of(membership) -> Actor:
    return Actor.for_membership(membership, membership.organization.departments.values_list("pk", flat=True))


def step_url(draft, step):
    return reverse("offer:wizard_step", args=[draft.public_id, step])


def test_the_action_creates_the_program_and_tells_the_siao_administrators(
    siao_admin, operator, django_capture_on_commit_callbacks
):
    other_department_admin = membership_for(Role.SIAO_ADMIN, code="29")
    ddets = membership_for(Role.DEPARTMENT_ADMIN)
    draft = make_draft(siao_admin, completed_step=5, **full_data(operator))
    with django_capture_on_commit_callbacks(execute=True):
        program = submit_program_draft(actor=actor_of(siao_admin), draft=draft)
    assert program.validation_status == ValidationStatus.SUBMITTED
    assert program.submitted_at and program.submitted_by == siao_admin.user
    assert (program.funded_p177, program.funded_non_p177, program.total_managed) == (20, 5, 30)
    assert program.finess == "350000001" and program.department.code == "35"
    assert not ProgramDraft.objects.exists()
    event = AuditEvent.objects.get(action="offer.program_submitted")
    assert event.data["circuit"] == "siao_then_ddets"
    recipients = [to for message in mail.outbox for to in message.to]
    assert recipients == [siao_admin.user.email]
    assert other_department_admin.user.email not in recipients and ddets.user.email not in recipients
    assert "pré-valider" in mail.outbox[0].subject


def test_a_first_reception_program_gets_no_siao_and_no_funding(siao_admin, operator):
    data = full_data(operator, "dna", funding={}, general={"orienting_siaos": []})
    data["funding"] = {}
    draft = make_draft(siao_admin, completed_step=5, **data)
    program = submit_program_draft(actor=actor_of(siao_admin), draft=draft)
    assert program.category == "first_reception" and not program.holds_offer
    assert program.orienting_siaos.count() == 0
    assert (program.funded_p177, program.funded_non_p177, program.total_managed, program.prefectoral_quota) == (0,) * 4


def test_stored_funding_or_siaos_on_a_first_reception_draft_are_refused(siao_admin, operator):
    draft = make_draft(siao_admin, completed_step=5, **full_data(operator, "dna"))
    with pytest.raises(DraftIncomplete) as error:
        submit_program_draft(actor=actor_of(siao_admin), draft=draft)
    assert error.value.step == 3
    assert not Program.objects.exists() and ProgramDraft.objects.exists()


def test_a_step_changed_after_a_later_one_is_checked_again(client_as, siao_admin, operator):
    other = OperatorFactory(name="Autre entité")
    draft = make_draft(siao_admin, completed_step=5, **full_data(operator))
    client = client_as(siao_admin)
    assert client.post(step_url(draft, 1), {"operator": other.public_id}).url == step_url(draft, 2)
    page = client.get(step_url(draft, 6)).content.decode()
    assert "Le dispositif ne peut pas encore être soumis" in page and ">Soumettre<" not in page
    response = client.post(step_url(draft, 6))
    assert response.url == step_url(draft, 4)
    page = client.get(response.url).content.decode()
    assert (
        "corrigez l&#x27;étape 4" in page and "Ce SIRET n&#x27;appartient pas à l&#x27;entité « Autre entité »" in page
    )
    assert not Program.objects.exists()


def test_an_incomplete_draft_cannot_be_submitted_by_the_action(siao_admin, operator):
    draft = make_draft(siao_admin, completed_step=3, **full_data(operator))
    with pytest.raises(DraftIncomplete) as error:
        submit_program_draft(actor=actor_of(siao_admin), draft=draft)
    assert error.value.step == 4


def test_the_action_refuses_someone_elses_draft(siao_admin, operator):
    draft = make_draft(siao_admin, completed_step=5, **full_data(operator))
    with pytest.raises(PermissionDenied):
        submit_program_draft(actor=actor_of(membership_for(Role.SIAO_ADMIN)), draft=draft)
    with pytest.raises(PermissionDenied):
        submit_program_draft(actor=actor_of(membership_for(Role.CALL_HANDLER)), draft=draft)
    assert not Program.objects.exists()


def test_a_draft_submitted_twice_creates_one_program(siao_admin, operator):
    draft = make_draft(siao_admin, completed_step=5, **full_data(operator))
    submit_program_draft(actor=actor_of(siao_admin), draft=draft)
    with pytest.raises(ValidationError, match="déjà été soumis"):
        submit_program_draft(actor=actor_of(siao_admin), draft=draft)
    assert Program.objects.count() == 1


@pytest.mark.parametrize("program_type", ["hotel", "outreach", "dna"])
def test_directly_validated_types_say_so(
    client_as, siao_admin, operator, program_type, django_capture_on_commit_callbacks
):
    data = full_data(operator, program_type)
    if program_type == "dna":
        data["funding"], data["general"]["orienting_siaos"] = {}, []
    if program_type == "outreach":
        data["funding"].pop("prefectoral_quota")
    draft = make_draft(siao_admin, completed_step=5, **data)
    client = client_as(siao_admin)
    assert "sera validé directement par l'administrateur SIAO" in client.get(step_url(draft, 6)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(draft, 6))
    assert "validé directement par l'administrateur SIAO" in client.get(response.url).content.decode()
    assert mail.outbox[0].subject.startswith("Dispositif à valider")
    assert AuditEvent.objects.get(action="offer.program_submitted").data["circuit"] == "siao"


def test_the_review_links_every_step(client_as, siao_admin, operator):
    draft = make_draft(siao_admin, completed_step=5, **full_data(operator))
    page = client_as(siao_admin).get(step_url(draft, 6)).content.decode()
    for step in range(1, 6):
        assert f'href="{step_url(draft, step)}">Modifier' in page
    assert "CHRS - Les Tilleuls" in page and "Homme seul, Femme seule" in page
    assert default_organization(OrganizationKind.SIAO, "35").name in page
