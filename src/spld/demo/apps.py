from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "spld.demo"
    label = "demo"
    verbose_name = "Démonstration"
