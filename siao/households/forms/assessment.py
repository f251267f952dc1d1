"""One form per assessment section: the structured fields of the section (stored as JSON on
AssessmentSection.data), validated here both by the page and by the action that saves it.
The free text (observations) is not part of these forms: see SectionTextForm."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from siao.households.enums import (
    ChildHosting,
    ContractType,
    FamilyReunification,
    FamilySituation,
    HousingSituation,
    Nationality,
    ResidenceRight,
    ResourceType,
    Section,
    SocialSecurity,
)

TEXT_MAX_LENGTH = 10000
DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
CHECKBOXES = forms.CheckboxSelectMultiple


def _not_future(value):
    if value and value > timezone.localdate():
        raise ValidationError("Cette date ne peut pas être dans le futur.")


def _code(label, choices, **kwargs):
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "Non renseigné"), *choices],
        coerce=int,
        empty_value=None,
        required=False,
        **kwargs,
    )


def _codes(label, choices, **kwargs):
    return forms.TypedMultipleChoiceField(
        label=label, choices=choices, coerce=int, required=False, widget=CHECKBOXES, **kwargs
    )


def _text_choice(label, choices, **kwargs):
    return forms.ChoiceField(label=label, choices=[("", "Non renseigné"), *choices], required=False, **kwargs)


def _flag(label, **kwargs):
    return forms.BooleanField(label=label, required=False, **kwargs)


def _date(label, *, past=False, **kwargs):
    return forms.DateField(label=label, required=False, validators=[_not_future] if past else [], **DATE_WIDGET)


def _amount(label, **kwargs):
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=1_000_000, **kwargs)


class SectionForm(DsfrBaseForm):
    section: str = ""

    def json_data(self) -> dict:
        """cleaned_data in JSON form (dates as ISO strings)."""
        return {name: _json_ready(value) for name, value in self.cleaned_data.items()}

    @classmethod
    def empty_data(cls) -> dict:
        """What an untouched section holds (so that saving it empty changes nothing)."""
        form = cls(data={})
        form.is_valid()
        return form.json_data()


def _json_ready(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class FamilySectionForm(SectionForm):
    section = Section.FAMILY
    family_situation = _code("Situation familiale", FamilySituation.choices)
    children_in_care = _code("Hébergement des enfants", ChildHosting.choices)
    children_elsewhere = _amount("Enfants vivant hors du ménage")
    pregnancy = _flag("Grossesse en cours")
    pregnancy_due_on = _date("Terme prévu")
    family_reunification = _code("Regroupement familial", FamilyReunification.choices)

    def clean(self):
        data = super().clean()
        if data.get("pregnancy_due_on") and not data.get("pregnancy"):
            self.add_error("pregnancy_due_on", "Un terme n'est indiqué qu'en cas de grossesse.")
        return data


class AsylumStatus:
    CHOICES = [
        ("none", "Non concerné"),
        ("seeker", "Demandeur d'asile"),
        ("refugee", "Réfugié"),
        ("subsidiary", "Protection subsidiaire"),
        ("rejected", "Débouté"),
    ]


DOCUMENTS = [
    ("identity_card", "Carte d'identité"),
    ("passport", "Passeport"),
    ("residence_permit", "Titre de séjour"),
    ("receipt", "Récépissé"),
    ("birth_certificate", "Acte de naissance"),
    ("family_record_book", "Livret de famille"),
]


class AdministrativeSectionForm(SectionForm):
    section = Section.ADMINISTRATIVE
    nationality = _text_choice("Nationalité", Nationality.choices)
    residence_right = _code("Droit au séjour", ResidenceRight.choices)
    asylum_status = _text_choice("Situation au regard de l'asile", AsylumStatus.CHOICES)
    documents_held = forms.MultipleChoiceField(
        label="Documents détenus", choices=DOCUMENTS, required=False, widget=CHECKBOXES
    )
    document_expires_on = _date("Date d'expiration du titre ou récépissé")


class BudgetSectionForm(SectionForm):
    section = Section.BUDGET
    resources = _codes("Ressources", ResourceType.choices)
    monthly_income = _amount("Ressources mensuelles du ménage (euros)")
    has_debts = _flag("Le ménage a des dettes")
    debts_amount = _amount("Montant des dettes (euros)")

    def clean(self):
        data = super().clean()
        if data.get("debts_amount") and not data.get("has_debts"):
            self.add_error("debts_amount", "Un montant de dettes n'est indiqué que si le ménage a des dettes.")
        return data


class EmploymentSectionForm(SectionForm):
    section = Section.EMPLOYMENT
    contract_type = _code("Emploi", ContractType.choices)
    job_seeker_registered = _flag("Inscrit à France Travail")
    in_training = _flag("En formation")
    training_label = forms.CharField(label="Formation suivie", max_length=200, required=False)


class HousingSectionForm(SectionForm):
    section = Section.HOUSING
    housing_situation = _code("Situation résidentielle actuelle", HousingSituation.choices)
    since = _date("Depuis le", past=True)
    previous_situations = _codes("Situations antérieures", HousingSituation.choices)
    dalo_recognised = _flag("Reconnu prioritaire DALO")


EXPULSION_STAGES = [
    ("none", "Aucune procédure"),
    ("notice", "Commandement de payer"),
    ("summons", "Assignation au tribunal"),
    ("judgment", "Jugement d'expulsion"),
    ("order_to_leave", "Commandement de quitter les lieux"),
    ("police_assistance", "Concours de la force publique demandé"),
    ("expelled", "Expulsion réalisée"),
]


class ExpulsionsSectionForm(SectionForm):
    section = Section.EXPULSIONS
    procedure_stage = _text_choice("Stade de la procédure", EXPULSION_STAGES)
    stage_date = _date("Date de ce stade")


class HealthSectionForm(SectionForm):
    section = Section.HEALTH
    health_follow_up = _flag("Suivi de santé en cours")
    reduced_mobility = _flag("Mobilité réduite")
    addictions = _flag("Conduites addictives")
    mental_health_follow_up = _flag("Suivi en santé mentale")
    social_security = _code("Couverture sociale", SocialSecurity.choices)


VIOLENCE_TYPES = [
    ("conjugal", "Violences conjugales"),
    ("intrafamily", "Violences intrafamiliales"),
    ("sexual", "Violences sexuelles"),
    ("other", "Autres violences"),
]


class ViolenceSectionForm(SectionForm):
    section = Section.VIOLENCE
    victim = _flag("Victime de violences")
    violence_types = forms.MultipleChoiceField(
        label="Types de violences", choices=VIOLENCE_TYPES, required=False, widget=CHECKBOXES
    )
    protection_order = _flag("Ordonnance de protection")
    perpetrator_in_household = _flag("L'auteur des violences fait partie du ménage")


class JusticeSectionForm(SectionForm):
    section = Section.JUSTICE
    judicial_control = _flag("Sous contrôle judiciaire")
    probation = _flag("Sursis probatoire ou aménagement de peine")
    release_on = _date("Date de sortie de détention")


SECTION_FORMS: dict[str, type[SectionForm]] = {
    form.section: form
    for form in (
        FamilySectionForm,
        AdministrativeSectionForm,
        BudgetSectionForm,
        EmploymentSectionForm,
        HousingSectionForm,
        ExpulsionsSectionForm,
        HealthSectionForm,
        ViolenceSectionForm,
        JusticeSectionForm,
    )
}


class SectionTextForm(DsfrBaseForm):
    text = forms.CharField(
        label="Observations",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    expected_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


def describe(section: str, data: dict) -> list[tuple[str, str]]:
    """(label, value shown) for each structured field of a saved section, in form order."""
    form_class = SECTION_FORMS[section]
    rows = []
    for name, field in form_class.base_fields.items():
        value = data.get(name)
        rows.append((str(field.label), _display(field, value)))
    return rows


def _display(field, value) -> str:
    if value in (None, "", []):
        return "Non renseigné"
    if isinstance(field, forms.BooleanField):
        return "Oui" if value else "Non"
    if isinstance(field, forms.DateField):
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    choices = getattr(field, "choices", None)
    if choices:
        labels = {str(key): str(label) for key, label in choices}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    return str(value)
