from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "individuate.portal"
    label = "portal"
    verbose_name = "Portal"
