from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.export, {"export_format": "csv"}, name="export_csv"),
    path("export.xlsx", views.export, {"export_format": "xlsx"}, name="export_xlsx"),
]
