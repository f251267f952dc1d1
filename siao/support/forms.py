"""The public support request form, the queue's filters and the support team's action forms."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from dsfr.forms import DsfrBaseForm

from siao.accounts.models import normalize_email

from . import attachments
from .enums import SupportCategory, SupportStatus

HONEYPOT_FIELD = "website"
DESCRIPTION_MAX_LENGTH = 5000
MESSAGE_MAX_LENGTH = 5000
REFILE_MESSAGE = (
    "Pour des raisons de sécurité, les fichiers choisis ne sont pas conservés quand le formulaire comporte une "
    "erreur : aucun n'a été enregistré, choisissez-les de nouveau."
)


class MultipleFileInput(forms.FileInput):
    """Several files in one input (Django docs, "Uploading multiple files")."""

    allow_multiple_selected = True
    group_class = "fr-upload-group"


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        # An empty file is refused by attachments.check_file, with its name in the message.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [file for file in files if file]
        if len(files) > attachments.max_files():
            raise ValidationError(
                f"Vous pouvez joindre {attachments.max_files()} fichiers au plus (vous en avez choisi {len(files)}).",
                code="too_many",
            )
        checked, errors = [], []
        for file in files:
            try:
                checked.append(attachments.check_file(super().clean(file, initial)))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return checked


class SupportRequestForm(DsfrBaseForm):
    first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label="E-mail",
        help_text="Format attendu : prenom.nom@organisme.fr. La référence de votre demande et nos réponses y "
        "seront envoyées.",
        max_length=254,
        error_messages={"invalid": "Saisissez une adresse électronique valide, par exemple prenom.nom@organisme.fr."},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    user_identifier = forms.CharField(
        label="Identifiant utilisateur",
        help_text="L'adresse électronique avec laquelle vous vous connectez au SI SIAO, si vous avez un compte. "
        "Laissez vide si vous n'en avez pas.",
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    subject = forms.CharField(
        label="Objet",
        help_text="En quelques mots, par exemple : « Je ne reçois pas le code de connexion ».",
        max_length=200,
    )
    category = forms.ChoiceField(
        label="Catégorie",
        choices=[("", "Sélectionnez une catégorie")] + SupportCategory.choices,
        error_messages={
            "required": "Choisissez la catégorie de votre demande.",
            "invalid_choice": "Choisissez une catégorie dans la liste.",
        },
    )
    description = forms.CharField(
        label="Description",
        help_text="Ce que vous cherchiez à faire, ce qui s'est passé, le message affiché le cas échéant. "
        f"N'indiquez pas d'information sur les personnes accompagnées. {DESCRIPTION_MAX_LENGTH} caractères au plus.",
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = MultipleFileField(
        label="Pièces jointes",
        help_text=lazy(attachments.limits_help_text, str)(),
        required=False,
        widget=MultipleFileInput(attrs={"class": "fr-upload", "accept": attachments.ACCEPT_ATTRIBUTE}),
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
        for name in ("first_name", "last_name", "subject"):
            self.fields[name].error_messages["required"] = {
                "first_name": "Indiquez votre prénom.",
                "last_name": "Indiquez votre nom.",
                "subject": "Indiquez l'objet de votre demande.",
            }[name]
        self.fields["email"].error_messages["required"] = (
            "Indiquez votre adresse électronique : la réponse y sera envoyée."
        )
        self.fields["description"].error_messages["required"] = "Décrivez votre demande."

    @property
    def is_honeypot_filled(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    @property
    def has_files(self) -> bool:
        return bool(self.files and [f for f in self.files.getlist("attachments") if f])

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])

    def clean_user_identifier(self):
        return self.cleaned_data["user_identifier"].strip()

    def note_files_not_kept(self) -> None:
        """The page comes back with an error: the browser forgets the chosen files, say so."""
        if self.has_files and REFILE_MESSAGE not in self.errors.get("attachments", []):
            self.add_error("attachments", REFILE_MESSAGE)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            self.note_files_not_kept()
        return cleaned


ASSIGNMENT_FILTERS = [("", "Toutes"), ("moi", "Affectées à moi"), ("personne", "Non affectées")]


class QueueFilterForm(DsfrBaseForm):
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "En cours de traitement (non résolues)"), ("toutes", "Toutes")] + SupportStatus.choices,
    )
    categorie = forms.ChoiceField(
        label="Catégorie", required=False, choices=[("", "Toutes")] + SupportCategory.choices
    )
    affectation = forms.ChoiceField(label="Affectation", required=False, choices=ASSIGNMENT_FILTERS)
    q = forms.CharField(
        label="Rechercher",
        help_text="Référence, objet, nom ou adresse du demandeur.",
        required=False,
        max_length=100,
    )


class AssignForm(DsfrBaseForm):
    prefix = "assign"

    assignee = forms.ChoiceField(label="Affecter à", required=False)

    def __init__(self, *args, team=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Personne (retirer l'affectation)")] + [
            (str(user.public_id), f"{user.get_full_name() or user.email} ({user.email})") for user in team
        ]
        self.fields["assignee"].error_messages["invalid_choice"] = (
            "Choisissez un membre de l'équipe de support qui peut voir cette demande."
        )


class StatusForm(DsfrBaseForm):
    prefix = "status"

    status = forms.ChoiceField(
        label="Nouveau statut",
        choices=SupportStatus.choices,
        error_messages={"invalid_choice": "Choisissez un statut dans la liste.", "required": "Choisissez un statut."},
    )


class ReplyForm(DsfrBaseForm):
    prefix = "reply"

    body = forms.CharField(
        label="Réponse au demandeur",
        help_text="Envoyée par courriel au demandeur avec la référence de sa demande. "
        f"{MESSAGE_MAX_LENGTH} caractères au plus.",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Écrivez la réponse à envoyer."},
    )
    status = forms.ChoiceField(
        label="Statut après l'envoi",
        choices=SupportStatus.choices,
        initial=SupportStatus.WAITING_REQUESTER,
        error_messages={"invalid_choice": "Choisissez un statut dans la liste."},
    )


class NoteForm(DsfrBaseForm):
    prefix = "note"

    body = forms.CharField(
        label="Note interne",
        help_text="Visible de l'équipe de support seulement : jamais envoyée ni montrée au demandeur. "
        f"{MESSAGE_MAX_LENGTH} caractères au plus.",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Écrivez la note."},
    )
