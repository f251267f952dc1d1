"""The public creation request form (anyone, no account) and the staff's answer form."""

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from siao.accounts.models import validate_siren
from siao.geo.models import Department
from siao.offer.enums import NOMENCLATURE, ProgramCategory, ProgramType
from siao.offer.models import CreationRequestStatus
from siao.offer.validators import is_phone_number, strip_separators, validate_siret

HONEYPOT_FIELD = "website"


def program_type_choices() -> list:
    """The nomenclature's types, grouped by category (one <optgroup> per category)."""
    return [("", "Je ne sais pas encore / à préciser")] + [
        (ProgramCategory(category).label, [(t, ProgramType(t).label) for t in types])
        for category, types in NOMENCLATURE.items()
    ]


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} – {obj.name}"


class CreationRequestForm(DsfrBaseForm):
    requester_first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    requester_last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    requester_email = forms.EmailField(
        label="Adresse électronique",
        help_text="Format attendu : prenom.nom@organisme.fr. La référence de votre demande y sera envoyée.",
        max_length=254,
        error_messages={"invalid": "Saisissez une adresse électronique valide, par exemple prenom.nom@organisme.fr."},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    requester_phone = forms.CharField(
        label="Téléphone (facultatif)",
        help_text="Format attendu : 01 22 33 44 55",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    requester_role = forms.CharField(
        label="Fonction (facultatif)",
        help_text="Par exemple : directrice d'établissement, chef de service.",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    operator_name = forms.CharField(
        label="Raison sociale de l'entité gestionnaire",
        help_text="L'association, la société ou l'organisme public qui gère le dispositif.",
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    operator_siren = forms.CharField(
        label="SIREN de l'entité gestionnaire",
        help_text="9 chiffres, par exemple 123 456 789.",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    program_type = forms.ChoiceField(label="Type de dispositif (facultatif)", required=False)
    program_name = forms.CharField(label="Nom du dispositif (facultatif)", max_length=255, required=False)
    program_siret = forms.CharField(
        label="SIRET du dispositif (facultatif)",
        help_text="14 chiffres : le SIREN de l'entité suivi des 5 chiffres de l'établissement.",
        max_length=25,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    department = DepartmentChoiceField(
        label="Département",
        help_text="Le département où se trouve le dispositif : votre demande est adressée à son SIAO.",
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        empty_label="Sélectionnez un département",
        error_messages={
            "required": "Choisissez le département du dispositif.",
            "invalid_choice": "Choisissez un département dans la liste.",
        },
    )
    description = forms.CharField(
        label="Précisions (facultatif)",
        help_text="Ce que vous souhaitez créer, le public accueilli, le nombre de places, la date d'ouverture…",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # A field people never see: a robot filling every field gives itself away.
    website = forms.CharField(
        label="Ne pas remplir ce champ",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program_type"].choices = program_type_choices()

    @property
    def is_honeypot_filled(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def clean_requester_email(self):
        return self.cleaned_data["requester_email"].strip().lower()

    def clean_requester_phone(self):
        phone = self.cleaned_data["requester_phone"].strip()
        if phone and not is_phone_number(phone):
            raise ValidationError(
                "Saisissez un numéro de téléphone valide, par exemple 01 22 33 44 55 ou +33 1 22 33 44 55."
            )
        return phone

    def clean_operator_siren(self):
        value = strip_separators(self.cleaned_data["operator_siren"])
        validate_siren(value)
        return value

    def clean_program_siret(self):
        value = strip_separators(self.cleaned_data["program_siret"])
        if value:
            validate_siret(value)
        return value

    def clean(self):
        cleaned = super().clean()
        siren, siret = cleaned.get("operator_siren"), cleaned.get("program_siret")
        if siren and siret and not siret.startswith(siren):
            self.add_error(
                "program_siret",
                f"Le SIRET « {siret} » n'appartient pas à l'entité : il doit commencer par son SIREN ({siren}).",
            )
        return cleaned


class CreationRequestAnswerForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label="Décision",
        choices=[
            (CreationRequestStatus.HANDLED, "Traitée : l'entité ou le dispositif est créé ou en cours de création"),
            (CreationRequestStatus.REJECTED, "Rejetée : la demande n'est pas retenue"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une décision.", "invalid_choice": "Choisissez une décision."},
    )
    answer = forms.CharField(
        label="Réponse au demandeur",
        help_text="Elle lui est envoyée par courriel. Obligatoire en cas de rejet : indiquez-en le motif.",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == CreationRequestStatus.REJECTED and not (cleaned.get("answer") or "").strip():
            self.add_error("answer", "Indiquez le motif du rejet : il sera transmis au demandeur.")
        return cleaned
