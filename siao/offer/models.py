"""The offer. For now only what the platform needs: programs (dispositifs) as the perimeter of
program roles. The offer issue adds the nomenclature, funding, place groups and places."""

from django.db import models

from siao.core.models import BaseModel


class ProgramQuerySet(models.QuerySet):
    def of_operator(self, operator):
        return self.filter(operator=operator)


class Program(BaseModel):
    operator = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="programs",
        verbose_name="entité gestionnaire",
        limit_choices_to={"kind": "operator"},
    )
    name = models.CharField("nom", max_length=255, help_text="« Type - Nom », par exemple « CHRS - Les Tilleuls ».")
    department = models.ForeignKey(
        "geo.Department", on_delete=models.PROTECT, related_name="programs", verbose_name="département"
    )
    is_active = models.BooleanField("ouvert", default=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = "dispositif"
        ordering = ["name"]

    def __str__(self):
        return self.name
