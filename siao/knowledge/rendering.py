"""Markdown to safe HTML for the help centre: markdown-it-py with raw HTML disabled, then nh3
with an allow-list (no images, no attributes but links', links to http, https, mailto or
relative addresses only). The same function renders the article page and the editor's preview."""

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
    "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with their content, not just their tags.
CLEAN_CONTENT_TAGS = {"script", "style"}

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _render_markdown(text: str) -> str:
    tokens = _renderer.parse(text)
    for token in tokens:
        # The page's title is the only h1: a "# Titre" in the body becomes an h2.
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token.tag = "h2"
        for child in token.children or ():
            # No images (no tracking pixels, no outside content): their description stays as text.
            if child.type == "image":
                child.type, child.tag, child.content, child.children = "text", "", child.content, None
    return _renderer.renderer.render(tokens, _renderer.options, {})


@lru_cache(maxsize=256)
def _safe_html(text: str) -> str:
    html = nh3.clean(
        _render_markdown(text),
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return html.replace("<table>", '<div class="fr-table"><table>').replace("</table>", "</table></div>")


def render_markdown(text: str) -> SafeString:
    """Safe HTML of an article's Markdown (cached per text: the body is the key)."""
    return mark_safe(_safe_html(text or ""))  # noqa: S308 — sanitized by nh3 above
