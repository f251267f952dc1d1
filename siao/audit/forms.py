from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm


class AuditFilterForm(DsfrBaseForm):
    user = forms.CharField(label="Utilisateur (adresse électronique complète)", required=False, max_length=254)
    object_id = forms.CharField(label="Identifiant de l'objet", required=False, max_length=64)
    action = forms.CharField(label="Action (début du nom, par exemple « auth. »)", required=False, max_length=100)
    since = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="jj/mm/aaaa"
    )
    until = forms.DateField(
        label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="jj/mm/aaaa"
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise ValidationError("La date de début doit précéder la date de fin.")
        return cleaned
