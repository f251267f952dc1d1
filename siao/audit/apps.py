from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "siao.audit"
    label = "audit"
    verbose_name = "Journal"

    def ready(self):
        from .signals import ensure_append_only_trigger

        post_migrate.connect(ensure_append_only_trigger, sender=self)
