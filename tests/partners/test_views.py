"""The partner clients' pages (Administrateur national) and the contingent préfectoral (State
roles): guards (login, role, perimeter), what they show, secrets shown once, French errors
with nothing saved, and pinned query counts."""

import datetime
import hashlib
import html
import inspect
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.accounts.models import User
from siao.audit.labels import ACTION_LABELS
from siao.audit.models import AuditEvent
from siao.partners import actions, api, credentials, tiles
from siao.partners.enums import EventStatus, EventType, Scope
from siao.partners.models import ClientSecret, PartnerClient, WebhookAttempt, WebhookEvent
from tests.factories import OperatorFactory, PlaceGroupFactory, ProgramFactory, department, membership_for
from tests.offer.programs.helpers import actor_for

from .helpers import register

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"partners:{name}", args=args)


def text(response) -> str:
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def event(client, *, status=EventStatus.PENDING, attempts=0, error="", key="k"):
    return WebhookEvent.objects.create(
        client=client,
        type=EventType.REFERRAL_PROPOSED,
        ordering_key=key,
        payload={"referral": {"id": key}},
        status=status,
        attempts=attempts,
        last_error=error,
    )


@pytest.fixture
def operator():
    return OperatorFactory(name="Adoma Test")


@pytest.fixture
def partner(operator):
    return register([operator], name="Adoma SI")


@pytest.fixture
def admin(client_as):
    return client_as(Role.NATIONAL_ADMIN)


def client_urls(partner, dead=None, secret=None):
    """(method, path) of every page of a client."""
    client = partner.client
    dead = dead or event(client, status=EventStatus.DEAD)
    secret = secret or client.secrets.get()
    public_id = client.public_id
    return [
        ("get", url("client_detail", public_id)),
        ("get", url("client_edit", public_id)),
        ("post", url("client_set_active", public_id)),
        ("get", url("secret_rotate", public_id)),
        ("post", url("secret_revoke", public_id, secret.pk)),
        ("get", url("webhook_secret_rotate", public_id)),
        ("get", url("event_list", public_id)),
        ("post", url("event_replay_all", public_id)),
        ("get", url("event_detail", public_id, dead.event_id)),
        ("post", url("event_replay", public_id, dead.event_id)),
    ]


def all_urls(partner):
    return [("get", url("client_list")), ("get", url("client_create")), ("get", url("quota")), *client_urls(partner)]


# --- guards -----------------------------------------------------------------------------------


def test_anonymous_users_go_to_login(client, partner):
    for method, path in all_urls(partner):
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response.url == f"{reverse('accounts:login')}?next={path}"


@pytest.mark.parametrize(
    "role", [Role.DEPARTMENT_ADMIN, Role.ANALYST, Role.SIAO_ADMIN, Role.OPERATOR_MANAGER, Role.PROGRAM_MANAGER]
)
def test_only_the_national_admin_manages_partners(client_as, partner, role):
    client = client_as(role)
    for method, path in [("get", url("client_list")), ("get", url("client_create")), *client_urls(partner)]:
        assert getattr(client, method)(path).status_code == 403, path
    # Nothing changed by the refused POSTs.
    partner.client.refresh_from_db()
    assert partner.client.is_active
    assert WebhookEvent.objects.get().status == EventStatus.DEAD
    assert ClientSecret.objects.get().revoked_at is None


@pytest.mark.parametrize("role", [Role.SIAO_ADMIN, Role.SIAO_OPERATOR, Role.OPERATOR_MANAGER, Role.PROGRAM_MANAGER])
def test_the_contingent_is_for_state_roles_only(client_as, role):
    assert client_as(role).get(url("quota")).status_code == 403


def test_an_unknown_client_answers_404(admin, partner):
    other = register([OperatorFactory()], name="Autre partenaire")
    missing = PartnerClient(public_id=uuid.uuid4(), client_id="x")
    for method, path in client_urls(
        partner, dead=event(other.client, status=EventStatus.DEAD), secret=other.client.secrets.get()
    ):
        path = path.replace(str(partner.client.public_id), str(missing.public_id))
        assert getattr(admin, method)(path).status_code == 404, path


