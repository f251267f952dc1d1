"""The human guide of the partner API, beside its OpenAPI document: docs/partner-api.md
rendered (the repository's own text, raw HTML disabled), then the list of problem codes."""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.shortcuts import render
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from .api.problems import PROBLEMS

GUIDE = Path(settings.BASE_DIR) / "docs" / "partner-api.md"


@cache
def guide_html() -> str:
    # "commonmark" with html=False: text from the repository, and still no raw HTML passes.
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    html = renderer.render(GUIDE.read_text(encoding="utf-8"))
    return html.replace("<table>", '<div class="fr-table"><table>').replace("</table>", "</table></div>")


def api_guide(request):
    problems = [
        {"code": code, "status": status, "title": title_fr, "title_en": title_en, "detail": detail_fr}
        for code, (status, title_fr, title_en, detail_fr, _detail_en) in PROBLEMS.items()
    ]
    return render(request, "partners/guide/api.html", {"guide": mark_safe(guide_html()), "problems": problems})  # noqa: S308
