"""The offer's URLs, one module per feature (each owned by its views module)."""

from django.urls import include, path

app_name = "offer"

urlpatterns = [
    path("", include("siao.offer.urls.requests")),
    path("", include("siao.offer.urls.wizard")),
    path("", include("siao.offer.urls.programs")),
    path("", include("siao.offer.urls.board")),
    path("", include("siao.offer.urls.edit")),
]
