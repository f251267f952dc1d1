from django.db import models


class ArticleKind(models.TextChoices):
    GUIDE = "guide", "Article d'aide"
    RELEASE_NOTE = "release_note", "Note de version"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publié"


class SessionKind(models.TextChoices):
    DEMO = "demo", "Démonstration"
    WORKSHOP = "workshop", "Atelier"


class SessionLevel(models.TextChoices):
    BEGINNER = "beginner", "Débutant"
    INTERMEDIATE = "intermediate", "Intermédiaire"
    ADVANCED = "advanced", "Avancé"
