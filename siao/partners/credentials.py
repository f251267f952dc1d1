"""Secrets, tokens and webhook signing keys of partner clients.

Client secrets and tokens are 256-bit random strings, stored as their SHA-256 only. The
webhook signing secret is derived from SECRET_KEY and the client's salt, so that no
reusable secret sits in the database."""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import AccessToken, ClientSecret, PartnerClient

# Prefixes, not secrets: they let a leaked value be recognized (secret scanners).
SECRET_PREFIX = "siao_cs_"  # noqa: S105
TOKEN_PREFIX = "siao_at_"  # noqa: S105
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_client_id() -> str:
    return "siao_" + secrets.token_hex(12)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def new_salt() -> str:
    return secrets.token_hex(16)


def _derive(client: PartnerClient, salt: str) -> str:
    message = f"siao.partners.webhook:{client.client_id}:{salt}".encode()
    return WEBHOOK_SECRET_PREFIX + hmac.new(settings.SECRET_KEY.encode(), message, "sha256").hexdigest()


def webhook_secret(client: PartnerClient) -> str:
    return _derive(client, client.webhook_salt)


def webhook_secrets(client: PartnerClient, now=None) -> list[str]:
    """The secrets that sign a delivery: the current one, and the previous one during the
    rotation's overlap."""
    now = now or timezone.now()
    secrets_ = [webhook_secret(client)]
    if (
        client.previous_webhook_salt
        and client.previous_webhook_salt_until
        and client.previous_webhook_salt_until > now
    ):
        secrets_.append(_derive(client, client.previous_webhook_salt))
    return secrets_


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PARTNER_TOKEN_LIFETIME_SECONDS)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scopes: list[str]


def find_client(client_id: str, secret: str) -> PartnerClient | None:
    """The active client whose id and one valid secret match, else None (the caller answers
    `invalid_client` without saying which part was wrong)."""
    if not client_id or not secret:
        return None
    now = timezone.now()
    row = (
        ClientSecret.objects.select_related("client")
        .filter(
            secret_hash=digest(secret), client__client_id=client_id, client__is_active=True, revoked_at__isnull=True
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if row is None:
        return None
    ClientSecret.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.client


def issue_token(client: PartnerClient, scopes: list[str]) -> IssuedToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = token_lifetime()
    now = timezone.now()
    AccessToken.objects.create(
        client=client,
        token_hash=digest(token),
        scopes=scopes,
        operator_ids=sorted(client.operators.values_list("pk", flat=True)),
        issued_at=now,
        expires_at=now + lifetime,
    )
    # Expired tokens of this client are useless: cleared as new ones are issued.
    AccessToken.objects.filter(client=client, expires_at__lt=now - lifetime).delete()
    return IssuedToken(access_token=token, expires_in=int(lifetime.total_seconds()), scopes=scopes)


def authenticate_token(token: str) -> AccessToken | None:
    """One query: the token, its client, its scopes and operators."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = (
        AccessToken.objects.select_related("client", "client__service_user")
        .filter(token_hash=digest(token), expires_at__gt=timezone.now(), client__is_active=True)
        .first()
    )
    return row
