"""The membership pages: list, grant (employer authorization), periodic review and revocation."""

import datetime
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Membership, User
from siao.audit.models import AuditEvent
from tests.conftest import log_in_as
from tests.factories import (
    MembershipFactory,
    OperatorFactory,
    ProgramFactory,
    UserFactory,
    default_organization,
    membership_for,
)

pytestmark = pytest.mark.django_db

NOT_MANAGERS = [Role.ANALYST, Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER]
VIEWS = [
    "accounts:membership_list",
    "accounts:membership_grant",
    "accounts:membership_review",
    "accounts:membership_revoke",
]


def url_of(name: str) -> str:
    if name == "accounts:membership_revoke":
        return reverse(name, args=[membership_for(Role.CALL_HANDLER).public_id])
    return reverse(name)


def old_review() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.MEMBERSHIP_REVIEW_PERIOD_DAYS + 1)


def siao(code: str = "35"):
    return default_organization(OrganizationKind.SIAO, code)


def actions_recorded() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


# --- guards ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VIEWS)
def test_membership_pages_send_anonymous_users_to_login(client, name):
    url = url_of(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("role", NOT_MANAGERS)
@pytest.mark.parametrize("name", VIEWS)
def test_membership_pages_are_forbidden_to_roles_that_grant_nothing(client_as, role, name):
    client = client_as(role)
    url = url_of(name)
    assert client.get(url).status_code == 403
    response = client.post(url, {"reason": "départ", "memberships": [], "decision": "confirm"})
    assert response.status_code == 403
    assert "Votre profil actif ne donne pas accès à cette page." in response.content.decode()
    assert Membership.objects.filter(revoked_at__isnull=False).count() == 0


# --- list ------------------------------------------------------------------------------------


def test_the_list_shows_only_manageable_memberships(client_as):
    client = client_as(Role.SIAO_ADMIN)
    staff = membership_for(Role.CALL_HANDLER)
    manager_here = membership_for(Role.OPERATOR_MANAGER)
    manager_elsewhere = membership_for(Role.OPERATOR_MANAGER, code="29")
    staff_elsewhere = membership_for(Role.CALL_HANDLER, code="29")
    social_worker_here = membership_for(Role.SOCIAL_WORKER)
    ddets_here = membership_for(Role.DEPARTMENT_ADMIN)

    listed = set(client.get(reverse("accounts:membership_list")).context["page"].object_list)
    assert listed == {staff, manager_here}
    assert not listed & {manager_elsewhere, staff_elsewhere, social_worker_here, ddets_here}


def test_an_operator_manager_never_sees_siao_staff(client_as):
    client = client_as(Role.OPERATOR_MANAGER)
    colleague = membership_for(Role.ASSISTANT, organization=client.membership.organization)
    for role in (Role.SIAO_ADMIN, Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.DEPARTMENT_ADMIN):
        membership_for(role)
    membership_for(Role.ASSISTANT)  # another operator's staff

    response = client.get(reverse("accounts:membership_list"), {"statut": "all"})
    assert set(response.context["page"].object_list) == {client.membership, colleague}


def test_the_list_filters_by_status_role_and_text(client_as):
    client = client_as(Role.SIAO_ADMIN)
    active = membership_for(Role.CALL_HANDLER, user=UserFactory(last_name="Lefebvre"))
    due = membership_for(Role.SIAO_OPERATOR, last_reviewed_at=old_review())
    revoked = membership_for(Role.CALL_HANDLER, revoked_at=timezone.now())
    expired = membership_for(Role.CALL_HANDLER, ends_on=timezone.localdate() - datetime.timedelta(days=1))

    def listed(**params):
        return set(client.get(reverse("accounts:membership_list"), params).context["page"].object_list)

    me = client.membership  # a SIAO admin cannot manage a SIAO admin: not listed
    assert me not in listed(statut="all")
    assert listed() == listed(statut="active") == {active, due}
    assert listed(statut="review") == {due}
    assert listed(statut="revoked") == {revoked}
    assert listed(statut="all") == {active, due, revoked, expired}
    assert listed(statut="all", profil=Role.SIAO_OPERATOR) == {due}
    assert listed(profil="not_a_role") == {active, due}
    assert listed(q="lefeb") == {active}
    assert listed(q=active.user.email.upper()) == {active}
    assert listed(q="SIAO") == {active, due}  # organization name
    assert listed(q="personne") == set()


def test_the_list_costs_the_same_number_of_queries_whatever_its_length(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    membership_for(Role.CALL_HANDLER)
    # session, user, memberships, départements; count, rows, due count; session save (3)
    with django_assert_num_queries(10):
        response = client.get(reverse("accounts:membership_list"))
    assert len(response.context["page"].object_list) == 1
    for _ in range(9):
        membership_for(Role.CALL_HANDLER)
        membership_for(Role.OPERATOR_MANAGER, program=None)
    with django_assert_num_queries(10):
        response = client.get(reverse("accounts:membership_list"))
    assert len(response.context["page"].object_list) == 19


# --- grant -----------------------------------------------------------------------------------


def grant_data(**overrides):
    data = {
        "email": "Louise.Bernard@siao35.example",
        "first_name": "Louise",
        "last_name": "Bernard",
        "role": Role.CALL_HANDLER,
        "organization": siao("35").pk,
        "program": "",
        "ends_on": "",
    }
    data.update(overrides)
    return data


def post_grant(client, **overrides):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("accounts:membership_grant"), grant_data(**overrides))


def test_the_grant_page_has_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    OperatorFactory.create_batch(3)
    ProgramFactory.create_batch(3)
    # session, user, memberships, départements; organizations and programs choices; session save
    with django_assert_num_queries(9):
        response = client.get(reverse("accounts:membership_grant"))
    assert response.status_code == 200
    assert [value for value, _label in response.context["form"].fields["role"].choices][1:] == [
        Role.ANALYST,
        Role.SIAO_OPERATOR,
        Role.CALL_HANDLER,
        Role.OPERATOR_MANAGER,
    ]


def test_granting_a_role_to_a_new_person_creates_the_account_and_tells_them(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    admin = client.membership
    # actor (4); in one transaction: lock the user, insert it + event, membership + event; session
    with django_assert_num_queries(29):
        response = post_grant(client, ends_on=(timezone.localdate() + datetime.timedelta(days=90)).isoformat())
    assert response.status_code == 302
    assert response.url == reverse("accounts:membership_list")

    user = User.objects.get(email="louise.bernard@siao35.example")
    assert (user.first_name, user.last_name, user.has_usable_password()) == ("Louise", "Bernard", False)
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.organization, membership.program) == (Role.CALL_HANDLER, siao("35"), None)
    assert membership.granted_by == membership.last_reviewed_by == admin.user
    assert membership.ends_on == timezone.localdate() + datetime.timedelta(days=90)

    assert actions_recorded() == ["accounts.user_created", "accounts.membership_granted"]
    granted = AuditEvent.objects.get(action="accounts.membership_granted")
    assert (granted.actor_role, granted.target_organization_id) == (Role.SIAO_ADMIN, siao("35").pk)
    assert granted.object_id == str(membership.public_id)
    assert granted.data["role"] == Role.CALL_HANDLER

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["louise.bernard@siao35.example"]
    assert "Écoutant 115" in mail.outbox[0].body


def test_granting_a_role_to_an_existing_person_adds_a_membership(client_as):
    client = client_as(Role.SIAO_ADMIN)
    existing = membership_for(
        Role.SIAO_OPERATOR, user=UserFactory(email="louise.bernard@siao35.example", first_name="L.")
    )
    response = post_grant(client)
    assert response.status_code == 302
    assert set(existing.user.memberships.values_list("role", flat=True)) == {Role.SIAO_OPERATOR, Role.CALL_HANDLER}
    existing.user.refresh_from_db()
    assert existing.user.first_name == "L."  # an existing account keeps its name
    assert actions_recorded() == ["accounts.membership_granted"]
    assert len(mail.outbox) == 1


def test_an_operator_manager_grants_a_program_role_on_one_of_its_programs(client_as):
    client = client_as(Role.OPERATOR_MANAGER)
    program = ProgramFactory(operator=client.membership.organization)
    response = post_grant(
        client, role=Role.SOCIAL_WORKER, organization=program.operator.pk, program=program.pk, email="ts@asso.example"
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__email="ts@asso.example").program == program


def assert_nothing_granted():
    assert not User.objects.filter(email__startswith="louise.bernard").exists()
    assert not AuditEvent.objects.exists()
    assert mail.outbox == []


def test_granting_to_a_webmail_address_is_refused(client_as):
    client = client_as(Role.SIAO_ADMIN)
    response = post_grant(client, email="louise.bernard@gmail.com")
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Les adresses de messagerie personnelle (gmail.com) ne sont pas acceptées : "
        "utilisez votre adresse professionnelle individuelle."
    ]
    assert_nothing_granted()


