"""The dashboards' filters (a GET form): measure, dimension, period in months and, for the
national perimeter, the département."""

import datetime

from django import forms
from dsfr.forms import DsfrBaseForm

from .measures import ALL_DIMENSIONS, DIMENSION_LABELS, MEASURES
from .months import add_months, month_label

MAX_MONTHS = 60
INVALID_MONTH = "Saisissez un mois valide, par exemple 2025-03."


def _month_field(label: str, required_message: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m", "%m/%Y"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text="Format : AAAA-MM",
        error_messages={"required": required_message, "invalid": INVALID_MONTH},
    )


class StatisticsForm(DsfrBaseForm):
    mesure = forms.ChoiceField(
        label="Mesure",
        choices=[(name, measure.label) for name, measure in MEASURES.items()],
        error_messages={
            "required": "Choisissez une mesure.",
            "invalid_choice": "Cette mesure n'existe pas : choisissez-en une de la liste.",
        },
    )
    ventilation = forms.ChoiceField(
        label="Ventilation",
        required=False,
        choices=[("", "Aucune (total seulement)"), *((name, DIMENSION_LABELS[name]) for name in ALL_DIMENSIONS)],
        help_text="Les ventilations possibles dépendent de la mesure.",
        error_messages={"invalid_choice": "Cette ventilation n'existe pas : choisissez-en une de la liste."},
    )
    du = _month_field("Du mois", "Indiquez le premier mois de la période.")
    au = _month_field("Au mois (inclus)", "Indiquez le dernier mois de la période.")
    departement = forms.ChoiceField(
        label="Département",
        required=False,
        error_messages={"invalid_choice": "Choisissez un département de la liste."},
    )

    def __init__(self, *args, departments=None, national: bool = False, current: datetime.date, **kwargs):
        """`departments`: [(code, label)] to choose from (None: a single one, no choice); the
        national perimeter may also choose the nation."""
        super().__init__(*args, **kwargs)
        self.current = current
        self.fallback_message = ""  # set when the breakdown asked for does not fit the measure
        if departments is None:
            del self.fields["departement"]
        elif national:
            self.fields["departement"].choices = [("", "National (tous les départements)"), *departments]
        else:
            self.fields["departement"].choices = departments
            self.fields["departement"].required = True

    def clean(self):
        cleaned = super().clean()
        measure, dimension = MEASURES.get(cleaned.get("mesure") or ""), cleaned.get("ventilation") or ""
        if measure is not None and dimension and dimension not in measure.dimensions:
            # Changing the measure keeps the previous breakdown: show the measure's total rather
            # than refuse the page, and say so.
            names = [f"« {DIMENSION_LABELS[name].lower()} »" for name in measure.dimensions]
            possible = " ou ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
            self.fallback_message = (
                f"La mesure « {measure.label} » ne se ventile pas par {DIMENSION_LABELS[dimension].lower()} : "
                f"elle est affichée sans ventilation (total seulement). Vous pouvez choisir la ventilation "
                f"{possible}."
            )
            cleaned["ventilation"] = ""
            self.data = self.data.copy()
            self.data["ventilation"] = ""
        first, last = cleaned.get("du"), cleaned.get("au")
        if first and last:
            if last < first:
                self.add_error("au", "Le dernier mois doit être le premier ou venir après lui.")
            elif last > self.current:
                self.add_error(
                    "au", f"La période ne peut pas aller au-delà du mois en cours ({month_label(self.current)})."
                )
            elif add_months(first, MAX_MONTHS - 1) < last:
                self.add_error(
                    "au", f"La période ne peut pas dépasser {MAX_MONTHS} mois : choisissez-en une plus courte."
                )
        return cleaned
