from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "consortia.sharing"
    label = "sharing"
    verbose_name = "Challenges, posts, documents, NDAs and the access log"

    def ready(self):
        from consortia.sharing import outcomes

        outcomes.register()

        from consortia.sharing import inbox

        inbox.register()  # the inbox forgets notifications about items out of reach

        from consortia.sharing import waiting

        waiting.register()  # "Waiting for you": NDAs to accept
