"""What the trail's readers see: French labels for action names, roles, object types and
reasons (the stored values stay stable codes)."""

from django.apps import apps

from siao.accounts.enums import Role

ACTION_LABELS = {
    "auth.login": "Connexion",
    "auth.logout": "Déconnexion",
    "auth.login_failed": "Échec de connexion",
    "auth.login_throttled": "Connexion bloquée (trop de tentatives)",
    "auth.login_code_sent": "Code de connexion envoyé",
    "auth.session_closed": "Session fermée (plus d'habilitation active)",
    "accounts.role_switched": "Changement de profil actif",
    "accounts.role_switch_refused": "Changement de profil refusé",
    "accounts.user_created": "Compte créé",
    "accounts.membership_granted": "Habilitation accordée",
    "accounts.membership_reviewed": "Habilitation confirmée (revue)",
    "accounts.membership_revoked": "Habilitation révoquée",
    "audit.trail_viewed": "Consultation du journal",
    "audit.purged": "Purge du journal",
    "offer.creation_request_received": "Demande de création reçue",
    "offer.creation_request_viewed": "Demande de création consultée",
    "offer.creation_request_handled": "Demande de création traitée",
    "offer.creation_request_rejected": "Demande de création rejetée",
    "offer.operator_created": "Entité gestionnaire créée",
    "offer.operator_updated": "Entité gestionnaire modifiée",
    "offer.operator_validated": "Entité gestionnaire validée",
    "offer.program_submitted": "Dispositif soumis",
    "offer.program_prevalidated": "Dispositif pré-validé",
    "offer.program_validated": "Dispositif validé",
    "offer.program_refused": "Dispositif refusé",
    "offer.program_updated": "Dispositif complété",
    "offer.place_group_created": "Groupe de places créé",
    "offer.place_group_capacity_changed": "Capacité d'un groupe modifiée",
    "offer.place_state_changed": "État d'une place modifié",
    "offer.support_measure_created": "Mesure d'accompagnement ajoutée",
    "offer.provision_created": "Prestation ajoutée",
}

REASON_LABELS = {
    "invalid_email": "adresse invalide",
    "webmail": "messagerie personnelle",
    "unknown_account": "aucun accès actif",
    "throttled_ip": "trop de tentatives depuis ce poste",
    "too_many_codes": "trop de codes demandés",
    "expired_code": "code expiré ou déjà utilisé",
    "too_many_attempts": "trop d'essais pour ce code",
    "wrong_code": "code incorrect",
    "invalid_state": "réponse ProConnect inconnue (state)",
    "invalid_token": "réponse ProConnect non vérifiée",
    "provider_error": "ProConnect injoignable ou refus",
    "cancelled": "connexion annulée",
    "missing_email": "adresse non transmise",
    "disabled": "ProConnect non configuré",
    "no_active_membership": "plus d'habilitation active",
}


def role_label(value: str) -> str:
    return Role(value).label if value in Role.values else value


def object_type_label(value: str) -> str:
    try:
        return str(apps.get_model(value)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return value


def reason_label(value) -> str:
    if not value:
        return ""
    if value in REASON_LABELS:
        return REASON_LABELS[value]
    from siao.offer.enums import UnavailabilityReason

    return UnavailabilityReason(value).label.lower() if value in UnavailabilityReason.values else str(value)


def label_events(events) -> None:
    for event in events:
        event.action_label = ACTION_LABELS.get(event.action, "")
        event.role_label = role_label(event.actor_role)
        event.object_type_label = object_type_label(event.object_type) if event.object_type else ""
        event.reason_label = reason_label(event.data.get("reason"))
