"""The capacity dashboard: funded, created and occupied capacity (now and at a chosen date)
by département, operator and program, with gaps highlighted, a chart, CSV and XLSX exports.
National roles see everything, territorial roles their territory (`territory_q`)."""

import csv
import io
import json
import uuid

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from siao.accounts.decorators import actor_required
from siao.accounts.enums import OrganizationKind
from siao.accounts.models import Organization
from siao.offer import queries
from siao.offer.enums import SI_SIAO_CODES, ProgramCategory, ProgramType
from siao.offer.forms.board import DashboardDateForm
from siao.offer.permissions import has_role_for
from siao.offer.queries import GroupBy

from .board import department_in_territory, territory_departments

ROWS_PER_PAGE = 100
CHART_BARS = 20
VIEW_LABELS = {
    GroupBy.DEPARTMENT: "Par département",
    GroupBy.OPERATOR: "Par entité gestionnaire",
    GroupBy.PROGRAM: "Par dispositif",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def operator_in_scope(actor, public_id: str, department) -> Organization | None:
    """An operator with validated programs in the actor's territory (and département); any
    other, like an absent one, is answered 404."""
    if not public_id:
        return None
    programs = queries.scope_programs(actor, department=department).filter(operator_id=OuterRef("pk"))
    operator = (
        Organization.objects.filter(public_id=public_id, kind=OrganizationKind.OPERATOR)
        .filter(Exists(programs))
        .first()
        if _is_uuid(public_id)
        else None
    )
    if operator is None:
        raise Http404("Entité gestionnaire hors de votre territoire.")
    return operator


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def available_views(department, operator) -> list[str]:
    """The drill-down: national → départements (or operators) → operators or programs of a
    département → programs of an operator."""
    if operator is not None:
        return [GroupBy.PROGRAM]
    if department is not None:
        return [GroupBy.PROGRAM, GroupBy.OPERATOR]
    return [GroupBy.DEPARTMENT, GroupBy.OPERATOR]


@actor_required(has_role_for("view_capacity_dashboard"))
def capacity_dashboard(request):
    actor = request.actor
    departments = territory_departments(actor)
    department = department_in_territory(departments, request.GET.get("departement", ""))
    if department is None and len(departments) == 1 and not actor.perimeter.is_national:
        department = departments[0]
    operator = operator_in_scope(actor, request.GET.get("entite", ""), department)
    views = available_views(department, operator)
    group_by = request.GET.get("vue") if request.GET.get("vue") in views else views[0]
    date_form = DashboardDateForm(request.GET if "date" in request.GET else None)
    at = date_form.cleaned_data.get("date") if date_form.is_bound and date_form.is_valid() else None

    table = queries.capacity_table(actor, group_by=group_by, department=department, operator=operator, at=at)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return export_response(table, export, department=department, operator=operator)

    scope = {"departement": department.code if department else "", "date": at.isoformat() if at else ""}
    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(table.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "offer/dashboard/capacity_dashboard.html",
        {
            "table": table,
            "page": page,
            "query": query.urlencode(),
            "department": department,
            "departments": departments,
            "operator": operator,
            "group_by": group_by,
            "view_label": VIEW_LABELS[group_by],
            "views": [(view, VIEW_LABELS[view]) for view in views],
            "date_form": date_form,
            "at": at,
            "scope": scope,
            "single_department": len(departments) == 1 and not actor.perimeter.is_national,
            "chart": chart_data(table),
        },
    )


def row_label(table, row) -> str:
    label = row.label
    if table.group_by == GroupBy.DEPARTMENT:
        return f"{label['department__code']} – {label['department__name']}"
    if table.group_by == GroupBy.OPERATOR:
        return label["operator__name"]
    return label["name"]


def chart_data(table) -> dict | None:
    """The largest rows by funded capacity, as the JSON strings `<bar-chart>` reads."""
    rows = sorted(table.rows, key=lambda row: row.funded, reverse=True)[:CHART_BARS]
    if not rows:
        return None
    series = [[row.funded for row in rows], [row.created for row in rows], [row.occupied for row in rows]]
    names = ["Capacité financée", "Capacité créée", "Capacité occupée"]
    if table.at is not None:
        series.append([row.occupied_at for row in rows])
        names.append(f"Occupée au {table.at:%d/%m/%Y}")
    labels = [row_label(table, row) for row in rows]
    return {
        "x": json.dumps([labels], ensure_ascii=False),
        "y": json.dumps(series),
        "name": json.dumps(names, ensure_ascii=False),
        "partial": len(table.rows) > CHART_BARS,
        "count": len(rows),
    }


# --- exports ---------------------------------------------------------------------------------


def export_rows(table) -> tuple[list[str], list[list]]:
    """The current table as columns and rows, with the live SI SIAO referential codes."""
    at = table.at
    if table.group_by == GroupBy.DEPARTMENT:
        headers = ["Code département (INSEE)", "Département"]

        def describe(label):
            return [label["department__code"], label["department__name"]]

    elif table.group_by == GroupBy.OPERATOR:
        headers = ["SIREN", "Entité gestionnaire"]

        def describe(label):
            return [label["operator__siren"], label["operator__name"]]

    else:
        headers = [
            "Code département (INSEE)",
            "SIRET",
            "Dispositif",
            "Entité gestionnaire",
            "Catégorie",
            "Type de dispositif",
            "Code SI SIAO nature de l'offre",
            "Code SI SIAO type d'établissement",
        ]

        def describe(label):
            return [
                label["department__code"],
                label["siret"],
                label["name"],
                label["operator__name"],
                ProgramCategory(label["category"]).label,
                ProgramType(label["type"]).label,
                SI_SIAO_CODES["program_kind"].get(label["category"], ""),
                SI_SIAO_CODES["establishment_type"].get(label["type"], ""),
            ]

    headers += [
        "Dispositifs validés",
        "Capacité financée (P177 + hors P177 + IML+)",
        "Total géré",
        "Capacité créée",
        "Capacité occupée",
        "Taux d'occupation (%)",
    ]
    if at is not None:
        headers += [f"Capacité occupée au {at:%d/%m/%Y}", f"Taux d'occupation au {at:%d/%m/%Y} (%)"]
    headers += ["Capacité non créée", "Écarts"]

    def metrics(row):
        values = [row.programs, row.funded, row.managed, row.created, row.occupied, _rate(row.occupancy_rate)]
        if at is not None:
            values += [row.occupied_at, _rate(row.occupancy_rate_at)]
        return values + [row.uncreated, " ; ".join(explanation for _, _, explanation in row.gaps)]

    rows = [[_safe_cell(value) for value in describe(row.label)] + metrics(row) for row in table.rows]
    blanks = [""] * (len(headers) - len(metrics(table.total)) - 1)
    rows.append(["Total", *blanks, *metrics(table.total)])
    return headers, rows


def _rate(value):
    return "" if value is None else value


def _safe_cell(value):
    """Names typed by users must not be read as formulas by a spreadsheet (CSV injection;
    openpyxl also writes a string starting with "=" as a formula)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_filename(table, department, operator, extension: str) -> str:
    parts = ["capacites", table.group_by]
    if department is not None:
        parts.append(department.code)
    if operator is not None:
        parts.append(operator.siren or "entite")
    parts.append((table.at or timezone.localdate()).isoformat())
    return "-".join(parts) + f".{extension}"


def export_response(table, export: str, *, department, operator) -> HttpResponse:
    headers, rows = export_rows(table)
    filename = export_filename(table, department, operator, export)
    if export == "csv":
        # Semicolons and a byte order mark: what a French spreadsheet opens without a wizard.
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow(headers)
        writer.writerows(rows)
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Capacités")
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
