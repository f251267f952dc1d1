import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from siao.accounts.models import User
from siao.geo.models import Department

from .actions import OVERLAP_MESSAGE
from .models import ArchiveAuthorization


class AuthorizationForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Adresse électronique de la personne autorisée",
        help_text="Un utilisateur du SI SIAO dont au moins un profil est actif.",
    )
    purpose = forms.CharField(
        label="Finalité",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pourquoi l'archive doit être consultée : contentieux, demande d'une autorité, exercice d'un droit…",
    )
    reference = forms.CharField(
        label="Référence (facultatif)",
        max_length=200,
        required=False,
        help_text="Par exemple : numéro de la requête ou du courrier.",
    )
    department = forms.ModelChoiceField(
        Department.objects.order_by("code"),
        label="Département (facultatif)",
        required=False,
        empty_label="Tous les départements",
        to_field_name="code",
        help_text="Pour limiter la lecture aux dossiers archivés d'un département.",
    )
    starts_on = forms.DateField(label="À partir du", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label="Jusqu'au", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, actor=None, **kwargs):
        self.actor = actor
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
        if self.actor is not None and user == self.actor.user:
            raise forms.ValidationError(
                "Vous ne pouvez pas vous accorder une autorisation : un autre administrateur national doit le faire."
            )
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
            elif hasattr(self, "user") and (
                ArchiveAuthorization.objects.filter(
                    user=self.user, revoked_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
                ).exists()
            ):
                self.add_error(None, OVERLAP_MESSAGE)
        return cleaned


class ArchiveSearchForm(DsfrBaseForm):
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


class RunForm(DsfrBaseForm):
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
