"""Home tiles of this app (siao/core/home.py collects them). No query: the menu of every page
calls `tiles_for`."""


def tiles_for(actor) -> list:
    return []
