"""A whole run of the wizard through its pages, without JavaScript."""

import pytest
from django.core import mail
from django.urls import reverse

from siao.accounts.enums import OrganizationKind, Role
from siao.audit.models import AuditEvent
from siao.offer.enums import ValidationStatus
from siao.offer.models import Program, ProgramDraft
from tests.factories import default_organization, fake_siret, membership_for

pytestmark = pytest.mark.django_db


def step_url(draft, step):
    return reverse("offer:wizard_step", args=[draft.public_id, step])


def test_an_siao_administrator_creates_a_chrs_in_six_steps(client_as, operator, django_capture_on_commit_callbacks):
    client = client_as(Role.SIAO_ADMIN)
    reviewer = membership_for(Role.SIAO_ADMIN, user__email="relecteur@siao-test.example")
    siao = default_organization(OrganizationKind.SIAO, "35")

    response = client.post(reverse("offer:wizard_start"))
    draft = ProgramDraft.objects.get()
    assert response.url == step_url(draft, 1)

    response = client.get(step_url(draft, 1), {"q": "tilleuls"})
    assert "Étape 1 sur 6" in response.content.decode()
    assert "Entités (1)" in response.content.decode()
    assert client.post(step_url(draft, 1), {"operator": operator.public_id}).url == step_url(draft, 2)
    assert client.post(step_url(draft, 2), {"type": "chrs"}).url == step_url(draft, 3)
    funding = {"funding_unit": "places", "p177": "20", "non_p177": "5", "total": "30", "prefectoral_quota": "10"}
    assert client.post(step_url(draft, 3), funding).url == step_url(draft, 4)
    general = {
        "name": "Les Tilleuls",
        "siret": fake_siret(operator.siren, 3),
        "finess": "350000001",
        "department": "35",
        "orienting_siaos": [siao.public_id],
        "compositions": ["single_man"],
        "specific_publics": ["young_people"],
    }
    assert client.post(step_url(draft, 4), general).url == step_url(draft, 5)
    complements = {
        "insee_code": "35238",
        "address": "1 rue de la Paix",
        "postal_code": "35000",
        "city": "Rennes",
        "cancel_non_smo_authorizations": "no",
        "crod_coverage": "yes",
        "starts_on": "2025-01-01",
        "ends_on": "2026-12-31",
    }
    assert client.post(step_url(draft, 5), complements).url == step_url(draft, 6)
    page = client.get(step_url(draft, 6)).content.decode()
    assert "CHRS - Les Tilleuls" in page
    assert "pré-validé par l'administrateur SIAO" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(draft, 6))
    program = Program.objects.get()
    assert response.url == reverse("offer:wizard_done", args=[program.public_id])
    assert program.name == "CHRS - Les Tilleuls"
    assert program.validation_status == ValidationStatus.SUBMITTED
    assert program.submitted_by == client.membership.user
    assert program.total_managed == 30 and program.prefectoral_quota == 10
    assert program.commune.insee_code == "35238"
    assert program.crod_coverage and not program.cancel_non_smo_authorizations
    assert list(program.orienting_siaos.all()) == [siao]
    assert sorted(program.publics.values_list("code", flat=True)) == ["single_man", "young_people"]
    assert not ProgramDraft.objects.exists()
    assert AuditEvent.objects.filter(action="offer.program_submitted", object_id=str(program.public_id)).exists()
    recipients = sorted(email for message in mail.outbox for email in message.to)
    assert recipients == sorted([client.membership.user.email, reviewer.user.email])
    done = client.get(response.url).content.decode()
    assert "pré-validation par l'administrateur SIAO" in done
