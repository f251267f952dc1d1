"""ProConnect (OpenID Connect) login, on mozilla-django-oidc: authorization code with PKCE,
state and nonce of 48 characters, id_token and userinfo (a signed JWT) verified against the
provider's keys, including audience and issuer. The account is reconciled on the email (the
`sub` differs per service); there is no self-signup."""

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from siao.audit.trail import record

from .actions import UNKNOWN_ACCOUNT_MESSAGE, _ip_is_throttled, log_in
from .emails import is_webmail
from .models import Membership, User, normalize_email

logger = logging.getLogger(__name__)
BACKEND_PATH = "siao.accounts.proconnect.ProConnectBackend"

FAILURE_MESSAGES = {
    "unknown_account": UNKNOWN_ACCOUNT_MESSAGE,
    "webmail": "ProConnect a transmis une adresse de messagerie personnelle : utilisez votre adresse "
    "professionnelle individuelle.",
    "missing_email": "ProConnect n'a pas transmis d'adresse électronique : la connexion est impossible.",
    "invalid_state": "La réponse de ProConnect ne correspond à aucune connexion en cours (jeton « state » "
    "inconnu ou déjà utilisé). Recommencez la connexion.",
    "invalid_token": "La réponse de ProConnect n'a pas pu être vérifiée (signature, émetteur ou « nonce » "
    "incorrect). Recommencez la connexion.",
    "provider_error": "ProConnect n'a pas pu être joint ou a refusé la connexion. Réessayez ou utilisez la "
    "connexion par code.",
    "cancelled": "La connexion avec ProConnect a été annulée.",
    "throttled_ip": "Trop de tentatives de connexion depuis votre poste. Réessayez dans une heure.",
    "disabled": "La connexion avec ProConnect n'est pas configurée sur ce site.",
}


class ProConnectBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if request is None or "code" not in request.GET:
            return None  # only the callback authenticates with this backend
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("unexpected signing algorithm")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.PROCONNECT_ISSUER,
                options={"require": ["iss", "aud", "exp"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"JWT verification failed: {exc}") from exc

    def get_userinfo(self, access_token, id_token, payload):
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo sub differs from the id_token sub")
        return userinfo

    def verify_claims(self, claims):
        email = normalize_email(claims.get("email", ""))
        if not email:
            self.request._proconnect_failure = ("missing_email", "")
            return False
        if is_webmail(email):
            self.request._proconnect_failure = ("webmail", email)
            return False
        return True

    def filter_users_by_claims(self, claims):
        email = normalize_email(claims.get("email", ""))
        users = User.objects.filter(
            email=email, is_active=True, memberships__in=Membership.objects.active()
        ).distinct()
        if not users:
            self.request._proconnect_failure = ("unknown_account", email)
        return users

    def update_user(self, user, claims):
        changed = []
        if not user.first_name and claims.get("given_name"):
            user.first_name = claims["given_name"][:150]
            changed.append("first_name")
        if not user.last_name and claims.get("usual_name"):
            user.last_name = claims["usual_name"][:150]
            changed.append("last_name")
        if changed:
            user.save(update_fields=changed)
        return user

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, is_active=True).first()


class AuthenticateView(OIDCAuthenticationRequestView):
    def get(self, request):
        if not settings.PROCONNECT_ENABLED:
            messages.error(request, FAILURE_MESSAGES["disabled"])
            return redirect("accounts:login")
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Turns every failure into a French message and an audit event, never a 400/500."""

    def get(self, request):
        if not settings.PROCONNECT_ENABLED:
            return self._fail("disabled")
        if _ip_is_throttled():
            return self._fail("throttled_ip")
        if request.GET.get("error"):
            super().get(request)  # drops the state from the session
            return self._fail("cancelled" if request.GET["error"] == "access_denied" else "provider_error")
        if "code" not in request.GET or "state" not in request.GET:
            return self._fail("invalid_state")
        if request.GET["state"] not in request.session.get("oidc_states", {}):
            return self._fail("invalid_state")
        try:
            response = super().get(request)
        except SuspiciousOperation as exc:
            logger.warning("ProConnect verification failed: %s", exc)
            return self._fail("invalid_token")
        except (requests.RequestException, ValueError) as exc:
            logger.warning("ProConnect unreachable or refused: %s", exc)
            return self._fail("provider_error")
        if not getattr(self, "user", None):
            reason, email = getattr(request, "_proconnect_failure", ("unknown_account", ""))
            return self._fail(reason, email)
        return response

    def login_success(self):
        id_token = self.request.session.get("oidc_id_token")
        log_in(self.request, self.user, method="proconnect", backend=BACKEND_PATH)
        if id_token:
            self.request.session["oidc_id_token"] = id_token
        return HttpResponseRedirect(self.success_url)

    def _fail(self, reason, email=""):
        record("auth.login_failed", data={"reason": reason, "email": email, "method": "proconnect"})
        messages.error(self.request, FAILURE_MESSAGES[reason])
        return redirect("accounts:login")


def logout_url(request, id_token: str) -> str:
    """Where to send the browser so that the ProConnect session ends too."""
    params = {
        "id_token_hint": id_token,
        "state": "deconnexion",
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:login")),
    }
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"
