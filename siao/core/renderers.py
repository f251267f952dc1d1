"""The form renderer: django-dsfr's, as one shared instance.

django-dsfr's `DsfrBaseForm.default_renderer` returns its renderer *class* when FORM_RENDERER
is left at Django's default, so every form builds a new template engine and reads its
templates from disk again (about 10 ms per page with forms). Naming a subclass in
FORM_RENDERER makes django-dsfr use `get_default_renderer()`, one cached instance whose
engine keeps its templates cached (docs/performance.md)."""

from dsfr.forms import DsfrDjangoTemplates


class DsfrFormRenderer(DsfrDjangoTemplates):
    pass
