"""Searching the published articles. Every word of the query must appear (title, summary, version
or body), accents and case ignored; articles whose title holds the most words come first. Plain
`LIKE` on a normalized copy of the text (Article.search_text): the same results on SQLite and
PostgreSQL, and bounded work whatever the input (length and number of words capped)."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from .models import Article
from .text import words

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
MIN_WORD_LENGTH = 2
SUGGESTIONS_LIMIT = 5
SUGGESTION_MIN_LENGTH = 4
SUGGESTION_INPUT_LENGTH = 600

# Common French words that say nothing about the subject of a support request.
STOP_WORDS = frozenset(
    """alors aussi avec avoir bien bonjour cela cette comme dans depuis donc elle encore etre fait faire
    leur mais merci meme moins nous pour plus quand quel quelle sans sont suis sur tout tous tres vous votre
    vos mon mes notre nos avez avons peux peut pouvez comment pourquoi quoi est les des une que qui pas par
    madame monsieur cordialement probleme""".split()  # noqa: SIM905
)


def singular(word: str) -> str:
    """« profils » finds « profil » (and still « profils »: the match is on a substring); the
    plural's final s or x is dropped from words of five to thirty letters."""
    return word[:-1] if 5 <= len(word) <= 30 and word[-1] in "sx" else word


def query_words(query: str) -> list[str]:
    """The words of a search query: normalized, short ones dropped, plurals reduced, at most MAX_WORDS."""
    found = [singular(word) for word in words((query or "")[:MAX_QUERY_LENGTH]) if len(word) >= MIN_WORD_LENGTH]
    return list(dict.fromkeys(found))[:MAX_WORDS]


def _title_score(terms: list[str]):
    return sum(
        (Case(When(search_title__contains=term, then=Value(1)), default=Value(0), output_field=IntegerField())
         for term in terms),
        start=Value(0),
    )  # fmt: skip


def search_articles(queryset: QuerySet[Article], query: str) -> QuerySet[Article]:
    """Articles of `queryset` matching every word of `query`, best first; none for an empty query."""
    terms = query_words(query)
    if not terms:
        return queryset.none()
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=term)
    return (
        queryset.filter(condition)
        .annotate(title_score=_title_score(terms))
        .order_by("-title_score", Coalesce("published_at", "created_at").desc(), "pk")
    )


def suggestion_words(*texts: str) -> list[str]:
    """Significant words of what a requester is typing: the subject's first, then the description's."""
    found: list[str] = []
    for text in texts:
        for word in words((text or "")[:SUGGESTION_INPUT_LENGTH]):
            if len(word) >= SUGGESTION_MIN_LENGTH and word not in STOP_WORDS and singular(word) not in found:
                found.append(singular(word))
    return found[:MAX_WORDS]


def suggest_articles(*texts: str) -> list[Article]:
    """At most SUGGESTIONS_LIMIT published articles whose title or summary share the most words
    with the texts (any word, unlike the search: nobody's whole description appears in one
    article). Title and summary only: precise enough, and cheap while someone types."""
    terms = suggestion_words(*texts)
    if not terms:
        return []
    any_term = Q()
    for term in terms:
        any_term |= Q(search_head__contains=term)
    score = sum(
        (Case(When(search_head__contains=term, then=Value(1)), default=Value(0), output_field=IntegerField())
         for term in terms),
        start=Value(0),
    )  # fmt: skip
    return list(
        Article.objects.published()
        .filter(any_term)
        .annotate(score=score, title_score=_title_score(terms))
        .order_by("-score", "-title_score", "-published_at", "pk")
        .only("title", "slug", "summary", "kind", "version_label")[:SUGGESTIONS_LIMIT]
    )
