"""CSV and XLSX exports of a publication: the same controlled figures as the page (secret
cells written "s"), from the statistics base only. CSV like the other exports of the SI SIAO:
UTF-8 with a byte order mark and semicolons, what a French spreadsheet opens directly."""

import csv
import datetime
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from .disclosure import HIDDEN_MARK, Figure, Publication
from .measures import DELAY, DIMENSION_LABELS, OCCUPANCY
from .months import month_label, short_month_label

DISTINCT_PERSONS_NOTE = (
    "Une personne peut figurer dans plusieurs lignes : le total compte les personnes distinctes "
    "(une fois par mois et par département), il peut donc être inférieur à la somme des lignes."
)
# French slugs of the measures, for the files' names.
MEASURE_SLUGS = {
    "requests": "demandes",
    "emergency_requests": "demandes-urgence",
    "unmet": "demandes-non-pourvues",
    "persons": "personnes",
    "stays_started": "admissions",
    "exits": "sorties",
    "delay_orientation": "delai-orientation",
    "delay_admission": "delai-admission",
    "occupancy": "occupation",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns(publication: Publication) -> list[str]:
    measure = publication.measure
    if measure.kind == OCCUPANCY:
        return ["Nuitées-places occupées", "Nuitées-places disponibles", "Taux d'occupation (%)"]
    if measure.kind == DELAY:
        return [f"Nombre ({measure.unit})", "Délai moyen (jours)"]
    return [f"Nombre ({measure.unit})"]


def _numbers(figure: Figure) -> list:
    if figure.secret:
        return [HIDDEN_MARK] * (3 if figure.kind == OCCUPANCY else 2 if figure.kind == DELAY else 1)
    if figure.kind == OCCUPANCY:
        return [figure.count, figure.available, "" if figure.rate is None else figure.rate]
    if figure.kind == DELAY:
        return [figure.count, "" if figure.mean is None else figure.mean]
    return [figure.count]


def _decimal_commas(rows: list[list]) -> list[list]:
    """CSV: 3,5 rather than 3.5, what a French spreadsheet reads as a number."""
    return [[str(cell).replace(".", ",") if isinstance(cell, float) else cell for cell in row] for row in rows]


def sections(publication: Publication) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, headers, rows) of each table."""
    headers = columns(publication)
    total = publication.total
    result = []
    if publication.dimension:
        rows = [[figure.code, figure.label, *_numbers(figure)] for figure in publication.by_value]
        rows.append(["", "Total", *_numbers(total)])
        result.append(
            (f"Par {publication.dimension_label.lower()}", ["Code", publication.dimension_label, *headers], rows)
        )
    rows = [[short_month_label(_month(figure)), figure.label, *_numbers(figure)] for figure in publication.by_month]
    rows.append(["", "Total de l'année", *_numbers(total)])
    result.append(("Par mois", ["Mois", "Libellé", *headers], rows))
    if publication.by_department:
        rows = [[figure.code, figure.label, *_numbers(figure)] for figure in publication.by_department]
        rows.append(["", "Total national", *_numbers(total)])
        result.append(("Par département", ["Code département (INSEE)", "Département", *headers], rows))
    return result


def _month(figure: Figure) -> datetime.date:
    return datetime.date.fromisoformat(figure.code)


def period_label(publication: Publication) -> str:
    """« année 2025 », or for the current year « année 2026 (jusqu'à novembre 2026) »."""
    label = f"année {publication.year}"
    if publication.last.month != 12:
        label += f" (jusqu'à {month_label(publication.last)})"
    return label


def notes(publication: Publication, scope_label: str, updated_at) -> list[list[str]]:
    return [
        ["Mesure", publication.measure.label],
        ["Définition", publication.measure.description],
        ["Périmètre", scope_label],
        [
            "Période",
            f"Année {publication.year} ({short_month_label(publication.first)} à "
            f"{short_month_label(publication.last)})",
        ],
        [
            "Données à jour au",
            f"{timezone.localtime(updated_at):%d/%m/%Y %H:%M}" if updated_at else "jamais calculées",
        ],
        [
            HIDDEN_MARK,
            "Secret statistique : moins de personnes distinctes que le seuil, ou masqué pour qu'on ne puisse "
            "pas retrouver une case secrète à partir des totaux.",
        ],
        *([["Lecture", DISTINCT_PERSONS_NOTE]] if publication.measure.overlapping_values else []),
        ["Source", "Base statistique du SI SIAO (agrégats anonymes, aucune donnée nominative)."],
    ]


def filename(publication: Publication, scope_code: str, extension: str) -> str:
    parts = [
        "statistiques",
        MEASURE_SLUGS.get(publication.measure.name) or slugify(publication.measure.label),
        slugify(DIMENSION_LABELS[publication.dimension]) if publication.dimension else "total",
        scope_code,
        str(publication.year),
    ]
    return "-".join(parts) + f".{extension}"


def export_response(publication: Publication, export: str, *, scope_code: str, scope_label: str, updated_at):
    tables = sections(publication)
    if export == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        for index, (title, headers, rows) in enumerate(tables):
            if index:
                writer.writerow([])
            writer.writerow([title])
            writer.writerow(headers)
            writer.writerows(_decimal_commas(rows))
        writer.writerow([])
        writer.writerows(notes(publication, scope_label, updated_at))
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        for title, headers, rows in tables:
            sheet = workbook.create_sheet(title[:31])
            sheet.append(headers)
            for row in rows:
                sheet.append(row)
        sheet = workbook.create_sheet("Notes")
        for row in notes(publication, scope_label, updated_at):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(publication, scope_code, export)}"'
    return response
