"""The home tiles of the access reports and of the rights register (siao/core/home.py collects
them)."""

from django.urls import reverse


def tiles_for(actor) -> list:
    from siao.core.home import Tile  # lazily: siao.core.home imports this module
    from siao.households.rights import can_view_register

    from .reports import can_read_access_reports

    tiles = []
    if can_read_access_reports(actor):
        tiles.append(
            Tile(
                "Rapports d'accès",
                "Qui a consulté ou modifié le dossier d'un ménage ; les dossiers consultés par un utilisateur.",
                reverse("audit:report_index"),
                "",
            )
        )
    if can_view_register(actor):
        tiles.append(
            Tile(
                "Droits des personnes",
                "Les demandes d'accès, de rectification, d'effacement, de limitation et d'opposition, et leurs "
                "échéances.",
                reverse("households:rights_register"),
                "",
            )
        )
    return tiles
