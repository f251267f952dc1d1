"""The detail page of a support request and the team's actions on it: assignment, status,
replies by email, internal notes, attachment downloads. Each for the right people only, locked,
audited."""

import pytest
from django.core import mail
from django.urls import reverse

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.support.enums import MessageKind, SupportStatus
from siao.support.models import SupportMessage, SupportRequest
from tests.factories import membership_for

from .conftest import OTHER_ROLES
from .helpers import a_pdf, a_png, pdf_bytes, png_bytes, submit_with_files

pytestmark = pytest.mark.django_db


def detail_url(support_request) -> str:
    return reverse("support:request_detail", args=[support_request.public_id])


def action_url(support_request, name) -> str:
    return reverse(f"support:request_{name}", args=[support_request.public_id])


def refreshed(support_request) -> SupportRequest:
    return SupportRequest.objects.get(pk=support_request.pk)


# --- the detail page --------------------------------------------------------------------------


def test_the_urls_are_named(world):
    public_id = world.from_staff.public_id
    assert detail_url(world.from_staff) == f"/support/demandes/{public_id}/"
    assert action_url(world.from_staff, "assign") == f"/support/demandes/{public_id}/affecter/"
    assert action_url(world.from_staff, "status") == f"/support/demandes/{public_id}/statut/"
    assert action_url(world.from_staff, "reply") == f"/support/demandes/{public_id}/repondre/"
    assert action_url(world.from_staff, "note") == f"/support/demandes/{public_id}/note/"


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world):
    for url in [detail_url(world.from_staff)] + [action_url(world.from_staff, n) for n in ("assign", "note")]:
        response = client.post(url) if url.endswith("/note/") else client.get(url)
        assert response.status_code == 302 and response.url.startswith("/connexion/")


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused(client_as, world, role):
    client = client_as(role)
    assert client.get(detail_url(world.from_staff)).status_code == 403
    assert client.post(action_url(world.from_staff, "note"), {"note-body": "x"}).status_code == 403
    assert not SupportMessage.objects.exists()


def test_a_request_out_of_the_siao_administrators_perimeter_answers_404_like_an_absent_one(client_as, world):
    client = client_as(world.other_siao_admin)
    assert client.get(detail_url(world.from_staff)).status_code == 404
    assert client.get("/support/demandes/00000000-0000-0000-0000-000000000000/").status_code == 404
    for name, data in [
        ("assign", {"assign-assignee": str(world.other_siao_admin.user.public_id)}),
        ("status", {"status-status": "closed"}),
        ("reply", {"reply-body": "Bonjour", "reply-status": "resolved"}),
        ("note", {"note-body": "Note"}),
    ]:
        assert client.post(action_url(world.from_staff, name), data).status_code == 404, name
    assert refreshed(world.from_staff).status == SupportStatus.NEW
    assert not SupportMessage.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="support.").exists()


def test_the_detail_shows_the_request_and_is_audited(client_as, world):
    client = client_as(world.siao_admin)
    response = client.get(detail_url(world.from_staff))
    assert response.status_code == 200
    content = response.content.decode()
    assert world.from_staff.reference in content
    assert "Impossible d&#x27;orienter un ménage" in content
    assert "Envoyée depuis ce compte, connecté, avec le profil « Opérateur SIAO »" in content
    assert "INVALID_TEMPLATE_VARIABLE" not in content
    event = AuditEvent.objects.get(action="support.request_viewed")
    assert event.actor_user_id == world.siao_admin.user.pk
    assert event.data == {"reference": world.from_staff.reference}


def test_an_anonymous_request_says_the_account_was_matched_not_verified(client_as, world):
    content = client_as(world.national).get(detail_url(world.from_manager_anonymously)).content.decode()
    assert "compte rapproché d'après l'adresse saisie, identité non vérifiée" in content
    content = client_as(world.national).get(detail_url(world.from_nobody)).content.decode()
    assert "Aucun compte ne correspond à l'adresse saisie." in content


def test_a_script_in_the_description_and_in_messages_is_rendered_as_text(client_as, world):
    SupportRequest.objects.filter(pk=world.from_staff.pk).update(
        description="<script>alert('desc')</script>\nDeuxième ligne", subject="<img src=x onerror=alert(1)>"
    )
    SupportMessage.objects.create(
        request=world.from_staff, kind=MessageKind.NOTE, author=world.national.user, body="<script>note()</script>"
    )
    content = client_as(world.national).get(detail_url(world.from_staff)).content.decode()
    assert "<script>alert" not in content and "<script>note()" not in content and "<img src=x" not in content
    assert "<p>&lt;script&gt;alert(&#x27;desc&#x27;)&lt;/script&gt;<br>Deuxième ligne</p>" in content
    assert "&lt;script&gt;note()&lt;/script&gt;" in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content


