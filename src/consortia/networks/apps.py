from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "consortia.networks"
    label = "networks"
    verbose_name = "Networks and organizations"
