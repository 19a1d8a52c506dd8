from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "individuate.mediation"
    label = "mediation"
    verbose_name = "Mediation"
