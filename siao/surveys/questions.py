"""The survey's fixed questions, in code: their codes are the answer table's columns and stay
stable from one campaign to the next, so that campaigns compare."""

from dataclasses import dataclass

from .enums import Agreement

SCORE_QUESTION = "Dans l'ensemble, quelle note donnez-vous au SI SIAO ?"
SCORE_CHOICES = [
    (1, "1 — Très insatisfait"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 — Très satisfait"),
]
SCORES = [value for value, _ in SCORE_CHOICES]
COMMENT_QUESTION = "Un commentaire, une suggestion ? (facultatif)"
COMMENT_MAX_LENGTH = 1000
COMMENT_MAX_LENGTH_TEXT = "1 000"  # how French writes it


@dataclass(frozen=True)
class Question:
    code: str  # the SatisfactionAnswer field
    label: str
    short_label: str  # table headers and charts


QUESTIONS = [
    Question("makes_work_easier", "Le SI SIAO facilite mon travail.", "Facilite mon travail"),
    Question(
        "finds_information",
        "Je trouve facilement les informations dont j'ai besoin.",
        "Trouve les informations",
    ),
    Question("knows_where_to_get_help", "Je sais où trouver de l'aide en cas de besoin.", "Sait où trouver de l'aide"),
]
QUESTION_CODES = [question.code for question in QUESTIONS]
AGREEMENT_CHOICES = Agreement.choices
