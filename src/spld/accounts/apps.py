from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "spld.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from spld.accounts import auth, permissions  # noqa: F401  (register token check, rules)
