from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibilite/", views.static_page("core/accessibility.html"), name="accessibility"),
    path("mentions-legales/", views.static_page("core/legal_notice.html"), name="legal_notice"),
    path("donnees-personnelles/", views.static_page("core/personal_data.html"), name="personal_data"),
    path("plan-du-site/", views.static_page("core/sitemap.html"), name="sitemap"),
    path("information-des-personnes/", views.household_notice, name="household_notice"),
    path("information-des-personnes/<slug:language>/", views.household_notice, name="household_notice_in"),
]
