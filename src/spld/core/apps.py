from django.apps import AppConfig


class CoreConfig(AppConfig):
    default = True
    name = "spld.core"
    label = "core"
    verbose_name = "Noyau"
