"""The base every domain model inherits: a public UUID (the only id shown in URLs and the API)
and creation/update timestamps."""

import uuid

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_LABELS: dict = {}


class ChoiceLabelsMixin:
    """`get_<field>_display()` from a label dict built once per field: Django rebuilds the dict
    of every choice on each call (10 ms on a queue page of 25 rows with the SI SIAO's long code
    lists). Choices here are enums, fixed for the process's life."""

    def _get_FIELD_display(self, field):
        labels = _LABELS.get(field)
        if labels is None:
            labels = _LABELS[field] = dict(make_hashable(field.flatchoices))
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)


class BaseModel(ChoiceLabelsMixin, models.Model):
    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True
