"""Forms of the orientation pages. They only shape the input: the rules (transitions,
eligibility, dates, places) are the actions', whose French errors land on these forms through
`siao.core.forms.add_validation_errors`."""

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from siao.households.enums import ExitDestination, HousingSituation, RequestReason
from siao.offer.enums import NOMENCLATURE, ProgramCategory, ProgramType
from siao.offer.models import Place, Program

from .actions import MAX_TEXT
from .enums import CancelReason, ExitReason, HouseholdRefusalReason, Priority, ProgramRefusalReason

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(enum, empty: str):
    return [("", empty), *enum.choices]


def _text(label: str, help_text: str = "", rows: int = 4, required: bool = False):
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=MAX_TEXT,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"Le texte ne peut pas dépasser {MAX_TEXT} caractères."},
    )


def _int_choice(label: str, enum, empty: str, *, required: bool = False, message: str = ""):
    return forms.TypedChoiceField(
        label=label,
        choices=_choices(enum, empty),
        coerce=int,
        empty_value=None,
        required=required,
        error_messages={"required": message, "invalid_choice": message} if message else {},
    )


def _date(label: str, message: str, **kwargs):
    return forms.DateField(
        label=label,
        widget=DATE_WIDGET,
        error_messages={"required": message, "invalid": "Saisissez une date valide, par exemple 15/03/2025."},
        **kwargs,
    )


def recommendation_choices() -> list:
    """The nomenclature's types, named with their category (checkboxes have no groups),
    Premier accueil left out (no offer)."""
    return [
        (t, f"{ProgramCategory(category).label} — {ProgramType(t).label}")
        for category, types in NOMENCLATURE.items()
        if category != ProgramCategory.FIRST_RECEPTION
        for t in types
    ]


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.place_group.name} — {obj.label} ({obj.get_state_display().lower()})"


class ProgramChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_type_display()})"


class RequestForm(DsfrBaseForm):
    reason = _int_choice(
        "Motif de la demande",
        RequestReason,
        "Sélectionnez un motif",
        message="Choisissez un motif de demande parmi ceux proposés.",
    )
    housing_situation = _int_choice(
        "Situation résidentielle actuelle",
        HousingSituation,
        "Sélectionnez une situation",
        message="Choisissez une situation résidentielle parmi celles proposées.",
    )
    recommendations = forms.MultipleChoiceField(
        label="Préconisations (types de dispositifs)",
        help_text="Un ou plusieurs types de dispositifs adaptés au ménage.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choisissez les types de dispositifs préconisés parmi ceux proposés."},
    )
    comment = _text(
        "Éléments de la demande (facultatif)",
        "Ce que le SIAO doit savoir pour orienter le ménage. N'y indiquez que le nécessaire.",
        rows=6,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendations"].choices = recommendation_choices()


class CancelForm(DsfrBaseForm):
    reason = forms.ChoiceField(
        label="Motif de l'annulation",
        choices=_choices(CancelReason, "Sélectionnez un motif"),
        error_messages={
            "required": "Indiquez le motif de l'annulation.",
            "invalid_choice": "Indiquez le motif de l'annulation.",
        },
    )
    comment = _text("Précisions (obligatoires pour « Autre »)")


class TransferForm(DsfrBaseForm):
    to_program = ProgramChoiceField(
        label="Nouveau service instructeur",
        queryset=Program.objects.none(),
        to_field_name="public_id",
        empty_label="Sélectionnez un service",
        error_messages={
            "required": "Choisissez le service qui reprend la demande.",
            "invalid_choice": "Choisissez un service dans la liste.",
        },
    )
    comment = _text("Précisions (facultatif)")

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_program"].queryset = (
            Program.objects.open()
            .filter(department_id=request.department_id)
            .exclude(pk=request.origin_program_id or 0)
            .order_by("name", "pk")
        )


class PriorityForm(DsfrBaseForm):
    priority = forms.TypedChoiceField(
        label="Priorité",
        choices=Priority.choices,
        coerce=int,
        error_messages={
            "required": "Choisissez une priorité parmi celles proposées.",
            "invalid_choice": "Choisissez une priorité parmi celles proposées.",
        },
    )
    comment = _text("Précisions (facultatif)", "Par exemple : décision de la commission, recours DALO.", rows=3)


