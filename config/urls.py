from django.urls import include, path

from siao.accounts.proconnect import AuthenticateView, CallbackView
from siao.partners.api import api as partner_api
from siao.partners.guide import api_guide

urlpatterns = [
    path("", include("siao.core.urls")),
    path("", include("siao.accounts.urls")),
    path("", include("siao.audit.urls")),
    path("offre/", include("siao.offer.urls")),
    path("menages/", include("siao.households.urls")),
    path("demandes/", include("siao.orientation.urls")),
    path("115/", include("siao.emergency.urls")),
    path("donnees/", include("siao.retention.urls")),
    path("statistiques/", include("siao.statistics.urls")),
    path("partenaires/", include("siao.partners.urls")),
    path("aide/", include("siao.knowledge.urls")),
    path("support/", include("siao.support.urls")),
    path("enquetes/", include("siao.surveys.urls")),
    path("api/v1/guide/", api_guide, name="api_guide"),
    path("api/v1/", partner_api.urls),
    path("proconnect/connexion/", AuthenticateView.as_view(), name="oidc_authentication_init"),
    path("proconnect/callback/", CallbackView.as_view(), name="oidc_authentication_callback"),
    # Demo pages answer 404 unless DEMO_MODE, which production settings can never turn on.
    path("demo/", include("siao.demo.urls")),
]

handler403 = "siao.core.errors.forbidden"
handler404 = "siao.core.errors.not_found"
handler500 = "siao.core.errors.server_error"
