from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "consortia.core"
    label = "core"
    verbose_name = "Core"
