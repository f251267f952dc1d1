"""Office documents are ZIP archives: a file named .docx, .xlsx, .odt or .ods is accepted only
when its table of contents is that of such a document (not any archive whose first entry looks
right), without macros, neither encrypted nor broken. Refused in French, naming the file, with
nothing stored."""

import pytest
from django.core.exceptions import ValidationError

from siao.support import attachments
from siao.support.models import SupportAttachment, SupportRequest

from .helpers import (
    EXCEL_MAIN,
    URL,
    WORD_MAIN,
    content_types,
    docx_bytes,
    ods_bytes,
    odt_bytes,
    open_document_bytes,
    stored_files,
    upload,
    valid_data,
    xlsx_bytes,
    zip_bytes,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def refusal(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        attachments.check_file(upload(name, content, "application/octet-stream"))
    return refused.value


@pytest.mark.parametrize(
    ("name", "content", "stored_type"),
    [
        ("compte-rendu.docx", docx_bytes(), DOCX),
        ("tableau.xlsx", xlsx_bytes(), XLSX),
        ("note.odt", odt_bytes(), ODT),
        ("tableau.ods", ods_bytes(), ODS),
    ],
)
def test_a_minimal_valid_document_is_accepted(name, content, stored_type):
    checked = attachments.check_file(upload(name, content, "application/octet-stream"))
    assert checked.content_type == stored_type
    assert checked.upload.tell() == 0  # read back from the start when written


def test_any_zip_whose_first_entry_is_word_is_not_a_word_document():
    error = refusal("rapport.docx", zip_bytes([("word/setup.exe", b"MZ\x90\x00" + b"\x00" * 64)]))
    assert error.messages == [
        "« rapport.docx » n'est pas un document Word valide : son contenu ne correspond pas à un fichier .docx. "
        "Le fichier a été refusé."
    ]
    assert error.code == "invalid_document"


def test_a_word_document_declaring_another_type_is_refused():
    content = zip_bytes(
        [("[Content_Types].xml", content_types("/xl/workbook.xml", EXCEL_MAIN)), ("word/document.xml", "<w/>")]
    )
    assert "« rapport.docx » n'est pas un document Word valide" in refusal("rapport.docx", content).messages[0]
    content = zip_bytes(
        [("[Content_Types].xml", content_types("/word/document.xml", WORD_MAIN)), ("xl/workbook.xml", "<w/>")]
    )
    assert "« tableau.xlsx » n'est pas un classeur Excel valide" in refusal("tableau.xlsx", content).messages[0]


def test_a_docm_renamed_docx_is_refused_for_its_macros():
    docm = zip_bytes(
        [
            ("[Content_Types].xml", content_types("/word/document.xml", DOCM_MAIN)),
            ("word/document.xml", "<w/>"),
            ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0"),
        ]
    )
    error = refusal("contrat.docx", docm)
    assert error.messages == [
        "« contrat.docx » contient des macros : enregistrez-le au format .docx sans macros, puis joignez-le de nouveau."
    ]


def test_a_macro_project_hidden_in_a_document_declared_plain_is_refused():
    xlsx = zip_bytes(
        [
            ("[Content_Types].xml", content_types("/xl/workbook.xml", EXCEL_MAIN)),
            ("xl/workbook.xml", "<workbook/>"),
            ("xl/VBAPROJECT.BIN", b"\xd0\xcf\x11\xe0"),
        ]
    )
    assert "« tableau.xlsx » contient des macros" in refusal("tableau.xlsx", xlsx).messages[0]


def test_a_declaration_too_big_to_be_real_is_refused_without_reading_it_whole():
    padding = " " * (attachments.ZIP_DECLARATION_MAX_BYTES + 1)
    content = zip_bytes(
        [("word/document.xml", ""), ("[Content_Types].xml", content_types("/word/document.xml", WORD_MAIN) + padding)]
    )
    assert "n'est pas un document Word valide" in refusal("rapport.docx", content).messages[0]


def test_an_archive_with_too_many_entries_is_refused(settings, monkeypatch):
    monkeypatch.setattr(attachments, "ZIP_MAX_ENTRIES", 5)
    content = zip_bytes(
        [("[Content_Types].xml", content_types("/word/document.xml", WORD_MAIN))]
        + [(f"word/part{n}.xml", "<p/>") for n in range(5)]
    )
    assert refusal("rapport.docx", content).messages == [
        "« rapport.docx » contient trop d'éléments (plus de 5) pour être un document Word ordinaire. "
        "Le fichier a été refusé."
    ]


def test_an_encrypted_entry_is_refused():
    content = bytearray(docx_bytes())
    # Set the "encrypted" flag of every entry, in the local headers and the central directory.
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := content.find(signature, start)) != -1:
            content[start + flag_offset] |= 0x1
            start += 4
    error = refusal("rapport.docx", bytes(content))
    assert error.messages == [
        "« rapport.docx » est chiffré ou protégé par un mot de passe : enregistrez-le sans mot de passe, "
        "puis joignez-le de nouveau."
    ]


def test_a_broken_archive_is_refused():
    content = docx_bytes()
    central = content.rfind(b"PK\x01\x02")
    broken = content[:central]  # the table of contents cut off
    error = refusal("rapport.docx", broken)
    assert error.messages == [
        "« rapport.docx » est endommagé : il ne s'ouvre pas comme un document Word. Le fichier a été refusé."
    ]


@pytest.mark.parametrize(
    ("name", "content", "noun"),
    [
        # The mimetype entry must say exactly the type (filetype reads only its first bytes).
        ("note.odt", open_document_bytes(ODT + "x"), "un document texte OpenDocument"),
        ("note.odt", open_document_bytes(ODT, content=False), "un document texte OpenDocument"),
        ("tableau.ods", open_document_bytes(ODS + "\n"), "un classeur OpenDocument"),
        ("tableau.ods", open_document_bytes(ODS, content=False), "un classeur OpenDocument"),
    ],
)
def test_an_open_document_without_its_exact_type_or_content_is_refused(name, content, noun):
    extension = name.rsplit(".", 1)[1]
    assert refusal(name, content).messages == [
        f"« {name} » n'est pas {noun} valide : son contenu ne correspond pas à un fichier .{extension}. "
        "Le fichier a été refusé."
    ]


@pytest.mark.django_db
def test_through_the_form_a_disguised_archive_stores_nothing(client):
    response = client.post(
        URL,
        valid_data(attachments=[upload("rapport.docx", zip_bytes([("word/setup.exe", b"MZ" + b"\x00" * 64)]), DOCX)]),
    )
    assert response.status_code == 400
    errors = " ".join(str(error) for error in response.context["form"].errors["attachments"])
    assert "« rapport.docx » n'est pas un document Word valide" in errors
    assert not SupportRequest.objects.exists()
    assert not SupportAttachment.objects.exists()
    assert stored_files() == []
