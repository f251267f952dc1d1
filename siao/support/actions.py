"""Support requests: submitted by anyone through the public form, then worked by the support
team (assignment, status, replies by email, internal notes). Every change goes through here:
rights checked, the request locked, the audit event written in the same transaction, emails
sent once committed."""

import calendar
import datetime
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from siao.accounts.models import User, normalize_email
from siao.audit.trail import record
from siao.offer.actions.requests import REFERENCE_ALPHABET, REFERENCE_LENGTH, RequestRefused

from . import attachments
from .access import support_requests_visible_to
from .enums import FINISHED_STATUSES, MessageKind, SupportStatus
from .models import SupportAttachment, SupportMessage, SupportRequest
from .permissions import can_work_support_queue, support_team_for

logger = logging.getLogger(__name__)

REFERENCE_PREFIX = "SUP"

TOO_MANY_FROM_ADDRESS_MESSAGE = (
    "Vous avez déjà envoyé plusieurs demandes de support depuis ce poste au cours de la dernière heure. Votre "
    "demande n'a pas été enregistrée : réessayez dans une heure, ou contactez le support par courriel ou par "
    "téléphone (coordonnées ci-dessous)."
)
TOO_MANY_OVERALL_MESSAGE = (
    "Le support reçoit en ce moment un nombre inhabituel de demandes. Votre demande n'a pas été enregistrée : "
    "réessayez dans une heure, ou contactez le support par courriel ou par téléphone (coordonnées ci-dessous)."
)
NOT_YOURS_MESSAGE = "Cette demande de support n'est pas de votre ressort."
# PostgreSQL advisory lock serializing submissions, so that the hourly limits hold under
# simultaneous posts (any constant; names this lock among the database's advisory locks).
SUBMISSION_LOCK_KEY = 7_830_114

__all__ = ["RequestRefused"]


@dataclass(frozen=True)
class SupportRequestInput:
    first_name: str
    last_name: str
    email: str
    subject: str
    category: str
    description: str
    user_identifier: str = ""
    attachments: tuple = ()  # attachments.CheckedFile


def new_reference(year: int | None = None) -> str:
    year = year or timezone.localdate().year
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{REFERENCE_PREFIX}-{year}-{suffix}"


