from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from siao.accounts.actions import log_in
from siao.accounts.models import Membership, User


def _require_demo_mode():
    if not settings.DEMO_MODE:
        raise Http404()


def accounts(request):
    _require_demo_mode()
    users = (
        User.objects.filter(is_demo=True, is_active=True)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.active().select_related("organization", "program"),
                to_attr="active_memberships",
            )
        )
        .order_by("pk")
    )
    return render(request, "demo/accounts.html", {"users": users})


@require_POST
def login_as(request, public_id):
    _require_demo_mode()
    user = User.objects.filter(public_id=public_id, is_demo=True, is_active=True).first()
    if user is None or not Membership.objects.active().filter(user=user).exists():
        raise Http404("Compte de démonstration introuvable.")
    log_in(request, user, method="demo", backend="siao.accounts.backends.LoginCodeBackend")
    return redirect("core:home")