def test_granting_a_role_the_actor_may_not_grant_is_refused(client_as):
    client = client_as(Role.SIAO_ADMIN)
    response = post_grant(client, role=Role.SIAO_ADMIN)
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert_nothing_granted()


def test_granting_a_grantable_role_in_the_wrong_organization_is_refused(client_as):
    client = client_as(Role.SIAO_ADMIN)
    operator = OperatorFactory(department_codes=["35"])
    response = post_grant(client, role=Role.CALL_HANDLER, organization=operator.pk)  # staff of an operator
    assert response.context["form"].non_field_errors() == [
        "Vous ne pouvez pas accorder ce profil dans cette organisation."
    ]
    response = post_grant(client, role=Role.OPERATOR_MANAGER, organization=siao("35").pk)
    assert response.context["form"].non_field_errors() == [
        "Vous ne pouvez pas accorder ce profil dans cette organisation."
    ]
    assert_nothing_granted()


@pytest.mark.parametrize("elsewhere", ["siao_29", "operator_29"])
def test_an_organization_outside_the_perimeter_is_not_a_choice(client_as, elsewhere):
    client = client_as(Role.SIAO_ADMIN)
    organization = siao("29") if elsewhere == "siao_29" else OperatorFactory(department_codes=["29"])
    form = client.get(reverse("accounts:membership_grant")).context["form"]
    assert organization not in form.fields["organization"].queryset
    response = post_grant(client, role=Role.OPERATOR_MANAGER, organization=organization.pk)
    assert "organization" in response.context["form"].errors
    assert_nothing_granted()


