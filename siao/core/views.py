from django.db import connections
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from siao.accounts.decorators import actor_required

from .home import ROLE_MISSIONS, home_tiles_for


@actor_required()
def home(request):
    actor = request.actor
    return render(request, "core/home.html", {"missions": ROLE_MISSIONS[actor.role], "tiles": home_tiles_for(actor)})


@never_cache
def healthz(request):
    """200 when every database answers, 503 otherwise; the state of each one in JSON."""
    states = {}
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            states[alias] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
            states[alias] = f"indisponible : {exc.__class__.__name__}"
    healthy = all(state == "ok" for state in states.values())
    return JsonResponse(
        {"status": "ok" if healthy else "indisponible", "databases": states}, status=200 if healthy else 503
    )


def static_page(template):
    def view(request):
        return render(request, template)

    view.__name__ = template.rsplit("/", 1)[-1].removesuffix(".html").replace("-", "_")
    return view


def household_notice(request, language=None):
    """The households' information notice, in the language asked (French by default)."""
    from django.http import Http404

    from .notices import DEFAULT, NOTICES

    notice = NOTICES.get(language or DEFAULT)
    if notice is None:
        raise Http404("Cette langue n'est pas disponible.")
    return render(request, "core/household_notice.html", {"notice": notice, "notices": NOTICES.values()})
