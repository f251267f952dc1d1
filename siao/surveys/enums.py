from django.db import models


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "En préparation"
    OPEN = "open", "Ouverte"
    CLOSED = "closed", "Close"


class Agreement(models.TextChoices):
    """The four-point scale of the fixed questions (no middle point: a respondent leans)."""

    FULLY = "fully", "Tout à fait"
    RATHER_YES = "rather_yes", "Plutôt oui"
    RATHER_NO = "rather_no", "Plutôt non"
    NOT_AT_ALL = "not_at_all", "Pas du tout"


POSITIVE_AGREEMENTS = (Agreement.FULLY, Agreement.RATHER_YES)


class Territory(models.TextChoices):
    """Where the respondent worked when answering: the national level, one département (kept
    beside), or an organization spread over several départements (an operator)."""

    NATIONAL = "national", "National"
    DEPARTMENT = "department", "Département"
    SEVERAL = "several", "Plusieurs départements"
