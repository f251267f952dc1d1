"""The partner clients' pages and the contingent préfectoral (mounted at /partenaires/)."""

from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("nouveau/", views.client_create, name="client_create"),
    path("contingent-prefectoral/", views.quota, name="quota"),
    path("<uuid:public_id>/", views.client_detail, name="client_detail"),
    path("<uuid:public_id>/modifier/", views.client_edit, name="client_edit"),
    path("<uuid:public_id>/activation/", views.client_set_active, name="client_set_active"),
    path("<uuid:public_id>/secret/renouveler/", views.secret_rotate, name="secret_rotate"),
    path("<uuid:public_id>/secrets/<int:secret_id>/revoquer/", views.secret_revoke, name="secret_revoke"),
    path("<uuid:public_id>/webhooks/secret/renouveler/", views.webhook_secret_rotate, name="webhook_secret_rotate"),
    path("<uuid:public_id>/evenements/", views.event_list, name="event_list"),
    path("<uuid:public_id>/evenements/rejouer/", views.event_replay_all, name="event_replay_all"),
    path("<uuid:public_id>/evenements/<uuid:event_id>/", views.event_detail, name="event_detail"),
    path("<uuid:public_id>/evenements/<uuid:event_id>/rejouer/", views.event_replay, name="event_replay"),
]
