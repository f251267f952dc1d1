from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("demande/", views.request_create, name="request_create"),
    path("demande/envoyee/", views.request_sent, name="request_sent"),
    path("demandes/", views.queue, name="queue"),
    path("demandes/<uuid:public_id>/", views.request_detail, name="request_detail"),
    path("demandes/<uuid:public_id>/affecter/", views.request_assign, name="request_assign"),
    path("demandes/<uuid:public_id>/statut/", views.request_status, name="request_status"),
    path("demandes/<uuid:public_id>/repondre/", views.request_reply, name="request_reply"),
    path("demandes/<uuid:public_id>/note/", views.request_note, name="request_note"),
    path(
        "demandes/<uuid:public_id>/pieces-jointes/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
]
