"""Forms of the program pages: refusal, place groups, place states, measures and provisions."""

from django import forms
from django.core.validators import RegexValidator
from dsfr.forms import DsfrBaseForm

from siao.offer.actions.places import MAX_PLACE_GROUP_CAPACITY
from siao.offer.actions.validation import REFUSAL_REASON_MAX_LENGTH
from siao.offer.enums import (
    PlaceCategory,
    PlaceState,
    PlaceType,
    ProvisionKind,
    SupportMeasureKind,
    UnavailabilityReason,
    UnitKind,
)
from siao.offer.models import Public

POSTAL_CODE = RegexValidator(r"^\d{5}$", "Le code postal compte 5 chiffres, par exemple 35000.")


def _choices(enum, empty: str):
    return [("", empty), *enum.choices]


class RefusalForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif du refus",
        help_text="Il est transmis au demandeur et conservé dans l'historique du dispositif.",
        max_length=REFUSAL_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PlaceGroupForm(DsfrBaseForm):
    name = forms.CharField(label="Nom du groupe", max_length=255, help_text="Par exemple : Bâtiment A — 2e étage.")
    unit_kind = forms.ChoiceField(label="Unité", choices=UnitKind.choices, initial=UnitKind.PLACE)
    place_type = forms.ChoiceField(label="Type de place", choices=_choices(PlaceType, "Sélectionnez un type"))
    place_category = forms.ChoiceField(
        label="Catégorie de place", choices=_choices(PlaceCategory, "Sélectionnez une catégorie")
    )
    capacity = forms.IntegerField(
        label="Capacité",
        min_value=1,
        max_value=MAX_PLACE_GROUP_CAPACITY,
        help_text=f"Nombre de places ou de logements du groupe, de 1 à {MAX_PLACE_GROUP_CAPACITY}.",
    )
    publics = forms.ModelMultipleChoiceField(
        label="Publics accueillis",
        queryset=Public.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Par défaut, ceux du dispositif.",
    )
    address = forms.CharField(label="Adresse (facultatif)", max_length=255, required=False)
    postal_code = forms.CharField(
        label="Code postal (facultatif)", max_length=5, required=False, validators=[POSTAL_CODE]
    )
    city = forms.CharField(label="Ville (facultatif)", max_length=100, required=False)

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("publics", [public.code for public in program.publics.all()])
        self.fields["capacity"].error_messages["min_value"] = "La capacité est d'au moins une place."


class PlaceStateForm(DsfrBaseForm):
    to_state = forms.ChoiceField(label="Nouvel état", choices=PlaceState.choices)
    reason = forms.ChoiceField(
        label="Motif d'indisponibilité", choices=_choices(UnavailabilityReason, "Aucun"), required=False
    )
    until = forms.DateField(
        label="Indisponible jusqu'au (facultatif)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_state"].error_messages["invalid_choice"] = "Choisissez un état de place parmi ceux proposés."
        self.fields["reason"].error_messages["invalid_choice"] = "Choisissez un motif parmi ceux proposés."
        self.fields["until"].error_messages["invalid"] = "Saisissez une date valide, par exemple 31/12/2025."
        self.fields["version"].error_messages["required"] = "La page est incomplète : rechargez-la."
        self.fields["version"].error_messages["invalid"] = "La page est incomplète : rechargez-la."


class SupportMeasureForm(DsfrBaseForm):
    kind = forms.ChoiceField(label="Mesure", choices=_choices(SupportMeasureKind, "Sélectionnez une mesure"))
    capacity = forms.IntegerField(label="Nombre de mesures", min_value=0, max_value=100_000, initial=0)
    description = forms.CharField(label="Description (facultatif)", max_length=255, required=False)


class ProvisionForm(DsfrBaseForm):
    kind = forms.ChoiceField(label="Prestation", choices=_choices(ProvisionKind, "Sélectionnez une prestation"))
    description = forms.CharField(label="Description (facultatif)", max_length=255, required=False)
