from django.contrib.auth.backends import BaseBackend

from .models import User


class LoginCodeBackend(BaseBackend):
    """Sessions opened after a one-time code (the check itself is `actions.check_login_code`)."""

    def authenticate(self, request, **credentials):
        return None  # never by credentials: log_in() names this backend explicitly

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, is_active=True).first()