def test_an_end_date_in_the_past_is_refused(client_as):
    client = client_as(Role.SIAO_ADMIN)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = post_grant(client, ends_on=yesterday.isoformat())
    assert response.context["form"].errors["ends_on"] == ["La date de fin de validité ne peut pas être dans le passé."]
    assert_nothing_granted()


def test_a_duplicate_active_membership_is_refused(client_as):
    client = client_as(Role.SIAO_ADMIN)
    existing = membership_for(Role.CALL_HANDLER, user=UserFactory(email="louise.bernard@siao35.example"))
    response = post_grant(client)
    assert response.context["form"].non_field_errors() == [
        "Cette personne détient déjà ce profil dans cette organisation."
    ]
    assert existing.user.memberships.count() == 1
    assert not AuditEvent.objects.exists()


def test_the_same_role_may_be_granted_again_once_revoked(client_as):
    client = client_as(Role.SIAO_ADMIN)
    old = membership_for(
        Role.CALL_HANDLER, user=UserFactory(email="louise.bernard@siao35.example"), revoked_at=timezone.now()
    )
    assert post_grant(client).status_code == 302
    assert old.user.memberships.count() == 2


def test_a_program_role_without_a_program_is_refused(client_as):
    client = client_as(Role.OPERATOR_MANAGER)
    response = post_grant(client, role=Role.SOCIAL_WORKER, organization=client.membership.organization.pk)
    assert response.context["form"].errors["program"] == ["Ce profil s'exerce sur un dispositif : choisissez-le."]
    assert_nothing_granted()


