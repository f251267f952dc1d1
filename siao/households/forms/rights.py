"""Forms of the rights pages: recording a request, answering it, choosing the request an
export answers, filtering the register. The actions (siao/households/rights) check again."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from siao.households.enums import RightsRequestChannel, RightsRequestKind, RightsRequestStatus
from siao.households.rights import REPRESENTATIVE_WITHOUT_BOX, TEXT_MAX_LENGTH, refusal_errors

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"required": "Indiquez la date.", "invalid": "Saisissez une date valide (jour, mois, année)."}
WHOLE_HOUSEHOLD = ""


def _not_future(value, message: str):
    if value and value > timezone.localdate():
        raise ValidationError(message)
    return value


class ReceptionFields(DsfrBaseForm):
    """How and when the request was received: shared by the record form and the export screen."""

    received_on = forms.DateField(
        label="Date de réception de la demande",
        widget=DATE_WIDGET,
        help_text="La réponse est due dans le mois qui suit.",
        error_messages={**DATE_ERRORS, "required": "Indiquez la date de réception de la demande."},
    )
    channel = forms.ChoiceField(
        label="Reçue par",
        choices=RightsRequestChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez comment la demande a été reçue."},
    )
    by_representative = forms.BooleanField(
        label="La demande est présentée par un représentant (tuteur, curateur, avocat, mandataire)",
        required=False,
    )
    representative = forms.CharField(label="Représentant : nom et qualité", max_length=255, required=False)

    def clean_received_on(self):
        return _not_future(self.cleaned_data["received_on"], "La date de réception ne peut pas être dans le futur.")

    def clean(self):
        data = super().clean()
        missing = data.get("by_representative") and not (data.get("representative") or "").strip()
        named = not data.get("by_representative") and (data.get("representative") or "").strip()
        if missing and self.records_reception(data):
            self.add_error("representative", "Indiquez le nom et la qualité du représentant.")
        elif named and self.records_reception(data):
            # Never drop a name silently: the box says whether a representative presents it.
            self.add_error("representative", REPRESENTATIVE_WITHOUT_BOX)
        return data

    def records_reception(self, data) -> bool:
        return True


class RightsRequestForm(ReceptionFields):
    person = forms.ChoiceField(label="Personne concernée", required=False)
    kind = forms.ChoiceField(
        label="Droit exercé",
        choices=RightsRequestKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le droit exercé."},
    )
    details = forms.CharField(
        label="Objet de la demande (facultatif)",
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple, pour une rectification : l'information à corriger. Sans donnée de santé inutile.",
    )

    field_order = ["person", "kind", "received_on", "channel", "by_representative", "representative", "details"]

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            (WHOLE_HOUSEHOLD, "Tout le ménage"),
            *((str(person.public_id), str(person)) for person in persons),
        ]


class RightsAnswerForm(DsfrBaseForm):
    outcome = forms.ChoiceField(
        label="Suite donnée",
        choices=[
            (RightsRequestStatus.ANSWERED, "Demande satisfaite"),
            (RightsRequestStatus.REFUSED, "Demande refusée (motivée)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez si la demande est satisfaite ou refusée."},
    )
    answer = forms.CharField(
        label="Réponse apportée à la personne",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Un refus dit ses motifs et la possibilité de saisir la CNIL.",
        error_messages={"required": "Saisissez la réponse apportée à la personne."},
    )
    answered_on = forms.DateField(label="Date de la réponse", widget=DATE_WIDGET, error_messages=DATE_ERRORS)

    def clean_answered_on(self):
        return _not_future(self.cleaned_data["answered_on"], "La date de la réponse ne peut pas être dans le futur.")

    def clean(self):
        data = super().clean()
        if data.get("outcome") == RightsRequestStatus.REFUSED and data.get("answer"):
            for name, message in refusal_errors(data["answer"]).items():
                self.add_error(name, message)
        return data


class ExportForm(ReceptionFields):
    """Which open access request the export answers, or a new one recorded on the spot."""

    NEW = "new"

    rights_request = forms.ChoiceField(
        label="Demande d'accès à laquelle l'export répond",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez la demande d'accès à laquelle l'export répond."},
    )
    output = forms.ChoiceField(choices=[("html", "Page à imprimer"), ("json", "Fichier JSON")], required=False)

    field_order = ["rights_request", "received_on", "channel", "by_representative", "representative"]

    def __init__(self, *args, requests=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (
                str(item.public_id),
                f"{item.get_kind_display()}, reçue le {item.received_on:%d/%m/%Y} "
                f"({item.get_channel_display().lower()}), réponse due le {item.due_on:%d/%m/%Y}",
            )
            for item in requests
        ]
        choices.append((self.NEW, "Une nouvelle demande d'accès, que j'enregistre maintenant"))
        self.fields["rights_request"].choices = choices
        if not requests:
            self.fields["rights_request"].initial = self.NEW
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["output"].widget = forms.HiddenInput()
        for name in ("received_on", "channel"):
            self.fields[name].required = False

    @property
    def is_new(self) -> bool:
        return self.cleaned_data.get("rights_request") == self.NEW

    def records_reception(self, data) -> bool:
        """The reception fields only matter for a new request recorded on the spot."""
        return data.get("rights_request") == self.NEW

    def clean(self):
        data = super().clean()
        if self.records_reception(data):
            if not data.get("received_on") and "received_on" not in self.errors:
                self.add_error("received_on", "Indiquez la date de réception de la demande.")
            if not data.get("channel") and "channel" not in self.errors:
                self.add_error("channel", "Indiquez comment la demande a été reçue.")
        return data


REGISTER_STATUSES = [
    ("", "Toutes"),
    ("overdue", "En retard"),
    *RightsRequestStatus.choices,
]


class RegisterFilterForm(DsfrBaseForm):
    statut = forms.ChoiceField(label="Statut", choices=REGISTER_STATUSES, required=False)
