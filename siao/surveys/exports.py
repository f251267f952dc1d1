"""CSV exports of a campaign's results: the same protected aggregates as the page (UTF-8 with
a byte order mark and semicolons, like siao/statistics/exports.py), and the comments alone,
without any attribute. Cells that a spreadsheet would read as a formula are defused."""

import csv

from django.http import HttpResponse
from django.utils.text import slugify

from .questions import SCORE_QUESTION
from .results import Results, french_number

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A leading apostrophe keeps « =HYPERLINK(...) » and the like as text (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _response(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    return response, csv.writer(response, delimiter=";")


def _write(writer, rows) -> None:
    writer.writerows([[safe_cell(cell) for cell in row] for row in rows])


def filename(campaign, scope_code: str, what: str) -> str:
    return f"{slugify(campaign.title) or 'enquete'}-{what}-{scope_code}.csv"


def results_rows(campaign, results: Results) -> list[list]:
    rows: list[list] = [
        ["Enquête", campaign.title],
        ["Périmètre", results.scope_label],
        ["Nombre de réponses", results.total],
    ]
    if not results.published:
        rows.append(
            [
                "Diffusion",
                f"Moins de {results.threshold} réponses : seul leur nombre est publié, pour préserver l'anonymat.",
            ]
        )
        return rows
    rows += [["Note moyenne (sur 5)", results.mean_text], [], [SCORE_QUESTION], ["Note", "Réponses", "Part (%)"]]
    rows += [[row.label, row.count, row.share] for row in results.scores]
    for question in results.questions:
        rows += [[], [question.label], ["Réponse", "Réponses", "Part (%)"]]
        rows += [[row.label, row.count, row.share] for row in question.rows]
    for breakdown in results.breakdowns:
        rows += [[], [breakdown.title]]
        rows.append(
            [
                breakdown.dimension,
                "Réponses",
                "Note moyenne (sur 5)",
                *[f"{q.short_label} : tout à fait ou plutôt oui (%)" for q in results.questions],
            ]
        )
        rows += [[g.label, g.count, french_number(g.mean), *g.positive_shares] for g in breakdown.groups]
        if breakdown.merged_note:
            rows.append(["Note", breakdown.merged_note])
    rows += [
        [],
        [
            "Anonymat",
            f"Les réponses sont anonymes ; un profil ou un territoire de moins de {results.threshold} réponses "
            "n'est pas montré à part.",
        ],
    ]
    return rows


def results_response(campaign, results: Results, scope_code: str) -> HttpResponse:
    response, writer = _response(filename(campaign, scope_code, "resultats"))
    _write(writer, results_rows(campaign, results))
    return response


def comments_response(campaign, results: Results, scope_code: str) -> HttpResponse:
    response, writer = _response(filename(campaign, scope_code, "commentaires"))
    _write(writer, [["Commentaire"], *[[comment] for comment in results.comments]])
    return response
