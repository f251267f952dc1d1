import datetime

from django import forms
from django.conf import settings
from django.utils import timezone

from siao.accounts.models import User
from siao.geo.models import Department

from .models import ArchiveAuthorization


class AuthorizationForm(forms.ModelForm):
    email = forms.EmailField(
        label="Adresse électronique de la personne autorisée",
        help_text="Un utilisateur du SI SIAO dont au moins un profil est actif.",
    )
    department = forms.ModelChoiceField(
        Department.objects.order_by("code"),
        label="Département (facultatif)",
        required=False,
        empty_label="Tous les départements",
        to_field_name="code",
        help_text="Pour limiter la lecture aux dossiers archivés d'un département.",
    )

    class Meta:
        model = ArchiveAuthorization
        fields = ["purpose", "reference", "department", "starts_on", "ends_on"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    field_order = ["email", "purpose", "reference", "department", "starts_on", "ends_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].error_messages["required"] = "Indiquez la finalité de l'accès."
        self.fields["starts_on"].error_messages["invalid"] = "Saisissez une date valide."
        self.fields["ends_on"].error_messages["invalid"] = "Saisissez une date valide."
        self.fields["starts_on"].help_text = "Format attendu : JJ/MM/AAAA."
        self.fields[
            "ends_on"
        ].help_text = f"Au plus {settings.ARCHIVE_AUTHORIZATION_MAX_DAYS} jours après la date de début."
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError("Aucun utilisateur actif n'a cette adresse.")
        self.user = user
        return email

    def clean_purpose(self):
        purpose = self.cleaned_data["purpose"].strip()
        if len(purpose) < 20:
            raise forms.ValidationError("Décrivez la finalité en une phrase au moins (20 caractères).")
        return purpose

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and starts_on < timezone.localdate():
            self.add_error("starts_on", "La date de début ne peut pas être passée.")
        if starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error("ends_on", "La date de fin doit suivre la date de début.")
            elif ends_on - starts_on > datetime.timedelta(days=settings.ARCHIVE_AUTHORIZATION_MAX_DAYS):
                self.add_error(
                    "ends_on",
                    f"Une autorisation dure au plus {settings.ARCHIVE_AUTHORIZATION_MAX_DAYS} jours.",
                )
        return cleaned


class ArchiveSearchForm(forms.Form):
    nom = forms.CharField(label="Nom", max_length=150, required=False)
    prenom = forms.CharField(label="Prénom", max_length=150, required=False)
    naissance = forms.DateField(
        label="Date de naissance",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date de naissance valide."},
    )
    dossier = forms.UUIDField(
        label="Numéro de dossier",
        required=False,
        error_messages={"invalid": "Saisissez un numéro de dossier complet."},
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("dossier") and not (cleaned.get("nom") or "").strip() and not self.errors:
            raise forms.ValidationError("Indiquez un nom ou un numéro de dossier.")
        return cleaned


class RunForm(forms.Form):
    mode = forms.ChoiceField(
        label="Type de passage",
        choices=[("dry_run", "Simulation (rapport seulement)"), ("purge", "Purge réelle")],
        widget=forms.RadioSelect,
        initial="dry_run",
    )
    confirm = forms.BooleanField(
        label="Je confirme la purge : les dossiers concernés seront transférés puis supprimés définitivement.",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == "purge" and not cleaned.get("confirm"):
            self.add_error("confirm", "Cochez la confirmation pour lancer une purge réelle.")
        return cleaned
