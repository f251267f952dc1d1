"""The creation wizard: "Créer un nouveau dispositif — Étape N sur 6"."""

from django.urls import path

from siao.offer.views import wizard as views

urlpatterns = [
    path("dispositifs/nouveau/", views.wizard_start, name="wizard_start"),
    path("dispositifs/nouveau/soumis/<uuid:public_id>/", views.wizard_done, name="wizard_done"),
    path("dispositifs/brouillons/<uuid:public_id>/etape-<int:step>/", views.wizard_step, name="wizard_step"),
    path(
        "dispositifs/brouillons/<uuid:public_id>/nouvelle-entite/",
        views.wizard_operator_create,
        name="wizard_operator_create",
    ),
    path("dispositifs/brouillons/<uuid:public_id>/annuler/", views.wizard_cancel, name="wizard_cancel"),
]
