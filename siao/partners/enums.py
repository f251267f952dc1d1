from django.db import models


class Scope(models.TextChoices):
    """What a partner client may do through the API (OAuth 2.0 scopes)."""

    OFFER_READ = "offer:read", "Lire l'offre de ses entités"
    OFFER_WRITE = "offer:write", "Publier l'offre et les vacances de ses entités"
    REFERRALS_READ = "referrals:read", "Lire les candidatures reçues et les prises en charge"
    REFERRALS_WRITE = "referrals:write", "Répondre aux candidatures, confirmer les arrivées et les sorties"
    QUOTA_READ = "quota:read", "Lire la disponibilité du contingent préfectoral de ses entités"


class EventType(models.TextChoices):
    """The webhooks: where the SI SIAO speaks first."""

    REFERRAL_PROPOSED = "referral.proposed", "Candidature envoyée par le SIAO"
    REFERRAL_WITHDRAWN = "referral.withdrawn", "Candidature retirée par le SIAO"
    REFERRAL_HOUSEHOLD_ACCEPTED = "referral.household_accepted", "Le ménage accepte le logement ou la place"
    REFERRAL_HOUSEHOLD_REFUSED = "referral.household_refused", "Le ménage refuse le logement ou la place"
    PROGRAM_VALIDATED = "program.validated", "Dispositif validé"
    PROGRAM_REFUSED = "program.refused", "Dispositif refusé"


# The scope a partner needs to receive each event.
EVENT_SCOPES: dict[str, str] = {
    EventType.REFERRAL_PROPOSED: Scope.REFERRALS_READ,
    EventType.REFERRAL_WITHDRAWN: Scope.REFERRALS_READ,
    EventType.REFERRAL_HOUSEHOLD_ACCEPTED: Scope.REFERRALS_READ,
    EventType.REFERRAL_HOUSEHOLD_REFUSED: Scope.REFERRALS_READ,
    EventType.PROGRAM_VALIDATED: Scope.OFFER_READ,
    EventType.PROGRAM_REFUSED: Scope.OFFER_READ,
}


class EventStatus(models.TextChoices):
    PENDING = "pending", "À envoyer"
    DELIVERED = "delivered", "Remis"
    DEAD = "dead", "En échec (à rejouer)"