class SendBackForm(DsfrBaseForm):
    reason = _text(
        "Ce qui doit être complété",
        "Transmis au service instructeur, qui met la demande à jour puis la transmet à nouveau.",
        required=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Indiquez ce qui doit être complété."


class OrientForm(DsfrBaseForm):
    """The programs come from a wider list than the ones offered (the SIAO's programs): a
    program that cannot receive the household is refused by the action, in French, naming it."""

    programs = forms.ModelMultipleChoiceField(
        label="Dispositifs",
        queryset=Program.objects.none(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choisissez au moins un dispositif.",
            "invalid_choice": "Choisissez les dispositifs dans la liste.",
            "invalid_pk_value": "Choisissez les dispositifs dans la liste.",
        },
    )
    place = forms.ModelChoiceField(
        label="Place vacante (facultatif, un seul dispositif)",
        queryset=Place.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Aucune place en particulier",
        error_messages={"invalid_choice": "Choisissez une place dans la liste."},
    )
    comment = _text("Commentaire pour le dispositif (facultatif)", rows=3)

    def __init__(self, *args, programs, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programs"].queryset = programs
        self.fields["place"].queryset = places


class DecisionForm(DsfrBaseForm):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("accept", "Accepter l'orientation"), ("refuse", "Refuser l'orientation")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une décision.", "invalid_choice": "Choisissez une décision."},
    )
    reason = forms.ChoiceField(
        label="Motif du refus",
        choices=_choices(ProgramRefusalReason, "Sélectionnez un motif (en cas de refus)"),
        required=False,
        error_messages={"invalid_choice": "Indiquez le motif du refus."},
    )
    comment = _text("Commentaire (obligatoire pour « Autre »)", rows=3)


class HouseholdRefusalForm(DsfrBaseForm):
    reason = forms.ChoiceField(
        label="Motif du refus du ménage",
        choices=_choices(HouseholdRefusalReason, "Sélectionnez un motif"),
        error_messages={
            "required": "Indiquez le motif du refus du ménage.",
            "invalid_choice": "Indiquez le motif du refus du ménage.",
        },
    )
    justified = forms.TypedChoiceField(
        label="Le refus est-il justifié ?",
        help_text="Un refus non justifié fait repartir l'ancienneté de la demande à aujourd'hui.",
        choices=[("oui", "Oui, justifié"), ("non", "Non, pas justifié")],
        coerce=lambda value: value == "oui",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indiquez si le refus est justifié.",
            "invalid_choice": "Indiquez si le refus est justifié.",
        },
    )
    comment = _text("Commentaire (obligatoire pour « Autre »)", rows=3)


class AdmissionForm(DsfrBaseForm):
    place = PlaceChoiceField(
        label="Place",
        queryset=Place.objects.none(),
        to_field_name="public_id",
        empty_label="Sélectionnez une place",
        error_messages={
            "required": "Choisissez la place attribuée au ménage.",
            "invalid_choice": "Cette place n'est plus disponible : choisissez-en une autre.",
        },
    )
    started_on = _date("Date d'admission", "Indiquez la date d'admission.")

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        if not self.is_bound:
            self.initial.setdefault("started_on", timezone.localdate())


class DirectAdmissionForm(AdmissionForm):
    reason = _int_choice(
        "Motif de la demande (facultatif)",
        RequestReason,
        "Sélectionnez un motif",
        message="Choisissez un motif de demande parmi ceux proposés.",
    )
    housing_situation = _int_choice(
        "Situation résidentielle avant l'admission (facultatif)",
        HousingSituation,
        "Sélectionnez une situation",
        message="Choisissez une situation résidentielle parmi celles proposées.",
    )
    comment = _text("Précisions (facultatif)", rows=3)


class ExitForm(DsfrBaseForm):
    ended_on = _date("Date de sortie", "Indiquez la date de sortie.")
    exit_reason = forms.ChoiceField(
        label="Motif de sortie",
        choices=_choices(ExitReason, "Sélectionnez un motif"),
        error_messages={"required": "Indiquez le motif de sortie.", "invalid_choice": "Indiquez le motif de sortie."},
    )
    exit_destination = _int_choice(
        "Situation du ménage à la sortie",
        ExitDestination,
        "Sélectionnez une situation",
        required=True,
        message="Indiquez la situation du ménage à la sortie.",
    )
    comment = _text("Précisions (facultatif)", rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("ended_on", timezone.localdate())
