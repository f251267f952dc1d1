"""The dashboards' filters (a GET form): measure, dimension, year and, for the national
perimeter, the département. The period is a calendar year, never a free range of months:
fixed, non-overlapping periods are what keeps the secret statistique across requests
(docs/statistics.md, « Disclosure control »)."""

from django import forms
from dsfr.forms import DsfrBaseForm

from .measures import ALL_DIMENSIONS, DIMENSION_LABELS, MEASURES


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
    annee = forms.TypedChoiceField(
        label="Année",
        coerce=int,
        help_text="Les chiffres sont publiés par année civile.",
        error_messages={
            "required": "Choisissez une année.",
            "invalid_choice": "Choisissez une année de la liste.",
        },
    )
    departement = forms.ChoiceField(
        label="Département",
        required=False,
        error_messages={"invalid_choice": "Choisissez un département de la liste."},
    )

    def __init__(self, *args, departments=None, national: bool = False, years: list[int], **kwargs):
        """`departments`: [(code, label)] to choose from (None: a single one, no choice); the
        national perimeter may also choose the nation. `years`: those with data, newest first."""
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(str(year), str(year)) for year in years]
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
        return cleaned
