from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("journal/", views.trail, name="trail"),
    path("journal/rapports/", views.report_index, name="report_index"),
    path("journal/rapports/dossier/<uuid:public_id>/", views.file_report, name="file_report"),
    path("journal/rapports/dossier/<uuid:public_id>/csv/", views.file_report_csv, name="file_report_csv"),
    path("journal/rapports/utilisateur/<uuid:public_id>/", views.user_report, name="user_report"),
    path("journal/rapports/utilisateur/<uuid:public_id>/csv/", views.user_report_csv, name="user_report_csv"),
]