def test_replies_and_internal_notes_are_told_apart(client_as, world):
    SupportMessage.objects.create(
        request=world.from_staff, kind=MessageKind.REPLY, author=world.national.user, body="Réponse envoyée"
    )
    SupportMessage.objects.create(
        request=world.from_staff, kind=MessageKind.NOTE, author=world.national.user, body="Entre nous"
    )
    content = client_as(world.national).get(detail_url(world.from_staff)).content.decode()
    assert content.count("Réponse envoyée au demandeur</p>") == 1
    assert content.count("Note interne — non visible du demandeur") == 1
    assert content.index("Réponse envoyée</p>") < content.index("Entre nous")


def test_the_detail_costs_a_fixed_number_of_queries(client_as, world, django_assert_num_queries):
    request = submit_with_files(a_png(), a_pdf())
    request.user = world.staff.user
    request.save()
    for n in range(5):
        SupportMessage.objects.create(request=request, kind=MessageKind.NOTE, author=world.national.user, body=f"{n}")
    client = client_as(world.siao_admin)
    client.get(detail_url(request))
    # session, user, memberships, départements; the request; audit (chain head locked, event
    # inserted, head updated in a savepoint); the support team (candidate SIAOs, their
    # départements, one check per SIAO, memberships); thread; attachments; session saved.
    with django_assert_num_queries(19):
        client.get(detail_url(request))


# --- assignment -------------------------------------------------------------------------------


def post_assign(client, support_request, assignee, current=""):
    return client.post(
        action_url(support_request, "assign"),
        {"assign-assignee": str(assignee.public_id) if assignee else "", "current": current},
    )


