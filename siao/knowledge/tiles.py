"""Home tiles of this app (siao/core/home.py collects them). No query: the menu of every page
calls `tiles_for`."""

from django.urls import reverse

from .permissions import can_edit_knowledge


def tiles_for(actor) -> list:
    from siao.core.home import Tile  # lazily: siao.core.home imports this module

    if not can_edit_knowledge(actor):
        return []
    return [
        Tile(
            "Centre d'aide",
            "Rédiger et publier les articles d'aide et les notes de version, gérer les thèmes et le calendrier "
            "des démonstrations et ateliers.",
            reverse("knowledge:manage"),
            "",
        )
    ]
