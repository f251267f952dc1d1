"""The creation wizard's step forms. Each step's form is the one validator of that step: the
view binds it to the POST, the submit action binds it again to what the draft stored, so a
step changed after a later one was filled is checked again before anything is created."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from dsfr.forms import DsfrBaseForm

from siao.accounts.emails import validate_professional_email
from siao.accounts.enums import OrganizationKind, PerimeterKind, Role
from siao.accounts.models import Organization, validate_siren
from siao.geo.models import Department
from siao.geo.validators import get_commune, validate_insee_code
from siao.offer.enums import (
    CATEGORY_OF_TYPE,
    FUNDING_LINES,
    NO_OFFER_CATEGORIES,
    NOMENCLATURE,
    FundingLine,
    FundingUnit,
    LegalStatus,
    ProgramCategory,
    ProgramType,
    PublicKind,
)
from siao.offer.models import FUNDING_FIELDS, Public
from siao.offer.permissions import operators_selectable_q
from siao.offer.validators import is_phone_number, strip_separators, validate_finess, validate_siret

OPERATOR_ROLES = frozenset({Role.OPERATOR_MANAGER, Role.ASSISTANT})
YES_NO = [("yes", "Oui"), ("no", "Non")]


def selectable_operators(actor):
    condition = operators_selectable_q(actor)
    return Organization.objects.none() if condition is None else Organization.objects.filter(condition)


def actor_departments(actor):
    """Départements the actor may create an operator or a program in (national: all)."""
    if actor.perimeter.kind == PerimeterKind.NATIONAL:
        return Department.objects.all()
    return Department.objects.filter(pk__in=actor.perimeter.department_ids)


def program_departments(actor, operator):
    """Where a program may be located: the operator's départements for operator roles, the
    territory for State and SIAO roles, anywhere for national ones."""
    if actor.role in OPERATOR_ROLES:
        return Department.objects.filter(organizations=operator) if operator else Department.objects.none()
    return actor_departments(actor)


class PublicIdChoiceField(forms.ModelChoiceField):
    """A malformed identifier is refused with the field's own message, like an unknown one."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as exc:
            if exc.code == "invalid_choice":
                raise
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from exc


class PublicIdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except ValidationError as exc:
            if exc.code in ("invalid_choice", "invalid_pk_value", "invalid_list"):
                raise
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from exc


class WizardForm(DsfrBaseForm):
    """A step form: `stored()` gives what the draft keeps, in the shape the form accepts back."""

    def stored(self) -> dict:
        return {name: self._store(value) for name, value in self.cleaned_data.items()}

    @classmethod
    def _store(cls, value):
        if value is None:
            return ""
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, (Department, Public)):
            return value.code
        if isinstance(value, Organization):
            return str(value.public_id)
        if isinstance(value, (list, tuple, QuerySet)):
            return [cls._store(item) for item in value]
        return value


# --- step 1 ------------------------------------------------------------------------------------


