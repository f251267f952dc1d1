"""The statistics dashboards and their exports: one measure, one dimension, a calendar year (its
months so far for the current year), for a département or the nation, read from the statistics base only and published under
disclosure control (siao/statistics/disclosure.py). Reading needs no audit (anonymous
aggregates); an export is recorded (`statistics.exported`): figures leave the system."""

from django.conf import settings
from django.db.models import Max, Min, Q
from django.http import Http404
from django.shortcuts import render

from siao.accounts.decorators import actor_required
from siao.audit.trail import record
from siao.geo.models import Department

from . import charts, exports
from .disclosure import publish
from .forms import StatisticsForm
from .measures import MEASURES
from .models import MonthState
from .months import add_months, current_month, legacy_year, month_label, year_period
from .permissions import can_export_statistics, can_view_statistics, statistics_department_ids

DEFAULT_MEASURE = "requests"
LEGACY_PERIOD_MESSAGE = (
    "Les statistiques sont désormais publiées par année civile : une période libre permettait, en "
    "comparant deux périodes qui se chevauchent, de retrouver des chiffres couverts par le secret "
    "statistique. {shown}"
)


def _departments(actor) -> list[tuple[str, str]]:
    """(code, "code – name") of the départements the actor reads (one query)."""
    ids = statistics_department_ids(actor)
    departments = Department.objects.order_by("code")
    if ids is not None:
        departments = departments.filter(pk__in=ids)
    return [(code, f"{code} – {name}") for code, name in departments.values_list("code", "name")]


def _parse(request):
    """(form, national, département code or None, département labels, freshness); 404 for a
    département outside a territorial perimeter. Old links with a free period (`du`, `au`) show
    the year of their last month, with an information message."""
    actor = request.actor
    national = statistics_department_ids(actor) is None
    departments = _departments(actor)
    data = request.GET.copy()
    current = current_month()
    freshness = _freshness()
    years = _years(freshness, current)
    if not data.get("mesure"):
        data["mesure"] = DEFAULT_MEASURE
        data.setdefault("ventilation", MEASURES[DEFAULT_MEASURE].dimensions[0])
    legacy = [data.pop(name, [""])[-1] for name in ("au", "du")]
    period_message = ""
    if not data.get("annee") and any(legacy):
        year = next((year for year in map(legacy_year, filter(None, legacy)) if year), None)
        if year in years:
            data["annee"] = str(year)
            shown = f"L'année {year} est affichée."
        else:
            shown = f"L'année en cours ({current.year}) est affichée."
        period_message = LEGACY_PERIOD_MESSAGE.format(shown=shown)
    if not data.get("annee"):
        data["annee"] = str(current.year)
    if not national:
        # A territorial perimeter: its département(s) only, another one is answered 404.
        codes = [item for item, _ in departments]
        requested = data.get("departement", "")
        if requested and requested not in codes:
            raise Http404("Ce département n'est pas dans votre périmètre.")
        data["departement"] = requested or codes[0]
    several = national or len(departments) > 1
    form = StatisticsForm(data, departments=departments if several else None, national=national, years=years)
    form.period_message = period_message
    code = data["departement"] if not several else None
    if several and form.is_valid():
        code = form.cleaned_data["departement"] or None
    return form, national, code, dict(departments), freshness


def _years(freshness, current) -> list[int]:
    """The years with data, newest first: from the first computed month's (every month after it
    is computed) to the current one, which is always offered."""
    first = freshness["first_month"]
    return list(range(current.year, (first.year if first else current.year) - 1, -1))


def _freshness() -> dict:
    return MonthState.objects.using("stats").aggregate(
        updated_at=Max("computed_at"),
        first_month=Min("month"),
        frozen_through=Max("month", filter=Q(frozen_at__isnull=False)),
        demo_first=Min("month", filter=Q(is_demo=True)),
        demo_last=Max("month", filter=Q(is_demo=True)),
    )


def _publication(form, code, labels):
    data = form.cleaned_data
    first, last = year_period(data["annee"], current_month())
    return publish(
        measure=data["mesure"],
        dimension=data["ventilation"] or "",
        first=first,
        last=last,
        department=code,
        department_labels=labels,
    )


def _scope_label(code, labels) -> str:
    return f"Département {labels[code]}" if code else "National (tous les départements)"


@actor_required(can_view_statistics)
def dashboard(request):
    return _render_dashboard(request, *_parse(request))


def _render_dashboard(request, form, national, code, labels, freshness, *, export_error: bool = False):
    """The page; 400 with the form's errors in French when the filters are invalid (also for an
    export asked with invalid filters: `export_error`)."""
    publication = chart_by_value = chart_by_month = None
    if form.is_valid():
        publication = _publication(form, code, labels)
        if publication.dimension:
            title = charts.chart_title(publication, per_month=False)
            chart_by_value = charts.bar_chart(publication.by_value, title=title)
        title = charts.chart_title(publication, per_month=True)
        chart_by_month = charts.bar_chart(publication.by_month, title=title, per_month=True)
    query = form.data.copy()
    captions = _captions(publication, code, labels) if publication else {}
    return render(
        request,
        "statistics/dashboard.html",
        {
            **captions,
            "form": form,
            "national": national,
            "department_code": code,
            "scope_label": _scope_label(code, labels),
            "publication": publication,
            "chart_by_value": chart_by_value,
            "chart_by_month": chart_by_month,
            "freshness": freshness,
            "frozen_label": month_label(freshness["frozen_through"]) if freshness["frozen_through"] else "",
            "demo_period": _demo_period(freshness),
            "demo_real_from": _demo_real_from(freshness),
            "fallback_message": form.fallback_message,
            "period_message": form.period_message,
            "export_error": export_error,
            "distinct_persons_note": exports.DISTINCT_PERSONS_NOTE,
            "min_persons": settings.STATISTICS_MIN_PERSONS,
            "query": query.urlencode(),
            "can_export": can_export_statistics(request.actor),
        },
        status=200 if form.is_valid() else 400,
    )


def _captions(publication, code, labels) -> dict:
    period = exports.period_label(publication)
    scope = _scope_label(code, labels)
    what = f"{publication.measure.label}, {scope.lower() if not code else scope}, {period}"
    return {
        "period_label": period,
        "columns": exports.columns(publication),
        "value_caption": f"{what}, par {publication.dimension_label.lower()}" if publication.dimension else "",
        "month_caption": f"{what}, par mois",
        "department_caption": f"{what}, par département",
    }


def _demo_real_from(freshness) -> str:
    """The first month after the demo's synthetic ones: computed from the demo's few real files."""
    last = freshness["demo_last"]
    return month_label(add_months(last, 1)) if last else ""


def _demo_period(freshness) -> str:
    first, last = freshness["demo_first"], freshness["demo_last"]
    return f"de {month_label(first)} à {month_label(last)}" if first else ""


@actor_required(can_export_statistics)
def export(request, export_format: str):
    form, national, code, labels, freshness = _parse(request)
    if not form.is_valid():
        # The page itself, with the errors in French, rather than a file.
        return _render_dashboard(request, form, national, code, labels, freshness, export_error=True)
    publication = _publication(form, code, labels)
    record(
        "statistics.exported",
        actor=request.actor,
        data={
            "format": export_format,
            "measure": publication.measure.name,
            "dimension": publication.dimension,
            "year": publication.year,
            "first": publication.first,
            "last": publication.last,
            "department": code or "national",
        },
    )
    return exports.export_response(
        publication,
        export_format,
        scope_code=code or "national",
        scope_label=_scope_label(code, labels),
        updated_at=freshness["updated_at"],
    )
