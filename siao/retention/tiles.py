"""The home tiles of data protection (siao/core/home.py collects them)."""

from django.urls import reverse

from .permissions import active_authorization, can_manage_retention


def tiles_for(actor) -> list:
    from siao.core.home import Tile

    tiles = []
    if can_manage_retention(actor):
        tiles += [
            Tile(
                "Conservation des données",
                "Passages de la durée de conservation (24 mois sans action) : simulation, purge, rapports.",
                reverse("retention:run_list"),
            ),
            Tile(
                "Accès à l'archive légale",
                "Accorder et révoquer les autorisations spéciales de consultation de l'archive.",
                reverse("retention:authorization_list"),
            ),
        ]
    return tiles


def home_tiles_for(actor) -> list:
    """The archive's tile, for the holder of an active authorization (a query: home page only)."""
    from siao.core.home import Tile

    if active_authorization(actor) is None:
        return []
    return [
        Tile(
            "Archive légale",
            "Rechercher un dossier archivé, au titre de votre autorisation spéciale (chaque accès est tracé).",
            reverse("retention:archive_search"),
        )
    ]
