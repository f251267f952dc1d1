"""Attachments of a support request: which files are accepted, and how they reach the storage.

A file is accepted when its extension is on the allow-list, its content is of that type
(detected from its first bytes with `filetype`, never trusted from the name or the browser)
and the type the browser declared agrees (or is the browser's "unknown",
application/octet-stream). Plain text has no signature: it must decode as UTF-8, without NUL
bytes, and match no known binary type. Files are written under an unguessable name
(support/<request public id>/<random>) and never served by URL."""

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

# extension -> (type stored and served, types a browser may declare for it)
ALLOWED_TYPES: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": ("application/pdf", frozenset({"application/pdf", "application/x-pdf"})),
    "png": ("image/png", frozenset({"image/png"})),
    "jpg": ("image/jpeg", frozenset({"image/jpeg", "image/pjpeg"})),
    "jpeg": ("image/jpeg", frozenset({"image/jpeg", "image/pjpeg"})),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    ),
    "odt": ("application/vnd.oasis.opendocument.text", frozenset({"application/vnd.oasis.opendocument.text"})),
    "ods": (
        "application/vnd.oasis.opendocument.spreadsheet",
        frozenset({"application/vnd.oasis.opendocument.spreadsheet"}),
    ),
    "txt": ("text/plain", frozenset({"text/plain"})),
}
# What a browser sends for a type it does not know: not a claim, so not a lie.
UNKNOWN_DECLARED_TYPES = frozenset({"", "application/octet-stream"})
TEXT_TYPE = "text/plain"
ACCEPTED_FORMATS = "PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS et TXT"
ACCEPT_ATTRIBUTE = ",".join(f".{extension}" for extension in ALLOWED_TYPES)
# Names the user reads in messages, for the types a lying file really contains.
DETECTED_LABELS = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "application/zip": "ZIP",
    "application/x-msdownload": "programme Windows (EXE)",
    "application/x-executable": "programme (ELF)",
}
SNIFF_BYTES = 8192
NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class CheckedFile:
    upload: object  # an UploadedFile
    original_name: str
    content_type: str
    size: int
    sha256: str


def human_size(size: int) -> str:
    """Sizes as people read them in French: "5 Mo", "2,1 Ko", "312 octets"."""
    for unit, factor in (("Mo", 1024 * 1024), ("Ko", 1024)):
        if size >= factor:
            value = f"{size / factor:.1f}".removesuffix(".0").replace(".", ",")
            return f"{value}\xa0{unit}"
    return f"{size}\xa0octet{'s' if size > 1 else ''}"


def max_files() -> int:
    return settings.SUPPORT_ATTACHMENT_MAX_FILES


def max_bytes() -> int:
    return settings.SUPPORT_ATTACHMENT_MAX_BYTES


def limits_help_text() -> str:
    return (
        f"{max_files()} fichiers au plus, {human_size(max_bytes())} au plus chacun. "
        f"Formats acceptés : {ACCEPTED_FORMATS}."
    )


def _base_name(name: str) -> str:
    # Some browsers send a full path (C:\Users\...\capture.png): keep the last part only.
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()


def displayed_name(name: str) -> str:
    """The name as the user chose it, for messages (escaped by the template like any text)."""
    base = _base_name(name)
    return base if len(base) <= NAME_MAX_LENGTH else base[: NAME_MAX_LENGTH - 1] + "…"


def sanitized_name(name: str, extension: str) -> str:
    """A name safe in a header and on any disk: letters (accents kept), digits, - _ . ( ) and
    spaces, at most 100 characters, ending with the (lower-case) extension."""
    stem = unicodedata.normalize("NFC", _base_name(name))
    if stem.lower().endswith(f".{extension}"):
        stem = stem[: -len(extension) - 1]
    stem = re.sub(r"[^\w\-.() ]+", "_", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" ._")[: NAME_MAX_LENGTH - len(extension) - 1]
    return f"{stem or 'piece-jointe'}.{extension}"


def _extension(name: str) -> str:
    base = _base_name(name)
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _refuse(message: str, code: str):
    raise ValidationError(message, code=code)


def _digest_and_head(upload) -> tuple[str, bytes]:
    digest = hashlib.sha256()
    head = b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest(), head


def _is_utf8_text(upload) -> bool:
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_file(upload) -> CheckedFile:
    """Accept one uploaded file or raise a ValidationError naming it, in French."""
    name = displayed_name(upload.name)
    extension = _extension(upload.name)
    if extension not in ALLOWED_TYPES:
        _refuse(f"« {name} » n'est pas d'un format accepté. Formats acceptés : {ACCEPTED_FORMATS}.", "forbidden_type")
    if not upload.size:
        _refuse(f"« {name} » est vide (0 octet) : joignez un fichier qui a un contenu.", "empty")
    if upload.size > max_bytes():
        _refuse(
            f"« {name} » est trop volumineux ({human_size(upload.size)}) : "
            f"{human_size(max_bytes())} au plus par fichier.",
            "too_big",
        )
    expected, declarable = ALLOWED_TYPES[extension]
    sha256, head = _digest_and_head(upload)
    kind = filetype.guess(head)
    detected = kind.mime if kind else None
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if detected != (None if expected == TEXT_TYPE else expected):
        what = DETECTED_LABELS.get(detected, f"de type {detected}") if detected else "d'un type non reconnu"
        _refuse(
            f"« {name} » n'est pas ce qu'annonce son nom : son contenu est {what}, pas {extension.upper()}. "
            "Le fichier a été refusé.",
            "lying_type",
        )
    if declared not in declarable | UNKNOWN_DECLARED_TYPES:
        _refuse(
            f"« {name} » n'est pas ce qu'annonce son nom : votre navigateur l'a déclaré de type {declared}, "
            f"pas {extension.upper()}. Le fichier a été refusé.",
            "lying_type",
        )
    if expected == TEXT_TYPE and not _is_utf8_text(upload):
        _refuse(
            f"« {name} » n'est pas un texte lisible : un fichier .txt doit être du texte encodé en UTF-8.",
            "invalid_text",
        )
    return CheckedFile(
        upload=upload,
        original_name=sanitized_name(upload.name, extension),
        content_type=expected,
        size=upload.size,
        sha256=sha256,
    )


def storage_name(request_public_id) -> str:
    return f"support/{request_public_id}/{secrets.token_hex(16)}"


def write(checked: CheckedFile, request_public_id) -> str:
    """Write the file to the storage; returns the name the storage chose."""
    checked.upload.seek(0)
    return default_storage.save(storage_name(request_public_id), checked.upload)


def delete_quietly(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # already gone, or the storage refuses: the orphan sweep finishes it
            continue
