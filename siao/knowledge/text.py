"""Text normalization for the help centre's search: lowercase, accents removed, so that the same
plain `LIKE` works alike on SQLite and PostgreSQL (no unaccent extension, no full-text index)."""

import re
import unicodedata

WORD_RE = re.compile(r"[0-9a-z]+")


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.casefold().replace("œ", "oe").replace("æ", "ae")


def words(text: str) -> list[str]:
    """The distinct normalized words of `text`, in order."""
    seen: dict[str, None] = {}
    for word in WORD_RE.findall(normalize(text)):
        seen.setdefault(word, None)
    return list(seen)