def test_a_member_of_the_team_takes_a_new_request_which_moves_to_in_progress(
    client_as, world, django_capture_on_commit_callbacks
):
    client = client_as(world.siao_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_assign(client, world.from_staff, world.siao_admin.user)
    assert response.status_code == 302 and response.url == detail_url(world.from_staff)
    support_request = refreshed(world.from_staff)
    assert support_request.assigned_to == world.siao_admin.user
    assert support_request.status == SupportStatus.IN_PROGRESS
    event = AuditEvent.objects.get(action="support.request_assigned")
    assert event.data == {
        "reference": support_request.reference,
        "assigned_to": world.siao_admin.user.email,
        "previous": "",
        "status": "in_progress",
    }
    assert mail.outbox == []  # nobody to tell: they took it themselves
    assert "affectée à vous" in client.get(response.url).content.decode()


def test_the_team_of_a_request_is_the_national_administrators_and_the_siao_administrators_who_see_it(world):
    from siao.support.permissions import support_team_for

    second_admin_35 = membership_for(Role.SIAO_ADMIN, "35")
    team = {user.pk for user in support_team_for(world.from_staff)}
    assert team == {world.national.user.pk, world.siao_admin.user.pk, second_admin_35.user.pk}
    assert {user.pk for user in support_team_for(world.from_nobody)} == {world.national.user.pk}
    assert {user.pk for user in support_team_for(world.from_elsewhere)} == {
        world.national.user.pk,
        world.other_siao_admin.user.pk,
    }


def test_assigning_to_someone_else_of_the_team_tells_them(client_as, world, django_capture_on_commit_callbacks):
    client = client_as(world.national)
    with django_capture_on_commit_callbacks(execute=True):
        post_assign(client, world.from_staff, world.siao_admin.user)
    assert refreshed(world.from_staff).assigned_to == world.siao_admin.user
    (email,) = mail.outbox
    assert email.to == [world.siao_admin.user.email]
    assert world.from_staff.reference in email.subject
    assert world.from_staff.description not in email.body


def test_assigning_to_someone_who_cannot_see_the_request_is_refused(client_as, world):
    client = client_as(world.national)
    response = post_assign(client, world.from_staff, world.other_siao_admin.user)
    assert response.status_code == 400
    assert "Choisissez un membre de l&#x27;équipe de support" in response.content.decode()
    assert refreshed(world.from_staff).assigned_to is None
    assert not AuditEvent.objects.filter(action="support.request_assigned").exists()


def test_a_request_reassigned_meanwhile_is_not_taken_over_silently(client_as, world):
    SupportRequest.objects.filter(pk=world.from_staff.pk).update(assigned_to=world.national.user)
    client = client_as(world.siao_admin)
    # The page showed "nobody" (current=""), but the national administrator took it since.
    response = post_assign(client, world.from_staff, world.siao_admin.user, current="")
    assert response.status_code == 302
    assert refreshed(world.from_staff).assigned_to == world.national.user
    page = client.get(response.url).content.decode()
    assert "L&#x27;affectation de cette demande vient de changer" in page
    assert not AuditEvent.objects.filter(action="support.request_assigned").exists()


def test_unassigning_a_request(client_as, world):
    SupportRequest.objects.filter(pk=world.from_staff.pk).update(assigned_to=world.national.user)
    client = client_as(world.national)
    post_assign(client, world.from_staff, None, current=str(world.national.user.public_id))
    assert refreshed(world.from_staff).assigned_to is None
    assert AuditEvent.objects.get(action="support.request_assigned").data["previous"] == world.national.user.email


def test_actions_answer_only_to_post(client_as, world):
    client = client_as(world.national)
    for name in ("assign", "status", "reply", "note"):
        assert client.get(action_url(world.from_staff, name)).status_code == 405


# --- status -----------------------------------------------------------------------------------


def test_resolving_then_reopening_a_request(client_as, world):
    client = client_as(world.national)
    response = client.post(action_url(world.from_staff, "status"), {"status-status": "resolved"})
    assert response.status_code == 302
    support_request = refreshed(world.from_staff)
    assert support_request.status == SupportStatus.RESOLVED and support_request.closed_at is not None
    client.post(action_url(world.from_staff, "status"), {"status-status": "in_progress"})
    support_request = refreshed(world.from_staff)
    assert support_request.status == SupportStatus.IN_PROGRESS and support_request.closed_at is None
    events = AuditEvent.objects.filter(action="support.status_changed").order_by("sequence")
    assert [(e.data["from"], e.data["to"]) for e in events] == [("new", "resolved"), ("resolved", "in_progress")]


def test_an_unknown_or_unchanged_status_is_refused_in_french(client_as, world):
    client = client_as(world.national)
    response = client.post(action_url(world.from_staff, "status"), {"status-status": "perdue"})
    assert response.status_code == 400
    assert "Choisissez un statut dans la liste." in response.content.decode()
    response = client.post(action_url(world.from_staff, "status"), {"status-status": "new"})
    assert "La demande est déjà « Nouvelle »." in client.get(response.url).content.decode()
    assert not AuditEvent.objects.filter(action="support.status_changed").exists()


# --- replies and notes ------------------------------------------------------------------------


def test_a_reply_is_stored_emailed_with_the_reference_and_waits_for_the_requester(
    client_as, world, django_capture_on_commit_callbacks
):
    client = client_as(world.siao_admin)
    body = "Bonjour,\nVotre accès est rétabli : reconnectez-vous. <b>Merci</b>"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            action_url(world.from_staff, "reply"), {"reply-body": body, "reply-status": "waiting_requester"}
        )
    assert response.status_code == 302
    message = SupportMessage.objects.get()
    assert (message.kind, message.author, message.body) == ("reply", world.siao_admin.user, body)
    assert refreshed(world.from_staff).status == SupportStatus.WAITING_REQUESTER
    (email,) = mail.outbox
    assert email.to == [world.from_staff.email]
    assert world.from_staff.reference in email.subject and world.from_staff.reference in email.body
    assert body in email.body  # a text email: the reply as written, nothing interpreted
    assert email.alternatives == [] and email.attachments == []
    assert AuditEvent.objects.get(action="support.reply_sent").data == {
        "reference": world.from_staff.reference,
        "message": str(message.public_id),
    }
    assert AuditEvent.objects.filter(action="support.status_changed").count() == 1


def test_a_reply_may_resolve_the_request_at_once(client_as, world):
    client = client_as(world.national)
    client.post(action_url(world.from_staff, "reply"), {"reply-body": "C'est réglé.", "reply-status": "resolved"})
    support_request = refreshed(world.from_staff)
    assert support_request.status == SupportStatus.RESOLVED and support_request.closed_at is not None


