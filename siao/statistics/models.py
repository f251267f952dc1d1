"""The statistics base (database alias `stats`): anonymized monthly aggregates, never a row
per person. A `Cell` is one figure of one month in one département; a `MonthState` says when
the month was last computed and whether it is frozen (final: never recomputed).

No foreign key to the transactional base: the département is its INSEE code, the values are
referential codes. docs/statistics.md says what each measure counts."""

from django.db import models
from django.utils import timezone


class Cell(models.Model):
    month = models.DateField("mois", help_text="Le premier jour du mois (heure de Paris).")
    department = models.CharField("département (code INSEE)", max_length=3)
    measure = models.CharField("mesure", max_length=40)
    dimension = models.CharField("ventilation", max_length=40, blank=True, help_text="Vide : le total.")
    value = models.CharField("modalité (code)", max_length=40, blank=True, help_text="Vide : le total.")
    count = models.BigIntegerField("nombre", default=0)
    persons = models.BigIntegerField(
        "personnes distinctes", default=0, help_text="Pour le secret statistique : jamais publié tel quel."
    )
    total = models.FloatField("somme", default=0, help_text="Jours de délai, nuitées-places disponibles ; sinon 0.")
    computed_at = models.DateTimeField("calculée le", default=timezone.now)

    class Meta:
        verbose_name = "cellule statistique"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department", "measure", "dimension", "value"], name="statistics_cell_unique"
            )
        ]
        # The dashboards read one measure and dimension over a range of months.
        indexes = [models.Index(fields=["measure", "dimension", "month"], name="statistics_cell_read")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.department} {self.measure} {self.dimension}={self.value}: {self.count}"


class MonthState(models.Model):
    month = models.DateField("mois", unique=True)
    computed_at = models.DateTimeField("calculé le")
    frozen_at = models.DateTimeField("figé le", null=True, blank=True)
    # Synthetic figures of the demonstration (siao/statistics/demo.py), said on the dashboards.
    is_demo = models.BooleanField("données de démonstration", default=False)

    class Meta:
        verbose_name = "état d'un mois"
        ordering = ["month"]

    def __str__(self):
        return f"{self.month:%Y-%m}{' (figé)' if self.frozen_at else ''}"
