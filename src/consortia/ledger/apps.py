from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "consortia.ledger"
    label = "ledger"
    verbose_name = "Investment and return"
