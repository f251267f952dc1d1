"""Data protection (mounted at /donnees/)."""

from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("conservation/", views.run_list, name="run_list"),
    path("conservation/<uuid:public_id>/", views.run_detail, name="run_detail"),
    path("conservation/<uuid:public_id>/etat/", views.run_status, name="run_status"),
    path("archive/autorisations/", views.authorization_list, name="authorization_list"),
    path(
        "archive/autorisations/<uuid:public_id>/revoquer/",
        views.authorization_revoke,
        name="authorization_revoke",
    ),
    path("archive/", views.archive_search, name="archive_search"),
    path("archive/dossiers/<uuid:file_number>/", views.archive_detail, name="archive_detail"),
]
