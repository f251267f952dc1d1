"""The home page: its tiles follow the active role, in a fixed number of queries."""

import pytest
from django.urls import reverse

from siao.accounts.enums import Role

GRANTS = ["Habilitations", "Revue des droits d'accès"]
TRAIL = ["Journal des accès"]
ACCOUNT = ["Mon compte"]
PROGRAMS = ["Dispositifs"]
CREATE = ["Créer un dispositif"]
REVIEW = ["Dispositifs à valider", "Demandes de création"]
BOARD = ["Places disponibles"]
CAPACITY = ["Capacités"]
HOUSEHOLDS = ["Dossiers des ménages"]
SIAO_QUEUE = ["File d'attente du SIAO"]
PROGRAM_SIDE = ["Orientations reçues", "Prises en charge"]
DESK = ["Plateau 115", "Reconductions"]
FIGURES_115 = ["Chiffres du 115"]
ARRIVALS = ["Arrivées du 115"]
STATISTICS = ["Statistiques"]
RETENTION = ["Conservation des données", "Accès à l'archive légale"]
REPORTS = ["Rapports d'accès"]
RIGHTS = ["Droits des personnes"]
PARTNERS = ["Partenaires (API)"]
QUOTA = ["Contingent préfectoral"]
SUPPORT = ["Demandes de support"]
HELP_CENTRE = ["Centre d'aide"]
SURVEYS = ["Enquêtes de satisfaction"]
EXPECTED_TILES = {
    Role.NATIONAL_ADMIN: PROGRAMS
    + CREATE
    + REVIEW
    + CAPACITY
    + FIGURES_115
    + STATISTICS
    + RETENTION
    + REPORTS
    + RIGHTS
    + PARTNERS
    + QUOTA
    + SUPPORT
    + HELP_CENTRE
    + SURVEYS
    + GRANTS
    + TRAIL
    + ACCOUNT,
    Role.DEPARTMENT_ADMIN: PROGRAMS
    + CREATE
    + REVIEW
    + CAPACITY
    + FIGURES_115
    + STATISTICS
    + REPORTS
    + QUOTA
    + SURVEYS
    + GRANTS
    + TRAIL
    + ACCOUNT,
    Role.SIAO_ADMIN: BOARD
    + PROGRAMS
    + CREATE
    + REVIEW
    + CAPACITY
    + HOUSEHOLDS
    + SIAO_QUEUE
    + DESK
    + FIGURES_115
    + STATISTICS
    + REPORTS
    + RIGHTS
    + SUPPORT
    + GRANTS
    + TRAIL
    + ACCOUNT,
    Role.OPERATOR_MANAGER: PROGRAMS + CREATE + GRANTS + TRAIL + ACCOUNT,
    # The assistant helps with grants, but does not read the trail.
    Role.ASSISTANT: PROGRAMS + CREATE + GRANTS + ACCOUNT,
    # Analysts: the capacity dashboard only (aggregates), never programs.
    Role.ANALYST: CAPACITY + FIGURES_115 + STATISTICS + QUOTA + SURVEYS + ACCOUNT,
    Role.SIAO_OPERATOR: BOARD + PROGRAMS + HOUSEHOLDS + SIAO_QUEUE + DESK + FIGURES_115 + RIGHTS + ACCOUNT,
    Role.CALL_HANDLER: BOARD + PROGRAMS + HOUSEHOLDS + DESK + FIGURES_115 + ACCOUNT,
    Role.PROGRAM_MANAGER: PROGRAMS + HOUSEHOLDS + PROGRAM_SIDE + ARRIVALS + ACCOUNT,
    Role.SOCIAL_WORKER: PROGRAMS + HOUSEHOLDS + PROGRAM_SIDE + ARRIVALS + ACCOUNT,
}


HOME_QUERIES = 8


def test_every_role_has_its_expected_tiles_listed():
    assert set(EXPECTED_TILES) == set(Role.values)


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_the_home_page_shows_the_tiles_of_the_active_role(client_as, role):
    response = client_as(role).get(reverse("core:home"))
    assert response.status_code == 200
    assert [tile.title for tile in response.context["tiles"]] == EXPECTED_TILES[role]
    assert [item.title for item in response.context["nav_items"]] == EXPECTED_TILES[role]
    nav = [item.title for item in response.context["nav_items"] if item.nav_title]
    content = response.content.decode()
    assert all(
        f'class="fr-nav__link" href="{item.url}"' in content
        for item in response.context["nav_items"]
        if item.nav_title
    )
    assert len(nav) <= 7  # the main menu stays short


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN, Role.OPERATOR_MANAGER])
def test_administrators_are_offered_the_grants_and_the_audit_trail(client_as, role):
    content = client_as(role).get(reverse("core:home")).content.decode()
    assert "Habilitations" in content
    assert f'href="{reverse("accounts:membership_list")}"' in content
    assert "Journal des accès" in content
    assert f'href="{reverse("audit:trail")}"' in content


@pytest.mark.django_db
def test_a_social_worker_is_offered_neither_the_grants_nor_the_audit_trail(client_as):
    content = client_as(Role.SOCIAL_WORKER).get(reverse("core:home")).content.decode()
    assert "Habilitations" not in content
    assert "Journal des accès" not in content
    assert reverse("audit:trail") not in content
    assert "Mon compte" in content


@pytest.mark.django_db
def test_the_home_page_names_the_program_of_a_program_role(client_as):
    client = client_as(Role.SOCIAL_WORKER)
    content = client.get(reverse("core:home")).content.decode()
    assert f"dispositif {client.membership.program.name}" in content


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_the_home_page_runs_a_fixed_number_of_queries(client_as, role, django_assert_num_queries):
    client = client_as(role)
    # session, user, active memberships (with organization and program), départements of the
    # organization, an active authorization to read the legal archive (its tile), then the
    # session saved (savepoint, update, release).
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("core:home"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_home_page_queries_do_not_grow_with_the_memberships_held(client_as, django_assert_num_queries):
    from tests.factories import membership_for

    client = client_as(Role.SIAO_ADMIN)
    user = client.membership.user
    for role in (Role.SIAO_OPERATOR, Role.SOCIAL_WORKER, Role.OPERATOR_MANAGER):
        membership_for(role, user=user)
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("core:home"))
    assert response.context["request"].actor.role == Role.SIAO_ADMIN
    assert len(response.context["request"].actor.memberships) == 4


@pytest.mark.django_db
def test_a_street_outreach_team_gets_the_outreach_page_not_the_arrivals(client_as):
    from siao.offer.enums import ProgramType
    from tests.factories import ProgramFactory, membership_for

    team = ProgramFactory(name="Maraude - Test", type=ProgramType.OUTREACH)
    client = client_as(membership_for(Role.SOCIAL_WORKER, organization=team.operator, program=team))
    titles = [tile.title for tile in client.get(reverse("core:home")).context["tiles"]]
    assert "Maraude" in titles
    assert "Arrivées du 115" not in titles


@pytest.mark.django_db
def test_a_program_the_115_does_not_orient_to_gets_no_arrivals(client_as):
    from siao.offer.enums import ProgramType
    from tests.factories import ProgramFactory, membership_for

    boarding_house = ProgramFactory(name="Pension de famille - Test", type=ProgramType.FAMILY_BOARDING_HOUSE)
    client = client_as(
        membership_for(Role.SOCIAL_WORKER, organization=boarding_house.operator, program=boarding_house)
    )
    assert "Arrivées du 115" not in [tile.title for tile in client.get(reverse("core:home")).context["tiles"]]
