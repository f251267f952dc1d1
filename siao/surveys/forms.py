"""Forms of the survey pages. They shape the input; the rules are the actions'."""

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm
from dsfr.widgets import InlineRadioSelect

from siao.statistics.months import month_label

from .actions import INTRO_MAX_LENGTH, TITLE_MAX_LENGTH
from .enums import Agreement
from .questions import (
    COMMENT_MAX_LENGTH,
    COMMENT_MAX_LENGTH_TEXT,
    COMMENT_QUESTION,
    QUESTIONS,
    SCORE_CHOICES,
    SCORE_QUESTION,
)

DEFAULT_INTRO = (
    "Aidez-nous à améliorer le SI SIAO : quatre questions, une trentaine de secondes. Vos réponses sont "
    "anonymes et ne sont publiées que regroupées."
)


def default_title() -> str:
    label = month_label(timezone.localdate())
    return f"Enquête de satisfaction {label[0].upper()}{label[1:]}"


class CampaignForm(DsfrBaseForm):
    title = forms.CharField(
        label="Titre",
        max_length=TITLE_MAX_LENGTH,
        help_text="Il figure dans le bandeau montré aux utilisateurs, par exemple « Enquête de satisfaction "
        "Octobre 2023 ».",
        error_messages={
            "required": "Indiquez le titre de l'enquête.",
            "max_length": f"Le titre fait au plus {TITLE_MAX_LENGTH} caractères.",
        },
    )
    intro = forms.CharField(
        label="Texte d'introduction (facultatif)",
        required=False,
        max_length=INTRO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Affiché en tête du questionnaire.",
        error_messages={"max_length": f"Le texte d'introduction fait au plus {INTRO_MAX_LENGTH} caractères."},
    )

    @classmethod
    def initial_for(cls, campaign=None) -> dict:
        if campaign is None:
            return {"title": default_title(), "intro": DEFAULT_INTRO}
        return {"title": campaign.title, "intro": campaign.intro}


class AnswerForm(DsfrBaseForm):
    score = forms.TypedChoiceField(
        label=SCORE_QUESTION,
        choices=SCORE_CHOICES,
        coerce=int,
        widget=InlineRadioSelect,
        help_text="De 1 (très insatisfait) à 5 (très satisfait).",
        error_messages={
            "required": "Choisissez une note de 1 à 5.",
            "invalid_choice": "Choisissez une note de 1 à 5.",
        },
    )
    comment = forms.CharField(
        label=COMMENT_QUESTION,
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"{COMMENT_MAX_LENGTH_TEXT} caractères au plus. N'y indiquez ni votre nom ni celui d'une personne "
        "accompagnée : les commentaires sont lus tels quels.",
        error_messages={"max_length": f"Le commentaire fait au plus {COMMENT_MAX_LENGTH_TEXT} caractères."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for question in QUESTIONS:
            self.fields[question.code] = forms.ChoiceField(
                label=question.label,
                choices=Agreement.choices,
                widget=InlineRadioSelect,
                error_messages={
                    "required": f"Répondez à « {question.label} ».",
                    "invalid_choice": "Choisissez une des quatre réponses proposées.",
                },
            )
        self.fields["comment"] = comment

    def answers(self) -> dict:
        return {question.code: self.cleaned_data[question.code] for question in QUESTIONS}
