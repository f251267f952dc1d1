"""Home tiles of this app (siao/core/home.py collects them). No query: the menu of every page
calls `tiles_for`."""

from django.urls import reverse

from .permissions import can_work_support_queue


def tiles_for(actor) -> list:
    from siao.core.home import Tile  # lazily: siao.core.home imports this module

    if not can_work_support_queue(actor):
        return []
    return [
        Tile(
            "Demandes de support",
            "Les demandes d'aide des utilisateurs : affecter, répondre par courriel, noter, suivre jusqu'à la "
            "résolution.",
            reverse("support:queue"),
            "",
        )
    ]