def test_an_empty_or_too_long_reply_is_refused_with_nothing_sent(client_as, world, django_capture_on_commit_callbacks):
    client = client_as(world.national)
    with django_capture_on_commit_callbacks(execute=True):
        empty = client.post(action_url(world.from_staff, "reply"), {"reply-body": "  ", "reply-status": "resolved"})
        long = client.post(
            action_url(world.from_staff, "reply"), {"reply-body": "x" * 5001, "reply-status": "resolved"}
        )
    assert empty.status_code == long.status_code == 400
    assert "Écrivez la réponse à envoyer." in empty.content.decode()
    assert "au plus 5000 caractères" in long.content.decode()
    assert not SupportMessage.objects.exists() and mail.outbox == []
    assert refreshed(world.from_staff).status == SupportStatus.NEW


def test_an_internal_note_is_stored_audited_and_never_emailed(client_as, world, django_capture_on_commit_callbacks):
    client = client_as(world.siao_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(world.from_staff, "note"), {"note-body": "Vu avec l'opérateur."})
    assert response.status_code == 302
    message = SupportMessage.objects.get()
    assert message.kind == MessageKind.NOTE and message.body == "Vu avec l'opérateur."
    assert mail.outbox == []
    assert refreshed(world.from_staff).status == SupportStatus.NEW
    assert AuditEvent.objects.get(action="support.note_added").actor_user_id == world.siao_admin.user.pk
    response = client.post(action_url(world.from_staff, "note"), {"note-body": ""})
    assert response.status_code == 400 and "Écrivez la note." in response.content.decode()


# --- downloads --------------------------------------------------------------------------------


def download_url(attachment) -> str:
    return reverse("support:attachment_download", args=[attachment.request.public_id, attachment.public_id])


@pytest.fixture
def with_files(world):
    support_request = submit_with_files(a_png("capture écran.png"), a_pdf(), user_identifier=world.staff.user.email)
    assert support_request.user == world.staff.user
    return support_request


def test_the_support_team_downloads_an_attachment_as_a_file_never_shown_inline(client_as, world, with_files):
    png, pdf = with_files.attachments.order_by("pk")
    assert download_url(png) == f"/support/demandes/{with_files.public_id}/pieces-jointes/{png.public_id}/"
    client = client_as(world.siao_admin)
    response = client.get(download_url(png))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''capture%20%C3%A9cran.png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    response = client_as(world.national).get(download_url(pdf))
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Disposition"] == 'attachment; filename="erreur.pdf"'
    events = AuditEvent.objects.filter(action="support.attachment_downloaded").order_by("sequence")
    assert [e.data["name"] for e in events] == ["capture écran.png", "erreur.pdf"]
    assert events[0].actor_user_id == world.siao_admin.user.pk


def test_a_download_is_refused_outside_the_team_and_the_perimeter(client, client_as, world, with_files):
    attachment = with_files.attachments.first()
    url = download_url(attachment)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/connexion/")
    assert client_as(Role.SIAO_OPERATOR).get(url).status_code == 403
    assert client_as(world.other_siao_admin).get(url).status_code == 404
    # The attachment of one request through the address of another: 404.
    wrong = f"/support/demandes/{world.from_staff.public_id}/pieces-jointes/{attachment.public_id}/"
    assert client_as(world.national).get(wrong).status_code == 404
    assert not AuditEvent.objects.filter(action="support.attachment_downloaded").exists()


def test_a_file_missing_from_the_storage_answers_404_not_500(client_as, world, with_files):
    from django.core.files.storage import default_storage

    attachment = with_files.attachments.first()
    default_storage.delete(attachment.file.name)
    assert client_as(world.national).get(download_url(attachment)).status_code == 404


def test_media_files_are_not_served_by_url(client, with_files):
    attachment = with_files.attachments.first()
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    assert client.get(f"/{attachment.file.name}").status_code == 404


def test_the_download_costs_a_fixed_number_of_queries(client_as, world, with_files, django_assert_num_queries):
    attachment = with_files.attachments.first()
    client = client_as(world.national)
    b"".join(client.get(download_url(attachment)).streaming_content)
    # session, user, memberships, départements; the attachment; audit (savepoint, head, event,
    # head, release); session saved (savepoint, update, release)
    with django_assert_num_queries(13):
        response = client.get(download_url(attachment))
    # Read to the end: the test client then closes the file (and no query is left to count).
    assert b"".join(response.streaming_content) == png_bytes()
