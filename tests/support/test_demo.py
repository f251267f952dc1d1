"""The demo support requests: seeded once, in the demo SIAO administrator's queue, with a real
attachment in the storage."""

import pytest

from siao.accounts.enums import Role
from siao.demo import help_support
from siao.demo.seed import DEMO_DOMAIN, seed_demo
from siao.support.models import SupportRequest

pytestmark = pytest.mark.django_db


def test_the_demo_requests_are_seeded_once_and_reach_the_demo_siao_administrator(client_as):
    from siao.accounts.models import Membership

    seed_demo()  # seeds the help centre's demo too (siao.demo.seed._seed_help)
    help_support.seed(DEMO_DOMAIN)
    assert help_support.seed(DEMO_DOMAIN) == 0
    assert SupportRequest.objects.count() == 3
    attachment = SupportRequest.objects.get(category="incident").attachments.get()
    with attachment.file.open("rb") as handle:
        assert handle.read().startswith(b"\x89PNG")
    admin = Membership.objects.get(user__email=f"admin.siao@{DEMO_DOMAIN}", role=Role.SIAO_ADMIN)
    page = client_as(admin).get("/support/demandes/", {"statut": "toutes"})
    assert len(page.context["page"]) == 2  # the operator manager's and the SIAO operator's
    response = client_as(admin).get(
        f"/support/demandes/{attachment.request.public_id}/pieces-jointes/{attachment.public_id}/"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
