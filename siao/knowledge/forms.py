"""Forms of the help centre's editor pages. They shape the input; the rules are the actions'
(siao/knowledge/actions.py), whose French errors land on the forms."""

from django import forms
from dsfr.forms import DsfrBaseForm

from .actions import ArticleInput, SessionInput, TopicInput
from .enums import ArticleKind, SessionKind, SessionLevel
from .models import Topic

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SLUG_HELP = (
    "La fin de l'adresse de la page, en minuscules sans accent, avec des tirets. Laissez vide pour la déduire "
    "du titre."
)
MARKDOWN_HELP = (
    "Syntaxe Markdown : ## Intertitre, **gras**, *italique*, - liste à puces, 1. liste numérotée, "
    "[texte du lien](https://adresse), > citation, `code`. Le HTML et les images ne sont pas affichés."
)


class ArticleForm(DsfrBaseForm):
    title = forms.CharField(
        label="Titre", max_length=200, error_messages={"required": "Indiquez un titre de 3 à 200 caractères."}
    )
    slug = forms.CharField(label="Identifiant dans l'adresse (facultatif)", max_length=200, required=False,
                           help_text=SLUG_HELP)  # fmt: skip
    kind = forms.ChoiceField(
        label="Type", choices=ArticleKind.choices, error_messages={"required": "Choisissez le type de l'article."}
    )
    topic = forms.ModelChoiceField(
        label="Thème",
        queryset=Topic.objects.all(),
        required=False,
        to_field_name="public_id",
        empty_label="— Aucun (notes de version) —",
        help_text="Obligatoire pour un article d'aide.",
        error_messages={"invalid_choice": "Ce thème n'existe pas (ou plus) : choisissez-en un autre."},
    )
    summary = forms.CharField(
        label="Résumé (facultatif)",
        max_length=300,
        required=False,
        help_text="Une ou deux phrases affichées dans les résultats de recherche et les suggestions.",
        error_messages={"max_length": "Le résumé fait au plus 300 caractères."},
    )
    body = forms.CharField(
        label="Contenu",
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 16}),
        error_messages={"required": "Rédigez le contenu de l'article."},
    )
    for_newcomers = forms.BooleanField(
        label="Pour bien démarrer",
        required=False,
        help_text="L'article apparaît dans la rubrique « Pour bien démarrer » des nouveaux utilisateurs.",
    )
    version_label = forms.CharField(
        label="Version (notes de version)", max_length=40, required=False, help_text="Par exemple : 2.4."
    )
    release_date = forms.DateField(
        label="Date de la version (notes de version)",
        required=False,
        widget=DATE_WIDGET,
        help_text="Format attendu : jj/mm/aaaa.",
        error_messages={"invalid": "Indiquez une date valide (jj/mm/aaaa)."},
    )

    def __init__(self, *args, article=None, **kwargs):
        if article is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": article.title,
                    "slug": article.slug,
                    "kind": article.kind,
                    "topic": article.topic.public_id if article.topic else None,
                    "summary": article.summary,
                    "body": article.body,
                    "for_newcomers": article.for_newcomers,
                    "version_label": article.version_label,
                    "release_date": article.release_date,
                },
            )
        super().__init__(*args, **kwargs)

    def action_input(self) -> ArticleInput:
        return ArticleInput(**self.cleaned_data)


class TopicForm(DsfrBaseForm):
    name = forms.CharField(
        label="Nom", max_length=120, error_messages={"required": "Indiquez un nom de 2 à 120 caractères."}
    )
    slug = forms.CharField(label="Identifiant dans l'adresse (facultatif)", max_length=120, required=False,
                           help_text=SLUG_HELP)  # fmt: skip
    description = forms.CharField(label="Description (facultatif)", max_length=300, required=False)
    position = forms.IntegerField(
        label="Ordre d'affichage",
        initial=0,
        min_value=0,
        max_value=999,
        help_text="Les thèmes sont affichés du plus petit nombre au plus grand.",
        error_messages={
            "required": "Indiquez l'ordre d'affichage (un nombre entre 0 et 999).",
            "invalid": "L'ordre d'affichage est un nombre entre 0 et 999.",
            "min_value": "L'ordre d'affichage est un nombre entre 0 et 999.",
            "max_value": "L'ordre d'affichage est un nombre entre 0 et 999.",
        },
    )

    def action_input(self) -> TopicInput:
        return TopicInput(**self.cleaned_data)


class SessionForm(DsfrBaseForm):
    title = forms.CharField(
        label="Titre", max_length=200, error_messages={"required": "Indiquez un titre de 3 à 200 caractères."}
    )
    kind = forms.ChoiceField(label="Type", choices=SessionKind.choices)
    starts_at = forms.DateTimeField(
        label="Date et heure de début",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Heure de Paris.",
        error_messages={
            "required": "Indiquez la date et l'heure de début.",
            "invalid": "Indiquez une date et une heure valides.",
        },
    )
    duration_minutes = forms.IntegerField(
        label="Durée (en minutes)",
        initial=60,
        help_text="Entre 15 et 480 minutes.",
        error_messages={
            "required": "Indiquez la durée en minutes.",
            "invalid": "La durée est un nombre de minutes.",
        },
    )
    level = forms.ChoiceField(label="Niveau", choices=SessionLevel.choices)
    audience = forms.CharField(
        label="Public visé (facultatif)",
        max_length=300,
        required=False,
        help_text="Par exemple : travailleurs sociaux, écoutants 115, gestionnaires de dispositif.",
    )
    registration_url = forms.CharField(
        label="Lien d'inscription",
        max_length=500,
        help_text="Une adresse complète commençant par https://.",
        error_messages={"required": "Indiquez l'adresse d'inscription, commençant par https://."},
    )
    description = forms.CharField(
        label="Description (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, session=None, **kwargs):
        if session is not None:
            kwargs.setdefault(
                "initial",
                {
                    name: getattr(session, name)
                    for name in (
                        "title",
                        "kind",
                        "duration_minutes",
                        "level",
                        "audience",
                        "registration_url",
                        "description",
                    )
                }  # fmt: skip
                | {"starts_at": session.starts_at},
            )
        super().__init__(*args, **kwargs)

    def action_input(self) -> SessionInput:
        return SessionInput(**self.cleaned_data)
