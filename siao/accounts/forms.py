from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from siao.offer.enums import ValidationStatus
from siao.offer.models import Program

from .actor import Actor
from .emails import validate_professional_email
from .enums import Role
from .models import Organization
from .permissions import grantable_organizations_q, grantable_roles
from .roles import PROGRAM_ROLES


class EmailLoginForm(DsfrBaseForm):
    email = forms.CharField(
        label="Adresse électronique professionnelle",
        help_text="Format attendu : prenom.nom@organisme.fr",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class LoginCodeForm(DsfrBaseForm):
    code = forms.CharField(
        label="Code reçu par courriel",
        help_text="6 chiffres",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class GrantMembershipForm(DsfrBaseForm):
    email = forms.CharField(
        label="Adresse électronique professionnelle",
        help_text="Individuelle et professionnelle : pas de boîte partagée ni de messagerie personnelle.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    role = forms.ChoiceField(label="Profil")
    organization = forms.ModelChoiceField(label="Organisation", queryset=Organization.objects.none())
    program = forms.ModelChoiceField(
        label="Dispositif",
        queryset=Program.objects.none(),
        required=False,
        help_text="Seulement pour les profils Responsable de dispositif et Travailleur social.",
    )
    ends_on = forms.DateField(
        label="Fin de validité (facultatif)",
        required=False,
        help_text="Laisser vide pour un accès sans fin prévue, revu périodiquement.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["role"].choices = [("", "Sélectionnez un profil")] + [
            (role, Role(role).label) for role in grantable_roles(actor)
        ]
        organizations = Organization.objects.active()
        condition = grantable_organizations_q(actor)
        organizations = organizations.none() if condition is None else organizations.filter(condition)
        self.fields["organization"].queryset = organizations.order_by("kind", "name")
        self.fields["organization"].empty_label = "Sélectionnez une organisation"
        self.fields["program"].queryset = (
            Program.objects.filter(operator__in=organizations)
            .exclude(validation_status=ValidationStatus.REFUSED)
            .select_related("operator")
            .order_by("name")
        )
        self.fields["program"].empty_label = "Aucun"
        self.fields["program"].label_from_instance = lambda p: f"{p.name} ({p.operator.name})"

    def clean_email(self):
        return validate_professional_email(self.cleaned_data["email"])

    def clean_ends_on(self):
        ends_on = self.cleaned_data.get("ends_on")
        if ends_on and ends_on < timezone.localdate():
            raise ValidationError("La date de fin de validité ne peut pas être dans le passé.")
        return ends_on

    def clean(self):
        cleaned = super().clean()
        role, program = cleaned.get("role"), cleaned.get("program")
        if role in PROGRAM_ROLES and not program:
            self.add_error("program", "Ce profil s'exerce sur un dispositif : choisissez-le.")
        if role and role not in PROGRAM_ROLES and program:
            self.add_error("program", "Ce profil ne s'exerce pas sur un dispositif : laissez ce champ vide.")
        return cleaned


class RevocationForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif de la révocation", max_length=255, help_text="Par exemple : départ de l'agent."
    )
