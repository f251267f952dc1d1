"""Writes of the retention app, audited: starting a run, granting and revoking an archive
authorization, and every search and read of the legal archive."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from siao.accounts.models import User
from siao.archive.models import ArchivedFile, ArchiveState
from siao.audit.trail import record
from siao.households.search import name_key

from .models import ArchiveAuthorization, RetentionRun, RunStatus
from .permissions import active_authorization, can_manage_retention
from .purge import STALE_AFTER

SEARCH_LIMIT = 50
OVERLAP_MESSAGE = (
    "Cette personne a déjà une autorisation sur cette période : révoquez-la d'abord ou choisissez des dates "
    "qui ne la chevauchent pas."
)


def _require_manager(actor) -> None:
    if not can_manage_retention(actor):
        raise PermissionDenied("Seul l'administrateur national gère la conservation des données.")


def start_run(*, actor, dry_run: bool) -> RetentionRun:
    """Queue a run for the background worker. One at a time."""
    from .tasks import retention_run_task

    _require_manager(actor)
    with transaction.atomic():
        recent = timezone.now() - STALE_AFTER
        busy = RetentionRun.objects.select_for_update().filter(
            Q(status=RunStatus.QUEUED, created_at__gte=recent) | Q(status=RunStatus.RUNNING, heartbeat_at__gte=recent)
        )
        if busy.exists():
            raise ValueError("Un passage est déjà en attente ou en cours : attendez sa fin.")
        run = RetentionRun.objects.create(dry_run=dry_run, requested_by=actor.user)
        record("retention.run_requested", actor=actor, obj=run, data={"dry_run": dry_run})
    transaction.on_commit(lambda: retention_run_task.enqueue(run.pk))
    return run


def grant_authorization(*, actor, user, purpose, reference, department, starts_on, ends_on) -> ArchiveAuthorization:
    _require_manager(actor)
    if user == actor.user:
        raise ValueError(
            "Vous ne pouvez pas vous accorder une autorisation : un autre administrateur national doit le faire."
        )
    with transaction.atomic():
        # Two grants at once for the same user (a double click) are serialized on the user's row.
        User.objects.select_for_update().filter(pk=user.pk).first()
        overlapping = ArchiveAuthorization.objects.filter(
            user=user, revoked_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        if overlapping.exists():
            raise ValueError(OVERLAP_MESSAGE)
        authorization = ArchiveAuthorization.objects.create(
            user=user,
            purpose=purpose,
            reference=reference,
            department=department,
            starts_on=starts_on,
            ends_on=ends_on,
            granted_by=actor.user,
        )
        record(
            "archive.authorization_granted",
            actor=actor,
            obj=authorization,
            data={
                "user": user.email,
                "purpose": purpose,
                "reference": reference,
                "department": department.code if department else "",
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
            },
        )
    return authorization


def revoke_authorization(*, actor, authorization: ArchiveAuthorization) -> None:
    _require_manager(actor)
    with transaction.atomic():
        updated = ArchiveAuthorization.objects.filter(pk=authorization.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor.user
        )
        if not updated:
            raise ValueError("Cette autorisation est déjà révoquée.")
        record(
            "archive.authorization_revoked", actor=actor, obj=authorization, data={"user": authorization.user.email}
        )


def _require_authorization(actor) -> ArchiveAuthorization:
    authorization = active_authorization(actor)
    if authorization is None:
        raise PermissionDenied("Vous n'avez pas d'autorisation spéciale en cours pour consulter l'archive légale.")
    return authorization


def _in_scope(queryset, authorization):
    if authorization.department_id:
        return queryset.filter(department=authorization.department.code)
    return queryset


def search_archive(*, actor, last_name="", first_name="", birth_date=None, file_number=None) -> list[ArchivedFile]:
    authorization = _require_authorization(actor)
    files = _in_scope(ArchivedFile.objects.filter(state=ArchiveState.DONE), authorization)
    if file_number:
        files = files.filter(household_public_id=file_number)
    if last_name:
        persons = {"persons__last_name_key": name_key(last_name)}
        if first_name:
            persons["persons__first_name_key"] = name_key(first_name)
        if birth_date:
            persons["persons__birth_date"] = birth_date
        files = files.filter(**persons)
    results = list(files.distinct().order_by("-archived_at")[:SEARCH_LIMIT])
    record(
        "archive.searched",
        actor=actor,
        obj=authorization,
        data={
            "criteria": {
                "last_name": last_name,
                "first_name": first_name,
                "birth_date": birth_date.isoformat() if birth_date else "",
                "file_number": str(file_number or ""),
            },
            "results": len(results),
        },
    )
    return results


def read_archived_file(*, actor, file_number) -> ArchivedFile | None:
    """The archived file (with its persons), or None outside the authorization's scope."""
    authorization = _require_authorization(actor)
    file = (
        _in_scope(ArchivedFile.objects.filter(state=ArchiveState.DONE), authorization)
        .filter(household_public_id=file_number)
        .first()
    )
    if file is None:
        return None
    record(
        "archive.read",
        actor=actor,
        object_type="archive.archivedfile",
        object_id=str(file.household_public_id),
        data={"authorization": str(authorization.public_id), "purpose": authorization.purpose[:200]},
    )
    return file
