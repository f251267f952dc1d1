import pytest

from siao.accounts.enums import OrganizationKind, Role
from siao.offer.models import ProgramDraft
from tests.factories import OperatorFactory, default_organization, fake_siret, membership_for


@pytest.fixture
def operator():
    return OperatorFactory(name="Association Les Tilleuls", city="Rennes", department_codes=["35"])


@pytest.fixture
def siao_admin():
    return membership_for(Role.SIAO_ADMIN)


def make_draft(membership, completed_step=0, **data) -> ProgramDraft:
    return ProgramDraft.objects.create(
        author=membership.user, membership=membership, data=data, completed_step=completed_step
    )


def full_data(operator, program_type="chrs", **overrides) -> dict:
    """A draft's data as the wizard stores it after five valid steps (a CHRS in 35)."""
    data = {
        "operator": {"operator": str(operator.public_id)},
        "nature": {"type": program_type},
        "funding": {
            "funding_unit": "places",
            "p177": 20,
            "non_p177": 5,
            "total": 30,
            "prefectoral_quota": 10,
        },
        "general": {
            "name": "Les Tilleuls",
            "siret": fake_siret(operator.siren, 12),
            "finess": "350000001",
            "department": "35",
            "orienting_siaos": [str(default_organization(OrganizationKind.SIAO, "35").public_id)],
            "compositions": ["single_man", "single_woman"],
            "specific_publics": ["young_people"],
        },
        "complements": {},
    }
    for key, value in overrides.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    return data
