from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "consortia.sharing"
    label = "sharing"
    verbose_name = "Challenges, posts, documents, NDAs and the access log"
