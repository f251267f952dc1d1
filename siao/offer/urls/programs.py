from django.urls import path

from siao.offer.views import programs as views

urlpatterns = [
    path("dispositifs/", views.program_list, name="program_list"),
    path("dispositifs/<uuid:public_id>/", views.program_detail, name="program_detail"),
    path("dispositifs/<uuid:public_id>/pre-valider/", views.program_prevalidate, name="program_prevalidate"),
    path("dispositifs/<uuid:public_id>/valider/", views.program_validate, name="program_validate"),
    path("dispositifs/<uuid:public_id>/refuser/", views.program_refuse, name="program_refuse"),
    path("dispositifs/<uuid:public_id>/groupes/nouveau/", views.place_group_create, name="place_group_create"),
    path(
        "dispositifs/<uuid:public_id>/mesures/nouvelle/", views.support_measure_create, name="support_measure_create"
    ),
    path("dispositifs/<uuid:public_id>/prestations/nouvelle/", views.provision_create, name="provision_create"),
    path("validations/", views.validation_queue, name="validation_queue"),
    path("places/<uuid:public_id>/etat/", views.place_state_change, name="place_state_change"),
]
