"""Forms of the 115 desk. They only shape what is typed: the rules (perimeter, transitions,
places, duplicates) are the actions', whose French errors land on these forms through
`siao.core.forms.add_validation_errors`."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from siao.emergency.actions import MAX_TEXT
from siao.emergency.enums import CallerType, SleepingPlace, UnmetReason
from siao.households.enums import HousingSituation, Relationship, RequestReason, Sex

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHILD_ROWS = 4
SEX_CHOICES = [(Sex.UNKNOWN, "Non renseigné"), (Sex.FEMALE, "Femme"), (Sex.MALE, "Homme")]


def _text(label: str, help_text: str = "", rows: int = 3, max_length: int = MAX_TEXT):
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"Le texte ne peut pas dépasser {max_length} caractères."},
    )


def _birth_date(label: str = "Date de naissance"):
    return forms.DateField(
        label=label,
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": "Saisissez une date valide (jour, mois, année)."},
    )


def _int_choice(label: str, enum, empty: str, message: str):
    return forms.TypedChoiceField(
        label=label,
        choices=[("", empty), *enum.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": message},
    )


def _not_in_future(value, message: str = "La date de naissance ne peut pas être dans le futur."):
    if value and value > timezone.localdate():
        raise ValidationError(message)
    return value


class CallForm(DsfrBaseForm):
    """Log a call: who calls (one keystroke: the person by default), an optional detail."""

    caller_type = forms.ChoiceField(
        label="Qui appelle ?",
        choices=CallerType.choices,
        initial=CallerType.PERSON,
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez qui appelle.", "invalid_choice": "Indiquez qui appelle."},
    )
    caller_detail = forms.CharField(
        label="Précision sur l'appelant (facultatif)",
        help_text="Par exemple : urgences de l'hôpital Nord.",
        max_length=200,
        required=False,
        error_messages={"max_length": "La précision sur l'appelant : 200 caractères au plus."},
    )
    department = forms.ModelChoiceField(
        label="Département de l'appel",
        queryset=None,
        empty_label="Sélectionnez un département",
        error_messages={
            "required": "Choisissez le département de l'appel.",
            "invalid_choice": "Choisissez un département de la liste.",
        },
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is None or len(departments) <= 1:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments


class CallNotesForm(DsfrBaseForm):
    caller_detail = forms.CharField(
        label="Précision sur l'appelant",
        max_length=200,
        required=False,
        error_messages={"max_length": "La précision sur l'appelant : 200 caractères au plus."},
    )
    comment = _text("Notes de l'appel", "N'y indiquez que le nécessaire.", rows=3)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_notes_%s")  # unique ids on the call screen
        super().__init__(*args, **kwargs)


class HouseholdSearchForm(DsfrBaseForm):
    """The tolerant search (GET, on the call screen itself)."""

    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    birth_date = _birth_date()

    def has_search(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data["last_name"].strip() or self.cleaned_data["birth_date"])


class CallHouseholdForm(forms.Form):
    household = forms.UUIDField(
        error_messages={"required": "Choisissez un ménage.", "invalid": "Choisissez un ménage de la liste."}
    )


def _child_birth(birth_date, age) -> dict:
    """A birth date, or one estimated from an age (the middle of the year of that age)."""
    if birth_date or age is None:
        return {"birth_date": birth_date}
    today = timezone.localdate()
    estimated = today - datetime.timedelta(days=round(365.25 * age) + 182)
    return {"birth_date": estimated, "birth_date_is_estimated": True}


class QuickHouseholdForm(DsfrBaseForm):
    """A household created in a few fields: its head, an optional spouse and up to four
    children (first name and birth date: the children's ages matter tonight)."""

    last_name = forms.CharField(label="Nom", max_length=150, error_messages={"required": "Indiquez le nom."})
    first_name = forms.CharField(label="Prénom", max_length=150, error_messages={"required": "Indiquez le prénom."})
    birth_date = _birth_date()
    birth_date_is_estimated = forms.BooleanField(label="Date de naissance approximative", required=False)
    sex = forms.ChoiceField(label="Sexe", choices=SEX_CHOICES, initial=Sex.UNKNOWN, required=False)
    spouse_first_name = forms.CharField(label="Prénom du conjoint ou de la conjointe", max_length=150, required=False)
    spouse_last_name = forms.CharField(
        label="Nom du conjoint ou de la conjointe",
        max_length=150,
        required=False,
        help_text="Laissé vide : le nom de la personne de référence.",
    )
    spouse_birth_date = _birth_date("Date de naissance du conjoint ou de la conjointe")
    spouse_sex = forms.ChoiceField(
        label="Sexe du conjoint ou de la conjointe", choices=SEX_CHOICES, initial=Sex.UNKNOWN, required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_new_%s")  # unique ids on the call screen (the search's)
        super().__init__(*args, **kwargs)
        for n in range(1, CHILD_ROWS + 1):
            self.fields[f"child_{n}_first_name"] = forms.CharField(
                label=f"Prénom de l'enfant {n}", max_length=150, required=False
            )
            self.fields[f"child_{n}_birth_date"] = _birth_date(f"Date de naissance de l'enfant {n}")
            self.fields[f"child_{n}_age"] = forms.IntegerField(
                label=f"Ou son âge (ans), enfant {n}",
                min_value=0,
                max_value=17,
                required=False,
                help_text="Sans date de naissance connue.",
                error_messages={
                    "min_value": "L'âge d'un enfant est de 0 à 17 ans.",
                    "max_value": "L'âge d'un enfant est de 0 à 17 ans.",
                    "invalid": "Indiquez l'âge en années.",
                },
            )
            self.fields[f"child_{n}_sex"] = forms.ChoiceField(
                label=f"Sexe de l'enfant {n}", choices=SEX_CHOICES, initial=Sex.UNKNOWN, required=False
            )

    def head_fields(self):
        return [self[name] for name in ("last_name", "first_name", "birth_date", "sex")]

    def spouse_fields(self):
        return [self[name] for name in ("spouse_first_name", "spouse_last_name", "spouse_birth_date", "spouse_sex")]

    def child_rows(self):
        return [
            (
                n,
                [
                    self[f"child_{n}_first_name"],
                    self[f"child_{n}_birth_date"],
                    self[f"child_{n}_age"],
                    self[f"child_{n}_sex"],
                ],
            )
            for n in range(1, CHILD_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if name.endswith("birth_date"):
                try:
                    _not_in_future(value)
                except ValidationError as exc:
                    self.add_error(name, exc)
        if (data.get("spouse_last_name") or data.get("spouse_birth_date")) and not data.get("spouse_first_name"):
            self.add_error("spouse_first_name", "Indiquez le prénom du conjoint ou de la conjointe.")
        for n in range(1, CHILD_ROWS + 1):
            known = data.get(f"child_{n}_birth_date") or data.get(f"child_{n}_age") is not None
            if known and not data.get(f"child_{n}_first_name"):
                self.add_error(f"child_{n}_first_name", f"Indiquez le prénom de l'enfant {n}.")
            elif data.get(f"child_{n}_first_name") and not known and f"child_{n}_age" not in self.errors:
                # Without a birth date or an age, a child would count as an adult (composition,
                # children in the figures).
                self.add_error(f"child_{n}_birth_date", f"Indiquez la date de naissance ou l'âge de l'enfant {n}.")
        return data

    def household(self) -> tuple[dict, list[tuple[str, dict]]]:
        """The head's identity and the other members as (form prefix, member dict), for
        `create_household` (the prefix maps its errors back to the fields)."""
        data = self.cleaned_data
        last_name = data["last_name"].strip()
        head = {
            "last_name": last_name,
            "first_name": data["first_name"].strip(),
            "birth_date": data["birth_date"],
            "birth_date_is_estimated": data["birth_date_is_estimated"],
            "sex": data["sex"] or Sex.UNKNOWN,
        }
        members = []
        if data["spouse_first_name"].strip():
            members.append(
                (
                    "spouse_",
                    {
                        "last_name": data["spouse_last_name"].strip() or last_name,
                        "first_name": data["spouse_first_name"].strip(),
                        "birth_date": data["spouse_birth_date"],
                        "sex": data["spouse_sex"] or Sex.UNKNOWN,
                        "relationship": Relationship.SPOUSE,
                    },
                )
            )
        for n in range(1, CHILD_ROWS + 1):
            first_name = data[f"child_{n}_first_name"].strip()
            if first_name:
                members.append(
                    (
                        f"child_{n}_",
                        {
                            "last_name": last_name,
                            "first_name": first_name,
                            **_child_birth(data[f"child_{n}_birth_date"], data[f"child_{n}_age"]),
                            "sex": data[f"child_{n}_sex"] or Sex.UNKNOWN,
                            "relationship": Relationship.CHILD,
                        },
                    )
                )
        return head, members

    def add_creation_errors(self, exc: ValidationError, prefixes: list[str]) -> None:
        """`create_household`'s errors ("head-birth_date", "member-2-first_name"...) on the fields."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, errors in exc.message_dict.items():
            name = None
            if key.startswith("head-"):
                name = key.removeprefix("head-")
            elif key.startswith("member-"):
                number, _, field = key.removeprefix("member-").partition("-")
                if number.isdigit() and 1 <= int(number) <= len(prefixes):
                    name = f"{prefixes[int(number) - 1]}{field}"
            self.add_error(name if name in self.fields else None, errors)


class EmergencyRequestForm(DsfrBaseForm):
    sleeping_place = forms.ChoiceField(
        label="Où la personne dormira-t-elle ce soir si le 115 ne trouve rien ?",
        choices=SleepingPlace.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indiquez où la personne dormira ce soir.",
            "invalid_choice": "Indiquez où la personne dormira ce soir.",
        },
    )
    health_urgency = forms.BooleanField(label="Urgence de santé", required=False)
    violence = forms.BooleanField(label="Violences subies", required=False)
    reduced_mobility = forms.BooleanField(label="Mobilité réduite", required=False)
    with_animal = forms.BooleanField(label="Accompagné(e) d'un animal", required=False)
    housing_situation = _int_choice(
        "Situation résidentielle (facultatif)",
        HousingSituation,
        "Non renseignée",
        "Choisissez une situation de la liste.",
    )
    reason = _int_choice(
        "Motif de la demande (facultatif)", RequestReason, "Non renseigné", "Choisissez un motif de la liste."
    )
    comment = _text(
        "Éléments de la demande (facultatif)",
        "Ce que le 115 doit savoir pour cette nuit. N'y indiquez que le nécessaire.",
    )

    def flags(self):
        return [self[name] for name in ("health_urgency", "violence", "reduced_mobility", "with_animal")]


class OrientForm(forms.Form):
    place_group = forms.UUIDField(
        error_messages={
            "required": "Choisissez un groupe de places.",
            "invalid": "Choisissez un groupe de places de la liste.",
        }
    )


class UnmetForm(DsfrBaseForm):
    unmet_reason = forms.ChoiceField(
        label="Motif de non-attribution",
        choices=[("", "Sélectionnez un motif"), *UnmetReason.choices],
        error_messages={
            "required": "Indiquez pourquoi la demande n'a pas pu être pourvue.",
            "invalid_choice": "Indiquez pourquoi la demande n'a pas pu être pourvue.",
        },
    )
    outcome_comment = _text("Précisions (obligatoires pour « Autre motif »)", rows=2)


class OutcomeCommentForm(DsfrBaseForm):
    """The optional comment of release, no-callback and no-show."""

    comment = _text("Précisions (facultatif)", rows=2)