def test_another_clients_event_or_secret_answers_404_under_a_clients_url(admin, partner):
    other = register([OperatorFactory()], name="Autre partenaire")
    foreign_event = event(other.client, status=EventStatus.DEAD)
    foreign_secret = other.client.secrets.get()
    public_id = partner.client.public_id
    assert admin.get(url("event_detail", public_id, foreign_event.event_id)).status_code == 404
    assert admin.post(url("event_replay", public_id, foreign_event.event_id)).status_code == 404
    assert admin.post(url("secret_revoke", public_id, foreign_secret.pk)).status_code == 404
    foreign_event.refresh_from_db()
    foreign_secret.refresh_from_db()
    assert foreign_event.status == EventStatus.DEAD and foreign_secret.revoked_at is None


def test_post_only_views_refuse_get(admin, partner):
    dead = event(partner.client, status=EventStatus.DEAD)
    public_id = partner.client.public_id
    for path in (
        url("client_set_active", public_id),
        url("secret_revoke", public_id, partner.client.secrets.get().pk),
        url("event_replay_all", public_id),
        url("event_replay", public_id, dead.event_id),
    ):
        assert admin.get(path).status_code == 405, path


# --- list -------------------------------------------------------------------------------------

LIST_QUERIES = 9


def test_the_list_shows_the_clients_with_their_event_counts(admin, partner, operator, django_assert_num_queries):
    event(partner.client)
    event(partner.client, status=EventStatus.DEAD)
    event(partner.client, status=EventStatus.DEAD)
    event(partner.client, status=EventStatus.DELIVERED)
    with django_assert_num_queries(LIST_QUERIES):
        response = admin.get(url("client_list"))
    assert response.status_code == 200
    (shown,) = response.context["clients"]
    assert (shown.pending_count, shown.dead_count) == (1, 2)
    page = text(response)
    assert "Adoma SI" in page and "Adoma Test" in page and partner.client.client_id in page
    assert all(label in page for label in Scope.labels)
    assert "http://127.0.0.1:9/webhooks" in page


def test_the_list_costs_the_same_whatever_the_number_of_clients(admin, partner, django_assert_num_queries):
    for n in range(3):
        register([OperatorFactory(), OperatorFactory()], name=f"Partenaire {n}")
    with django_assert_num_queries(LIST_QUERIES):
        assert admin.get(url("client_list")).status_code == 200


# --- registration -----------------------------------------------------------------------------


def post_once(admin, path, data):
    """The forms that show secrets act once: their one-time token comes with the form."""
    once = admin.get(path).context["once"]
    return admin.post(path, {**data, "once": once})


def form_data(operators, /, **overrides):
    data = {
        "name": "Adoma SI",
        "operators": [str(o.public_id) for o in operators],
        "scopes": [Scope.OFFER_READ, Scope.REFERRALS_READ],
        "webhook_url": "https://partenaire.example/webhooks",
        "rate_limit_per_minute": "120",
        "contact_email": "technique@partenaire.example",
    }
    data.update(overrides)
    return data


CREATE_FORM_QUERIES = 8


def test_the_registration_form_lists_the_operators(admin, operator, django_assert_num_queries):
    OperatorFactory(name="Entité inactive", is_active=False)
    with django_assert_num_queries(CREATE_FORM_QUERIES):
        response = admin.get(url("client_create"))
    assert response.status_code == 200
    page = text(response)
    assert "Adoma Test" in page and "Entité inactive" not in page
    assert "csrfmiddlewaretoken" in page


