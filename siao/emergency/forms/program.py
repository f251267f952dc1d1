"""Forms of the programs' arrivals, the renewals (reconduction) and the daily figures. They only
shape the input: the rules are the actions' (siao/emergency/actions.py) and figures.py's, whose
French errors land on these forms through `siao.core.forms.add_validation_errors`."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from siao.emergency.figures import check_period
from siao.emergency.models import EmergencyRequest

DATE_WIDGET_FORMAT = "%Y-%m-%d"
INVALID_DATE = "Saisissez une date valide, par exemple 15/03/2025."


def _date_widget(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format=DATE_WIDGET_FORMAT)


class RenewalForm(DsfrBaseForm):
    """The checked sheltered requests and the last night to grant them."""

    demandes = forms.ModelMultipleChoiceField(
        label="Prises en charge à reconduire",
        queryset=EmergencyRequest.objects.none(),
        to_field_name="public_id",
        error_messages={
            "required": "Cochez au moins une prise en charge à reconduire.",
            "invalid_choice": "Une des prises en charge cochées est introuvable : rechargez la page.",
            "invalid_pk_value": "Une des prises en charge cochées est introuvable : rechargez la page.",
        },
    )
    until = forms.DateField(
        label="Reconduire jusqu'à la nuit du (incluse)",
        error_messages={"required": "Indiquez jusqu'à quelle nuit reconduire.", "invalid": INVALID_DATE},
    )

    def __init__(self, *args, queryset, tonight: datetime.date, limit: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demandes"].queryset = queryset
        self.fields["until"].widget = _date_widget(min=tonight.isoformat(), max=limit.isoformat())
        self.fields["until"].help_text = (
            f"Au plus tard la nuit du {limit:%d/%m/%Y}. Les nuits manquantes depuis la dernière nuit accordée "
            "sont toutes enregistrées."
        )


class FiguresForm(DsfrBaseForm):
    """The period of nights (and the département when the perimeter holds several)."""

    du = forms.DateField(
        label="Du (nuit du)",
        widget=_date_widget(),
        error_messages={"required": "Indiquez la première nuit de la période.", "invalid": INVALID_DATE},
    )
    au = forms.DateField(
        label="Au (nuit du, incluse)",
        widget=_date_widget(),
        error_messages={"required": "Indiquez la dernière nuit de la période.", "invalid": INVALID_DATE},
    )
    departement = forms.ChoiceField(
        label="Département",
        required=False,
        error_messages={"invalid_choice": "Choisissez un département de votre périmètre."},
    )

    def __init__(self, *args, departments, all_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        if len(departments) > 1:
            self.fields["departement"].choices = [
                ("", all_label),
                *((department.code, f"{department.code} – {department.name}") for department in departments),
            ]
        else:
            del self.fields["departement"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end:
            try:
                check_period(start, end)
            except ValidationError as exc:
                self.add_error("au", exc)
        return cleaned
