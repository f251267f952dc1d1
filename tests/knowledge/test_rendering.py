"""Articles are Markdown written by administrators: whatever they type, the page carries no
script, no event handler, no dangerous URL, no raw HTML, no image."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from siao.knowledge.rendering import ALLOWED_TAGS, render_markdown

from .helpers import make_article

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="https://ok.example" onclick="alert(1)">clic</a>',
    '[ok](https://ok.example "titre" onclick=alert(1))',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](java\tscript:alert(1))",
    '<a href="javascript:alert(1)">clic</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![image](https://tracker.example/pixel.png)",
    '![x](x" onerror="alert(1))',
    "<iframe src=https://evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<svg onload=alert(1)>",
    "[ref][1]\n\n[1]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<!-- commentaire --><style>body{}</style>",
]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_renders_inert(source):
    for tag, attrs in elements(str(render_markdown(source))):
        assert tag in ALLOWED_TAGS | {"div"}, (source, tag)
        assert set(attrs) <= {"href", "title", "rel", "start", "class"}, (source, attrs)
        if tag == "div":
            assert attrs == {"class": "fr-table"}
        href = attrs.get("href")
        if href is not None:
            assert urlsplit(href).scheme in {"", "http", "https", "mailto"}, (source, href)
            assert attrs["rel"] == "noopener noreferrer"


def test_raw_html_is_shown_as_text_not_interpreted():
    html = str(render_markdown("<b>gras</b> <script>alert(1)</script>"))
    assert "&lt;b&gt;gras&lt;/b&gt;" in html
    assert "<b>" not in html


def test_useful_markdown_survives_with_safe_links():
    html = str(
        render_markdown(
            "# Titre\n\n## Intertitre\n\n**gras** *italique* `code`\n\n- un\n- deux\n\n> citation\n\n"
            "[site](https://exemple.example) [courriel](mailto:support@si-siao.example) [page](/aide/)\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |"
        )
    )
    assert "<h2>Titre</h2>" in html  # the page's title is the only h1
    assert "<h2>Intertitre</h2>" in html
    assert "<strong>gras</strong>" in html and "<em>italique</em>" in html and "<code>code</code>" in html
    assert "<li>un</li>" in html and "<blockquote>" in html
    assert '<a href="https://exemple.example" rel="noopener noreferrer">site</a>' in html
    assert 'href="mailto:support@si-siao.example"' in html
    assert 'href="/aide/"' in html
    assert '<div class="fr-table"><table>' in html


def test_an_image_keeps_only_its_description():
    assert str(render_markdown("![Capture de la page d'accueil](https://x.example/a.png)")).strip() == (
        "<p>Capture de la page d'accueil</p>"
    )


@pytest.mark.django_db
def test_the_article_page_shows_a_hostile_article_inert(client):
    article = make_article(
        "Article piégé",
        body='<script>alert("x")</script>\n\n[clic](javascript:alert(1))\n\n<img src=x onerror=alert(1)>',
    )
    response = client.get(reverse("knowledge:article", args=[article.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    body = page.split('class="siao-article-body">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and "<img" not in body and 'href="javascript' not in body
    assert "&lt;script&gt;" in body
