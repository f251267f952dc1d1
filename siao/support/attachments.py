"""Attachments of a support request: which files are accepted, and how they reach the storage.

A file is accepted when its extension is on the allow-list, its content is of that type
(detected from its first bytes with `filetype`, never trusted from the name or the browser)
and the type the browser declared agrees (or is the browser's "unknown",
application/octet-stream). Plain text has no signature: it must decode as UTF-8, without NUL
bytes, and match no known binary type. Office documents (DOCX, XLSX, ODT, ODS) are ZIP
archives: beyond their first bytes, their table of contents must be that of such a document
(the part declaring its type present and saying so), without macros, neither encrypted nor
broken. Files are written under an unguessable name
(support/<request public id>/<random>) and never served by URL."""

import hashlib
import re
import secrets
import unicodedata
import zipfile
import zlib
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

# Office documents: what their ZIP table of contents must hold. Only the central directory is
# read, plus the one small part that declares the document's type.
ZIP_MAX_ENTRIES = 2000
ZIP_DECLARATION_MAX_BYTES = 64 * 1024
OOXML_CONTENT_TYPES = "[Content_Types].xml"
# extension -> (content type of the main part, what the user calls the document)
OOXML_MAIN_TYPES = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "un document Word"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "un classeur Excel"),
}
OPEN_DOCUMENT_NOUNS = {"odt": "un document texte OpenDocument", "ods": "un classeur OpenDocument"}


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


def exact_size(size: int) -> str:
    """A size in bytes, digits grouped the French way: "5 242 899 octets"."""
    return f"{size:,}".replace(",", "\xa0") + f"\xa0octet{'s' if size > 1 else ''}"


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
        # In bytes as well: "5,0 Mo" for a file just over 5 Mo would read as within the limit.
        _refuse(
            f"« {name} » est trop volumineux ({exact_size(upload.size)}) : la limite est de "
            f"{human_size(max_bytes())} ({exact_size(max_bytes())}) par fichier.",
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
    if extension in OOXML_MAIN_TYPES or extension in OPEN_DOCUMENT_NOUNS:
        _check_office_document(upload, name, extension)
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


def _read_declaration(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The content of a small part of the archive, or None when it is too big to be what it
    should be (the read is bounded whatever the archive claims)."""
    if info.file_size > ZIP_DECLARATION_MAX_BYTES:
        return None
    with archive.open(info) as member:
        content = member.read(ZIP_DECLARATION_MAX_BYTES + 1)
    return None if len(content) > ZIP_DECLARATION_MAX_BYTES else content


def _check_office_document(upload, name: str, extension: str) -> None:
    """The ZIP of a DOCX, XLSX, ODT or ODS must be a document of that kind: a ZIP whose first
    entry only looks right (any archive can be renamed) is refused, so are macros."""
    noun = OOXML_MAIN_TYPES[extension][1] if extension in OOXML_MAIN_TYPES else OPEN_DOCUMENT_NOUNS[extension]
    invalid = f"« {name} » n'est pas {noun} valide : son contenu ne correspond pas à un fichier .{extension}. "
    invalid += "Le fichier a été refusé."
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                _refuse(
                    f"« {name} » contient trop d'éléments (plus de {ZIP_MAX_ENTRIES}) pour être {noun} "
                    "ordinaire. Le fichier a été refusé.",
                    "invalid_document",
                )
            if any(info.flag_bits & 0x1 for info in entries):
                _refuse(
                    f"« {name} » est chiffré ou protégé par un mot de passe : enregistrez-le sans mot de passe, "
                    "puis joignez-le de nouveau.",
                    "encrypted_document",
                )
            by_name = {info.filename: info for info in entries}
            if len(by_name) != len(entries):
                _refuse(invalid, "invalid_document")
            if extension in OOXML_MAIN_TYPES:
                _check_ooxml(archive, by_name, extension, name, invalid)
            else:
                _check_open_document(archive, by_name, extension, invalid)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        EOFError,
        ValueError,
        OSError,
    ):
        _refuse(
            f"« {name} » est endommagé : il ne s'ouvre pas comme {noun}. Le fichier a été refusé.",
            "invalid_document",
        )
    finally:
        upload.seek(0)


def _check_ooxml(archive, by_name: dict, extension: str, name: str, invalid: str) -> None:
    macros = f"« {name} » contient des macros : enregistrez-le au format .{extension} sans macros, "
    macros += "puis joignez-le de nouveau."
    if any(entry.rsplit("/", 1)[-1].lower() == "vbaproject.bin" for entry in by_name):
        _refuse(macros, "macros")
    info = by_name.get(OOXML_CONTENT_TYPES)
    declaration = _read_declaration(archive, info) if info is not None else None
    if declaration is None:
        _refuse(invalid, "invalid_document")
    if b"macroenabled" in declaration.lower():
        _refuse(macros, "macros")
    main_type = re.escape(OOXML_MAIN_TYPES[extension][0].encode())
    if not re.search(rb"""ContentType\s*=\s*["']""" + main_type + rb"""["']""", declaration):
        _refuse(invalid, "invalid_document")


def _check_open_document(archive, by_name: dict, extension: str, invalid: str) -> None:
    info = by_name.get("mimetype")
    declaration = _read_declaration(archive, info) if info is not None else None
    if declaration != ALLOWED_TYPES[extension][0].encode() or "content.xml" not in by_name:
        _refuse(invalid, "invalid_document")


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