def _check_rate_limits(client_ip: str | None) -> None:
    """Within the submission's transaction: on PostgreSQL, submissions wait for one another
    here (the lock is released at commit), so two simultaneous posts cannot both pass the count;
    SQLite already runs one write transaction at a time (transaction_mode IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUBMISSION_LOCK_KEY])
    recent = SupportRequest.objects.filter(created_at__gte=timezone.now() - datetime.timedelta(hours=1))
    if client_ip and recent.filter(client_ip=client_ip).count() >= settings.SUPPORT_REQUESTS_PER_IP_PER_HOUR:
        raise RequestRefused(TOO_MANY_FROM_ADDRESS_MESSAGE, "throttled_ip")
    if recent.count() >= settings.SUPPORT_REQUESTS_PER_HOUR:
        raise RequestRefused(TOO_MANY_OVERALL_MESSAGE, "throttled_overall")


def _matched_account(data: SupportRequestInput) -> User | None:
    """For a request sent without being logged in: the account whose address is the identifier
    typed, else the e-mail typed. Only routes the request; nothing of it is shown to the sender."""
    addresses = [normalize_email(data.user_identifier), normalize_email(data.email)]
    accounts = {user.email: user for user in User.objects.filter(email__in=[a for a in addresses if a])}
    return next((accounts[address] for address in addresses if address in accounts), None)


def submit_support_request(
    *, data: SupportRequestInput, actor=None, client_ip: str | None, site_url: str = ""
) -> SupportRequest:
    """Record a request (with or without an account), its files, and tell the requester and the
    support team. Refused, with nothing saved, past the hourly limits. Files are written inside
    the transaction and deleted if it does not commit: no file outlives a refused request, and
    no committed request loses its files. Emails leave once committed; one that fails (mail
    server down) is logged and does not undo nor fail the request."""
    written: list[str] = []
    committed = False

    def mark_committed() -> None:
        nonlocal committed
        committed = True

    try:
        with transaction.atomic():
            # Registered first, so it runs first once committed.
            transaction.on_commit(mark_committed)
            _check_rate_limits(client_ip)
            support_request = SupportRequest(
                first_name=data.first_name,
                last_name=data.last_name,
                email=data.email,
                user_identifier=data.user_identifier,
                subject=data.subject,
                category=data.category,
                description=data.description,
                client_ip=client_ip,
            )
            if actor is not None:
                support_request.user = actor.user
                support_request.sent_logged_in = True
                support_request.organization = actor.organization
                support_request.role = actor.role
            else:
                support_request.user = _matched_account(data)
            _save_with_new_reference(support_request)
            for checked in data.attachments:
                name = attachments.write(checked, support_request.public_id)
                written.append(name)
                SupportAttachment.objects.create(
                    request=support_request,
                    file=name,
                    original_name=checked.original_name,
                    content_type=checked.content_type,
                    size=checked.size,
                    sha256=checked.sha256,
                )
            record(
                "support.request_submitted",
                actor=actor,
                obj=support_request,
                data={
                    "reference": support_request.reference,
                    "category": support_request.category,
                    "attachments": len(data.attachments),
                    "sent_logged_in": support_request.sent_logged_in,
                },
            )
            transaction.on_commit(lambda: _notify_requester(support_request), robust=True)
            if settings.SUPPORT_TEAM_EMAIL:
                transaction.on_commit(lambda: _notify_team(support_request, site_url), robust=True)
    except BaseException:
        if not committed:
            attachments.delete_quietly(written)
        raise
    return support_request


def _save_with_new_reference(support_request: SupportRequest) -> None:
    for attempt in range(5):
        support_request.reference = new_reference()
        try:
            with transaction.atomic():
                support_request.save(force_insert=True)
        except IntegrityError:
            # A reference already taken (one chance in a billion): draw another one.
            support_request.pk = None
            if attempt == 4:
                raise
        else:
            return


def _contact() -> dict:
    return {
        "email": settings.SUPPORT_CONTACT_EMAIL,
        "phone": settings.SUPPORT_CONTACT_PHONE,
        "hours": settings.SUPPORT_CONTACT_HOURS,
    }


def _notify_requester(support_request: SupportRequest) -> None:
    # The address typed is not verified: the confirmation repeats nothing the form's author
    # wrote (no subject, no description), so that the form cannot relay text to a third party.
    count = support_request.attachments.count()
    send_mail(
        subject=f"Votre demande de support {support_request.reference} a bien été reçue",
        message=render_to_string(
            "support/emails/submitted_requester.txt",
            {"support_request": support_request, "attachment_count": count, "contact": _contact()},
        ),
        from_email=None,
        recipient_list=[support_request.email],
    )


def _notify_team(support_request: SupportRequest, site_url: str) -> None:
    url = site_url + reverse("support:request_detail", args=[support_request.public_id])
    send_mail(
        subject=f"Nouvelle demande de support {support_request.reference} ({support_request.get_category_display()})",
        message=render_to_string(
            "support/emails/submitted_team.txt",
            {"support_request": support_request, "attachment_count": support_request.attachments.count(), "url": url},
        ),
        from_email=None,
        recipient_list=[settings.SUPPORT_TEAM_EMAIL],
    )


def record_support_request_viewed(*, actor, support_request: SupportRequest) -> None:
    """A request holds the requester's personal data: reading it is traced."""
    record("support.request_viewed", actor=actor, obj=support_request, data={"reference": support_request.reference})


def record_attachment_downloaded(*, actor, attachment: SupportAttachment) -> None:
    record(
        "support.attachment_downloaded",
        actor=actor,
        obj=attachment.request,
        data={
            "reference": attachment.request.reference,
            "attachment": str(attachment.public_id),
            "name": attachment.original_name,
        },
    )


def _locked(actor, support_request: SupportRequest) -> SupportRequest:
    """The request, locked and re-read within what the actor sees: two members of the team
    acting at once are served one after the other, the second on the first one's result. No
    join here: PostgreSQL re-reads the locked row after waiting, not the joined ones (a joined
    assignee would be the stale one)."""
    if not can_work_support_queue(actor):
        raise PermissionDenied(NOT_YOURS_MESSAGE)
    locked = support_requests_visible_to(actor).select_for_update(of=("self",)).filter(pk=support_request.pk).first()
    if locked is None:
        raise PermissionDenied(NOT_YOURS_MESSAGE)
    return locked


