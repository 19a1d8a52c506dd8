from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "individuate.core"
    label = "core"
    verbose_name = "Core"
