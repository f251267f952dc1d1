"""Automated accessibility checks (axe-core, WCAG 2 A and AA rules) on the main pages, as an
anonymous visitor and under the profiles that see the most. Automated rules catch only part
of the RGAA; they keep regressions out (labels, contrast, landmarks, ARIA, table headers)."""

import re
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from siao.accounts.models import Membership
from siao.demo.seed import DEMO_DOMAIN, seed_demo
from siao.emergency import actions as emergency_actions
from siao.emergency.enums import CallerType
from siao.emergency.models import EmergencyRequest, OutreachEncounter
from siao.households import actions as household_actions
from siao.households.models import Household
from tests.conftest import log_in_as
from tests.factories import actor_for

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes[0].target.join(' ')}`);
}"""

ANONYMOUS_PAGES = [
    "/connexion/",
    "/offre/demande/",
    "/accessibilite/",
    "/plan-du-site/",
    "/information-des-personnes/",
    "/information-des-personnes/ar/",
    "/information-des-personnes/ti/",
]
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
        # Data protection (issue 6): the demo gives this account an archive authorization.
        "/statistiques/",
        "/statistiques/?mesure=requests&ventilation=reason",
        "/donnees/archive/",
        "/donnees/archive/?nom=Exemple-Archive",
        "/donnees/archive/dossiers/00000000-0000-4000-8000-00000000a001/",
        "/journal/rapports/",
        "/menages/droits/",
    ],
    "admin.national": [
        "/donnees/conservation/",
        "/donnees/archive/autorisations/",
        "/statistiques/",
        "/partenaires/",
        "/partenaires/nouveau/",
        "/partenaires/contingent-prefectoral/",
    ],
    "gestionnaire.horizon": ["/", "/offre/dispositifs/nouveau/", "/compte/"],
    # Household files and insertion requests (issue 4): more pages in household_pages().
    "travailleur.social": ["/", "/menages/", "/menages/nouveau/", "/menages/?nom=Demo-Martn&naissance=1988-03-14"],
    "operateur.siao": [
        "/",
        "/menages/",
        "/demandes/file-siao/",
        "/demandes/file-siao/?statut=waiting",
        "/menages/droits/",
    ],
    "responsable.chrs": ["/", "/demandes/orientations/", "/demandes/prises-en-charge/"],
}


def household_pages(account, membership) -> list[str]:
    """The file, assessment and request pages of the demo households (siao/demo/households.py),
    with an assessment section and a note written here so that the file page shows them all."""
    heads = {"travailleur.social": "Démo-Simon", "operateur.siao": "Démo-Petit", "responsable.chrs": "Démo-Durand"}
    if account not in heads:
        return []
    household = Household.objects.get(head__last_name=heads[account])
    request = household.requests.order_by("pk").first()
    paths = [f"/menages/{household.public_id}/", f"/demandes/{request.public_id}/"]
    if account == "travailleur.social":
        actor = actor_for(membership)
        assessment = household_actions.start_assessment(actor=actor, household=household, kind="social")
        household_actions.save_assessment_section(
            actor=actor,
            assessment=assessment,
            section="housing",
            data={"housing_situation": 20, "dalo_recognised": True},
            text="Observations de démonstration.",
            expected_version=0,
        )
        household_actions.write_note(actor=actor, household=household, text="Transmission de démonstration.")
        paths.append(f"/menages/{household.public_id}/evaluations/{assessment.public_id}/housing/")
        draft = Household.objects.get(head__last_name="Démo-Martin").requests.get()
        paths += [f"/demandes/nouvelle/{household.public_id}/", f"/demandes/{draft.public_id}/transmettre/"]
    elif account == "operateur.siao":
        paths.append(f"/demandes/{request.public_id}/orienter/")
        # The rights of households and the file's access report (issue 6).
        paths.append(f"/menages/{household.public_id}/droits/nouvelle/")
    else:
        paths.append(f"/demandes/orientations/{request.referrals.get().public_id}/")
        stay = Household.objects.get(head__last_name="Démo-Moreau").stays.get()
        paths.append(f"/demandes/prises-en-charge/{stay.public_id}/sortie/")
    return paths


@pytest.fixture
def axe_source():
    if not AXE.exists():
        pytest.fail(f"axe-core est absent ({AXE}) : lancez `make e2e-deps`.")
    return AXE.read_text()


def violations(page, url, axe_source) -> list[str]:
    response = page.goto(url)
    assert response.ok, f"{url}: HTTP {response.status}"  # an error page would pass axe unnoticed
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
    paths += household_pages(account, membership)
    found = [v for path in paths for v in violations(page, live_server.url + path, axe_source)]
    assert found == []


# The 115 and the street outreach (issue 5), on the demo's 115 data (siao/demo/emergency.py).
EMERGENCY_PAGES_BY_ACCOUNT = {
    "ecoutant.115": ["/115/", "/115/reconductions/", "/115/chiffres/"],
    "responsable.urgence": ["/", "/115/arrivees/"],
    "maraude": ["/", "/115/maraude/", "/115/maraude/nouvelle/", "/115/maraude/nouvelle/?nom=Demo-Robert"],
}


def emergency_pages(account, membership) -> list[str]:
    """The call screen in its states (search, results, places for tonight, place held), the
    emergency requests' pages and the encounters' pages (signalled or not)."""
    if account == "maraude":
        encounters = OutreachEncounter.objects.filter(program=membership.program).order_by("pk")
        return [f"/115/maraude/{encounter.public_id}/" for encounter in encounters]
    oriented = EmergencyRequest.objects.get(household__head__last_name="Démo-Richard", status="oriented")
    if account == "responsable.urgence":
        return [f"/115/demandes/{oriented.public_id}/"]
    pending = EmergencyRequest.objects.get(household__head__last_name="Démo-Robert", status="pending")
    call = emergency_actions.log_call(actor=actor_for(membership), caller_type=CallerType.PERSON)
    return [
        f"/115/appels/{call.public_id}/",
        f"/115/appels/{call.public_id}/?last_name=Demo-Robrt&first_name=Yanis",
        f"/115/appels/{pending.call.public_id}/",
        f"/115/appels/{oriented.call.public_id}/",
        f"/115/demandes/{pending.public_id}/",
        f"/115/demandes/{oriented.public_id}/",
    ]


@pytest.mark.parametrize("account", sorted(EMERGENCY_PAGES_BY_ACCOUNT))
def test_115_pages_have_no_automatically_detectable_accessibility_issue(live_server, page, axe_source, account):
    seed_demo()
    membership = Membership.objects.filter(user__email=f"{account}@{DEMO_DOMAIN}").order_by("pk").first()
    client = log_in_as(Client(), membership)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    paths = EMERGENCY_PAGES_BY_ACCOUNT[account] + emergency_pages(account, membership)
    found = [v for path in paths for v in violations(page, live_server.url + path, axe_source)]
    assert found == []
    if account == "ecoutant.115":  # the pending request's call screen did show places for tonight
        page.goto(live_server.url + paths[-4])
        expect(page.get_by_role("button", name=re.compile("^Orienter ici"))).not_to_have_count(0)


# Help and satisfaction (issue 8), on the demo's help centre, support requests and campaign
# (siao/demo/help_*.py). The national administrator has not answered the open campaign: its
# pages show the survey banner, which axe checks with them.
def help_pages(account) -> list[str]:
    from siao.knowledge.models import Article, Topic
    from siao.support.models import SupportRequest
    from siao.surveys.models import SatisfactionSurvey

    article = Article.objects.published().order_by("pk").first()
    topic = Topic.objects.order_by("position", "pk").first()
    pages = {
        None: [
            "/aide/",
            "/aide/recherche/?q=habilitation",
            "/aide/recherche/?q=zzzz-introuvable",
            f"/aide/articles/{article.slug}/",
            f"/aide/themes/{topic.slug}/",
            "/aide/nouveautes/",
            "/aide/sessions/",
            "/support/demande/",
        ],
        "admin.siao": ["/support/demandes/"],
    }
    if account == "admin.national":
        campaign = SatisfactionSurvey.objects.open().get()
        closed = SatisfactionSurvey.objects.exclude(pk=campaign.pk).order_by("pk").first()
        request = SupportRequest.objects.order_by("pk").first()
        return [
            "/",
            "/aide/",
            "/support/demandes/",
            f"/support/demandes/{request.public_id}/",
            "/aide/gestion/",
            "/aide/gestion/articles/nouveau/",
            f"/aide/gestion/articles/{article.public_id}/",
            "/aide/gestion/themes/nouveau/",
            "/aide/gestion/sessions/nouvelle/",
            "/enquetes/",
            "/enquetes/nouvelle/",
            f"/enquetes/{campaign.public_id}/repondre/",
            f"/enquetes/{campaign.public_id}/resultats/",
            f"/enquetes/{closed.public_id}/resultats/",
        ]
    return pages[account]


@pytest.mark.parametrize("account", [None, "admin.siao", "admin.national"])
def test_help_and_satisfaction_pages_have_no_automatically_detectable_accessibility_issue(
    live_server, page, axe_source, account
):
    seed_demo()
    if account is not None:
        membership = Membership.objects.filter(user__email=f"{account}@{DEMO_DOMAIN}").order_by("pk").first()
        client = log_in_as(Client(), membership)
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
    found = [v for path in help_pages(account) for v in violations(page, live_server.url + path, axe_source)]
    assert found == []
    if account == "admin.national":  # the banner was there, and axe saw it
        page.goto(live_server.url + "/")
        expect(page.get_by_role("link", name=re.compile("Répondre à l'enquête"))).to_have_count(1)
