from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "siao.accounts"
    label = "accounts"
    verbose_name = "Comptes et habilitations"
