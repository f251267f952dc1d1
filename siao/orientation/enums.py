"""Lifecycle of requests, referrals (orientations) and stays. Request reasons, housing
situations and exit destinations are the live SI SIAO's codes (siao/households/enums.py)."""

from django.db import models


class RequestKind(models.TextChoices):
    INSERTION = "insertion", "Demande d'insertion"
    EMERGENCY = "emergency", "Demande d'urgence (115)"


class RequestStatus(models.TextChoices):
    DRAFT = "draft", "À compléter"
    TRANSMITTED = "transmitted", "Transmise au SIAO"
    TO_UPDATE = "to_update", "À mettre à jour"
    WAITING = "waiting", "En attente d'orientation"
    ORIENTED = "oriented", "Orientée"
    ADMITTED = "admitted", "Prise en charge"
    CLOSED = "closed", "Clôturée"
    CANCELLED = "cancelled", "Annulée"


# The lifecycle (DOMAIN.md "Insertion lifecycle"); every action checks its transition here.
REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.DRAFT: frozenset({RequestStatus.TRANSMITTED, RequestStatus.CANCELLED}),
    RequestStatus.TRANSMITTED: frozenset(
        {RequestStatus.TO_UPDATE, RequestStatus.WAITING, RequestStatus.ORIENTED, RequestStatus.CANCELLED}
    ),
    RequestStatus.TO_UPDATE: frozenset({RequestStatus.TRANSMITTED, RequestStatus.CANCELLED}),
    RequestStatus.WAITING: frozenset({RequestStatus.TO_UPDATE, RequestStatus.ORIENTED, RequestStatus.CANCELLED}),
    # Oriented: back to waiting when every referral is refused or withdrawn.
    RequestStatus.ORIENTED: frozenset(
        {RequestStatus.ORIENTED, RequestStatus.WAITING, RequestStatus.ADMITTED, RequestStatus.CANCELLED}
    ),
    RequestStatus.ADMITTED: frozenset({RequestStatus.CLOSED}),
    RequestStatus.CLOSED: frozenset(),
    # Cancelled: reactivated to the status it had (kept in status_before_cancel).
    RequestStatus.CANCELLED: frozenset(
        {RequestStatus.DRAFT, RequestStatus.TRANSMITTED, RequestStatus.TO_UPDATE, RequestStatus.WAITING}
    ),
}

# Requests the SIAO works on (its queue).
SIAO_QUEUE_STATUSES = (RequestStatus.TRANSMITTED, RequestStatus.WAITING, RequestStatus.ORIENTED)
OPEN_STATUSES = (
    RequestStatus.DRAFT,
    RequestStatus.TRANSMITTED,
    RequestStatus.TO_UPDATE,
    RequestStatus.WAITING,
    RequestStatus.ORIENTED,
)


class Priority(models.IntegerChoices):
    """Queue order: priority first, then seniority (the main criterion in practice: nearly every
    request is "normale"; the SIAO raises one after its commission, e.g. a DALO decision)."""

    NORMAL = 0, "Normale"
    HIGH = 1, "Prioritaire"
    URGENT = 2, "Urgente"


class CancelReason(models.TextChoices):
    SOLUTION_FOUND = "solution_found", "Le ménage a trouvé une solution"
    NO_NEWS = "no_news", "Sans nouvelles du ménage"
    LEFT_DEPARTMENT = "left_department", "Le ménage a quitté le département"
    DUPLICATE = "duplicate", "Demande en double"
    HOUSEHOLD_WITHDREW = "household_withdrew", "Le ménage renonce à sa demande"
    ERROR = "error", "Erreur de saisie"
    OTHER = "other", "Autre"


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposée au dispositif"
    ACCEPTED = "accepted", "Acceptée par le dispositif"
    REFUSED_BY_PROGRAM = "refused_by_program", "Refusée par le dispositif"
    REFUSED_BY_HOUSEHOLD = "refused_by_household", "Refusée par le ménage"
    WITHDRAWN = "withdrawn", "Retirée"
    ADMITTED = "admitted", "Admission"


ACTIVE_REFERRAL_STATUSES = (ReferralStatus.PROPOSED, ReferralStatus.ACCEPTED)


class ProgramRefusalReason(models.TextChoices):
    """Why a program refuses a candidate (ours; the live SI SIAO's list is not public)."""

    NO_PLACE = "no_place", "Plus de place disponible"
    PUBLIC_MISMATCH = "public_mismatch", "Public ne correspondant pas au projet du dispositif"
    NEEDS_MISMATCH = "needs_mismatch", "Besoins du ménage non couverts par le dispositif"
    HEALTH = "health", "Prise en charge médicale incompatible"
    RESOURCES = "resources", "Ressources incompatibles"
    COMPOSITION = "composition", "Composition familiale incompatible avec le logement"
    NO_SHOW = "no_show", "Le ménage ne s'est pas présenté à l'entretien"
    OTHER = "other", "Autre"


class HouseholdRefusalReason(models.TextChoices):
    """Why the household refuses an orientation; `justified` decides seniority (ours)."""

    LOCATION = "location", "Localisation (éloignement du travail, de l'école, des soins)"
    HEALTH = "health", "Logement inadapté à l'état de santé"
    SIZE = "size", "Logement inadapté à la composition du ménage"
    SAFETY = "safety", "Sécurité (proximité d'un auteur de violences)"
    COST = "cost", "Reste à charge trop élevé"
    COLLECTIVE = "collective", "Refus de l'hébergement collectif"
    OTHER = "other", "Autre"


class ExitReason(models.TextChoices):
    """Why a stay ended (ours); the destination uses the SI SIAO's exit situation codes."""

    END_OF_SUPPORT = "end_of_support", "Fin de prise en charge (projet réalisé)"
    REORIENTATION = "reorientation", "Réorientation vers un autre dispositif"
    VOLUNTARY = "voluntary", "Départ volontaire"
    EXCLUSION = "exclusion", "Exclusion"
    END_OF_RIGHTS = "end_of_rights", "Fin de droits"
    NOT_RENEWED = "not_renewed", "Mise à l'abri non reconduite (115)"
    DEATH = "death", "Décès"
    OTHER = "other", "Autre"
