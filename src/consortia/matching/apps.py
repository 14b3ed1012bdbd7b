from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "consortia.matching"
    label = "matching"
    verbose_name = "Matching: who could help?"

    def ready(self):
        from consortia.core import hooks
        from consortia.networks.pages import Section, register_section

        from . import index

        hooks.listen(hooks.PROFILE_CHANGED, index.profile_changed)
        register_section(Section("match", "Who could help?", "matching_search", "Work together"))
