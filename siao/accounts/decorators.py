"""View guards: anonymous users go to the login page; a role that may not use the view gets
403. Objects outside the perimeter are answered 404 by `access.py`, not here."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def actor_required(predicate=None):
    """`predicate(actor) -> bool` says whether the active role may use the view."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if getattr(request, "actor", None) is None:
                return redirect_to_login(request.get_full_path())
            if predicate is not None and not predicate(request.actor):
                raise PermissionDenied("Votre profil actif ne donne pas accès à cette page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