def test_registering_shows_the_secrets_once_and_stores_only_their_hash(admin, operator):
    response = post_once(admin, url("client_create"), form_data([operator]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    client = PartnerClient.objects.get()
    values = {label: value for label, value, _ in response.context["values"]}
    client_id = values["Identifiant client (client_id)"]
    secret = values["Secret client (client_secret)"]
    webhook_secret = values["Secret de signature des webhooks"]
    assert client_id == client.client_id
    assert secret in text(response) and webhook_secret in text(response)
    # Stored hashed only; the secret works; the webhook secret is the client's.
    stored = ClientSecret.objects.get(client=client)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.hint == secret[-4:]
    assert secret not in str(list(ClientSecret.objects.values()))
    assert credentials.find_client(client_id, secret) == client
    assert webhook_secret == credentials.webhook_secret(client)
    # What was asked is saved.
    assert client.name == "Adoma SI" and list(client.operators.all()) == [operator]
    assert client.scopes == sorted([Scope.OFFER_READ, Scope.REFERRALS_READ])
    assert client.webhook_url == "https://partenaire.example/webhooks"
    assert (client.rate_limit_per_minute, client.contact_email) == (120, "technique@partenaire.example")
    assert AuditEvent.objects.filter(action="partners.client_registered", object_id=str(client.public_id)).exists()
    # Never shown again, nor kept in the session.
    detail = text(admin.get(url("client_detail", client.public_id)))
    assert secret not in detail and webhook_secret not in detail and f"…{secret[-4:]}" in detail
    assert secret not in str(dict(admin.session))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"operators": []}, "operators", "Choisissez au moins une entité gestionnaire."),
        ({"scopes": ["offer:read", "everything"]}, "scopes", "Un des droits choisis n'existe pas."),
        ({"scopes": []}, "scopes", "Choisissez au moins un droit."),
        ({"webhook_url": "pas une adresse"}, "webhook_url", "Indiquez une adresse web valide (https://…)."),
        ({"webhook_url": "ftp://partenaire.example/"}, "webhook_url", "Indiquez une adresse web valide (https://…)."),
        (
            {"rate_limit_per_minute": "0"},
            "rate_limit_per_minute",
            "La limite est un nombre d'appels par minute entre 1 et 100 000.",
        ),
        (
            {"rate_limit_per_minute": "beaucoup"},
            "rate_limit_per_minute",
            "La limite est un nombre entier d'appels par minute.",
        ),
        ({"name": "AB"}, "name", "Indiquez le nom du partenaire (3 à 150 caractères)."),
        ({"contact_email": "pas-une-adresse"}, "contact_email", None),
    ],
)
def test_bad_registrations_are_refused_in_french_and_save_nothing(admin, operator, overrides, field, message):
    users = User.objects.count()
    response = post_once(admin, url("client_create"), form_data([operator], **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    if message:
        assert errors == [message]
    assert PartnerClient.objects.count() == 0 and ClientSecret.objects.count() == 0
    assert User.objects.count() == users
    assert not AuditEvent.objects.filter(action__startswith="partners.").exists()


def test_an_organization_that_is_not_an_operator_is_refused(admin, operator):
    siao = membership_for(Role.SIAO_OPERATOR).organization
    response = post_once(admin, url("client_create"), form_data([operator, siao]))
    assert response.status_code == 400
    assert response.context["form"].errors["operators"] == [
        "Une des entités choisies n'existe pas ou n'est pas une entité gestionnaire active."
    ]
    assert PartnerClient.objects.count() == 0


# --- detail, edit, activation ---------------------------------------------------------------

DETAIL_QUERIES = 11


def test_the_detail_shows_settings_secrets_and_counts(admin, partner, django_assert_num_queries):
    actions.rotate_secret(actor=actor_for(membership_for(Role.NATIONAL_ADMIN)), client=partner.client)
    event(partner.client, status=EventStatus.DEAD)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = admin.get(url("client_detail", partner.client.public_id))
    assert response.status_code == 200
    page = text(response)
    assert partner.client_secret not in page
    assert f"…{partner.client_secret[-4:]}" in page
    assert len(response.context["secrets"]) == 2
    assert "Rejouer tous les événements en échec (1)" in page
    assert "Adoma Test" in page and "600 par minute" in page


EDIT_QUERIES = 10


def test_the_admin_edits_a_client(admin, partner, operator, django_assert_num_queries):
    other = OperatorFactory(name="Autre entité")
    path = url("client_edit", partner.client.public_id)
    with django_assert_num_queries(EDIT_QUERIES):
        response = admin.get(path)
    assert response.status_code == 200
    assert response.context["form"].initial["operators"] == [operator.public_id]
    response = admin.post(
        path,
        form_data([operator, other], name="Adoma SI v2", scopes=[Scope.QUOTA_READ], webhook_url=""),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("client_detail", partner.client.public_id)
    assert messages_of(response) == [
        "Client modifié. Ses jetons en cours sont révoqués : il en demande de nouveaux avec ses nouveaux droits."
    ]
    client = PartnerClient.objects.get()
    assert client.name == "Adoma SI v2" and client.scopes == [Scope.QUOTA_READ] and client.webhook_url == ""
    assert set(client.operators.all()) == {operator, other}
    assert AuditEvent.objects.filter(action="partners.client_updated").exists()
    # The same again: nothing to change.
    response = admin.post(
        path,
        form_data([operator, other], name="Adoma SI v2", scopes=[Scope.QUOTA_READ], webhook_url=""),
        follow=True,
    )
    assert messages_of(response) == ["Aucune modification."]


def test_bad_edits_are_refused_and_change_nothing(admin, partner, operator):
    path = url("client_edit", partner.client.public_id)
    response = admin.post(path, form_data([], webhook_url="javascript:alert(1)", scopes=["admin"]))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["operators"] == ["Choisissez au moins une entité gestionnaire."]
    assert errors["scopes"] == ["Un des droits choisis n'existe pas."]
    response = admin.post(path, form_data([operator], webhook_url="javascript:alert(1)"))
    assert response.status_code == 400
    assert response.context["form"].errors["webhook_url"] == ["Indiquez une adresse web valide (https://…)."]
    client = PartnerClient.objects.get()
    assert client.name == "Adoma SI" and client.webhook_url == "http://127.0.0.1:9/webhooks"
    assert client.scopes == sorted(Scope.values)
    assert not AuditEvent.objects.filter(action="partners.client_updated").exists()


def test_the_admin_deactivates_then_reactivates_a_client(admin, partner):
    path = url("client_set_active", partner.client.public_id)
    response = admin.post(path, {"actif": "non"}, follow=True)
    assert response.redirect_chain[-1][0] == url("client_detail", partner.client.public_id)
    partner.client.refresh_from_db()
    assert not partner.client.is_active
    assert credentials.find_client(partner.client.client_id, partner.client_secret) is None
    assert "Réactiver le client" in text(response)
    admin.post(path, {"actif": "oui"}, follow=True)
    partner.client.refresh_from_db()
    assert partner.client.is_active
    assert list(
        AuditEvent.objects.filter(action__startswith="partners.client_")
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == ["partners.client_registered", "partners.client_deactivated", "partners.client_activated"]
    response = admin.post(path, {"actif": "peut-être"}, follow=True)
    assert messages_of(response) == ["Action inconnue : rechargez la page et réessayez."]
    partner.client.refresh_from_db()
    assert partner.client.is_active


# --- secrets ----------------------------------------------------------------------------------

ROTATE_FORM_QUERIES = 8


def test_rotating_keeps_the_old_secret_valid_until_the_end_of_the_grace(admin, partner, django_assert_num_queries):
    client = partner.client
    path = url("secret_rotate", client.public_id)
    with django_assert_num_queries(ROTATE_FORM_QUERIES):
        response = admin.get(path)
    assert response.status_code == 200 and response.context["form"]["grace_days"].value() == 7
    before = timezone.now()
    response = post_once(admin, path, {"grace_days": "7"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    new_secret = {label: value for label, value, _ in response.context["values"]}["Secret client (client_secret)"]
    assert new_secret in text(response) and "reste valide 7 jours" in text(response)
    old = ClientSecret.objects.get(hint=partner.client_secret[-4:])
    new = ClientSecret.objects.get(secret_hash=hashlib.sha256(new_secret.encode()).hexdigest())
    # Both valid now; the old one until the end of the grace period only.
    assert credentials.find_client(client.client_id, partner.client_secret) == client
    assert credentials.find_client(client.client_id, new_secret) == client
    assert before + datetime.timedelta(days=7) <= old.expires_at <= timezone.now() + datetime.timedelta(days=7)
    assert not old.is_valid(old.expires_at + datetime.timedelta(seconds=1))
    assert new.expires_at is None and new.revoked_at is None
    assert AuditEvent.objects.filter(action="partners.secret_rotated").exists()


def test_rotating_without_grace_revokes_the_old_secret_at_once(admin, partner):
    post_once(admin, url("secret_rotate", partner.client.public_id), {"grace_days": "0"})
    assert credentials.find_client(partner.client.client_id, partner.client_secret) is None
    assert ClientSecret.objects.get(hint=partner.client_secret[-4:]).revoked_at is not None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31", "Le délai de recouvrement est de 0 à 30 jours."),
        ("-1", "Le délai de recouvrement est de 0 à 30 jours."),
        ("une semaine", "Le délai est un nombre entier de jours."),
        ("", "Indiquez le délai de recouvrement."),
    ],
)
def test_a_bad_grace_is_refused_and_rotates_nothing(admin, partner, value, message):
    for name in ("secret_rotate", "webhook_secret_rotate"):
        response = post_once(admin, url(name, partner.client.public_id), {"grace_days": value})
        assert response.status_code == 400
        assert response.context["form"].errors["grace_days"] == [message]
    assert ClientSecret.objects.count() == 1
    assert PartnerClient.objects.get().webhook_salt == partner.client.webhook_salt
    assert not AuditEvent.objects.filter(action__in=["partners.secret_rotated", "partners.webhook_secret_rotated"])


def test_revoking_a_secret(admin, partner):
    secret = partner.client.secrets.get()
    path = url("secret_revoke", partner.client.public_id, secret.pk)
    response = admin.post(path, follow=True)
    assert messages_of(response) == [f"Le secret …{secret.hint} est révoqué : il ne permet plus d'obtenir de jeton."]
    secret.refresh_from_db()
    assert secret.revoked_at is not None
    assert credentials.find_client(partner.client.client_id, partner.client_secret) is None
    assert AuditEvent.objects.filter(action="partners.secret_revoked").count() == 1
    response = admin.post(path, follow=True)
    assert messages_of(response) == ["Ce secret est déjà révoqué."]
    assert AuditEvent.objects.filter(action="partners.secret_revoked").count() == 1


def test_rotating_the_webhook_secret_shows_it_once(admin, partner):
    old = partner.webhook_secret
    response = post_once(admin, url("webhook_secret_rotate", partner.client.public_id), {"grace_days": "3"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    client = PartnerClient.objects.get()
    new = credentials.webhook_secret(client)
    assert new != old and new in text(response)
    assert credentials.webhook_secrets(client) == [new, old]  # both sign during the overlap
    assert AuditEvent.objects.filter(action="partners.webhook_secret_rotated").exists()
    assert new not in text(admin.get(url("client_detail", client.public_id)))


# --- delivery log -----------------------------------------------------------------------------

EVENT_LIST_QUERIES = 11
EVENT_DETAIL_QUERIES = 10


def test_the_delivery_log_lists_events_newest_first_and_filters(admin, partner, django_assert_num_queries):
    first = event(partner.client, status=EventStatus.DELIVERED, attempts=1)
    dead = event(partner.client, status=EventStatus.DEAD, attempts=8, error="HTTP 503")
    pending = event(partner.client, attempts=2, error="délai dépassé")
    event(register([OperatorFactory()], name="Autre").client, status=EventStatus.DEAD)
    path = url("event_list", partner.client.public_id)
    with django_assert_num_queries(EVENT_LIST_QUERIES):
        response = admin.get(path)
    assert [e.pk for e in response.context["page"]] == [pending.pk, dead.pk, first.pk]
    page = text(response)
    assert "HTTP 503" in page and "délai dépassé" in page and "Rejouer tous les événements en échec (1)" in page
    with django_assert_num_queries(EVENT_LIST_QUERIES):
        response = admin.get(path, {"statut": "dead"})
    assert [e.pk for e in response.context["page"]] == [dead.pk]
    assert [e.pk for e in admin.get(path, {"statut": "pending"}).context["page"]] == [pending.pk]
    response = admin.get(path, {"statut": "perdu"})
    assert response.status_code == 400
    assert response.context["form"].errors["statut"] == ["Cet état n'existe pas."]


def test_the_delivery_log_is_paginated(admin, partner, django_assert_num_queries):
    WebhookEvent.objects.bulk_create(
        WebhookEvent(client=partner.client, type=EventType.REFERRAL_PROPOSED, ordering_key=str(n), payload={})
        for n in range(60)
    )
    path = url("event_list", partner.client.public_id)
    with django_assert_num_queries(EVENT_LIST_QUERIES):
        response = admin.get(path, {"page": "2"})
    assert len(response.context["page"]) == 10 and "Page 2 sur 2" in text(response)


def test_the_event_detail_shows_its_attempts(admin, partner, django_assert_num_queries):
    dead = event(partner.client, status=EventStatus.DEAD, attempts=2, error="HTTP 500")
    WebhookAttempt.objects.create(event=dead, status_code=500, duration_ms=120, error="HTTP 500")
    WebhookAttempt.objects.create(event=dead, error="connexion refusée", duration_ms=3)
    with django_assert_num_queries(EVENT_DETAIL_QUERIES):
        response = admin.get(url("event_detail", partner.client.public_id, dead.event_id))
    assert response.status_code == 200
    page = text(response)
    assert "connexion refusée" in page and "120 ms" in page and "500" in page
    assert len(response.context["attempts"]) == 2
    assert "Rejouer cet événement" in page


def test_replaying_one_dead_event(admin, partner):
    dead = event(partner.client, status=EventStatus.DEAD, attempts=8, error="HTTP 503")
    other_dead = event(partner.client, status=EventStatus.DEAD, attempts=8)
    path = url("event_replay", partner.client.public_id, dead.event_id)
    response = admin.post(path, follow=True)
    assert response.redirect_chain[-1][0] == url("event_detail", partner.client.public_id, dead.event_id)
    assert messages_of(response) == ["L'événement est remis dans la file d'envoi : le prochain passage l'enverra."]
    dead.refresh_from_db()
    other_dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.last_error) == (EventStatus.PENDING, 0, "")
    assert other_dead.status == EventStatus.DEAD
    response = admin.post(path, follow=True)
    assert messages_of(response) == ["Cet événement n'est pas en échec : il n'y a rien à rejouer."]
    assert AuditEvent.objects.filter(action="partners.events_replayed").count() == 1


def test_replaying_every_dead_event_of_a_client(admin, partner):
    dead = [event(partner.client, status=EventStatus.DEAD, attempts=8) for _ in range(3)]
    delivered = event(partner.client, status=EventStatus.DELIVERED, attempts=1)
    foreign = event(register([OperatorFactory()], name="Autre").client, status=EventStatus.DEAD)
    path = url("event_replay_all", partner.client.public_id)
    response = admin.post(path, follow=True)
    assert response.redirect_chain[-1][0] == url("event_list", partner.client.public_id)
    assert messages_of(response) == ["3 événements remis dans la file d'envoi, dans leur ordre d'origine."]
    assert {e.status for e in WebhookEvent.objects.filter(pk__in=[e.pk for e in dead])} == {EventStatus.PENDING}
    delivered.refresh_from_db()
    foreign.refresh_from_db()
    assert delivered.status == EventStatus.DELIVERED and foreign.status == EventStatus.DEAD
    response = admin.post(path, follow=True)
    assert messages_of(response) == ["Aucun événement en échec : il n'y a rien à rejouer."]


# --- the contingent préfectoral ---------------------------------------------------------------

QUOTA_QUERIES = 9


@pytest.fixture
def quota_world():
    """A program with a quota in 35 (4 places, 3 free) and one in 29; one without quota."""
    in_35 = ProgramFactory(name="CHRS - Quota 35", total_managed=10, prefectoral_quota=2)
    group = PlaceGroupFactory(program=in_35, capacity=4)
    group.places.filter(pk=group.places.order_by("pk").first().pk).update(state="occupied")
    in_29 = ProgramFactory(name="CHRS - Quota 29", department=department("29"), total_managed=10, prefectoral_quota=5)
    PlaceGroupFactory(program=in_29, capacity=1)
    ProgramFactory(name="CHRS - Sans quota")
    return in_35, in_29


def test_the_national_admin_sees_every_departement(client_as, quota_world, django_assert_num_queries):
    client = client_as(Role.NATIONAL_ADMIN)
    with django_assert_num_queries(QUOTA_QUERIES):
        response = client.get(url("quota"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g["code"] for g in groups] == ["29", "35"]
    row_29, row_35 = groups[0]["rows"][0], groups[1]["rows"][0]
    assert (row_35.places, row_35.available_places, row_35.quota_available) == (4, 3, 2)
    assert (row_29.places, row_29.available_places, row_29.quota_available) == (1, 1, 1)
    assert groups[1]["quota"] == 2 and groups[1]["total_managed"] == 10
    page = text(response)
    assert "CHRS - Sans quota" not in page and "Total 35" in page
    # One département chosen.
    response = client.get(url("quota"), {"departement": "29"})
    assert [g["code"] for g in response.context["groups"]] == ["29"]
    assert client.get(url("quota"), {"departement": "XX"}).status_code == 404


@pytest.mark.parametrize("role", [Role.DEPARTMENT_ADMIN, Role.ANALYST])
def test_a_departement_role_sees_its_departement_only(client_as, quota_world, role, django_assert_num_queries):
    client = client_as(role)
    with django_assert_num_queries(QUOTA_QUERIES):
        response = client.get(url("quota"))
    assert [g["code"] for g in response.context["groups"]] == ["35"]
    assert "CHRS - Quota 29" not in text(response)
    assert client.get(url("quota"), {"departement": "35"}).status_code == 200
    assert client.get(url("quota"), {"departement": "29"}).status_code == 404
    assert client.get(url("quota"), {"departement": "29", "export": "csv"}).status_code == 404


def test_the_contingent_exports_as_csv(client_as, quota_world):
    quota_world[0].__class__.objects.filter(pk=quota_world[0].pk).update(name="=CHRS - Formule")
    response = client_as(Role.DEPARTMENT_ADMIN).get(url("quota"), {"export": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Département;Dispositif;Entité gestionnaire;Total géré;Contingent préfectoral")
    assert len(lines) == 2 and lines[1].startswith("35;'=CHRS - Formule;")
    assert lines[1].endswith(";10;2;4;3;2")


# --- tiles and labels -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        (Role.NATIONAL_ADMIN, ["Partenaires (API)", "Contingent préfectoral"]),
        (Role.DEPARTMENT_ADMIN, ["Contingent préfectoral"]),
        (Role.ANALYST, ["Contingent préfectoral"]),
        (Role.SIAO_ADMIN, []),
        (Role.OPERATOR_MANAGER, []),
    ],
)
def test_tiles_by_role_cost_no_query(role, titles, django_assert_num_queries):
    actor = actor_for(membership_for(role))
    with django_assert_num_queries(0):
        shown = tiles.tiles_for(actor)
    assert [t.title for t in shown] == titles


def test_the_home_page_of_the_national_admin_links_to_the_partners(admin):
    page = text(admin.get("/"))
    assert url("client_list") in page and url("quota") in page


def test_every_partner_action_recorded_has_a_french_label():
    from siao.partners import credentials as credentials_module

    modules = [actions, credentials_module]
    source = "\n".join(inspect.getsource(module) for module in modules)
    for path in sorted(__import__("pathlib").Path(api.__file__).parent.glob("*.py")):
        source += path.read_text()
    names = set(re.findall(r'"(partners\.[a-z_]+)"', source)) - {"partners.partnerclient", "partners.webhookevent"}
    names |= {"orientation.household_accepted", "partners.token_issued", "partners.referral_read"}
    assert len(names) >= 11
    assert sorted(name for name in names if name not in ACTION_LABELS) == []


def test_a_form_that_shows_secrets_acts_once_even_when_the_browser_sends_it_again(admin, operator, partner):
    once = admin.get(url("client_create")).context["once"]
    data = {**form_data([operator], name="Partenaire rechargé"), "once": once}
    assert admin.post(url("client_create"), data).status_code == 200
    again = admin.post(url("client_create"), data)
    assert again.status_code == 302
    assert PartnerClient.objects.filter(name="Partenaire rechargé").count() == 1
    path = url("secret_rotate", partner.client.public_id)
    once = admin.get(path).context["once"]
    admin.post(path, {"grace_days": "7", "once": once})
    admin.post(path, {"grace_days": "7", "once": once})
    assert ClientSecret.objects.filter(client=partner.client).count() == 2
