"""Pinned query counts: each page costs the same whatever the amount of data."""

import pytest
from django.urls import reverse

from siao.accounts.enums import OrganizationKind, Role
from tests.factories import OperatorFactory, default_organization, fake_siret, membership_for

from .conftest import full_data, make_draft

pytestmark = pytest.mark.django_db

# Every logged-in request: session, user, memberships, the organization's départements, and the
# session saved again (savepoint, update, release: the inactivity timeout is refreshed).
REQUEST = 7


def step_url(draft, step):
    return reverse("offer:wizard_step", args=[draft.public_id, step])


@pytest.fixture
def crowd(operator):
    """Several operators, each with managers, so that a per-row query would show."""
    for n in range(3):
        other = OperatorFactory(name=f"Autre {n}")
        membership_for(Role.OPERATOR_MANAGER, organization=other)
        membership_for(Role.OPERATOR_MANAGER, organization=other)
    membership_for(Role.OPERATOR_MANAGER, organization=operator)


def test_start_page_queries(client_as, siao_admin, operator, django_assert_num_queries):
    client = client_as(siao_admin)
    for _ in range(3):
        make_draft(siao_admin, completed_step=5, **full_data(operator))
    # + the drafts
    with django_assert_num_queries(REQUEST + 1):
        client.get(reverse("offer:wizard_start"))
    # + savepoint pair, the draft insert
    with django_assert_num_queries(REQUEST + 1):
        client.post(reverse("offer:wizard_start"))


def test_step_1_queries(client_as, siao_admin, operator, crowd, django_assert_num_queries):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin, operator={"operator": str(operator.public_id)})
    # + draft, count, operators, their managers
    with django_assert_num_queries(REQUEST + 4):
        client.get(step_url(draft, 1))
    # the selected operator is not among the results: + it and its managers
    with django_assert_num_queries(REQUEST + 6):
        client.get(step_url(draft, 1), {"q": "Autre"})
    # + draft, the operator, the draft update
    with django_assert_num_queries(REQUEST + 3):
        client.post(step_url(draft, 1), {"operator": operator.public_id})


def test_steps_2_and_3_queries(client_as, siao_admin, operator, django_assert_num_queries):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin, completed_step=1, operator={"operator": str(operator.public_id)})
    with django_assert_num_queries(REQUEST + 1):
        client.get(step_url(draft, 2))
    with django_assert_num_queries(REQUEST + 2):
        client.post(step_url(draft, 2), {"type": "chrs"})
    with django_assert_num_queries(REQUEST + 1):
        client.get(step_url(draft, 3))
    with django_assert_num_queries(REQUEST + 2):
        client.post(step_url(draft, 3), {"funding_unit": "places", "total": "4"})


def test_step_4_queries(client_as, siao_admin, operator, django_assert_num_queries):
    client = client_as(siao_admin)
    data = full_data(operator)
    draft = make_draft(siao_admin, completed_step=3, **{k: data[k] for k in ("operator", "nature", "funding")})
    # + draft, operator, départements, SIAOs, the two groups of publics
    with django_assert_num_queries(REQUEST + 6):
        client.get(step_url(draft, 4))
    general = {
        "name": "Les Tilleuls",
        "siret": fake_siret(operator.siren, 7),
        "department": "35",
        "orienting_siaos": [default_organization(OrganizationKind.SIAO, "35").public_id],
        "compositions": ["single_man", "single_woman"],
        "specific_publics": ["young_people"],
    }
    # + draft, operator, département, SIAOs, publics ×2, covering SIAO, update
    with django_assert_num_queries(REQUEST + 8):
        client.post(step_url(draft, 4), general)


def test_step_5_queries(client_as, siao_admin, operator, crowd, django_assert_num_queries):
    client = client_as(siao_admin)
    data = full_data(operator)
    draft = make_draft(siao_admin, completed_step=4, **data)
    # + draft, département, operator, its managers
    with django_assert_num_queries(REQUEST + 4):
        client.get(step_url(draft, 5))
    # + draft, département, commune, update
    with django_assert_num_queries(REQUEST + 4):
        client.post(step_url(draft, 5), {"insee_code": "35238", "postal_code": "35000"})


def test_step_6_queries(client_as, siao_admin, operator, django_assert_num_queries):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin, completed_step=5, **full_data(operator))
    # + draft, then each step's form again (operator, départements, SIAOs, publics ×2, covering
    # SIAO, département) and the model's full_clean (unique id, foreign keys, and each check
    # constraint between savepoints)
    with django_assert_num_queries(REQUEST + 22):
        client.get(step_url(draft, 6))
    # + the same checks on the locked draft, then the program, its publics and SIAOs, the draft
    # deleted, the audit event (the reviewers are read when the emails leave, after commit)
    with django_assert_num_queries(REQUEST + 36):
        response = client.post(step_url(draft, 6))
    # + the program with its operator and département
    with django_assert_num_queries(REQUEST + 1):
        client.get(response.url)


def test_operator_creation_queries(client_as, siao_admin, django_assert_num_queries):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin)
    url = reverse("offer:wizard_operator_create", args=[draft.public_id])
    with django_assert_num_queries(REQUEST + 3):
        client.get(url)
    data = {
        "name": "Nouvelle",
        "siren": "732829320",
        "legal_status": "association",
        "address": "1 rue",
        "postal_code": "35000",
        "city": "Rennes",
        "departments": ["35"],
        "p177_agreement": "no",
    }
    # + draft, SIREN taken?, départements, full_clean (unique id, two constraints), insert,
    # départements, audit event (chain head, insert, update), draft update, savepoints
    with django_assert_num_queries(REQUEST + 23):
        client.post(url, data)


def test_cancel_and_done_queries(client_as, siao_admin, operator, django_assert_num_queries):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin, completed_step=5, **full_data(operator))
    url = reverse("offer:wizard_cancel", args=[draft.public_id])
    with django_assert_num_queries(REQUEST + 1):
        client.get(url)
    with django_assert_num_queries(REQUEST + 2):
        client.post(url)
