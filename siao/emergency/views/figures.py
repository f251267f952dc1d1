"""The 115's daily figures: aggregates by night and for a period, on the actor's départements
(the SIAO's, the département's, or any for the national administration). No names, no
personal data. The computation and its rules are in siao/emergency/figures.py."""

import csv
import datetime
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render

from siao.accounts.decorators import actor_required
from siao.emergency import figures as figures_queries
from siao.emergency.forms.program import FiguresForm
from siao.emergency.nights import tonight
from siao.emergency.permissions import has_role_for
from siao.geo.models import Department

DEFAULT_NIGHTS = 7
CHART_MAX_NIGHTS = 62
# The server-drawn SVG chart (no inline style, no script: the CSP forbids them).
CHART_WIDTH, CHART_LABEL, CHART_BARS, CHART_ROW = 640, 96, 470, 34


@dataclass
class ChartRow:
    label: str
    y: int
    requests: int
    requests_width: int
    unmet: int
    unmet_width: int


def perimeter_departments(actor) -> list[Department]:
    if actor.perimeter.is_national:
        return list(Department.objects.order_by("code"))
    return list(Department.objects.filter(pk__in=actor.perimeter.department_ids).order_by("code"))


def _form(request, departments):
    data = request.GET.copy()
    night = tonight()
    if not data.get("du") and not data.get("au"):
        data["du"] = (night - datetime.timedelta(days=DEFAULT_NIGHTS - 1)).isoformat()
        data["au"] = night.isoformat()
    national = request.actor.perimeter.is_national
    all_label = "Tous les départements (national)" if national else "Tous les départements de mon périmètre"
    return FiguresForm(data, departments=departments, all_label=all_label)


def _scope(actor, form, departments):
    """The chosen département (or None), and the département ids to count (None: all)."""
    code = form.cleaned_data.get("departement") or ""
    if not code and len(departments) == 1:
        code = departments[0].code
    department = next((item for item in departments if item.code == code), None) if code else None
    if department is not None:
        return department, [department.pk]
    if actor.perimeter.is_national:
        return None, None
    return None, [item.pk for item in departments]


def chart_rows(figures) -> tuple[list[ChartRow], int]:
    days = figures.days
    if len(days) > CHART_MAX_NIGHTS:
        return [], 0
    top = max([day.requests for day in days] + [1])
    rows = []
    for index, day in enumerate(days):
        rows.append(
            ChartRow(
                label=f"{day.night:%d/%m}",
                y=30 + index * CHART_ROW,
                requests=day.requests,
                requests_width=round(CHART_BARS * day.requests / top),
                unmet=day.unmet,
                unmet_width=round(CHART_BARS * day.unmet / top),
            )
        )
    return rows, 30 + len(days) * CHART_ROW + 6


@actor_required(has_role_for("view_figures"))
def daily_figures(request):
    actor = request.actor
    departments = perimeter_departments(actor)
    form = _form(request, departments)
    figures = department = None
    chart, chart_height = [], 0
    if form.is_valid():
        department, department_ids = _scope(actor, form, departments)
        figures = figures_queries.daily_figures(department_ids, form.cleaned_data["du"], form.cleaned_data["au"])
        chart, chart_height = chart_rows(figures)
    return render(
        request,
        "emergency/figures/daily_figures.html",
        {
            "form": form,
            "figures": figures,
            "department": department,
            "several_departments": len(departments) > 1,
            "query": form.data.urlencode(),
            "chart": chart,
            "chart_height": chart_height,
            "chart_max_nights": CHART_MAX_NIGHTS,
            "chart_geometry": {"width": CHART_WIDTH, "label": CHART_LABEL, "bars": CHART_BARS},
        },
        status=200 if form.is_valid() else 400,
    )


@actor_required(has_role_for("view_figures"))
def daily_figures_csv(request):
    actor = request.actor
    departments = perimeter_departments(actor)
    form = _form(request, departments)
    if not form.is_valid():
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    department, department_ids = _scope(actor, form, departments)
    figures = figures_queries.daily_figures(department_ids, form.cleaned_data["du"], form.cleaned_data["au"])
    # Semicolons and a byte order mark: what a French spreadsheet opens without a wizard.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(figures_queries.CSV_HEADERS)
    writer.writerows(figures_queries.csv_rows(figures))
    # The period's breakdowns below the table, each after a blank line and its own header.
    for title, rows in (
        ("Orientations par type de dispositif", figures.by_program_type),
        ("Orientations par type de places", figures.by_place_type),
        ("Demandes non pourvues par motif", figures.unmet_by_reason),
    ):
        writer.writerow([])
        writer.writerow([title, "Nombre"])
        writer.writerows([label, count] for label, count in rows)
    scope = department.code if department else ("national" if department_ids is None else "perimetre")
    filename = f"chiffres-115-{scope}-{figures.start:%Y-%m-%d}-{figures.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
