"""Demo partner client: « Démo Adoma (simulateur) », tied to the demo operator Association
Horizon (its CHRS has validated programs with places), with every scope and FIXED,
published credentials, so that the partner simulator runs against `make run` without any
setup (docs/partner-simulator.md):

    client_id      demo-adoma
    client secret  siao_cs_demo-adoma-secret-NE-PAS-UTILISER-EN-PRODUCTION
    webhooks       http://127.0.0.1:8765/webhooks

The webhook signing secret is derived from SECRET_KEY and the client's salt (never stored):
the salt is fixed here, so the secret is fixed for a given SECRET_KEY (see `demo_webhook_secret`
and the documentation for the one-liner that prints it). Demo only: these credentials are
public, the seed never runs in production (the seed_demo command refuses to).

Registered like siao.partners.actions.register_client does (same validation, technical
account that can never log in, hashed secret, audit event by the national administrator),
with the fixed values instead of random ones. Idempotent: nothing is done if the client
exists."""

from django.db import transaction
from django.utils import timezone

from siao.accounts.enums import Role
from siao.accounts.models import Organization, User
from siao.audit.trail import record
from siao.partners import credentials
from siao.partners.actions import SERVICE_DOMAIN, _clean, _ensure
from siao.partners.enums import Scope
from siao.partners.models import ClientSecret, PartnerClient

from .households import _actor

DEMO_PARTNER_NAME = "Démo Adoma (simulateur)"
DEMO_CLIENT_ID = "demo-adoma"
DEMO_CLIENT_SECRET = "siao_cs_demo-adoma-secret-NE-PAS-UTILISER-EN-PRODUCTION"  # noqa: S105 (public demo value)
DEMO_WEBHOOK_SALT = "demo-adoma-webhook-salt-public"
DEMO_WEBHOOK_URL = "http://127.0.0.1:8765/webhooks"
DEMO_OPERATOR_SIREN = "999900012"  # Association Horizon (démo), see seed.OPERATORS


def demo_webhook_secret() -> str | None:
    client = PartnerClient.objects.filter(client_id=DEMO_CLIENT_ID).first()
    return credentials.webhook_secret(client) if client else None


@transaction.atomic
def seed_demo_partner(domain: str) -> PartnerClient | None:
    """The demo partner client (created once); None when the demo operator is missing."""
    existing = PartnerClient.objects.filter(client_id=DEMO_CLIENT_ID).first()
    if existing is not None:
        return existing
    operator = Organization.objects.filter(siren=DEMO_OPERATOR_SIREN).first()
    if operator is None:
        return None
    actor = _actor(f"admin.national@{domain}", Role.NATIONAL_ADMIN)
    _ensure(actor)
    values = _clean(
        DEMO_PARTNER_NAME,
        [operator],
        list(Scope.values),
        DEMO_WEBHOOK_URL,
        600,
        f"interconnexion@{domain}",
    )
    service_user = User.objects.create_user(
        email=f"api-{DEMO_CLIENT_ID}@{SERVICE_DOMAIN}",
        first_name="API",
        last_name=values["name"][:150],
        is_active=False,
    )
    client = PartnerClient.objects.create(
        name=values["name"],
        client_id=DEMO_CLIENT_ID,
        scopes=values["scopes"],
        webhook_url=values["webhook_url"],
        webhook_salt=DEMO_WEBHOOK_SALT,
        rate_limit_per_minute=values["rate_limit_per_minute"],
        contact_email=values["contact_email"],
        service_user=service_user,
        created_by=actor.user,
    )
    client.operators.set(values["operators"])
    ClientSecret.objects.create(
        client=client,
        secret_hash=credentials.digest(DEMO_CLIENT_SECRET),
        hint=DEMO_CLIENT_SECRET[-4:],
        created_at=timezone.now(),
    )
    record(
        "partners.client_registered",
        actor=actor,
        obj=client,
        data={"scopes": values["scopes"], "operators": [str(o.public_id) for o in values["operators"]]},
    )
    return client
