"""`consortia manage matching_reindex [--network SLUG]`: rebuild the matching index.

Profiles are indexed when they are saved; this is for data that arrived another way (a
restore, a bulk import, a change of model).
"""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Rebuild the matching index (organizations' profiles and track records)."

    def add_arguments(self, parser):
        parser.add_argument("--network", metavar="SLUG", help="only this network's organizations")

    def handle(self, *args, network=None, **options):
        import time

        from consortia.matching import index
        from consortia.networks.models import Network

        target = None
        if network:
            target = Network.objects.filter(slug=network).first()
            if target is None:
                raise CommandError(f"no network “{network}”")
        started = time.perf_counter()
        count = index.rebuild(network=target, say=self.stdout.write)
        self.stdout.write(f"Indexed {count:,} document(s) in {time.perf_counter() - started:.1f}s.")
