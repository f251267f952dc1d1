"""Forms of the partner clients' pages. They only shape the input: the rules are the actions'
(siao/partners/actions.py), whose French errors land on these forms through
`siao.core.forms.add_validation_errors`."""

from django import forms
from dsfr.forms import DsfrBaseForm

from siao.accounts.models import Organization

from . import actions
from .enums import EventStatus, Scope


class OperatorsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} (SIREN {obj.siren})" if obj.siren else obj.name


class ClientForm(DsfrBaseForm):
    name = forms.CharField(
        label="Nom du partenaire",
        max_length=150,
        help_text="Par exemple : « Adoma — système d'information de gestion locative ».",
        error_messages={"required": "Indiquez le nom du partenaire (3 à 150 caractères)."},
    )
    operators = OperatorsField(
        label="Entités gestionnaires",
        queryset=Organization.objects.none(),
        to_field_name="public_id",
        help_text="Le partenaire ne voit et ne modifie que l'offre de ces entités et les orientations faites vers "
        "leurs dispositifs. Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={
            "required": "Choisissez au moins une entité gestionnaire.",
            "invalid_choice": "Une des entités choisies n'existe pas ou n'est pas une entité gestionnaire active.",
            "invalid_pk_value": "Une des entités choisies n'existe pas ou n'est pas une entité gestionnaire active.",
        },
    )
    scopes = forms.MultipleChoiceField(
        label="Droits (scopes)",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choisissez au moins un droit.",
            "invalid_choice": "Un des droits choisis n'existe pas.",
        },
    )
    webhook_url = forms.CharField(
        label="Adresse de réception des webhooks (facultatif)",
        max_length=500,
        required=False,
        help_text="Une adresse https:// du partenaire. Sans adresse, aucun événement ne lui est envoyé.",
        error_messages={"max_length": "L'adresse fait au plus 500 caractères."},
    )
    rate_limit_per_minute = forms.IntegerField(
        label="Limite d'appels par minute",
        initial=600,
        help_text="Entre 1 et 100 000 appels par minute.",
        error_messages={
            "required": "Indiquez la limite d'appels par minute.",
            "invalid": "La limite est un nombre entier d'appels par minute.",
        },
    )
    contact_email = forms.EmailField(
        label="Contact technique (facultatif)",
        required=False,
        help_text="L'adresse électronique de l'équipe technique du partenaire.",
        error_messages={"invalid": "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operators"].queryset = actions.operators_choices()

    @classmethod
    def initial_for(cls, client) -> dict:
        return {
            "name": client.name,
            "operators": [o.public_id for o in client.operators.all()],
            "scopes": list(client.scopes),
            "webhook_url": client.webhook_url,
            "rate_limit_per_minute": client.rate_limit_per_minute,
            "contact_email": client.contact_email,
        }

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "operators": list(data["operators"]),
            "scopes": data["scopes"],
            "webhook_url": data["webhook_url"],
            "rate_limit": data["rate_limit_per_minute"],
            "contact_email": data["contact_email"],
        }


class GraceForm(DsfrBaseForm):
    grace_days = forms.IntegerField(
        label="Délai de recouvrement (jours)",
        initial=actions.DEFAULT_GRACE_DAYS,
        help_text=f"Pendant ce délai, l'ancien secret reste valide (0 à {actions.MAX_GRACE_DAYS} jours ; 0 : "
        "révoqué tout de suite).",
        error_messages={
            "required": "Indiquez le délai de recouvrement.",
            "invalid": "Le délai est un nombre entier de jours.",
        },
    )


class EventFilterForm(DsfrBaseForm):
    statut = forms.ChoiceField(
        label="État",
        required=False,
        choices=[("", "Tous"), *EventStatus.choices],
        error_messages={"invalid_choice": "Cet état n'existe pas."},
    )
