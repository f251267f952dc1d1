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
    # The household file (issue 4) and the rights of households (issue 6).
    "households.created": "Dossier créé",
    "households.file_viewed": "Consultation du dossier",
    "households.section_viewed": "Consultation d'une rubrique sensible",
    "households.person_updated": "Personne modifiée",
    "households.residential_situation_recorded": "Situation résidentielle enregistrée",
    "households.member_added": "Personne ajoutée au ménage",
    "households.member_removed": "Départ d'une personne du ménage",
    "households.member_left": "Départ d'une personne vers un autre ménage",
    "households.person_moved": "Personne venue d'un autre ménage",
    "households.head_changed": "Personne de référence changée",
    "households.composition_changed": "Composition familiale modifiée",
    "households.assessment_started": "Évaluation commencée",
    "households.assessment_section_saved": "Rubrique d'évaluation enregistrée",
    "households.note_written": "Transmission écrite",
    "households.contact_recorded": "Contact avec le ménage enregistré",
    "households.rights_request_recorded": "Demande d'exercice des droits enregistrée",
    "households.rights_request_answered": "Réponse à une demande d'exercice des droits",
    "households.data_exported": "Export des données d'une personne (droit d'accès)",
    # Requests, referrals and stays (issue 4).
    "orientation.request_created": "Demande d'insertion créée",
    "orientation.request_updated": "Demande d'insertion modifiée",
    "orientation.request_transmitted": "Demande transmise au SIAO",
    "orientation.request_cancelled": "Demande annulée",
    "orientation.request_reactivated": "Demande réactivée",
    "orientation.request_transferred": "Demande transférée à un autre service",
    "orientation.request_checked": "Demande vérifiée par le SIAO",
    "orientation.request_sent_back": "Demande renvoyée pour mise à jour",
    "orientation.request_priority_set": "Priorité de la demande modifiée",
    "orientation.referral_proposed": "Orientation proposée",
    "orientation.referral_withdrawn": "Orientation retirée",
    "orientation.referral_accepted": "Orientation acceptée par le dispositif",
    "orientation.referral_refused": "Orientation refusée par le dispositif",
    "orientation.household_refused": "Orientation refusée par le ménage",
    "orientation.household_accepted": "Place acceptée par le ménage",
    "orientation.admitted": "Admission",
    "orientation.direct_admission": "Admission directe",
    "orientation.stay_ended": "Sortie du dispositif",
    # The 115 and street outreach (issue 5).
    "emergency.call_logged": "Appel au 115 enregistré",
    "emergency.call_updated": "Notes d'un appel modifiées",
    "emergency.call_household_set": "Appel rattaché au ménage",
    "emergency.request_created": "Demande d'urgence créée",
    "emergency.request_oriented": "Demande d'urgence orientée",
    "emergency.orientation_released": "Place libérée (demande d'urgence)",
    "emergency.request_unmet": "Demande d'urgence non pourvue",
    "emergency.request_no_callback": "Sans rappel du 115",
    "emergency.request_no_show": "Ne s'est pas présenté(e)",
    "emergency.arrival_confirmed": "Arrivée confirmée par le dispositif",
    "emergency.nights_renewed": "Nuitées reconduites",
    "emergency.stay_not_renewed": "Mise à l'abri non reconduite",
    "emergency.encounter_recorded": "Rencontre de maraude enregistrée",
    "emergency.signal_sent": "Signalement au 115",
    "emergency.signal_closed": "Signalement clos",
    # Access reports (issue 6).
    "audit.file_report_viewed": "Consultation du rapport des accès au dossier",
    "audit.user_report_viewed": "Consultation des accès d'un utilisateur",
    # Data protection (issue 6): retention runs, the legal archive, statistics exports.
    "retention.run_requested": "Passage de conservation demandé",
    "retention.run_finished": "Passage de conservation terminé",
    "archive.authorization_granted": "Autorisation d'accès à l'archive accordée",
    "archive.authorization_revoked": "Autorisation d'accès à l'archive révoquée",
    "archive.searched": "Recherche dans l'archive légale",
    "archive.read": "Consultation d'un dossier archivé",
    "statistics.exported": "Export de statistiques",
    # The partner interconnection API (issue 7).
    "partners.client_registered": "Client partenaire enregistré",
    "partners.client_updated": "Client partenaire modifié",
    "partners.secret_rotated": "Secret d'un client partenaire renouvelé",
    "partners.secret_revoked": "Secret d'un client partenaire révoqué",
    "partners.webhook_secret_rotated": "Secret de signature des webhooks renouvelé",
    "partners.client_activated": "Client partenaire réactivé",
    "partners.client_deactivated": "Client partenaire désactivé",
    "partners.events_replayed": "Événements webhook rejoués",
    "partners.token_issued": "Jeton d'accès délivré à un partenaire",
    "partners.referral_read": "Orientation lue par un partenaire (API)",
    # Satisfaction surveys (siao.surveys, issue 8). Answers are never audited (anonymity).
    "surveys.campaign_created": "Enquête de satisfaction préparée",
    "surveys.campaign_updated": "Enquête de satisfaction modifiée",
    "surveys.campaign_opened": "Enquête de satisfaction ouverte",
    "surveys.campaign_closed": "Enquête de satisfaction close",
    "surveys.results_viewed": "Résultats d'une enquête de satisfaction consultés",
    "surveys.results_exported": "Résultats d'une enquête de satisfaction exportés",
    # Support requests (siao.support, issue 8).
    "support.request_submitted": "Demande de support envoyée",
    "support.request_viewed": "Demande de support consultée",
    "support.request_assigned": "Demande de support affectée",
    "support.status_changed": "Statut d'une demande de support modifié",
    "support.reply_sent": "Réponse envoyée au demandeur de support",
    "support.note_added": "Note interne ajoutée à une demande de support",
    "support.attachment_downloaded": "Pièce jointe d'une demande de support téléchargée",
    "support.requests_purged": "Demandes de support supprimées (durée de conservation)",
    # The help centre (siao.knowledge, issue 8).
    "knowledge.article_created": "Article d'aide créé",
    "knowledge.article_updated": "Article d'aide modifié",
    "knowledge.article_published": "Article d'aide publié",
    "knowledge.article_unpublished": "Article d'aide dépublié",
    "knowledge.topic_created": "Thème d'aide créé",
    "knowledge.topic_updated": "Thème d'aide modifié",
    "knowledge.topic_deleted": "Thème d'aide supprimé",
    "knowledge.session_created": "Session de démonstration ou atelier programmé",
    "knowledge.session_updated": "Session de démonstration ou atelier modifié",
    "knowledge.session_deleted": "Session de démonstration ou atelier retiré",
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
    from siao.emergency.enums import UnmetReason
    from siao.offer.enums import UnavailabilityReason

    for enum in (UnavailabilityReason, UnmetReason):
        if value in enum.values:
            return str(enum(value).label).lower()
    return str(value)


def label_events(events) -> None:
    for event in events:
        event.action_label = ACTION_LABELS.get(event.action, "")
        event.role_label = role_label(event.actor_role)
        event.object_type_label = object_type_label(event.object_type) if event.object_type else ""
        event.reason_label = reason_label(event.data.get("reason"))
