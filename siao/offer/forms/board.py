"""Filters of the vacancy board and of the capacity dashboard (GET forms)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from siao.offer.enums import PlaceCategory, PlaceType
from siao.offer.queries import BoardFilters

ALL = [("", "Tous")]


class BoardFilterForm(DsfrBaseForm):
    """`departements` and `publics` are read once by the view (the actor's territory, the
    publics referential): the form makes no query of its own."""

    departement = forms.ChoiceField(label="Département", required=False)
    type = forms.ChoiceField(label="Type de place", required=False, choices=ALL + PlaceType.choices)
    categorie = forms.ChoiceField(label="Catégorie de place", required=False, choices=ALL + PlaceCategory.choices)
    public = forms.ChoiceField(label="Public", required=False)

    def __init__(self, *args, departments, publics, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {department.code: department for department in departments}
        self.publics = {public.code: public for public in publics}
        self.fields["departement"].choices = [("", "Tout mon territoire")] + [
            (department.code, str(department)) for department in departments
        ]
        self.fields["public"].choices = ALL + [(public.code, public.label) for public in publics]

    def filters(self) -> BoardFilters:
        """The valid filters (an invalid one is reported on the form and not applied)."""
        data = self.cleaned_data if self.is_bound else {}
        return BoardFilters(
            department=self.departments.get(data.get("departement") or ""),
            place_type=data.get("type", ""),
            place_category=data.get("categorie", ""),
            public=self.publics.get(data.get("public") or ""),
        )


class DashboardDateForm(DsfrBaseForm):
    date = forms.DateField(
        label="Occupation à la date du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Facultatif : l'état des places à la fin de ce jour (jj/mm/aaaa).",
    )

    def clean_date(self):
        day = self.cleaned_data.get("date")
        if day and day > timezone.localdate():
            raise ValidationError("La date ne peut pas être dans le futur.")
        return day
