"""The base every domain model inherits: a public UUID (the only id shown in URLs and the API)
and creation/update timestamps."""

import uuid

from django.db import models


class BaseModel(models.Model):
    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True
