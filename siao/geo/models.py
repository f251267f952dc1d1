"""The territory referential: départements and communes (INSEE Code officiel géographique).

Reference data, shipped in siao/geo/data/ and loaded by migration 0002 or `manage.py load_territory`
(see docs/territory.md). The INSEE code is the public identifier: no separate public UUID.
"""

from django.db import models

OVERSEAS_DEPARTMENT_CODES = frozenset({"971", "972", "973", "974", "976"})


class Department(models.Model):
    # INSEE codes sort naturally as strings: "01"…"29", "2A", "2B", "30"…"95", "971"…"976" (the COG order).
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region_code = models.CharField("code de la région", max_length=3)
    region_name = models.CharField("région", max_length=100)
    is_overseas = models.BooleanField("outre-mer", default=False)

    class Meta:
        verbose_name = "département"
        verbose_name_plural = "départements"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class Commune(models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "commune", "Commune"
        ARRONDISSEMENT = "arrondissement", "Arrondissement municipal"

    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=100)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="communes", verbose_name="département"
    )
    postal_codes = models.CharField("codes postaux", max_length=255, blank=True, help_text="Séparés par des espaces.")
    kind = models.CharField("type", max_length=14, choices=Kind.choices, default=Kind.COMMUNE)

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["insee_code"]
        indexes = [models.Index(fields=["department", "name"], name="geo_commune_dept_name_idx")]

    def __str__(self):
        return f"{self.name} ({self.insee_code})"

    @property
    def postal_code_list(self):
        return self.postal_codes.split()
