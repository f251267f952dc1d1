"""The support team's queue: national administrators see every request, SIAO administrators
those of the users whose memberships they manage; filters, counts per status, pagination."""

import pytest
from django.urls import reverse

from siao.accounts.enums import Role
from siao.support.enums import SupportStatus
from siao.support.models import SupportRequest
from tests.factories import membership_for

from .conftest import OTHER_ROLES
from .helpers import make_request

pytestmark = pytest.mark.django_db

URL = "/support/demandes/"


def references(response) -> set[str]:
    return {support_request.reference for support_request in response.context["page"]}


def test_the_url_is_named():
    assert reverse("support:queue") == URL


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/connexion/")


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused(client_as, role):
    assert client_as(role).get(URL).status_code == 403


def test_a_national_administrator_sees_every_request(client_as, world):
    response = client_as(world.national).get(URL)
    assert response.status_code == 200
    assert references(response) == {
        r.reference
        for r in (
            world.from_staff,
            world.from_manager_anonymously,
            world.from_social_worker,
            world.from_elsewhere,
            world.from_nobody,
        )
    }
    assert "INVALID_TEMPLATE_VARIABLE" not in response.content.decode()


def test_a_siao_administrator_sees_the_requests_of_the_users_they_manage(client_as, world):
    response = client_as(world.siao_admin).get(URL)
    # Their SIAO's staff and the operators' managers of their département (even when the request
    # was sent without being logged in and matched by address); not a program's social worker
    # (the operator's manager handles them), not another SIAO's users, not an unknown sender.
    assert references(response) == {world.from_staff.reference, world.from_manager_anonymously.reference}
    other = client_as(world.other_siao_admin).get(URL)
    assert references(other) == {world.from_elsewhere.reference}


def test_a_revoked_or_expired_access_still_reaches_its_siao_administrator(client_as, world):
    from django.utils import timezone

    world.staff.revoked_at = timezone.now()
    world.staff.save(update_fields=["revoked_at"])
    assert world.from_staff.reference in references(client_as(world.siao_admin).get(URL))


def test_open_requests_are_listed_by_default_and_the_status_filter_narrows(client_as, world):
    SupportRequest.objects.filter(pk=world.from_nobody.pk).update(status=SupportStatus.CLOSED)
    SupportRequest.objects.filter(pk=world.from_elsewhere.pk).update(status=SupportStatus.WAITING_REQUESTER)
    client = client_as(world.national)
    assert world.from_nobody.reference not in references(client.get(URL))
    assert references(client.get(URL, {"statut": "closed"})) == {world.from_nobody.reference}
    assert references(client.get(URL, {"statut": "waiting_requester"})) == {world.from_elsewhere.reference}
    assert len(references(client.get(URL, {"statut": "toutes"}))) == 5


def test_the_counts_per_status_cover_every_visible_request(client_as, world):
    SupportRequest.objects.filter(pk=world.from_staff.pk).update(status=SupportStatus.RESOLVED)
    response = client_as(world.siao_admin).get(URL)
    counts = {value: count for value, _label, count in response.context["status_counts"]}
    assert counts == {"new": 1, "in_progress": 0, "waiting_requester": 0, "resolved": 1, "closed": 0}
    assert "Résolue : 1" in response.content.decode()


def test_category_assignment_and_text_filters(client_as, world):
    client = client_as(world.national)
    SupportRequest.objects.filter(pk=world.from_staff.pk).update(assigned_to=world.national.user)
    SupportRequest.objects.filter(pk=world.from_elsewhere.pk).update(assigned_to=world.siao_admin.user)
    assert references(client.get(URL, {"categorie": "improvement"})) == {world.from_social_worker.reference}
    assert references(client.get(URL, {"affectation": "moi"})) == {world.from_staff.reference}
    assert references(client.get(URL, {"affectation": "personne"})) == {
        world.from_manager_anonymously.reference,
        world.from_social_worker.reference,
        world.from_nobody.reference,
    }
    assert references(client.get(URL, {"q": world.from_elsewhere.reference.lower()})) == {
        world.from_elsewhere.reference
    }
    assert references(client.get(URL, {"q": "finistère"})) == {world.from_elsewhere.reference}
    assert references(client.get(URL, {"q": "inconnu"})) == {world.from_nobody.reference}


def test_an_invalid_filter_is_ignored_not_an_error(client_as, world):
    response = client_as(world.national).get(URL, {"statut": "n'importe", "categorie": "x"})
    assert response.status_code == 200


def test_the_queue_is_paginated_keeping_the_filters(client_as, world):
    for _ in range(26):
        make_request(category="incident")
    client = client_as(world.national)
    first = client.get(URL, {"categorie": "incident"})
    assert len(first.context["page"]) == 25
    assert "?categorie=incident&page=2" in first.content.decode()
    second = client.get(URL, {"categorie": "incident", "page": 2})
    assert len(second.context["page"]) == 4  # 26 + three incidents of the world


def test_a_script_in_a_subject_is_shown_as_text(client_as, world):
    make_request(subject="<script>alert('queue')</script>")
    content = client_as(world.national).get(URL).content.decode()
    assert "<script>alert('queue')</script>" not in content
    assert "&lt;script&gt;alert(&#x27;queue&#x27;)&lt;/script&gt;" in content


def test_the_queue_costs_a_fixed_number_of_queries(client_as, world, django_assert_num_queries):
    for _ in range(10):
        make_request(assigned_to=world.national.user)
    client = client_as(world.siao_admin)
    client.get(URL)
    # session, user, memberships, départements; counts; page count; page rows; session saved
    # (savepoint, update, release)
    with django_assert_num_queries(10):
        client.get(URL)
    national = client_as(world.national)
    with django_assert_num_queries(10):
        national.get(URL, {"q": "a", "categorie": "incident", "affectation": "personne"})


def test_the_home_page_shows_the_tile_to_the_support_team_only(client_as):
    from siao.support.tiles import tiles_for
    from tests.factories import membership_for as make

    national = client_as(Role.NATIONAL_ADMIN)
    assert "Demandes de support" in national.get("/").content.decode()
    for role in Role.values:
        membership = make(role)
        from siao.accounts.actor import Actor

        actor = Actor.for_membership(membership, set())
        titles = [tile.title for tile in tiles_for(actor)]
        assert titles == (["Demandes de support"] if role in (Role.NATIONAL_ADMIN, Role.SIAO_ADMIN) else []), role


def test_tiles_cost_no_query(django_assert_num_queries):
    from siao.accounts.actor import Actor
    from siao.support.tiles import tiles_for

    actor = Actor.for_membership(membership_for(Role.SIAO_ADMIN), set())
    with django_assert_num_queries(0):
        tiles_for(actor)