def test_a_program_of_another_operator_is_refused(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    operator = OperatorFactory()
    response = post_grant(client, role=Role.SOCIAL_WORKER, organization=operator.pk, program=ProgramFactory().pk)
    assert response.context["form"].errors["program"] == [
        "Ce dispositif n'appartient pas à cette entité gestionnaire."
    ]
    assert_nothing_granted()


def test_a_deactivated_account_is_not_granted_anything(client_as):
    client = client_as(Role.SIAO_ADMIN)
    UserFactory(email="louise.bernard@siao35.example", is_active=False)
    response = post_grant(client)
    assert response.context["form"].errors["email"] == [
        "Ce compte est désactivé : un administrateur national doit le réactiver."
    ]
    assert not Membership.objects.filter(user__email="louise.bernard@siao35.example").exists()


# --- review ----------------------------------------------------------------------------------


def test_the_review_lists_the_memberships_due(client_as):
    client = client_as(Role.SIAO_ADMIN)
    stale = membership_for(Role.CALL_HANDLER, last_reviewed_at=old_review())
    ending = membership_for(Role.SIAO_OPERATOR, ends_on=timezone.localdate() + datetime.timedelta(days=30))
    membership_for(Role.SIAO_OPERATOR, ends_on=timezone.localdate() + datetime.timedelta(days=31))
    membership_for(Role.CALL_HANDLER)  # reviewed at its grant, just now
    membership_for(Role.CALL_HANDLER, last_reviewed_at=old_review(), revoked_at=timezone.now())
    membership_for(Role.CALL_HANDLER, code="29", last_reviewed_at=old_review())  # out of perimeter
    recent = timezone.now() - datetime.timedelta(days=settings.MEMBERSHIP_REVIEW_PERIOD_DAYS - 1)
    membership_for(Role.CALL_HANDLER, last_reviewed_at=recent)

    response = client.get(reverse("accounts:membership_review"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [stale, ending]


def test_the_review_costs_the_same_number_of_queries_whatever_its_length(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    reviewer = UserFactory()
    MembershipFactory(
        role=Role.CALL_HANDLER, organization=siao(), last_reviewed_at=old_review(), last_reviewed_by=reviewer
    )
    # session, user, memberships, départements; count, rows; session save (3)
    with django_assert_num_queries(9):
        response = client.get(reverse("accounts:membership_review"))
    assert len(response.context["page"].object_list) == 1
    for _ in range(9):
        MembershipFactory(
            role=Role.CALL_HANDLER, organization=siao(), last_reviewed_at=old_review(), last_reviewed_by=UserFactory()
        )
    with django_assert_num_queries(9):
        response = client.get(reverse("accounts:membership_review"))
    assert len(response.context["page"].object_list) == 10


def post_review(client, memberships, decision, reason=""):
    return client.post(
        reverse("accounts:membership_review"),
        {"memberships": [str(m.public_id) for m in memberships], "decision": decision, "reason": reason},
    )


def test_confirming_memberships_records_one_review_each(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    due = [membership_for(Role.CALL_HANDLER, last_reviewed_at=old_review()) for _ in range(3)]
    # actor (4); lock and prefetch (2); per membership an update and an audit event (6); session
    with django_assert_num_queries(23):
        response = post_review(client, due[:2], "confirm")
    assert response.status_code == 302
    assert response.url == reverse("accounts:membership_review")
    for membership in due[:2]:
        membership.refresh_from_db()
        assert membership.last_reviewed_by == client.membership.user
        assert timezone.now() - membership.last_reviewed_at < datetime.timedelta(minutes=1)
    due[2].refresh_from_db()
    assert due[2].last_reviewed_at < old_review() + datetime.timedelta(minutes=1)
    events = AuditEvent.objects.filter(action="accounts.membership_reviewed")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(m.public_id) for m in due[:2])
    assert list(client.get(reverse("accounts:membership_review")).context["page"].object_list) == [due[2]]


def test_revoking_from_the_review_requires_a_reason(client_as):
    client = client_as(Role.SIAO_ADMIN)
    due = membership_for(Role.CALL_HANDLER, last_reviewed_at=old_review())
    response = post_review(client, [due], "revoke", reason="   ")
    assert response.status_code == 400
    assert "Indiquez le motif de la révocation." in response.content.decode()
    due.refresh_from_db()
    assert due.revoked_at is None
    assert not AuditEvent.objects.exists()


def test_revoking_from_the_review_records_each_revocation(client_as):
    client = client_as(Role.SIAO_ADMIN)
    due = [membership_for(Role.CALL_HANDLER, last_reviewed_at=old_review()) for _ in range(2)]
    response = post_review(client, due, "revoke", reason="Départ de l'agent")
    assert response.status_code == 302
    for membership in due:
        membership.refresh_from_db()
        assert membership.revoked_by == client.membership.user
        assert membership.revocation_reason == "Départ de l'agent"
        assert membership.status == "revoked"
    events = AuditEvent.objects.filter(action="accounts.membership_revoked")
    assert events.count() == 2
    assert {e.data["reason"] for e in events} == {"Départ de l'agent"}


@pytest.mark.parametrize("decision", ["confirm", "revoke"])
def test_reviewing_memberships_outside_the_perimeter_is_forbidden_and_changes_nothing(client_as, decision):
    client = client_as(Role.SIAO_ADMIN)
    mine = membership_for(Role.CALL_HANDLER, last_reviewed_at=old_review())
    elsewhere = membership_for(Role.CALL_HANDLER, code="29", last_reviewed_at=old_review())
    response = post_review(client, [mine, elsewhere], decision, reason="départ")
    assert response.status_code == 403
    for membership in (mine, elsewhere):
        before = membership.last_reviewed_at
        membership.refresh_from_db()
        assert (membership.revoked_at, membership.last_reviewed_at) == (None, before)
    assert not AuditEvent.objects.exists()


def test_reviewing_without_a_selection_or_a_decision_says_what_is_missing(client_as):
    client = client_as(Role.SIAO_ADMIN)
    due = membership_for(Role.CALL_HANDLER, last_reviewed_at=old_review())
    response = post_review(client, [], "confirm")
    assert response.status_code == 400
    assert "Cochez au moins une habilitation." in response.content.decode()
    response = post_review(client, [due], "")
    assert response.status_code == 400
    assert "Choisissez « Confirmer » ou « Révoquer »." in response.content.decode()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("decision", ["confirm", "revoke"])
def test_reviewing_a_malformed_identifier_is_forbidden_not_a_crash(client_as, decision):
    client = client_as(Role.SIAO_ADMIN)
    due = membership_for(Role.CALL_HANDLER, last_reviewed_at=old_review())
    response = client.post(
        reverse("accounts:membership_review"),
        {"memberships": [str(due.public_id), "not-a-uuid"], "decision": decision, "reason": "départ"},
    )
    assert response.status_code == 403
    due.refresh_from_db()
    assert due.revoked_at is None
    assert not AuditEvent.objects.exists()


# --- revoke ----------------------------------------------------------------------------------


def test_the_revocation_page_asks_for_confirmation(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    target = membership_for(Role.CALL_HANDLER)
    # session, user, memberships, départements; the membership; session save (3)
    with django_assert_num_queries(8):
        response = client.get(reverse("accounts:membership_revoke", args=[target.public_id]))
    assert response.status_code == 200
    assert target.user.email in response.content.decode()
    target.refresh_from_db()
    assert target.revoked_at is None


def test_revoking_with_a_reason_ends_the_membership_and_the_holders_session(client_as, django_assert_num_queries):
    holder = Client()
    target = membership_for(Role.CALL_HANDLER)
    log_in_as(holder, target)
    assert holder.get(reverse("core:home")).status_code == 200

    client = client_as(Role.SIAO_ADMIN)
    url = reverse("accounts:membership_revoke", args=[target.public_id])
    with django_assert_num_queries(18):
        response = client.post(url, {"reason": "Fin de contrat"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:membership_list")
    target.refresh_from_db()
    assert (target.revoked_by, target.revocation_reason) == (client.membership.user, "Fin de contrat")
    event = AuditEvent.objects.get(action="accounts.membership_revoked")
    assert (event.object_id, event.data) == (str(target.public_id), {"reason": "Fin de contrat"})

    assert holder.get(reverse("core:home")).status_code == 302
    assert "_auth_user_id" not in holder.session


def test_revoking_without_a_reason_changes_nothing(client_as):
    client = client_as(Role.SIAO_ADMIN)
    target = membership_for(Role.CALL_HANDLER)
    response = client.post(reverse("accounts:membership_revoke", args=[target.public_id]), {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    target.refresh_from_db()
    assert target.revoked_at is None
    assert not AuditEvent.objects.exists()


def test_revoking_an_already_revoked_membership_says_so(client_as):
    client = client_as(Role.SIAO_ADMIN)
    target = membership_for(Role.CALL_HANDLER, revoked_at=timezone.now(), revocation_reason="premier motif")
    response = client.post(
        reverse("accounts:membership_revoke", args=[target.public_id]), {"reason": "second"}, follow=True
    )
    assert response.redirect_chain == [(reverse("accounts:membership_list"), 302)]
    assert "Cette habilitation est déjà révoquée." in response.content.decode()
    target.refresh_from_db()
    assert target.revocation_reason == "premier motif"


@pytest.mark.parametrize("target", ["staff_29", "operator_manager_29", "social_worker_35", "ddets_35", "unknown"])
def test_revoking_outside_the_perimeter_answers_not_found(client_as, target):
    client = client_as(Role.SIAO_ADMIN)
    public_id = {
        "staff_29": lambda: membership_for(Role.CALL_HANDLER, code="29").public_id,
        "operator_manager_29": lambda: membership_for(Role.OPERATOR_MANAGER, code="29").public_id,
        "social_worker_35": lambda: membership_for(Role.SOCIAL_WORKER).public_id,
        "ddets_35": lambda: membership_for(Role.DEPARTMENT_ADMIN).public_id,
        "unknown": uuid.uuid4,
    }[target]()
    url = reverse("accounts:membership_revoke", args=[public_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "départ"}).status_code == 404
    assert not Membership.objects.filter(revoked_at__isnull=False).exists()
    assert not AuditEvent.objects.exists()
