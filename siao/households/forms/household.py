"""Forms of the household file pages. They check what is typed; the actions (siao/households/
actions.py) check again what the role may do and the rules of the file."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from siao.households.actions import NOTE_MAX_LENGTH
from siao.households.enums import (
    AssessmentKind,
    ContactChannel,
    ContractType,
    FamilySituation,
    HousingSituation,
    MemberLeftReason,
    Nationality,
    Relationship,
    ResidenceRight,
    ResourceType,
    Sex,
    SocialSecurity,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MEMBER_RELATIONSHIPS = [("", "Choisir"), *((v, label) for v, label in Relationship.choices if v != Relationship.HEAD)]


def _birth_date(required=False):
    return forms.DateField(
        label="Date de naissance",
        required=required,
        widget=DATE_WIDGET,
        error_messages={"invalid": "Saisissez une date valide (jour, mois, année)."},
    )


class HouseholdSearchForm(DsfrBaseForm):
    """The list's search: tolerant (accents, typos, swapped names, day and month inverted)."""

    nom = forms.CharField(label="Nom", max_length=150, required=False)
    prenom = forms.CharField(label="Prénom", max_length=150, required=False)
    naissance = _birth_date()

    def has_search(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data["nom"].strip() or self.cleaned_data["naissance"])


class IdentityForm(DsfrBaseForm):
    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    birth_name = forms.CharField(label="Nom de naissance", max_length=150, required=False)
    birth_date = _birth_date()
    birth_date_is_estimated = forms.BooleanField(label="Date de naissance approximative", required=False)
    sex = forms.ChoiceField(label="Sexe", choices=Sex.choices, initial=Sex.UNKNOWN)

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value and value > timezone.localdate():
            raise ValidationError("La date de naissance ne peut pas être dans le futur.")
        return value

    def identity(self) -> dict:
        return {name: self.cleaned_data[name] for name in IdentityForm.base_fields}


