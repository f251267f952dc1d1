"""The audit trail: one append-only store of who did what to which object, when and from
where, each event chained to the previous one by a hash (see `trail.py`)."""

from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, actor):
        """Administrators read the trail of their perimeter: the national administrator all of
        it; the departmental administrator the events by or about organizations of its
        départements; the SIAO administrator and the gestionnaire d'entité their organization's."""
        from siao.accounts.enums import Role
        from siao.accounts.models import Organization

        if actor.role == Role.NATIONAL_ADMIN:
            return self.all()
        if actor.role == Role.DEPARTMENT_ADMIN:
            organizations = Organization.objects.filter(departments__in=actor.perimeter.department_ids).values("pk")
            return self.filter(
                models.Q(actor_organization_id__in=organizations) | models.Q(target_organization_id__in=organizations)
            )
        if actor.role in (Role.SIAO_ADMIN, Role.OPERATOR_MANAGER):
            own = actor.organization.pk
            return self.filter(models.Q(actor_organization_id=own) | models.Q(target_organization_id=own))
        return self.none()

    def update(self, **kwargs):
        raise PermissionError("Le journal est en ajout seul : aucune modification n'est possible.")

    def delete(self):
        raise PermissionError("Le journal est en ajout seul : seule la purge de rétention supprime des événements.")

    def _purge(self):
        """Only for the retention purge (`purge_audit_events`), which also moves the anchor."""
        return super().delete()


class AuditEvent(models.Model):
    # No foreign keys: the trail outlives what it talks about, and must not block deletions
    # elsewhere (retention purge of households) nor be cascaded by them.
    sequence = models.BigIntegerField("numéro", unique=True)
    occurred_at = models.DateTimeField("date", db_index=True)
    action = models.CharField("action", max_length=100, db_index=True)
    actor_user_id = models.BigIntegerField("utilisateur (id)", null=True, blank=True, db_index=True)
    actor_email = models.CharField("utilisateur", max_length=254, blank=True, db_index=True)
    actor_role = models.CharField("profil actif", max_length=30, blank=True)
    actor_organization_id = models.BigIntegerField("organisation (id)", null=True, blank=True, db_index=True)
    actor_organization_name = models.CharField("organisation", max_length=255, blank=True)
    target_organization_id = models.BigIntegerField(
        "organisation concernée (id)", null=True, blank=True, db_index=True
    )
    object_type = models.CharField("type d'objet", max_length=60, blank=True)
    object_id = models.CharField("identifiant de l'objet", max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    correlation_id = models.CharField("identifiant de requête", max_length=64, blank=True)
    data = models.JSONField("détails", default=dict, blank=True)
    prev_hash = models.CharField("empreinte précédente", max_length=64, blank=True)
    hash = models.CharField("empreinte", max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement du journal"
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["action", "ip_address", "occurred_at"], name="audit_action_ip_time")]

    def __str__(self):
        return f"#{self.sequence} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Le journal est en ajout seul : un événement ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Le journal est en ajout seul : un événement ne se supprime pas.")


class AuditChainHead(models.Model):
    """The last link of the chain (a single row, locked while an event is appended, so that
    concurrent writers chain one after the other), and the anchor left by the last purge."""

    sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    anchor_sequence = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"tête de chaîne #{self.sequence}"


class AuditPurgePermit(models.Model):
    """A row exists only inside the purge's transaction: the PostgreSQL trigger refuses any
    DELETE on the trail without it."""

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"permis de purge {self.created_at}"
