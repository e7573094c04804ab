from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "spld.organizations"
    label = "organizations"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from spld.organizations import permissions  # noqa: F401  (registers rules)
