"""The home tiles of this app (siao/core/home.py collects them)."""

from django.urls import reverse

from .permissions import can_view_statistics


def tiles_for(actor) -> list:
    from siao.core.home import Tile

    if not can_view_statistics(actor):
        return []
    return [
        Tile(
            "Statistiques",
            "Demandes, personnes, admissions, sorties, délais et occupation, par mois et par département : "
            "graphiques et exports, sous secret statistique.",
            reverse("statistics:dashboard"),
            # Administrators' menus are full: the tile only.
            "" if actor.is_administrator else "Statistiques",
        )
    ]
