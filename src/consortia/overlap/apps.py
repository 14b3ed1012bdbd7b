from django.apps import AppConfig


class OverlapConfig(AppConfig):
    name = "consortia.overlap"
    label = "overlap"
    verbose_name = "Overlap discovery"

    def ready(self):
        from consortia.networks.pages import Section, register_section

        from . import waiting

        waiting.register()  # "Waiting for you": proposals to answer, runs to join

        register_section(
            Section("overlap", "Overlap", "overlap_home", "Share", also=("overlap_run",))
        )
