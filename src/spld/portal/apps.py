from django.apps import AppConfig


class PortalConfig(AppConfig):
    default = True
    name = "spld.portal"
    label = "portal"
    verbose_name = "Portail"
