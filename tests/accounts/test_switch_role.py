"""Switching the active role: only to a membership the user holds and that is active."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from siao.accounts.actions import SESSION_ACTIVE_MEMBERSHIP
from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from tests.factories import membership_for

pytestmark = pytest.mark.django_db

REFUSED = "Vous ne détenez pas ce profil : le changement est refusé."


@pytest.fixture
def two_roles(client_as):
    """A user who is SIAO operator in 35 (active) and gestionnaire d'entité of an operator."""
    siao_operator = membership_for(Role.SIAO_OPERATOR)
    manager = membership_for(Role.OPERATOR_MANAGER, user=siao_operator.user)
    return client_as(siao_operator), siao_operator, manager


def test_switching_to_a_held_membership_changes_the_active_role(two_roles, django_assert_num_queries):
    client, siao_operator, manager = two_roles
    home = client.get(reverse("core:home"))
    assert home.wsgi_request.actor.role == Role.SIAO_OPERATOR
    assert "Habilitations" not in [tile.title for tile in home.context["tiles"]]

    # session, user, memberships, départements; audit event (5 in a savepoint); session save (3)
    with django_assert_num_queries(12):
        response = client.post(reverse("accounts:switch_role"), {"membership": str(manager.public_id)})
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert client.session[SESSION_ACTIVE_MEMBERSHIP] == str(manager.public_id)

    home = client.get(reverse("core:home"))
    actor = home.wsgi_request.actor
    assert (actor.role, actor.organization) == (Role.OPERATOR_MANAGER, manager.organization)
    assert actor.perimeter.organization_id == manager.organization_id
    assert "Gestionnaire d&#x27;entité" in home.content.decode()
    assert f"Profil actif : {manager}.".replace("'", "&#x27;") in home.content.decode()
    assert "Habilitations" in [tile.title for tile in home.context["tiles"]]

    event = AuditEvent.objects.get(action="accounts.role_switched")
    assert event.actor_role == Role.SIAO_OPERATOR  # recorded under the role being left
    assert event.data == {"from_role": Role.SIAO_OPERATOR, "to_role": Role.OPERATOR_MANAGER}
    assert event.object_id == str(manager.public_id)
    assert event.target_organization_id == manager.organization_id


def _other_users_membership(siao_operator, manager):
    return str(membership_for(Role.SIAO_ADMIN).public_id)


def _random_uuid(siao_operator, manager):
    return str(uuid.uuid4())


def _own_revoked_membership(siao_operator, manager):
    manager.revoked_at = timezone.now()
    manager.save()
    return str(manager.public_id)


def _own_expired_membership(siao_operator, manager):
    manager.ends_on = timezone.localdate().replace(year=2000)
    manager.save()
    return str(manager.public_id)


def _not_a_uuid(siao_operator, manager):
    return "'; drop table accounts_membership; --"


def _nothing(siao_operator, manager):
    return ""


@pytest.mark.parametrize(
    "requested",
    [_other_users_membership, _random_uuid, _own_revoked_membership, _own_expired_membership, _not_a_uuid, _nothing],
)
def test_switching_to_a_membership_not_held_is_refused_and_recorded(two_roles, requested):
    client, siao_operator, manager = two_roles
    public_id = requested(siao_operator, manager)

    response = client.post(reverse("accounts:switch_role"), {"membership": public_id}, follow=True)
    assert response.redirect_chain == [(reverse("core:home"), 302)]
    assert REFUSED in response.content.decode().replace("&#x27;", "'")
    assert client.session[SESSION_ACTIVE_MEMBERSHIP] == str(siao_operator.public_id)
    assert response.wsgi_request.actor.membership == siao_operator
    assert not AuditEvent.objects.filter(action="accounts.role_switched").exists()
    refused = AuditEvent.objects.get(action="accounts.role_switch_refused")
    assert refused.actor_user_id == siao_operator.user.pk
    assert refused.actor_role == Role.SIAO_OPERATOR
    assert refused.data == {"requested": public_id[:64]}


def test_switching_role_sends_anonymous_users_to_login(client):
    manager = membership_for(Role.OPERATOR_MANAGER)
    response = client.post(reverse("accounts:switch_role"), {"membership": str(manager.public_id)})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.exists()


def test_switching_role_refuses_get(two_roles):
    client, siao_operator, manager = two_roles
    assert client.get(reverse("accounts:switch_role"), {"membership": str(manager.public_id)}).status_code == 405
    assert client.session[SESSION_ACTIVE_MEMBERSHIP] == str(siao_operator.public_id)


def test_the_header_offers_a_role_switcher_only_to_users_with_several_memberships(client_as, two_roles):
    client, siao_operator, manager = two_roles
    content = client.get(reverse("core:home")).content.decode()
    assert 'name="membership"' in content
    assert str(manager.public_id) in content

    single = client_as(Role.SIAO_ADMIN)
    assert 'name="membership"' not in single.get(reverse("core:home")).content.decode()