class OperatorStepForm(WizardForm):
    operator = PublicIdChoiceField(
        label="Entité gestionnaire",
        queryset=Organization.objects.none(),
        to_field_name="public_id",
        error_messages={
            "required": "Sélectionnez l'entité gestionnaire du dispositif dans la liste.",
            "invalid_choice": "Cette entité n'existe pas ou vous ne pouvez pas y créer de dispositif.",
        },
    )

    def __init__(self, *args, actor, draft=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = selectable_operators(actor)


# --- step 2 ------------------------------------------------------------------------------------


class NatureStepForm(WizardForm):
    type = forms.ChoiceField(
        label="Nature du dispositif",
        choices=[
            (ProgramCategory(c).label, [(t, ProgramType(t).label) for t in types]) for c, types in NOMENCLATURE.items()
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez la nature du dispositif : sa catégorie et son type.",
            "invalid_choice": "Ce type de dispositif n'existe pas dans la nomenclature.",
        },
    )

    def __init__(self, *args, actor=None, draft=None, **kwargs):
        super().__init__(*args, **kwargs)

    def groups(self):
        """Radio groups by category, for the template (one fieldset per category)."""
        selected = self["type"].value()
        return [
            {
                "category": ProgramCategory(category).label,
                "code": category,
                "types": [{"value": t, "label": ProgramType(t).label, "checked": t == selected} for t in types],
            }
            for category, types in NOMENCLATURE.items()
        ]


# --- step 3 ------------------------------------------------------------------------------------


class FundingStepForm(WizardForm):
    funding_unit = forms.ChoiceField(
        label="Unité du tableau « Financement »",
        choices=FundingUnit.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez l'unité du tableau « Financement » : places ou logements.",
            "invalid_choice": "Choisissez l'unité parmi « Nombre de places » et « Nombre de logements ».",
        },
    )

    def __init__(self, *args, actor=None, draft, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = CATEGORY_OF_TYPE.get(draft.data.get("nature", {}).get("type"), "")
        self.lines = FUNDING_LINES.get(self.category, [])
        if not self.lines:
            del self.fields["funding_unit"]
        for line in self.lines:
            label = FundingLine(line).label
            self.fields[line] = forms.IntegerField(
                label=label[0].upper() + label[1:],
                min_value=0,
                max_value=100_000,
                required=line == FundingLine.TOTAL,
                help_text="Laisser vide pour 0." if line != FundingLine.TOTAL else "",
                error_messages={
                    "required": "Indiquez le total géré par le dispositif.",
                    "invalid": "Saisissez un nombre entier.",
                    "min_value": "Saisissez un nombre positif ou nul.",
                    "max_value": "Saisissez un nombre inférieur ou égal à 100 000.",
                },
                widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            )

    def clean(self):
        cleaned = super().clean()
        if not self.lines:
            if any(str(self.data.get(line) or "").strip() for line in FUNDING_FIELDS):
                raise ValidationError("Un dispositif de Premier accueil n'a pas de tableau de financement.")
            return cleaned
        for line in self.lines:
            if line != FundingLine.TOTAL and cleaned.get(line) is None and line not in self.errors:
                cleaned[line] = 0
        if FundingLine.IML_PLUS not in self.lines and str(self.data.get(FundingLine.IML_PLUS) or "0").strip() not in (
            "",
            "0",
        ):
            raise ValidationError("La ligne « IML+ » ne concerne que les dispositifs de Logement IML.")
        total = cleaned.get(FundingLine.TOTAL)
        if total is None or any(line in self.errors for line in self.lines):
            return cleaned
        funded = [FundingLine.P177, FundingLine.NON_P177, FundingLine.IML_PLUS]
        funded_sum = sum(cleaned.get(line) or 0 for line in funded if line in self.lines)
        if total < funded_sum:
            self.add_error(
                FundingLine.TOTAL,
                f"Le total géré ne peut pas être inférieur à la somme des lignes financées ({funded_sum}).",
            )
        if (cleaned.get(FundingLine.PREFECTORAL_QUOTA) or 0) > total:
            self.add_error(
                FundingLine.PREFECTORAL_QUOTA, "Le contingent préfectoral ne peut pas dépasser le total géré."
            )
        return cleaned

    def program_values(self) -> dict:
        values = {"funding_unit": self.cleaned_data.get("funding_unit") or FundingUnit.PLACES}
        for line, field in FUNDING_FIELDS.items():
            values[field] = (self.cleaned_data.get(line) or 0) if line in self.lines else 0
        return values


# --- step 4 ------------------------------------------------------------------------------------


class GeneralStepForm(WizardForm):
    name = forms.CharField(
        label="Nom du dispositif",
        help_text="Nomenclature : Type de dispositif - Nom du dispositif. Saisissez le nom : le type est ajouté devant.",
        max_length=200,
        error_messages={"required": "Indiquez le nom du dispositif."},
    )
    siret = forms.CharField(
        label="Code SIRET",
        help_text="14 chiffres, commençant par le SIREN de l'entité gestionnaire.",
        max_length=20,
        error_messages={"required": "Indiquez le SIRET du dispositif."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    finess = forms.CharField(
        label="Code FINESS",
        help_text="Facultatif. 9 caractères : le département (2A et 2B pour la Corse) puis 7 chiffres.",
        max_length=12,
        required=False,
    )
    department = forms.ModelChoiceField(
        label="Département d'implantation",
        queryset=Department.objects.none(),
        to_field_name="code",
        empty_label="Sélectionnez un département",
        error_messages={
            "required": "Choisissez le département d'implantation du dispositif.",
            "invalid_choice": "Vous ne pouvez pas créer de dispositif dans ce département.",
        },
    )
    orienting_siaos = PublicIdMultipleChoiceField(
        label="SIAO pouvant orienter sur ce dispositif",
        queryset=Organization.objects.none(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choisissez au moins un SIAO pouvant orienter sur ce dispositif.",
            "invalid_choice": "Ce SIAO n'existe pas ou n'est pas proposé pour ce dispositif.",
            "invalid_pk_value": "Ce SIAO n'existe pas ou n'est pas proposé pour ce dispositif.",
        },
    )
    compositions = forms.ModelMultipleChoiceField(
        label="Compositions familiales",
        queryset=Public.objects.filter(kind=PublicKind.COMPOSITION),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Ce public n'existe pas."},
    )
    specific_publics = forms.ModelMultipleChoiceField(
        label="Publics spécifiques",
        queryset=Public.objects.filter(kind=PublicKind.SPECIFIC),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Ce public n'existe pas."},
    )

    def __init__(self, *args, actor, draft, operator, **kwargs):
        super().__init__(*args, **kwargs)
        self.operator = operator
        self.type = draft.data.get("nature", {}).get("type", "")
        self.category = CATEGORY_OF_TYPE.get(self.type, "")
        self.type_label = ProgramType(self.type).label if self.type else ""
        departments = program_departments(actor, operator)
        self.fields["department"].queryset = departments
        if self.category in NO_OFFER_CATEGORIES:
            del self.fields["orienting_siaos"]
        else:
            siaos = Organization.objects.filter(kind=OrganizationKind.SIAO, is_active=True)
            if actor.perimeter.kind != PerimeterKind.NATIONAL:
                siaos = siaos.filter(departments__in=departments).distinct()
            self.fields["orienting_siaos"].queryset = siaos.order_by("name")
        for name in ("name", "siret", "finess"):
            self.fields[name].widget.attrs.setdefault("spellcheck", "false")

    @property
    def full_name_prefix(self) -> str:
        return f"{self.type_label} - " if self.type_label else ""

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if self.full_name_prefix and name.startswith(self.full_name_prefix):
            name = name[len(self.full_name_prefix) :].strip()
        if not name:
            raise ValidationError("Indiquez le nom du dispositif.")
        return name

    def clean_siret(self):
        siret = strip_separators(self.cleaned_data["siret"])
        validate_siret(siret)
        siren = getattr(self.operator, "siren", "")
        if siren and not siret.startswith(siren):
            raise ValidationError(
                f"Ce SIRET n'appartient pas à l'entité « {self.operator.name} » : il doit commencer par son "
                f"SIREN ({siren})."
            )
        return siret

    def clean_finess(self):
        finess = re.sub(r"\s", "", self.cleaned_data["finess"]).upper()
        if finess:
            validate_finess(finess)
        return finess

    def clean(self):
        cleaned = super().clean()
        if self.category in NO_OFFER_CATEGORIES:
            if (
                self.data.getlist("orienting_siaos")
                if hasattr(self.data, "getlist")
                else self.data.get("orienting_siaos")
            ):
                raise ValidationError(
                    "Le SIAO n'oriente pas vers un dispositif de Premier accueil : aucun SIAO ne peut être choisi."
                )
            return cleaned
        department, siaos = cleaned.get("department"), cleaned.get("orienting_siaos")
        if department and siaos:
            covering = Organization.objects.filter(pk__in=[s.pk for s in siaos], departments=department)
            if not covering.exists():
                self.add_error(
                    "orienting_siaos",
                    f"Choisissez au moins le SIAO qui couvre le département d'implantation ({department}).",
                )
        return cleaned

    def program_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": f"{self.full_name_prefix}{data['name']}",
            "siret": data["siret"],
            "finess": data["finess"],
            "department": data["department"],
        }


# --- step 5 ------------------------------------------------------------------------------------


class ComplementsStepForm(WizardForm):
    insee_code = forms.CharField(
        label="Code INSEE de la commune",
        help_text="5 caractères, par exemple 35238 pour Rennes.",
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    address = forms.CharField(label="Adresse", max_length=255, required=False)
    address_complement = forms.CharField(label="Complément d'adresse", max_length=255, required=False)
    postal_code = forms.CharField(
        label="Code postal",
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    city = forms.CharField(label="Ville", max_length=100, required=False)
    contact_phone = forms.CharField(
        label="Téléphone de contact",
        help_text="Par exemple 02 99 00 00 00.",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    contact_email = forms.EmailField(
        label="Adresse électronique de contact",
        max_length=254,
        required=False,
        error_messages={"invalid": "Saisissez une adresse électronique valide, par exemple accueil@structure.fr."},
    )
    cancel_non_smo_authorizations = forms.ChoiceField(
        label="Annuler les autorisations hors orientation SMO",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
        initial="no",
    )
    crod_coverage = forms.ChoiceField(
        label="Couverture CROD", choices=YES_NO, widget=forms.RadioSelect, required=False, initial="no"
    )
    starts_on = forms.DateField(
        label="Date de début",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide, par exemple 12/04/2025."},
    )
    ends_on = forms.DateField(
        label="Date de fin",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide, par exemple 12/04/2026."},
    )

    def __init__(self, *args, actor=None, draft, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        self.commune = None
        for name in ("cancel_non_smo_authorizations", "crod_coverage"):
            self.fields[name].widget.inline = True

    def clean_insee_code(self):
        code = self.cleaned_data["insee_code"].strip().upper()
        if not code:
            return ""
        validate_insee_code(code)
        self.commune = get_commune(code)
        if self.commune is None:
            raise ValidationError(f"Aucune commune ne porte le code INSEE « {code} ».")
        if self.department and self.commune.department_id != self.department.pk:
            raise ValidationError(
                f"La commune {self.commune} n'est pas dans le département d'implantation ({self.department})."
            )
        return code

    def clean_postal_code(self):
        code = self.cleaned_data["postal_code"].strip()
        if code and not re.fullmatch(r"\d{5}", code):
            raise ValidationError("Le code postal compte 5 chiffres.")
        return code

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and not is_phone_number(phone):
            raise ValidationError("Saisissez un numéro de téléphone valide, par exemple 02 99 00 00 00.")
        return phone

    def clean(self):
        cleaned = super().clean()
        for name in ("cancel_non_smo_authorizations", "crod_coverage"):
            cleaned[name] = cleaned.get(name) or "no"
        code = cleaned.get("postal_code")
        if self.commune and code and code not in self.commune.postal_code_list:
            self.add_error(
                "postal_code",
                f"Le code postal {code} ne correspond pas à la commune {self.commune.name} "
                f"({', '.join(self.commune.postal_code_list) or 'aucun code connu'}).",
            )
        if self.commune and not cleaned.get("city"):
            cleaned["city"] = self.commune.name
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "La date de fin doit être postérieure ou égale à la date de début.")
        return cleaned

    def program_values(self) -> dict:
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in (
                "address",
                "address_complement",
                "postal_code",
                "city",
                "contact_phone",
                "contact_email",
                "starts_on",
                "ends_on",
            )
        }
        values["commune"] = self.commune
        values["cancel_non_smo_authorizations"] = data["cancel_non_smo_authorizations"] == "yes"
        values["crod_coverage"] = data["crod_coverage"] == "yes"
        return values


# --- "Vous ne trouvez pas votre entité ?" -----------------------------------------------------


class OperatorCreationForm(DsfrBaseForm):
    name = forms.CharField(label="Raison sociale", max_length=255)
    siren = forms.CharField(
        label="Numéro SIREN",
        help_text="9 chiffres.",
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    legal_status = forms.ChoiceField(
        label="Statut juridique", choices=[("", "Sélectionnez un statut juridique"), *LegalStatus.choices]
    )
    address = forms.CharField(label="Adresse", max_length=255)
    postal_code = forms.CharField(
        label="Code postal", max_length=5, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    city = forms.CharField(label="Ville", max_length=100)
    departments = forms.ModelMultipleChoiceField(
        label="Départements où l'entité intervient",
        queryset=Department.objects.none(),
        to_field_name="code",
        error_messages={
            "required": "Choisissez au moins un département où l'entité intervient.",
            "invalid_choice": "Vous ne pouvez pas choisir ce département.",
        },
    )
    accreditation = forms.CharField(label="Agrément", max_length=255, required=False)
    collective_agreement = forms.CharField(label="Convention collective", max_length=255, required=False)
    p177_agreement = forms.ChoiceField(label="Convention P177", choices=YES_NO, widget=forms.RadioSelect, initial="no")
    referents = forms.CharField(
        label="Référents",
        help_text="Nom, fonction et coordonnées, un par ligne.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    manager_email = forms.CharField(
        label="Gestionnaire d'entité : adresse électronique professionnelle (facultatif)",
        help_text="La personne reçoit le profil Gestionnaire d'entité de cette entité (habilitation employeur).",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    manager_first_name = forms.CharField(label="Gestionnaire d'entité : prénom", max_length=150, required=False)
    manager_last_name = forms.CharField(label="Gestionnaire d'entité : nom", max_length=150, required=False)

    def clean_manager_email(self):
        value = self.cleaned_data["manager_email"].strip()
        return validate_professional_email(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("manager_email"):
            for name in ("manager_first_name", "manager_last_name"):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, "Indiquez le prénom et le nom du gestionnaire d'entité.")
        return cleaned

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        departments = actor_departments(actor)
        self.fields["departments"].queryset = departments
        # A short list reads best as checkboxes; a national administrator gets a list box.
        if len(actor.perimeter.department_ids) <= 12 and actor.perimeter.kind != PerimeterKind.NATIONAL:
            self.fields["departments"].widget = forms.CheckboxSelectMultiple()
            self.fields["departments"].widget.choices = self.fields["departments"].choices
            if len(actor.perimeter.department_ids) == 1 and not self.is_bound:
                self.initial["departments"] = list(departments.values_list("code", flat=True))
        else:
            self.fields["departments"].widget.attrs["size"] = 10
            self.fields["departments"].help_text = "Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."
        self.fields["p177_agreement"].widget.inline = True
        self.existing_operator = None

    def clean_siren(self):
        siren = strip_separators(self.cleaned_data["siren"])
        validate_siren(siren)
        existing = Organization.objects.filter(kind=OrganizationKind.OPERATOR, siren=siren).first()
        if existing:
            self.existing_operator = existing
            raise ValidationError(
                f"Une entité gestionnaire porte déjà ce SIREN : « {existing.name} ». Sélectionnez-la plutôt que "
                f"d'en créer une nouvelle."
            )
        return siren

    def clean_postal_code(self):
        code = self.cleaned_data["postal_code"].strip()
        if not re.fullmatch(r"\d{5}", code):
            raise ValidationError("Le code postal compte 5 chiffres.")
        return code


STEP_FORMS = {
    1: OperatorStepForm,
    2: NatureStepForm,
    3: FundingStepForm,
    4: GeneralStepForm,
    5: ComplementsStepForm,
}
STEP_KEYS = {1: "operator", 2: "nature", 3: "funding", 4: "general", 5: "complements"}