class MemberForm(IdentityForm):
    """Another member at creation: a row left empty is ignored."""

    relationship = forms.ChoiceField(label="Lien avec la personne de référence", choices=MEMBER_RELATIONSHIPS)

    def __init__(self, *args, optional=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.optional = optional
        if optional:
            for name in ("last_name", "first_name", "relationship", "sex"):
                self.fields[name].required = False

    def identity(self) -> dict:
        return {**super().identity(), "sex": self.cleaned_data["sex"] or Sex.UNKNOWN}

    def is_empty(self) -> bool:
        return self.is_valid() and not (self.cleaned_data["last_name"] or self.cleaned_data["first_name"])

    def clean(self):
        data = super().clean()
        if self.optional and (data.get("last_name") or data.get("first_name") or data.get("birth_date")):
            for name in ("last_name", "first_name", "relationship"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Ce champ est obligatoire pour ajouter cette personne.")
        return data


class CreateConfirmForm(DsfrBaseForm):
    """Step 2: the explicit choice after the duplicate search, and the composition."""

    NEW = "new"

    choice = forms.ChoiceField(label="Les personnes trouvées", widget=forms.RadioSelect)
    composition = forms.ChoiceField(
        label="Composition familiale",
        required=False,
        help_text="Laissez « calculée » : elle est déduite des âges, des sexes et des liens des personnes.",
    )

    def __init__(self, *args, matches=(), compositions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (
                str(match.person.public_id),
                f"C'est {match.person} : créer le nouveau ménage avec cette personne (elle quitte son ménage actuel)",
            )
            for match in matches
        ]
        choices.append((self.NEW, "Aucune de ces personnes : créer un nouveau dossier"))
        self.fields["choice"].choices = choices
        if not matches:
            self.fields["choice"].initial = self.NEW
            self.fields["choice"].widget = forms.HiddenInput()
        self.fields["composition"].choices = [("", "Calculée d'après les personnes"), *compositions]
        self.fields["choice"].error_messages["required"] = (
            "Indiquez si la personne est l'une de celles trouvées, ou créez un nouveau dossier."
        )


class YesNoUnknownSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Non renseigné"), ("true", "Oui"), ("false", "Non")]


def _yes_no_unknown(label):
    """Oui / Non / Non renseigné: a question not asked is not a "non"."""
    return forms.NullBooleanField(label=label, required=False, widget=YesNoUnknownSelect)


class PersonForm(DsfrBaseForm):
    """All the person's fields; those the role may not change are removed (`fields=`)."""

    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    birth_name = forms.CharField(label="Nom de naissance", max_length=150, required=False)
    birth_date = _birth_date()
    birth_date_is_estimated = forms.BooleanField(label="Date de naissance approximative", required=False)
    sex = forms.ChoiceField(label="Sexe", choices=Sex.choices)
    phone = forms.CharField(label="Téléphone", max_length=20, required=False)
    email = forms.EmailField(label="Adresse électronique", required=False)
    family_situation = forms.TypedChoiceField(label="Situation familiale", choices=FamilySituation.choices, coerce=int)
    nationality = forms.ChoiceField(label="Nationalité", choices=Nationality.choices)
    residence_right = forms.TypedChoiceField(
        label="Droit au séjour",
        choices=[("", "Non renseigné"), *ResidenceRight.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    resources = forms.TypedMultipleChoiceField(
        label="Ressources",
        choices=ResourceType.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    monthly_income = forms.IntegerField(
        label="Ressources mensuelles (euros)", min_value=0, max_value=1_000_000, required=False
    )
    contract_type = forms.TypedChoiceField(label="Emploi", choices=ContractType.choices, coerce=int)
    social_security = forms.TypedChoiceField(label="Couverture sociale", choices=SocialSecurity.choices, coerce=int)
    health_follow_up = _yes_no_unknown("Suivi de santé en cours")
    pregnancy = _yes_no_unknown("Grossesse")
    pregnancy_due_on = forms.DateField(label="Terme prévu", required=False, widget=DATE_WIDGET)
    reduced_mobility = _yes_no_unknown("Mobilité réduite")
    violence_victim = _yes_no_unknown("Victime de violences")

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]


class ResidentialSituationForm(DsfrBaseForm):
    situation = forms.TypedChoiceField(
        label="Situation résidentielle", choices=[("", "Choisir"), *HousingSituation.choices], coerce=int
    )
    since = forms.DateField(label="Depuis le", required=False, widget=DATE_WIDGET)


class MemberAddForm(IdentityForm):
    relationship = forms.ChoiceField(label="Lien avec la personne de référence", choices=MEMBER_RELATIONSHIPS)


class MemberRemoveForm(DsfrBaseForm):
    left_reason = forms.ChoiceField(label="Motif du départ", choices=[("", "Choisir"), *MemberLeftReason.choices])
    left_on = forms.DateField(label="Date du départ", required=False, widget=DATE_WIDGET)


class MemberMoveForm(DsfrBaseForm):
    to_household = forms.UUIDField(
        label="Numéro du dossier du ménage rejoint",
        help_text="Le numéro figure en haut de la page du dossier (format : 8-4-4-4-12 caractères).",
        error_messages={"invalid": "Saisissez un numéro de dossier complet."},
    )
    relationship = forms.ChoiceField(
        label="Lien avec la personne de référence du ménage rejoint", choices=MEMBER_RELATIONSHIPS
    )


class NoteForm(DsfrBaseForm):
    text = forms.CharField(
        label="Nouvelle transmission",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"{NOTE_MAX_LENGTH} caractères au plus. Visible des professionnels qui ont accès au dossier.",
        error_messages={"required": "Saisissez le texte de la transmission."},
    )


class ContactForm(DsfrBaseForm):
    occurred_on = forms.DateField(
        label="Date du contact",
        widget=DATE_WIDGET,
        error_messages={"required": "Indiquez la date du contact.", "invalid": "Saisissez une date valide."},
    )
    channel = forms.ChoiceField(
        label="Type de contact",
        choices=[("", "Choisir"), *ContactChannel.choices],
        error_messages={"required": "Choisissez le type de contact."},
    )


class AssessmentStartForm(DsfrBaseForm):
    kind = forms.ChoiceField(label="Type d'évaluation", choices=AssessmentKind.choices)


class CompositionForm(DsfrBaseForm):
    composition = forms.ChoiceField(label="Composition familiale")
    specific_publics = forms.MultipleChoiceField(
        label="Publics spécifiques",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ils ouvrent les dispositifs réservés à ces publics (FVV, Réfugiés, Jeunes...).",
    )

    def __init__(self, *args, compositions=(), specific_publics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["composition"].choices = [("", "Choisir"), *compositions]
        self.fields["specific_publics"].choices = list(specific_publics)
