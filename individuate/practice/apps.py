from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "individuate.practice"
    label = "practice"
    verbose_name = "Practice"
