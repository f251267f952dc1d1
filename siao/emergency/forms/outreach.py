"""Forms of the street outreach (maraude) pages. They only shape the input: the rules (dates,
counts, lengths, the household in the team's perimeter, one signal per encounter) are the
actions', whose French errors land on these forms through `siao.core.forms.add_validation_errors`
(the signal's own fields are prefixed `signal_` on the encounter form)."""

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from siao.emergency.actions import MAX_TEXT
from siao.emergency.enums import EncounterNeed, Provision

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
UNKNOWN_PERSON = ""


def _text(label: str, help_text: str = "", *, rows: int = 4, required: bool = False, message: str = ""):
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=MAX_TEXT,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "max_length": f"Le texte ne peut pas dépasser {MAX_TEXT} caractères.",
            **({"required": message} if message else {}),
        },
    )


def _checkboxes(label: str, enum, message: str):
    return forms.MultipleChoiceField(
        label=label,
        choices=enum.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": message, "invalid_list": message},
    )


def household_label(person, household) -> str:
    """How a household found by the search is proposed: the person found, born on, and the
    household (its head when it is someone else, its size)."""
    born = f", né(e) le {person.birth_date:%d/%m/%Y}" if person.birth_date else ""
    size = f"{household.member_count} personne{'s' if household.member_count > 1 else ''}"
    if household.head_id and household.head_id != person.pk:
        return f"{person.full_name}{born} — ménage de {household.head.full_name} ({size})"
    return f"{person.full_name}{born} — ménage de {size}"


class HouseholdSearchForm(DsfrBaseForm):
    """The small search by last name (GET) that proposes the households the team sees."""

    nom = forms.CharField(
        label="Nom de famille de la personne",
        help_text="Si la personne est connue de l'équipe : les ménages que vous suivez vous seront proposés.",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "search"}),
        error_messages={"max_length": "Le nom ne peut pas dépasser 100 caractères."},
    )


class EncounterForm(DsfrBaseForm):
    location = forms.CharField(
        label="Lieu de la rencontre",
        help_text="Adresse, carrefour, station, repère…",
        max_length=255,
        error_messages={
            "required": "Indiquez le lieu de la rencontre.",
            "max_length": "Le lieu ne peut pas dépasser 255 caractères.",
        },
    )
    occurred_at = forms.DateTimeField(
        label="Date et heure de la rencontre",
        input_formats=[DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={
            "required": "Indiquez la date et l'heure de la rencontre.",
            "invalid": "Saisissez une date et une heure valides, par exemple 15/03/2025 22:30.",
        },
    )
    persons_count = forms.IntegerField(
        label="Nombre de personnes rencontrées",
        min_value=1,
        max_value=99,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Indiquez le nombre de personnes rencontrées (de 1 à 99).",
            "invalid": "Indiquez le nombre de personnes rencontrées (de 1 à 99).",
            "min_value": "Indiquez le nombre de personnes rencontrées (de 1 à 99).",
            "max_value": "Indiquez le nombre de personnes rencontrées (de 1 à 99).",
        },
    )
    household = forms.ChoiceField(
        label="Personne connue ?",
        help_text="Choisissez le ménage trouvé par la recherche, ou laissez « Personne non identifiée ».",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choisissez un ménage parmi ceux que votre équipe suit."},
    )
    description = forms.CharField(
        label="Description (si la personne n'est pas connue)",
        help_text="Sans nom : par exemple « homme, la quarantaine, avec un chien ».",
        max_length=255,
        required=False,
        error_messages={"max_length": "La description ne peut pas dépasser 255 caractères."},
    )
    needs = _checkboxes("Besoins exprimés ou repérés", EncounterNeed, "Choisissez les besoins dans la liste proposée.")
    provisions = _checkboxes("Prestations délivrées", Provision, "Choisissez les prestations dans la liste proposée.")
    comment = _text("Observations", "N'y indiquez que le nécessaire.", rows=3)
    signal = forms.BooleanField(
        label="Signaler cette rencontre au 115",
        help_text="Le 115 de votre département la verra dans sa file de signalements.",
        required=False,
    )
    signal_message = _text("Message pour le 115", "Obligatoire si vous signalez la rencontre.", rows=3)
    signal_urgent = forms.BooleanField(label="Urgent", required=False)

    def __init__(self, *args, households=(), **kwargs):
        """`households`: (household, label) pairs the team may choose from (the search's
        matches, and the household already chosen)."""
        super().__init__(*args, **kwargs)
        self.households = {str(household.public_id): household for household, _ in households}
        self.fields["household"].choices = [
            (UNKNOWN_PERSON, "Personne non identifiée"),
            *((str(household.public_id), label) for household, label in households),
        ]
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("persons_count", 1)
            self.initial.setdefault("household", UNKNOWN_PERSON)

    def clean_household(self):
        value = self.cleaned_data.get("household") or UNKNOWN_PERSON
        return self.households.get(value)

    def clean(self):
        data = super().clean()
        if data.get("signal") and not (data.get("signal_message") or "").strip():
            self.add_error("signal_message", "Indiquez le message pour le 115.")
        return data


class SignalForm(DsfrBaseForm):
    message = _text(
        "Message pour le 115",
        "Ce que le 115 doit savoir : la situation, où retrouver la personne.",
        required=True,
        message="Indiquez le message pour le 115.",
    )
    is_urgent = forms.BooleanField(label="Urgent", required=False)
