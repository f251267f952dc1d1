"""The support request's codes: English, stable (emails, exports and the audit trail use them);
their labels are the French the user reads."""

from django.db import models


class SupportCategory(models.TextChoices):
    ACCESS = "access", "Accès au SIAO"
    IMPROVEMENT = "improvement", "Évolutions"
    INCIDENT = "incident", "Incidents et anomalies"


class SupportStatus(models.TextChoices):
    NEW = "new", "Nouvelle"
    IN_PROGRESS = "in_progress", "En cours"
    WAITING_REQUESTER = "waiting_requester", "En attente du demandeur"
    RESOLVED = "resolved", "Résolue"
    CLOSED = "closed", "Close"


# A request in one of these is finished: its retention period runs from `closed_at`.
FINISHED_STATUSES = frozenset({SupportStatus.RESOLVED, SupportStatus.CLOSED})
OPEN_STATUSES = frozenset(set(SupportStatus.values) - FINISHED_STATUSES)


class MessageKind(models.TextChoices):
    REPLY = "reply", "Réponse au demandeur"
    NOTE = "note", "Note interne"