def _set_status(support_request: SupportRequest, status: str, now) -> list[str]:
    support_request.status = status
    if status in FINISHED_STATUSES:
        support_request.closed_at = support_request.closed_at or now
    else:
        support_request.closed_at = None
    return ["status", "closed_at"]


UNCHANGED = object()


@transaction.atomic
def assign_support_request(
    *, actor, support_request: SupportRequest, assignee: User | None, expected_assignee=UNCHANGED
) -> SupportRequest:
    """Assign the request to a member of the support team who sees it (or to nobody). With
    `expected_assignee` (the public id of the assignee the actor saw on their page, "" for
    nobody), a request reassigned in the meantime is not taken over silently. A new request
    assigned moves to "En cours"."""
    locked = _locked(actor, support_request)
    current = str(locked.assigned_to.public_id) if locked.assigned_to_id else ""
    if expected_assignee is not UNCHANGED and expected_assignee != current:
        holder = locked.assigned_to.get_full_name() if locked.assigned_to else "personne"
        raise ValidationError(
            f"L'affectation de cette demande vient de changer (elle est maintenant affectée à {holder}) : "
            "vérifiez avant de la réaffecter.",
            code="assignment_changed",
        )
    if assignee is not None and assignee.pk not in {user.pk for user in support_team_for(locked)}:
        raise ValidationError(
            "Cette personne ne fait pas partie de l'équipe de support qui peut voir cette demande.",
            code="not_in_team",
        )
    previous = locked.assigned_to
    if (assignee.pk if assignee else None) == locked.assigned_to_id:
        return locked
    locked.assigned_to = assignee
    fields = ["assigned_to", "updated_at"]
    if assignee is not None and locked.status == SupportStatus.NEW:
        fields += _set_status(locked, SupportStatus.IN_PROGRESS, timezone.now())
    locked.save(update_fields=fields)
    record(
        "support.request_assigned",
        actor=actor,
        obj=locked,
        data={
            "reference": locked.reference,
            "assigned_to": assignee.email if assignee else "",
            "previous": previous.email if previous else "",
            "status": locked.status,
        },
    )
    if assignee is not None and assignee.pk != actor.user.pk:
        # Once committed; a mail server down is logged, the assignment stays done.
        transaction.on_commit(lambda: _notify_assigned(locked, assignee), robust=True)
    return locked


def _notify_assigned(support_request: SupportRequest, assignee: User) -> None:
    send_mail(
        subject=f"La demande de support {support_request.reference} vous a été affectée",
        message=render_to_string("support/emails/assigned.txt", {"support_request": support_request}),
        from_email=None,
        recipient_list=[assignee.email],
    )


@transaction.atomic
def change_support_status(*, actor, support_request: SupportRequest, status: str) -> SupportRequest:
    if status not in SupportStatus.values:
        raise ValidationError("Choisissez un statut dans la liste.", code="invalid_status")
    locked = _locked(actor, support_request)
    if locked.status == status:
        raise ValidationError(f"La demande est déjà « {SupportStatus(status).label} ».", code="unchanged_status")
    previous = locked.status
    locked.save(update_fields=[*_set_status(locked, status, timezone.now()), "updated_at"])
    record(
        "support.status_changed",
        actor=actor,
        obj=locked,
        data={"reference": locked.reference, "from": previous, "to": status},
    )
    return locked


