from django.apps import AppConfig


class DataApiConfig(AppConfig):
    name = "spld.dataapi"
    label = "dataapi"
    verbose_name = "API de données"
