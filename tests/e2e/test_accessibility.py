"""Automated accessibility checks (axe-core, WCAG 2 A and AA rules) on the main pages, as an
anonymous visitor and under the profiles that see the most. Automated rules catch only part
of the RGAA; they keep regressions out (labels, contrast, landmarks, ARIA, table headers)."""

from pathlib import Path

import pytest
from django.test import Client

from siao.accounts.models import Membership
from siao.demo.seed import DEMO_DOMAIN, seed_demo
from tests.conftest import log_in_as

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes[0].target.join(' ')}`);
}"""

ANONYMOUS_PAGES = ["/connexion/", "/offre/demande/", "/accessibilite/", "/plan-du-site/"]
PAGES_BY_ACCOUNT = {
    "admin.siao": [
        "/",
        "/offre/places-disponibles/",
        "/offre/capacites/",
        "/offre/validations/",
        "/offre/dispositifs/",
        "/offre/demandes/",
        "/habilitations/",
        "/habilitations/accorder/",
        "/habilitations/revue/",
        "/journal/",
    ],
    "gestionnaire.horizon": ["/", "/offre/dispositifs/nouveau/", "/compte/"],
}


@pytest.fixture
def axe_source():
    if not AXE.exists():
        pytest.fail(f"axe-core est absent ({AXE}) : lancez `make e2e-deps`.")
    return AXE.read_text()


def violations(page, url, axe_source) -> list[str]:
    page.goto(url)
    page.evaluate(axe_source)  # evaluated through the DevTools protocol: the page's CSP stays on
    return [f"{url}: {v}" for v in page.evaluate(RUN_AXE)]


def test_public_pages_have_no_automatically_detectable_accessibility_issue(live_server, page, axe_source):
    found = [v for path in ANONYMOUS_PAGES for v in violations(page, live_server.url + path, axe_source)]
    assert found == []


@pytest.mark.parametrize("account", sorted(PAGES_BY_ACCOUNT))
def test_working_pages_have_no_automatically_detectable_accessibility_issue(live_server, page, axe_source, account):
    seed_demo()
    membership = Membership.objects.filter(user__email=f"{account}@{DEMO_DOMAIN}").order_by("pk").first()
    client = log_in_as(Client(), membership)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    paths = list(PAGES_BY_ACCOUNT[account])
    if account == "gestionnaire.horizon":
        program = membership.organization.programs.filter(validation_status="validated").order_by("name").first()
        paths.append(f"/offre/dispositifs/{program.public_id}/")
    found = [v for path in paths for v in violations(page, live_server.url + path, axe_source)]
    assert found == []
