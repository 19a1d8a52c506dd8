from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "individuate.demo"
    label = "demo"
    verbose_name = "Demo data"
