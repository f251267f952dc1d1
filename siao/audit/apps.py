from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "siao.audit"
    label = "audit"
    verbose_name = "Journal"
