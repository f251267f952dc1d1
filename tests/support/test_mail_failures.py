"""The mail server down: emails leave once the transaction is committed, and one that fails is
logged without undoing nor failing what was done. A committed request keeps its files and its
sender reads the confirmation; a reply stays stored; the team member sees their page.

Transactional tests: the commit really happens, and the emails are sent during it, as in
production."""

import logging
import smtplib

import pytest
from django.core.files.storage import default_storage
from django.core.mail.backends.base import BaseEmailBackend

from siao.audit.models import AuditEvent
from siao.support import actions
from siao.support.enums import MessageKind, SupportStatus
from siao.support.models import SupportAttachment, SupportMessage, SupportRequest

from .conftest import World
from .helpers import URL, a_pdf, a_png, stored_files, valid_data

pytestmark = pytest.mark.django_db(transaction=True)

FAILING_BACKEND = f"{__name__}.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("Serveur de courriel injoignable (test)")


def commit_errors(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.ERROR and "on_commit()" in record.getMessage()
    ]


def test_a_request_submitted_while_the_mail_server_is_down_is_kept_with_its_files(client, settings, caplog):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    settings.SUPPORT_TEAM_EMAIL = "equipe.support@si-siao.example"

    with caplog.at_level(logging.ERROR):
        response = client.post(URL, valid_data(attachments=[a_png(), a_pdf()]))

    assert response.status_code == 302 and response.url == "/support/demande/envoyee/"
    support_request = SupportRequest.objects.get()
    files = [attachment.file.name for attachment in support_request.attachments.all()]
    assert len(files) == 2
    assert all(default_storage.exists(name) for name in files)
    assert len(stored_files()) == 2
    assert AuditEvent.objects.filter(action="support.request_submitted").count() == 1
    assert client.get(response.url).context["reference"] == support_request.reference
    errors = commit_errors(caplog)
    # Both emails were tried, each failure logged: the team's did not depend on the requester's.
    assert len(errors) == 2
    assert all("Serveur de courriel injoignable" in error for error in errors)


def test_files_are_deleted_when_the_request_does_not_commit(client, monkeypatch):
    def failing_record(*args, **kwargs):
        raise RuntimeError("audit indisponible (test)")

    monkeypatch.setattr(actions, "record", failing_record)
    client.raise_request_exception = False
    response = client.post(URL, valid_data(attachments=[a_png()]))
    assert response.status_code == 500
    assert not SupportRequest.objects.exists()
    assert not SupportAttachment.objects.exists()
    assert stored_files() == []


def test_a_reply_sent_while_the_mail_server_is_down_is_stored_and_the_page_answers(client_as, settings, caplog):
    world = World.build()
    settings.EMAIL_BACKEND = FAILING_BACKEND
    client = client_as(world.national)
    url = f"/support/demandes/{world.from_staff.public_id}/"

    with caplog.at_level(logging.ERROR):
        response = client.post(
            f"{url}repondre/", {"reply-body": "Voici la marche à suivre.", "reply-status": "waiting_requester"}
        )

    assert response.status_code == 302 and response.url == url
    reply = SupportMessage.objects.get(request=world.from_staff, kind=MessageKind.REPLY)
    assert reply.body == "Voici la marche à suivre."
    assert SupportRequest.objects.get(pk=world.from_staff.pk).status == SupportStatus.WAITING_REQUESTER
    assert AuditEvent.objects.filter(action="support.reply_sent").count() == 1
    assert client.get(response.url).status_code == 200
    (error,) = commit_errors(caplog)
    assert "Serveur de courriel injoignable" in error


def test_an_assignment_made_while_the_mail_server_is_down_stays_made(client_as, settings, caplog):
    world = World.build()
    settings.EMAIL_BACKEND = FAILING_BACKEND
    client = client_as(world.national)
    url = f"/support/demandes/{world.from_staff.public_id}/"

    with caplog.at_level(logging.ERROR):
        response = client.post(
            f"{url}affecter/", {"assign-assignee": str(world.siao_admin.user.public_id), "current": ""}
        )

    assert response.status_code == 302 and response.url == url
    assert SupportRequest.objects.get(pk=world.from_staff.pk).assigned_to == world.siao_admin.user
    assert client.get(response.url).status_code == 200
    (error,) = commit_errors(caplog)
    assert "Serveur de courriel injoignable" in error
