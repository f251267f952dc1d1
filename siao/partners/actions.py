"""What the Administrateur national does with partner clients: register, change, rotate and
revoke secrets, rotate the webhook secret, deactivate, replay parked events. Every change is
audited; secrets are shown once, by the caller, and never stored in clear."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Organization, User
from siao.audit.trail import record

from . import credentials
from .enums import EventStatus, Scope
from .models import AccessToken, ClientSecret, PartnerClient, WebhookEvent

SERVICE_DOMAIN = "partenaires.si-siao.invalid"
MAX_ACTIVE_SECRETS = 2
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
DEFAULT_GRACE_DAYS = 7
MAX_GRACE_DAYS = 30


def can_manage_partners(actor) -> bool:
    return actor is not None and actor.role == Role.NATIONAL_ADMIN


def _ensure(actor) -> None:
    if not can_manage_partners(actor):
        raise PermissionDenied("Seul l'Administrateur national gère les clients partenaires.")


@dataclass(frozen=True)
class Registered:
    client: PartnerClient
    client_secret: str
    webhook_secret: str


def _clean(name: str, operators, scopes, webhook_url: str, rate_limit: int, contact_email: str) -> dict:
    errors = {}
    name = (name or "").strip()
    if not 3 <= len(name) <= 150:
        errors["name"] = "Indiquez le nom du partenaire (3 à 150 caractères)."
    operators = list(operators or [])
    if not operators:
        errors["operators"] = "Choisissez au moins une entité gestionnaire."
    elif any(o.kind != OrganizationKind.OPERATOR for o in operators):
        errors["operators"] = "Un client partenaire n'est rattaché qu'à des entités gestionnaires."
    scopes = sorted(set(scopes or []))
    if not scopes:
        errors["scopes"] = "Choisissez au moins un droit."
    elif any(s not in Scope.values for s in scopes):
        errors["scopes"] = "Un des droits choisis n'existe pas."
    webhook_url = (webhook_url or "").strip()
    if webhook_url:
        try:
            URLValidator(schemes=["https", "http"])(webhook_url)
        except ValidationError:
            errors["webhook_url"] = "Indiquez une adresse web valide (https://…)."
        else:
            host = urlsplit(webhook_url).hostname or ""
            if webhook_url.startswith("http://") and host not in LOCAL_HOSTS:
                # Deliveries carry identifiers and signatures: never in clear over a network.
                errors["webhook_url"] = "L'adresse doit commencer par https:// (http:// seulement sur cette machine)."
    if not isinstance(rate_limit, int) or not 1 <= rate_limit <= 100000:
        errors["rate_limit_per_minute"] = "La limite est un nombre d'appels par minute entre 1 et 100 000."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "operators": operators,
        "scopes": scopes,
        "webhook_url": webhook_url,
        "rate_limit_per_minute": rate_limit,
        "contact_email": (contact_email or "").strip(),
    }


def _new_secret(client: PartnerClient, now) -> str:
    secret = credentials.new_secret()
    ClientSecret.objects.create(
        client=client, secret_hash=credentials.digest(secret), hint=secret[-4:], created_at=now
    )
    return secret


@transaction.atomic
def register_client(
    *, actor, name: str, operators, scopes, webhook_url: str = "", rate_limit: int = 600, contact_email: str = ""
) -> Registered:
    _ensure(actor)
    values = _clean(name, operators, scopes, webhook_url, rate_limit, contact_email)
    client_id = credentials.new_client_id()
    service_user = User.objects.create_user(
        email=f"api-{client_id}@{SERVICE_DOMAIN}", first_name="API", last_name=values["name"][:150], is_active=False
    )
    client = PartnerClient.objects.create(
        name=values["name"],
        client_id=client_id,
        scopes=values["scopes"],
        webhook_url=values["webhook_url"],
        webhook_salt=credentials.new_salt(),
        rate_limit_per_minute=values["rate_limit_per_minute"],
        contact_email=values["contact_email"],
        service_user=service_user,
        created_by=actor.user,
    )
    client.operators.set(values["operators"])
    secret = _new_secret(client, timezone.now())
    record(
        "partners.client_registered",
        actor=actor,
        obj=client,
        data={"scopes": values["scopes"], "operators": [str(o.public_id) for o in values["operators"]]},
    )
    return Registered(client=client, client_secret=secret, webhook_secret=credentials.webhook_secret(client))


def _lock(client: PartnerClient) -> PartnerClient:
    return PartnerClient.objects.select_for_update().get(pk=client.pk)


def _revoke_tokens(client: PartnerClient) -> None:
    """Tokens carry scopes and operators: a change takes effect at once."""
    AccessToken.objects.filter(client=client).delete()


@transaction.atomic
def update_client(
    *,
    actor,
    client: PartnerClient,
    name: str,
    operators,
    scopes,
    webhook_url: str,
    rate_limit: int,
    contact_email: str,
) -> list[str]:
    _ensure(actor)
    client = _lock(client)
    values = _clean(name, operators, scopes, webhook_url, rate_limit, contact_email)
    changed = []
    for field in ("name", "scopes", "webhook_url", "rate_limit_per_minute", "contact_email"):
        if getattr(client, field) != values[field]:
            setattr(client, field, values[field])
            changed.append(field)
    if changed:
        client.save(update_fields=[*changed, "updated_at"])
    before = set(client.operators.values_list("pk", flat=True))
    after = {o.pk for o in values["operators"]}
    if before != after:
        client.operators.set(values["operators"])
        changed.append("operators")
    if "scopes" in changed or "operators" in changed:
        _revoke_tokens(client)
    if changed:
        record("partners.client_updated", actor=actor, obj=client, data={"fields": changed})
    return changed


@transaction.atomic
def rotate_secret(*, actor, client: PartnerClient, grace_days: int = DEFAULT_GRACE_DAYS) -> str:
    """A new secret; the valid ones stay valid `grace_days` more (0: revoked now), so that the
    partner deploys the new one without downtime."""
    _ensure(actor)
    if not isinstance(grace_days, int) or not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise ValidationError({"grace_days": f"Le délai de recouvrement est de 0 à {MAX_GRACE_DAYS} jours."})
    client = _lock(client)
    now = timezone.now()
    valid = sorted((s for s in client.secrets.all() if s.is_valid(now)), key=lambda s: (s.created_at, s.pk))
    limit = now + datetime.timedelta(days=grace_days)
    # At most MAX_ACTIVE_SECRETS at once: the newest current one overlaps with the new one,
    # older ones are revoked now (a second rotation within the grace ends the first one's).
    for position, old in enumerate(reversed(valid)):
        if grace_days == 0 or position >= MAX_ACTIVE_SECRETS - 1:
            old.revoked_at = now
        elif old.expires_at is None or old.expires_at > limit:
            old.expires_at = limit
        old.save(update_fields=["revoked_at", "expires_at"])
    secret = _new_secret(client, now)
    record("partners.secret_rotated", actor=actor, obj=client, data={"grace_days": grace_days, "hint": secret[-4:]})
    return secret


@transaction.atomic
def revoke_secret(*, actor, secret: ClientSecret) -> ClientSecret:
    _ensure(actor)
    secret = ClientSecret.objects.select_for_update().select_related("client").get(pk=secret.pk)
    if secret.revoked_at is not None:
        raise ValidationError("Ce secret est déjà révoqué.")
    secret.revoked_at = timezone.now()
    secret.save(update_fields=["revoked_at"])
    # Tokens don't say which secret obtained them: all are revoked, the partner asks new ones
    # with a secret still valid (a leaked secret stops giving access at once).
    _revoke_tokens(secret.client)
    record("partners.secret_revoked", actor=actor, obj=secret.client, data={"hint": secret.hint})
    return secret


@transaction.atomic
def rotate_webhook_secret(*, actor, client: PartnerClient, grace_days: int = DEFAULT_GRACE_DAYS) -> str:
    """A new signing secret; during `grace_days` every delivery carries both signatures."""
    _ensure(actor)
    if not isinstance(grace_days, int) or not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise ValidationError({"grace_days": f"Le délai de recouvrement est de 0 à {MAX_GRACE_DAYS} jours."})
    client = _lock(client)
    client.previous_webhook_salt = client.webhook_salt if grace_days else ""
    client.previous_webhook_salt_until = timezone.now() + datetime.timedelta(days=grace_days) if grace_days else None
    client.webhook_salt = credentials.new_salt()
    client.save(update_fields=["webhook_salt", "previous_webhook_salt", "previous_webhook_salt_until", "updated_at"])
    record("partners.webhook_secret_rotated", actor=actor, obj=client, data={"grace_days": grace_days})
    return credentials.webhook_secret(client)


@transaction.atomic
def set_client_active(*, actor, client: PartnerClient, active: bool) -> PartnerClient:
    _ensure(actor)
    client = _lock(client)
    if client.is_active == active:
        return client
    client.is_active = active
    client.save(update_fields=["is_active", "updated_at"])
    if not active:
        _revoke_tokens(client)
    record("partners.client_activated" if active else "partners.client_deactivated", actor=actor, obj=client)
    return client


@transaction.atomic
def replay_events(*, actor, client: PartnerClient, events=None) -> int:
    """Parked (dead) events back in the queue, in their order: the ones given, or all of the
    client's."""
    _ensure(actor)
    queryset = WebhookEvent.objects.filter(client=client, status=EventStatus.DEAD)
    if events is not None:
        queryset = queryset.filter(pk__in=[e.pk for e in events])
    ids = list(queryset.select_for_update().values_list("event_id", flat=True))
    count = queryset.update(
        status=EventStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), locked_until=None, last_error=""
    )
    if count:
        record(
            "partners.events_replayed",
            actor=actor,
            obj=client,
            data={"count": count, "events": [str(i) for i in ids[:50]]},
        )
    return count


def operators_choices():
    return Organization.objects.filter(kind=OrganizationKind.OPERATOR, is_active=True).order_by("name")
