from django.db import models


class OrganizationKind(models.TextChoices):
    NATIONAL = "national", "Administration nationale (Dihal)"
    STATE_DEPARTMENT = "state_department", "Service de l'État (DDETS)"
    SIAO = "siao", "SIAO"
    OPERATOR = "operator", "Entité gestionnaire"


class Role(models.TextChoices):
    """The ten profiles of the seed (webinar of 6 October 2023)."""

    NATIONAL_ADMIN = "national_admin", "Administrateur national"
    DEPARTMENT_ADMIN = "department_admin", "Administrateur départemental"
    ANALYST = "analyst", "Analyste"
    SIAO_ADMIN = "siao_admin", "Administrateur SIAO"
    SIAO_OPERATOR = "siao_operator", "Opérateur SIAO"
    CALL_HANDLER = "call_handler", "Écoutant 115"
    OPERATOR_MANAGER = "operator_manager", "Gestionnaire d'entité"
    ASSISTANT = "assistant", "Assistant"
    PROGRAM_MANAGER = "program_manager", "Responsable de dispositif"
    SOCIAL_WORKER = "social_worker", "Travailleur social"


class PerimeterKind(models.TextChoices):
    NATIONAL = "national", "National"
    DEPARTMENT = "department", "Département"
    SIAO = "siao", "SIAO"
    OPERATOR = "operator", "Entité gestionnaire"
    PROGRAM = "program", "Dispositif"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Actif"
    EXPIRED = "expired", "Échu"
    REVOKED = "revoked", "Révoqué"
