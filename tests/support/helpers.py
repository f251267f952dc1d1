"""Generated files (tiny but valid) and shortcuts shared by the support tests."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from siao.support import actions
from siao.support.enums import SupportCategory
from siao.support.models import SupportRequest

URL = "/support/demande/"


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"


def zip_bytes(entries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def content_types(part: str, main_type: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{part}" ContentType="{main_type}"/>'
        "</Types>"
    )


def docx_bytes() -> bytes:
    """A minimal but well-formed Word document (as Word orders its parts)."""
    return zip_bytes(
        [
            ("[Content_Types].xml", content_types("/word/document.xml", WORD_MAIN)),
            ("_rels/.rels", "<Relationships/>"),
            ("word/document.xml", "<w:document/>"),
        ]
    )


def xlsx_bytes() -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", content_types("/xl/workbook.xml", EXCEL_MAIN)),
            ("_rels/.rels", "<Relationships/>"),
            ("xl/workbook.xml", "<workbook/>"),
        ]
    )


def open_document_bytes(mimetype: str, *, content: bool = True) -> bytes:
    entries = [("mimetype", mimetype), ("META-INF/manifest.xml", "<manifest/>")]
    if content:
        entries.append(("content.xml", "<office:document-content/>"))
    return zip_bytes(entries)


def odt_bytes() -> bytes:
    return open_document_bytes("application/vnd.oasis.opendocument.text")


def ods_bytes() -> bytes:
    return open_document_bytes("application/vnd.oasis.opendocument.spreadsheet")


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def a_png(name="capture.png") -> SimpleUploadedFile:
    return upload(name, png_bytes(), "image/png")


def a_pdf(name="erreur.pdf") -> SimpleUploadedFile:
    return upload(name, pdf_bytes(), "application/pdf")


def valid_data(**overrides) -> dict:
    data = {
        "first_name": "Camille",
        "last_name": "Exemple",
        "email": "Camille.Exemple@asso-test.example",
        "user_identifier": "",
        "subject": "Je ne reçois pas le code de connexion",
        "category": SupportCategory.ACCESS,
        "description": "Depuis ce matin, le code n'arrive pas.\nJ'ai vérifié les indésirables.",
        "website": "",
    }
    data.update(overrides)
    return data


def stored_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def make_request(**fields) -> SupportRequest:
    """A request written directly (no form, no files), for the team's views."""
    values = {
        "reference": actions.new_reference(),
        "first_name": "Dominique",
        "last_name": "Fictif",
        "email": "dominique.fictif@asso-test.example",
        "subject": "Écran blanc sur la liste des places",
        "category": SupportCategory.INCIDENT,
        "description": "L'écran reste blanc.",
        "client_ip": "198.51.100.9",
    }
    values.update(fields)
    return SupportRequest.objects.create(**values)


def submit_with_files(*files, **fields) -> SupportRequest:
    """A request through the action, with its files checked and stored like the form does."""
    from siao.support import attachments

    data = valid_data(**fields)
    return actions.submit_support_request(
        data=actions.SupportRequestInput(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"].lower(),
            user_identifier=data["user_identifier"],
            subject=data["subject"],
            category=data["category"],
            description=data["description"],
            attachments=tuple(attachments.check_file(file) for file in files),
        ),
        client_ip="198.51.100.77",
    )
