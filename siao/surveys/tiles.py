"""Home tiles of this app (siao/core/home.py collects them). No query: the menu of every page
calls `tiles_for`."""

from django.urls import reverse

from .permissions import can_manage_surveys, can_view_results


def tiles_for(actor) -> list:
    from siao.core.home import Tile  # lazily: siao.core.home imports this module

    if can_manage_surveys(actor):
        return [
            Tile(
                "Enquêtes de satisfaction",
                "Préparer, ouvrir et clore les enquêtes de satisfaction des utilisateurs ; lire leurs résultats.",
                reverse("surveys:campaign_list"),
            )
        ]
    if can_view_results(actor):
        return [
            Tile(
                "Enquêtes de satisfaction",
                "Les résultats des enquêtes de satisfaction des utilisateurs de votre périmètre, anonymes et agrégés.",
                reverse("surveys:campaign_list"),
            )
        ]
    return []
