from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "consortia.accounts"
    label = "accounts"
    verbose_name = "Accounts and security"

    def ready(self):
        from consortia.accounts import (
            checks,  # noqa: F401 - registers the system check
            wiring,
        )

        wiring.connect()
