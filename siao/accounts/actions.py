"""Every change to accounts and memberships, and every login event, goes through here:
permission check, validation, writes in one transaction, audit event, then side effects."""

import datetime
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.contrib import auth
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from siao.audit.models import AuditEvent
from siao.audit.trail import record
from siao.core.context import get_request_context

from .actor import Actor
from .emails import validate_professional_email
from .models import LoginCode, Membership, Organization, User, normalize_email
from .permissions import can_grant_membership, can_manage_membership

SESSION_ACTIVE_MEMBERSHIP = "active_membership"
SESSION_LOGIN_METHOD = "login_method"


class LoginRefused(Exception):
    """A login step failed; `message` is what the user reads (French)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


def _record_login_failure(*, reason: str, email: str = "", user: User | None = None, method: str) -> None:
    # A refusal by the throttle is traced apart: counting it as a failure would keep someone
    # who keeps retrying locked out forever.
    action = "auth.login_throttled" if reason == "throttled_ip" else "auth.login_failed"
    record(action, user=user, data={"reason": reason, "email": email, "method": method})


def _ip_is_throttled() -> bool:
    context = get_request_context()
    if not context or not context.ip_address:
        return False
    since = timezone.now() - datetime.timedelta(hours=1)
    failures = AuditEvent.objects.filter(
        action="auth.login_failed", ip_address=context.ip_address, occurred_at__gte=since
    ).count()
    return failures >= settings.LOGIN_FAILURES_PER_IP_PER_HOUR


THROTTLED_MESSAGE = "Trop de tentatives de connexion depuis votre poste. Réessayez dans une heure."
UNKNOWN_ACCOUNT_MESSAGE = (
    "Aucun accès actif n'est associé à cette adresse. L'accès au SI SIAO est accordé par votre employeur "
    "(habilitation employeur) : adressez-vous à votre gestionnaire d'entité, à votre administrateur SIAO "
    "ou à votre administrateur départemental."
)


def user_with_active_membership(email: str) -> User | None:
    return (
        User.objects.filter(email=normalize_email(email), is_active=True, memberships__in=Membership.objects.active())
        .distinct()
        .first()
    )


def _hash_code(user: User, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{user.pk}:{code}".encode(), hashlib.sha256).hexdigest()


def _member_from_unthrottled_address(email: str) -> User:
    """The user behind an address, if it may log in from this client address at all."""
    if _ip_is_throttled():
        _record_login_failure(reason="throttled_ip", email=email, method="code")
        raise LoginRefused(THROTTLED_MESSAGE, "throttled_ip")
    user = user_with_active_membership(email)
    if user is None:
        _record_login_failure(reason="unknown_account", email=email, method="code")
        raise LoginRefused(UNKNOWN_ACCOUNT_MESSAGE, "unknown_account")
    return user


def request_login_code(*, email: str) -> User:
    """Send a one-time code to a user who holds an active membership."""
    try:
        email = validate_professional_email(email)
    except ValidationError as exc:
        reason = "webmail" if exc.code == "webmail" else "invalid_email"
        _record_login_failure(reason=reason, email=normalize_email(email)[:254], method="code")
        raise LoginRefused(exc.messages[0], reason) from exc
    user = _member_from_unthrottled_address(email)
    since = timezone.now() - datetime.timedelta(hours=1)
    if LoginCode.objects.filter(user=user, created_at__gte=since).count() >= settings.LOGIN_CODE_REQUESTS_PER_HOUR:
        _record_login_failure(reason="too_many_codes", email=email, user=user, method="code")
        raise LoginRefused(
            "Trop de codes ont été demandés pour cette adresse. Utilisez le dernier code reçu ou réessayez dans "
            "une heure.",
            "too_many_codes",
        )
    code = f"{secrets.randbelow(10**6):06d}"
    validity = settings.LOGIN_CODE_VALIDITY
    with transaction.atomic():
        # A new code replaces the previous ones: only the latest is valid.
        LoginCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
        LoginCode.objects.create(user=user, code_hash=_hash_code(user, code), expires_at=timezone.now() + validity)
        record("auth.login_code_sent", user=user, obj=user)
        context = {"user": user, "code": code, "minutes": int(validity.total_seconds() // 60)}
        transaction.on_commit(
            lambda: send_mail(
                subject=f"Votre code de connexion au SI SIAO : {code}",
                message=render_to_string("accounts/emails/login_code.txt", context),
                from_email=None,
                recipient_list=[user.email],
            )
        )
    return user


def check_login_code(*, email: str, code: str) -> User:
    """Check a one-time code: right, unexpired, unused, and not guessed too often."""
    email = normalize_email(email)
    code = (code or "").strip().replace(" ", "")
    user = _member_from_unthrottled_address(email)
    refusal = None
    with transaction.atomic():
        login_code = (
            LoginCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if login_code is None or login_code.expires_at <= timezone.now():
            refusal = LoginRefused("Ce code a expiré ou a déjà été utilisé : demandez-en un nouveau.", "expired_code")
        elif login_code.attempts >= settings.LOGIN_CODE_MAX_ATTEMPTS:
            refusal = LoginRefused("Trop d'essais pour ce code : demandez-en un nouveau.", "too_many_attempts")
        elif not (code.isdigit() and hmac.compare_digest(login_code.code_hash, _hash_code(user, code))):
            login_code.attempts += 1
            if login_code.attempts >= settings.LOGIN_CODE_MAX_ATTEMPTS:
                login_code.used_at = timezone.now()  # burnt
            login_code.save(update_fields=["attempts", "used_at"])
            left = settings.LOGIN_CODE_MAX_ATTEMPTS - login_code.attempts
            message = (
                f"Code incorrect. Il vous reste {left} essai{'s' if left > 1 else ''}."
                if left
                else "Code incorrect. Ce code n'est plus utilisable : demandez-en un nouveau."
            )
            refusal = LoginRefused(message, "wrong_code")
        else:
            login_code.used_at = timezone.now()
            login_code.save(update_fields=["used_at"])
    if refusal:
        _record_login_failure(reason=refusal.reason, email=email, user=user, method="code")
        raise refusal
    return user


def log_in(request, user: User, *, method: str, backend: str) -> None:
    """Open the session and record the login. The first active membership becomes active."""
    auth.login(request, user, backend=backend)
    for key in ("login_email", "login_next"):
        request.session.pop(key, None)
    request.session[SESSION_LOGIN_METHOD] = method
    membership = Membership.objects.active().filter(user=user).select_related("organization").order_by("pk").first()
    if membership:
        request.session[SESSION_ACTIVE_MEMBERSHIP] = str(membership.public_id)
    # The session opens with this membership active: the event says so (role, organization).
    opening = SimpleNamespace(user=user, membership=membership) if membership else None
    record(
        "auth.login",
        actor=opening,
        user=user,
        obj=user,
        target_organization=membership.organization if membership else None,
        data={"method": method},
    )


def log_out(request) -> None:
    actor = getattr(request, "actor", None)
    if request.user.is_authenticated:
        record("auth.logout", actor=actor, user=request.user, obj=request.user)
    auth.logout(request)


def switch_membership(request, *, actor: Actor, membership_public_id: str) -> Membership:
    membership = next((m for m in actor.memberships if str(m.public_id) == str(membership_public_id)), None)
    if membership is None:
        record("accounts.role_switch_refused", actor=actor, data={"requested": str(membership_public_id)[:64]})
        raise PermissionDenied("Vous ne détenez pas ce profil : le changement est refusé.")
    request.session[SESSION_ACTIVE_MEMBERSHIP] = str(membership.public_id)
    record(
        "accounts.role_switched",
        actor=actor,
        obj=membership,
        target_organization=membership.organization,
        data={"from_role": actor.role, "to_role": membership.role},
    )
    return membership


@dataclass(frozen=True)
class GrantRequest:
    email: str
    first_name: str
    last_name: str
    role: str
    organization: Organization
    program: object | None = None
    ends_on: datetime.date | None = None


@transaction.atomic
def grant_membership(*, actor: Actor, grant: GrantRequest) -> Membership:
    """Employer authorization: give a user (created if new) a role in an organization."""
    email = validate_professional_email(grant.email)
    if not can_grant_membership(actor, role=grant.role, organization=grant.organization):
        raise PermissionDenied("Vous ne pouvez pas accorder ce profil dans cette organisation.")
    if grant.ends_on and grant.ends_on < timezone.localdate():
        raise ValidationError({"ends_on": "La date de fin de validité ne peut pas être dans le passé."})
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, first_name=grant.first_name, last_name=grant.last_name)
        except IntegrityError:
            # Someone granted the same new address at the same moment: use their account.
            user = User.objects.select_for_update().get(email=email)
        else:
            record("accounts.user_created", actor=actor, obj=user, target_organization=grant.organization)
    if not user.is_active:
        raise ValidationError({"email": "Ce compte est désactivé : un administrateur national doit le réactiver."})
    membership = Membership(
        user=user,
        organization=grant.organization,
        role=grant.role,
        program=grant.program,
        ends_on=grant.ends_on,
        granted_by=actor.user,
        last_reviewed_at=timezone.now(),
        last_reviewed_by=actor.user,
    )
    membership.full_clean(exclude=["user", "granted_by", "last_reviewed_by"])
    duplicate = Membership.objects.active().filter(
        user=user, organization=grant.organization, role=grant.role, program=grant.program
    )
    if duplicate.exists():
        raise ValidationError("Cette personne détient déjà ce profil dans cette organisation.")
    membership.save()
    record(
        "accounts.membership_granted",
        actor=actor,
        obj=membership,
        target_organization=grant.organization,
        data={"user": str(user.public_id), "role": grant.role, "ends_on": grant.ends_on},
    )
    transaction.on_commit(lambda: _notify_grant(membership))
    return membership


def _notify_grant(membership: Membership) -> None:
    send_mail(
        subject="Un accès au SI SIAO vous a été accordé",
        message=render_to_string("accounts/emails/membership_granted.txt", {"membership": membership}),
        from_email=None,
        recipient_list=[membership.user.email],
    )


def _lock_manageable(actor: Actor, public_ids) -> list[Membership]:
    try:
        # Identifiers come from a form: a malformed one is refused like one not yours, not a 500.
        public_ids = [uuid.UUID(str(public_id)) for public_id in public_ids]
    except ValueError as exc:
        raise PermissionDenied("Vous ne pouvez pas gérer l'une de ces habilitations.") from exc
    memberships = list(
        Membership.objects.select_for_update(of=("self",))
        .filter(public_id__in=public_ids)
        .select_related("organization", "user")
        .prefetch_related("organization__departments")
    )
    if not memberships or any(not can_manage_membership(actor, m) for m in memberships):
        raise PermissionDenied("Vous ne pouvez pas gérer l'une de ces habilitations.")
    if any(m.revoked_at for m in memberships):
        raise ValidationError("Une de ces habilitations vient d'être révoquée : rechargez la page.")
    return memberships


@transaction.atomic
def confirm_memberships(*, actor: Actor, public_ids) -> int:
    """Access review: confirm that these memberships are still needed."""
    memberships = _lock_manageable(actor, public_ids)
    now = timezone.now()
    for membership in memberships:
        membership.last_reviewed_at, membership.last_reviewed_by = now, actor.user
        membership.save(update_fields=["last_reviewed_at", "last_reviewed_by", "updated_at"])
        record(
            "accounts.membership_reviewed", actor=actor, obj=membership, target_organization=membership.organization
        )
    return len(memberships)


@transaction.atomic
def revoke_memberships(*, actor: Actor, public_ids, reason: str) -> int:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de la révocation."})
    memberships = _lock_manageable(actor, public_ids)
    if any(m.pk == actor.membership.pk for m in memberships):
        raise PermissionDenied("Vous ne pouvez pas révoquer votre propre habilitation active.")
    now = timezone.now()
    for membership in memberships:
        membership.revoked_at, membership.revoked_by, membership.revocation_reason = now, actor.user, reason[:255]
        membership.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "updated_at"])
        record(
            "accounts.membership_revoked",
            actor=actor,
            obj=membership,
            target_organization=membership.organization,
            data={"reason": reason[:255]},
        )
    return len(memberships)
