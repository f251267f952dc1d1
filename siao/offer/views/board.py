"""The vacancy board (places disponibles) of the SIAO roles: live, computed at each request,
refreshed every 30 seconds by htmx, and by an "Actualiser" link without JavaScript."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from siao.accounts.decorators import actor_required
from siao.geo.models import Department
from siao.offer import queries
from siao.offer.forms.board import BoardFilterForm
from siao.offer.models import Public
from siao.offer.permissions import has_role_for, territory_q

PROGRAMS_PER_PAGE = 50
REFRESH_SECONDS = 30


def htmx_login_redirect(view):
    """An htmx refresh after the session ended reloads the whole page to the login form,
    instead of swapping the login page into the board."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and getattr(request, "actor", None) is None:
            return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
        return view(request, *args, **kwargs)

    return wrapper


def territory_departments(actor) -> list[Department]:
    return list(Department.objects.filter(territory_q(actor, "pk")).order_by("code"))


def department_in_territory(departments: list[Department], code: str) -> Department | None:
    """The chosen département; one outside the territory is answered 404, like an absent one."""
    if not code:
        return None
    for department in departments:
        if department.code == code:
            return department
    raise Http404("Département hors de votre territoire.")


@htmx_login_redirect
@actor_required(has_role_for("view_vacancy_board"))
def vacancy_board(request):
    actor = request.actor
    departments = territory_departments(actor)
    department_in_territory(departments, request.GET.get("departement", ""))
    form = BoardFilterForm(request.GET or None, departments=departments, publics=list(Public.objects.all()))
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    programs = queries.board_totals(actor, filters)
    page = Paginator(programs, PROGRAMS_PER_PAGE).get_page(request.GET.get("page"))
    queries.fill_board_programs(actor, filters, list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    auto_refresh = request.GET.get("auto") != "0"
    without_auto = request.GET.copy()
    without_auto["auto"] = "0"
    with_auto = request.GET.copy()
    with_auto.pop("auto", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "total_available": sum(program.available for program in programs),
        "program_count": len(programs),
        "refreshed_at": timezone.localtime(),
        "refresh_seconds": REFRESH_SECONDS,
        "auto_refresh": auto_refresh,
        "auto_off_query": without_auto.urlencode(),
        "auto_on_query": with_auto.urlencode(),
    }
    template = "offer/board/partials/_board.html" if request.htmx else "offer/board/vacancy_board.html"
    return render(request, template, context)
