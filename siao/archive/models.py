"""The legal archive (database alias `archive`, config/db_router.py): for each household file
purged by the retention run, the minimized structured proof of what was decided (identity
minimal, requests, decisions, stays, 115 outcomes, rights exercised), kept
ARCHIVE_RETENTION_YEARS (10) then deleted by the same run. Read only through
siao/retention/archive_access.py, by a user holding a special authorization.

No foreign key leaves this database: departments and programs are stored as codes and names."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class ArchiveState(models.TextChoices):
    # Written before the file is deleted from the transactional base, confirmed after: a run
    # killed in between finds the pending record on restart and settles it (siao/retention/purge.py).
    PENDING = "pending", "Transfert en cours"
    DONE = "done", "Archivé"


class ArchivedFile(models.Model):
    household_public_id = models.UUIDField("numéro de dossier", unique=True)
    department = models.CharField("département du dossier", max_length=3, db_index=True)
    state = models.CharField("état", max_length=10, choices=ArchiveState.choices, default=ArchiveState.PENDING)
    file_created_at = models.DateTimeField("dossier créé le")
    last_action_at = models.DateTimeField("dernière action")
    archived_at = models.DateTimeField("archivé le", db_index=True)
    expires_on = models.DateField("à supprimer le", db_index=True)
    run_id = models.BigIntegerField("passage de conservation", null=True)
    # The proof (siao/retention/minimize.py says what goes in and docs/data-protection.md why).
    content = models.JSONField("contenu", default=dict, encoder=DjangoJSONEncoder)
    # The first month of activity and the last (the check command compares them to the
    # statistics' frozen months).
    first_month = models.DateField("premier mois d'activité", null=True)
    last_month = models.DateField("dernier mois d'activité", null=True)

    class Meta:
        verbose_name = "dossier archivé"
        verbose_name_plural = "dossiers archivés"
        indexes = [models.Index(fields=["state"], name="archived_file_state")]

    def __str__(self):
        return f"Dossier {self.household_public_id}"


class ArchivedPerson(models.Model):
    """The minimal identity of a member, searchable by the authorized reader."""

    file = models.ForeignKey(ArchivedFile, on_delete=models.CASCADE, related_name="persons")
    person_public_id = models.UUIDField()
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150)
    birth_name = models.CharField("nom de naissance", max_length=150, blank=True)
    birth_date = models.DateField("date de naissance", null=True)
    sex = models.CharField("sexe", max_length=1, blank=True)
    relationship = models.CharField("lien avec la personne de référence", max_length=20, blank=True)
    joined_on = models.DateField("arrivée dans le ménage", null=True)
    left_on = models.DateField("départ du ménage", null=True)
    last_name_key = models.CharField(max_length=150, db_index=True)
    first_name_key = models.CharField(max_length=150)

    class Meta:
        verbose_name = "personne archivée"
        constraints = [
            models.UniqueConstraint(fields=["file", "person_public_id"], name="archived_person_unique"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name.upper()}"
