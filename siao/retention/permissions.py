"""Who runs the retention and grants access to the legal archive: the Administrateur national
(the Dihal). Who reads the archive: a user holding an active special authorization, whatever
the role, within the authorization's département (if it names one)."""

from siao.accounts.enums import Role

from .models import ArchiveAuthorization


def can_manage_retention(actor) -> bool:
    return actor.role == Role.NATIONAL_ADMIN


_UNKNOWN = object()


def active_authorization(actor) -> ArchiveAuthorization | None:
    """The user's active authorization (the latest granted), or None. Read once per request
    (the menu, the view and the action all ask)."""
    cached = getattr(actor, "_archive_authorization", _UNKNOWN)
    if cached is _UNKNOWN:
        cached = (
            ArchiveAuthorization.objects.active()
            .filter(user=actor.user)
            .select_related("department")
            .order_by("-granted_at")
            .first()
        )
        object.__setattr__(actor, "_archive_authorization", cached)  # Actor is a frozen dataclass
    return cached
