from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from siao.core.forms import add_validation_errors

from . import actions
from .access import get_membership_for
from .decorators import actor_required
from .enums import Role
from .forms import EmailLoginForm, GrantMembershipForm, LoginCodeForm, RevocationForm
from .models import Membership
from .permissions import can_manage_memberships
from .proconnect import logout_url

SESSION_LOGIN_EMAIL = "login_email"
SESSION_NEXT = "login_next"


def _safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, require_https=request.is_secure()):
        return value
    return reverse("core:home")


def login(request):
    if request.actor:
        return redirect("core:home")
    form = EmailLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_login_code(email=form.cleaned_data["email"])
        except actions.LoginRefused as refusal:
            form.add_error("email", refusal.message)
        else:
            request.session[SESSION_LOGIN_EMAIL] = form.cleaned_data["email"].strip().lower()
            request.session[SESSION_NEXT] = _safe_next(request, request.GET.get("next"))
            return redirect("accounts:login_code")
    return render(
        request,
        "accounts/login.html",
        {"form": form, "proconnect_enabled": settings.PROCONNECT_ENABLED, "next": request.GET.get("next", "")},
    )


def login_code(request):
    email = request.session.get(SESSION_LOGIN_EMAIL)
    if not email:
        messages.info(request, "Saisissez d'abord votre adresse électronique.")
        return redirect("accounts:login")
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.check_login_code(email=email, code=form.cleaned_data["code"])
        except actions.LoginRefused as refusal:
            form.add_error("code", refusal.message)
        else:
            next_url = request.session.get(SESSION_NEXT) or reverse("core:home")
            actions.log_in(request, user, method="code", backend="siao.accounts.backends.LoginCodeBackend")
            return redirect(next_url)
    return render(request, "accounts/login_code.html", {"form": form, "email": email})


@require_POST
def logout(request):
    id_token = request.session.get("oidc_id_token")
    actions.log_out(request)
    if id_token and settings.PROCONNECT_ENABLED:
        return redirect(logout_url(request, id_token))
    messages.success(request, "Vous êtes déconnecté.")
    return redirect("accounts:login")


@require_POST
@actor_required()
def switch_role(request):
    try:
        membership = actions.switch_membership(
            request, actor=request.actor, membership_public_id=request.POST.get("membership", "")
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("core:home")
    messages.success(request, f"Profil actif : {membership}.")
    return redirect("core:home")


@actor_required()
def my_account(request):
    return render(request, "accounts/my_account.html", {"memberships": request.actor.memberships})


STATUS_FILTERS = {
    "active": lambda qs: qs.active(),
    "review": lambda qs: qs.due_for_review(),
    "revoked": lambda qs: qs.filter(revoked_at__isnull=False),
}


@actor_required(can_manage_memberships)
def membership_list(request):
    memberships = Membership.objects.manageable_by(request.actor).select_related("user", "organization", "program")
    status = request.GET.get("statut", "active")
    if status in STATUS_FILTERS:
        memberships = STATUS_FILTERS[status](memberships)
    query = request.GET.get("q", "").strip()
    if query:
        memberships = memberships.filter(
            Q(user__email__icontains=query)
            | Q(user__last_name__icontains=query)
            | Q(user__first_name__icontains=query)
            | Q(organization__name__icontains=query)
        )
    role = request.GET.get("profil", "")
    if role in Role.values:
        memberships = memberships.filter(role=role)
    page = Paginator(memberships.order_by("-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/membership_list.html",
        {
            "page": page,
            "status": status,
            "query": query,
            "role": role,
            "roles": Role.choices,
            "due_count": Membership.objects.manageable_by(request.actor).due_for_review().count(),
        },
    )


@actor_required(can_manage_memberships)
def membership_grant(request):
    form = GrantMembershipForm(request.POST or None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grant = actions.GrantRequest(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=data["role"],
            organization=data["organization"],
            program=data["program"],
            ends_on=data["ends_on"],
        )
        try:
            membership = actions.grant_membership(actor=request.actor, grant=grant)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"Accès accordé à {membership.user.email} : {membership}.")
            return redirect("accounts:membership_list")
    return render(request, "accounts/membership_grant.html", {"form": form})


@actor_required(can_manage_memberships)
def membership_review(request):
    due = (
        Membership.objects.manageable_by(request.actor)
        .due_for_review()
        .select_related("user", "organization", "program", "last_reviewed_by")
        .order_by("last_reviewed_at", "pk")
    )
    errors = []
    if request.method == "POST":
        selected = request.POST.getlist("memberships")
        decision = request.POST.get("decision")
        if not selected:
            errors.append("Cochez au moins une habilitation.")
        elif decision == "confirm":
            try:
                count = actions.confirm_memberships(actor=request.actor, public_ids=selected)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, f"{count} habilitation(s) confirmée(s).")
                return redirect("accounts:membership_review")
        elif decision == "revoke":
            try:
                count = actions.revoke_memberships(
                    actor=request.actor, public_ids=selected, reason=request.POST.get("reason", "")
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, f"{count} habilitation(s) révoquée(s).")
                return redirect("accounts:membership_review")
        else:
            errors.append("Choisissez « Confirmer » ou « Révoquer ».")
    page = Paginator(due, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/membership_review.html",
        {"page": page, "errors": errors, "review_days": settings.MEMBERSHIP_REVIEW_PERIOD_DAYS},
        status=400 if errors else 200,
    )


@actor_required(can_manage_memberships)
def membership_revoke(request, public_id):
    membership = get_membership_for(request.actor, public_id)
    form = RevocationForm(request.POST or None)
    if membership.revoked_at:
        messages.info(request, "Cette habilitation est déjà révoquée.")
        return redirect("accounts:membership_list")
    if request.method == "POST" and form.is_valid():
        try:
            actions.revoke_memberships(
                actor=request.actor, public_ids=[membership.public_id], reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("accounts:membership_list")
        messages.success(request, f"Habilitation révoquée : {membership.user.email}, {membership}.")
        return redirect("accounts:membership_list")
    return render(request, "accounts/membership_revoke.html", {"membership": membership, "form": form})