def _clean_body(body: str, message: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError(message, code="required")
    from .forms import MESSAGE_MAX_LENGTH

    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationError(f"{MESSAGE_MAX_LENGTH} caractères au plus.", code="max_length")
    return body


@transaction.atomic
def send_reply(
    *, actor, support_request: SupportRequest, body: str, status: str = SupportStatus.WAITING_REQUESTER
) -> SupportMessage:
    """Store a reply and email it to the requester; the request moves to `status` ("En attente
    du demandeur" unless chosen otherwise)."""
    body = _clean_body(body, "Écrivez la réponse à envoyer.")
    if status not in SupportStatus.values:
        raise ValidationError("Choisissez un statut dans la liste.", code="invalid_status")
    locked = _locked(actor, support_request)
    message = SupportMessage.objects.create(request=locked, kind=MessageKind.REPLY, author=actor.user, body=body)
    previous = locked.status
    if status != previous:
        locked.save(update_fields=[*_set_status(locked, status, timezone.now()), "updated_at"])
        record(
            "support.status_changed",
            actor=actor,
            obj=locked,
            data={"reference": locked.reference, "from": previous, "to": status},
        )
    record(
        "support.reply_sent",
        actor=actor,
        obj=locked,
        data={"reference": locked.reference, "message": str(message.public_id)},
    )
    # Once committed; a mail server down is logged, the reply stays stored (and shown in the thread).
    transaction.on_commit(lambda: _email_reply(locked, message), robust=True)
    return message


def _email_reply(support_request: SupportRequest, message: SupportMessage) -> None:
    send_mail(
        subject=f"Réponse à votre demande de support {support_request.reference}",
        message=render_to_string(
            "support/emails/reply.txt",
            {"support_request": support_request, "message": message, "contact": _contact()},
        ),
        from_email=None,
        recipient_list=[support_request.email],
    )


@transaction.atomic
def add_note(*, actor, support_request: SupportRequest, body: str) -> SupportMessage:
    """An internal note: for the support team only, never emailed nor shown to the requester."""
    body = _clean_body(body, "Écrivez la note.")
    locked = _locked(actor, support_request)
    message = SupportMessage.objects.create(request=locked, kind=MessageKind.NOTE, author=actor.user, body=body)
    record(
        "support.note_added",
        actor=actor,
        obj=locked,
        data={"reference": locked.reference, "message": str(message.public_id)},
    )
    return message


# --- retention ---------------------------------------------------------------------------------


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def expired_support_requests(now=None):
    cutoff = months_before(now or timezone.now(), settings.SUPPORT_RETENTION_MONTHS)
    return SupportRequest.objects.filter(status__in=FINISHED_STATUSES, closed_at__lt=cutoff)


def purge_expired_support_requests(*, now=None, dry_run: bool = False, batch_size: int = 500) -> int:
    """Delete the requests resolved or closed more than SUPPORT_RETENTION_MONTHS ago, with their
    attachments, messages and files. Rows go first (one transaction per batch), files once the
    batch is committed: a crash in between leaves files without a row, which
    `sweep_orphan_files` removes, never a row without its file."""
    expired = expired_support_requests(now)
    if dry_run:
        return expired.count()
    deleted = 0
    while True:
        batch = list(expired.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        deleted += _purge_batch(expired, batch)
    if deleted:
        record(
            "support.requests_purged",
            data={"deleted": deleted, "retention_months": settings.SUPPORT_RETENTION_MONTHS},
        )
    return deleted


def _purge_batch(expired, batch: list[int]) -> int:
    """Delete the requests of `batch` that are still expired: one reopened since the batch was
    listed is kept, with its files. The rows are locked and re-checked before anything is
    deleted; files go once the deletion is committed, only those of the rows deleted."""
    with transaction.atomic():
        still_expired = list(
            expired.filter(pk__in=batch).select_for_update().order_by("pk").values_list("pk", flat=True)
        )
        if not still_expired:
            return 0
        names = list(SupportAttachment.objects.filter(request_id__in=still_expired).values_list("file", flat=True))
        SupportRequest.objects.filter(pk__in=still_expired).delete()
        transaction.on_commit(lambda: attachments.delete_quietly(names))
    return len(still_expired)


ORPHAN_GRACE = datetime.timedelta(days=1)


def sweep_orphan_files(*, now=None) -> int:
    """Delete files of the support folder that no attachment names any more, once a day old
    (younger ones may belong to a request being submitted)."""
    now = now or timezone.now()
    try:
        folders, _files = default_storage.listdir("support")
    except FileNotFoundError:
        return 0
    referenced = set(SupportAttachment.objects.values_list("file", flat=True))
    removed = 0
    for folder in folders:
        _subfolders, files = default_storage.listdir(f"support/{folder}")
        for file in files:
            name = f"support/{folder}/{file}"
            if name in referenced:
                continue
            if now - default_storage.get_modified_time(name) < ORPHAN_GRACE:
                continue
            attachments.delete_quietly([name])
            removed += 1
    return removed
