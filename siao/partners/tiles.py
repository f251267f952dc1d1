"""The home tiles of the partner interconnection (siao/core/home.py collects them). No query:
the menu of every page calls `tiles_for`."""

from django.urls import reverse

from .actions import can_manage_partners


def tiles_for(actor) -> list:
    from siao.core.home import Tile  # lazily: siao.core.home imports this module

    from .views import can_view_quota

    tiles = []
    if can_manage_partners(actor):
        tiles.append(
            Tile(
                "Partenaires (API)",
                "Les systèmes des entités gestionnaires raccordés au SI SIAO : droits, secrets, webhooks et "
                "journal des envois.",
                reverse("partners:client_list"),
            )
        )
    if can_view_quota(actor):
        tiles.append(
            Tile(
                "Contingent préfectoral",
                "Les places du contingent préfectoral par dispositif et leur disponibilité, en direct.",
                reverse("partners:quota"),
            )
        )
    return tiles
