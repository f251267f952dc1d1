"""The vacancy board: available places of orientable programs in the SIAO's territory, live."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Organization
from siao.offer.enums import PlaceCategory, PlaceState, PlaceType, ProgramType, ValidationStatus
from siao.offer.models import Place
from tests.factories import MembershipFactory, OperatorFactory, PlaceGroupFactory, ProgramFactory, department

from .helpers import public, set_states

pytestmark = pytest.mark.django_db

URL = reverse("offer:vacancy_board")


def available_of(response, program) -> int:
    """The number in the element the browser tests read (the page's contract)."""
    match = re.search(rf'id="program-{program.public_id}-available">(\d+)<', response.content.decode())
    assert match, f"no available count for {program.name}"
    return int(match.group(1))


def shown(response, program) -> bool:
    return f"program-{program.public_id}-available" in response.content.decode()


# --- guards ----------------------------------------------------------------------------------


def test_board_sends_anonymous_users_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={URL}"


def test_an_htmx_refresh_after_the_session_ended_reloads_the_page_to_the_login_form(client):
    response = client.get(URL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('accounts:login')}?next={URL}"


@pytest.mark.parametrize(
    "role",
    [Role.ANALYST, Role.SOCIAL_WORKER, Role.OPERATOR_MANAGER, Role.PROGRAM_MANAGER, Role.DEPARTMENT_ADMIN],
)
def test_board_is_forbidden_to_roles_that_do_not_orient(client_as, role):
    assert client_as(role).get(URL).status_code == 403


@pytest.mark.parametrize("role", [Role.SIAO_ADMIN, Role.SIAO_OPERATOR, Role.CALL_HANDLER])
def test_board_is_open_to_the_siao_roles(client_as, role):
    assert client_as(role).get(URL).status_code == 200


@pytest.mark.parametrize("code", ["29", "99", "<script>"])
def test_a_departement_outside_the_territory_or_unknown_is_answered_404(client_as, code):
    PlaceGroupFactory(program=ProgramFactory(department=department("29")))
    assert client_as(Role.SIAO_ADMIN).get(URL, {"departement": code}).status_code == 404


# --- what it shows ---------------------------------------------------------------------------


def test_board_counts_available_places_per_program_and_group(client_as):
    program = ProgramFactory(name="CHRS - Les Tilleuls", contact_phone="02 99 00 00 00", contact_email="a@b.example")
    first = PlaceGroupFactory(program=program, name="Étage 1", capacity=4)
    PlaceGroupFactory(program=program, name="Étage 2", capacity=2, place_type=PlaceType.EMERGENCY)
    set_states(first, occupied=1, held=1, unavailable=1)

    response = client_as(Role.SIAO_OPERATOR).get(URL)

    assert available_of(response, program) == 3
    body = response.content.decode()
    assert "CHRS - Les Tilleuls" in body
    assert "02 99 00 00 00" in body and "a@b.example" in body
    assert program.operator.name in body
    assert "Place d&#x27;insertion" in body and "Place en urgence" in body
    assert "Chambre individuelle" in body
    assert response.context["total_available"] == 3
    assert [(g.name, g.available) for g in response.context["page"][0].groups] == [("Étage 1", 1), ("Étage 2", 2)]


def test_board_shows_only_orientable_programs_of_the_territory(client_as):
    here = PlaceGroupFactory(capacity=2).program
    elsewhere = PlaceGroupFactory(program=ProgramFactory(department=department("29"))).program
    submitted = PlaceGroupFactory(program=ProgramFactory(validation_status=ValidationStatus.SUBMITTED)).program
    closed = PlaceGroupFactory(
        program=ProgramFactory(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    ).program
    not_started = PlaceGroupFactory(
        program=ProgramFactory(starts_on=timezone.localdate() + datetime.timedelta(days=1))
    ).program

    response = client_as(Role.SIAO_ADMIN).get(URL)

    assert available_of(response, here) == 2
    for program in (elsewhere, submitted, closed, not_started):
        assert not shown(response, program)
    assert response.context["total_available"] == 2


def test_the_siao_of_another_departement_sees_its_own_places_only(client_as):
    ours = PlaceGroupFactory().program
    theirs = PlaceGroupFactory(program=ProgramFactory(department=department("29"))).program
    response = client_as(Role.CALL_HANDLER, code="29").get(URL)
    assert available_of(response, theirs) == 3
    assert not shown(response, ours)


def test_a_program_without_available_place_is_not_listed(client_as):
    group = PlaceGroupFactory(capacity=2)
    set_states(group, occupied=2)
    response = client_as(Role.SIAO_ADMIN).get(URL)
    assert not shown(response, group.program)
    assert "Aucune place disponible ne correspond à ces critères." in response.content.decode()


def test_a_state_change_shows_at_the_next_refresh(client_as):
    group = PlaceGroupFactory(capacity=3)
    client = client_as(Role.SIAO_ADMIN)
    assert available_of(client.get(URL), group.program) == 3
    Place.objects.filter(pk=group.places.first().pk).update(state=PlaceState.OCCUPIED)
    assert available_of(client.get(URL, headers={"HX-Request": "true"}), group.program) == 2


# --- filters ---------------------------------------------------------------------------------


def test_board_filters_by_place_type_and_category(client_as):
    program = ProgramFactory()
    PlaceGroupFactory(program=program, capacity=2, place_type=PlaceType.EMERGENCY)
    PlaceGroupFactory(program=program, capacity=3, place_category=PlaceCategory.T2)
    client = client_as(Role.SIAO_ADMIN)
    assert available_of(client.get(URL, {"type": PlaceType.EMERGENCY}), program) == 2
    assert available_of(client.get(URL, {"categorie": PlaceCategory.T2}), program) == 3
    response = client.get(URL, {"type": PlaceType.EMERGENCY, "categorie": PlaceCategory.T2})
    assert not shown(response, program)


def test_board_filters_by_public_of_the_group_or_else_of_the_program(client_as):
    program = ProgramFactory()
    program.publics.add(public("single_woman"))
    women = PlaceGroupFactory(program=program, capacity=2)  # no public of its own: the program's
    men = PlaceGroupFactory(program=program, capacity=3)
    men.publics.add(public("single_man"))
    client = client_as(Role.SIAO_ADMIN)

    assert available_of(client.get(URL, {"public": "single_woman"}), program) == 2
    assert available_of(client.get(URL, {"public": "single_man"}), program) == 3
    assert not shown(client.get(URL, {"public": "couple_with_children"}), program)
    assert [g.name for g in client.get(URL, {"public": "single_man"}).context["page"][0].groups] == [men.name]
    assert women.name in client.get(URL).content.decode()


def test_a_group_open_to_all_publics_matches_every_public_filter(client_as):
    group = PlaceGroupFactory(capacity=2)
    group.publics.add(public("all_public"), public("single_man"))
    response = client_as(Role.SIAO_ADMIN).get(URL, {"public": "couple_with_children"})
    assert available_of(response, group.program) == 2  # counted once, whatever the publics


def test_board_filters_by_departement_within_a_multi_departement_siao(client_as):
    siao = Organization.objects.create(kind=OrganizationKind.SIAO, name="SIAO interdépartemental")
    siao.departments.add(department("35"), department("29"))
    in_35 = PlaceGroupFactory().program
    in_29 = PlaceGroupFactory(program=ProgramFactory(department=department("29"))).program
    client = client_as(MembershipFactory(role=Role.SIAO_ADMIN, organization=siao))
    both = client.get(URL)
    assert shown(both, in_35) and shown(both, in_29)
    only_29 = client.get(URL, {"departement": "29"})
    assert shown(only_29, in_29) and not shown(only_29, in_35)
    assert client.get(URL, {"departement": "56"}).status_code == 404


def test_an_invalid_filter_is_reported_and_not_applied(client_as):
    group = PlaceGroupFactory()
    response = client_as(Role.SIAO_ADMIN).get(URL, {"type": "castle"})
    assert response.status_code == 200
    assert available_of(response, group.program) == 3
    assert "Sélectionnez un choix valide" in response.content.decode()


# --- page, refresh ---------------------------------------------------------------------------


def test_full_page_loads_htmx_from_a_static_file_with_the_nonce_and_polls_every_30_seconds(client_as):
    response = client_as(Role.SIAO_ADMIN).get(URL)
    body = response.content.decode()
    nonce = re.search(r'<script src="/static/django_htmx/htmx-2.min.js" defer nonce="([^"]+)"', body).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert '"includeIndicatorStyles": false' in body
    assert 'hx-trigger="every 30s"' in body
    assert ">Actualiser</a>" in body
    assert "style=" not in body


def test_an_htmx_request_gets_the_board_fragment_only(client_as):
    PlaceGroupFactory()
    response = client_as(Role.SIAO_ADMIN).get(URL, {"type": PlaceType.INSERTION}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="vacancy-board"')
    assert "<html" not in body
    assert f'hx-get="{URL}?type=insertion"' in body


def test_automatic_refresh_can_be_stopped_without_javascript(client_as):
    response = client_as(Role.SIAO_ADMIN).get(URL, {"auto": "0"})
    body = response.content.decode()
    assert "hx-trigger" not in body
    assert "Reprendre l'actualisation automatique" in body


def test_programs_are_paginated_by_fifty(client_as):
    operator = OperatorFactory()
    for n in range(51):
        PlaceGroupFactory(program=ProgramFactory(operator=operator, name=f"CHRS - {n:02d}"), capacity=1)
    client = client_as(Role.SIAO_ADMIN)
    assert len(client.get(URL).context["page"]) == 50
    second = client.get(URL, {"page": 2}).context
    assert [p.name for p in second["page"]] == ["CHRS - 50"]
    assert second["total_available"] == 51


# --- cost ------------------------------------------------------------------------------------


def _populate(programs: int, groups_per_program: int):
    operator = OperatorFactory()
    for n in range(programs):
        program = ProgramFactory(operator=operator, type=ProgramType.NON_CHRS)
        program.publics.add(public("single_man"))
        for _ in range(groups_per_program):
            group = PlaceGroupFactory(program=program, capacity=3)
            group.publics.add(public("single_woman"))
            set_states(group, occupied=n % 2)


@pytest.mark.parametrize("programs", [1, 12])
def test_board_query_count_does_not_grow_with_the_data(client_as, django_assert_num_queries, programs):
    _populate(programs, groups_per_program=2)
    client = client_as(Role.SIAO_ADMIN)
    # session, user, memberships, départements of the organization (actor: 4), territory
    # départements, publics, per-program totals, per-group counts, groups with programs,
    # group publics, program publics (7); the session save (savepoint, update, release: 3).
    with django_assert_num_queries(14):
        response = client.get(URL, {"public": "single_woman", "type": PlaceType.INSERTION})
    assert len(response.context["page"]) == programs


def test_an_empty_board_skips_the_detail_queries(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    with django_assert_num_queries(10):
        client.get(URL)


def test_a_state_change_through_the_place_action_shows_on_the_board_and_the_dashboard(client_as):
    from siao.accounts.actor import Actor
    from siao.offer.actions.places import change_place_state
    from tests.factories import membership_for

    group = PlaceGroupFactory(capacity=2)
    manager = membership_for(Role.OPERATOR_MANAGER, organization=group.program.operator)
    actor = Actor.for_membership(manager, manager.organization.departments.values_list("pk", flat=True), [manager])
    board = client_as(Role.SIAO_ADMIN)
    assert available_of(board.get(URL), group.program) == 2

    place = group.places.first()
    change_place_state(actor=actor, place=place, to_state=PlaceState.OCCUPIED, expected_version=place.version)

    assert available_of(board.get(URL), group.program) == 1
    dashboard = client_as(Role.DEPARTMENT_ADMIN).get(
        reverse("offer:capacity_dashboard"), {"date": timezone.localdate().isoformat()}
    )
    row = dashboard.context["table"].rows[0]
    assert (row.occupied, row.occupied_at) == (1, 1)
