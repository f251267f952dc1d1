import re

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from siao.offer.actions.places import MAX_PLACE_GROUP_CAPACITY
from siao.offer.enums import LegalStatus


class OperatorEditForm(DsfrBaseForm):
    name = forms.CharField(label="Raison sociale", max_length=255)
    legal_status = forms.ChoiceField(
        label="Statut juridique", choices=[("", "Non renseigné"), *LegalStatus.choices], required=False
    )
    address = forms.CharField(label="Adresse", max_length=255, required=False)
    postal_code = forms.CharField(
        label="Code postal", max_length=5, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    city = forms.CharField(label="Ville", max_length=100, required=False)
    accreditation = forms.CharField(label="Agrément", max_length=255, required=False)
    collective_agreement = forms.CharField(label="Convention collective", max_length=255, required=False)
    p177_agreement = forms.BooleanField(label="L'entité a une convention P177", required=False)
    referents = forms.CharField(
        label="Référents",
        help_text="Nom, fonction et coordonnées, un par ligne.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_postal_code(self):
        code = self.cleaned_data["postal_code"].strip()
        if code and not re.fullmatch(r"\d{5}", code):
            raise ValidationError("Le code postal compte 5 chiffres.")
        return code


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label="Nouvelle capacité",
        min_value=1,
        max_value=MAX_PLACE_GROUP_CAPACITY,
        help_text="Des places ajoutées sont disponibles ; seules des places disponibles peuvent être retirées.",
        error_messages={"invalid": "Saisissez un nombre entier de places."},
    )
