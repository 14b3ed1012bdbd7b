"""Demo overlap discovery, made through the services: two populations for every acting member
(customers and open opportunities), and overlap discovery proposed by the first member and
accepted by the second (Northshore and Lakeside in the demo, which also share a bilateral NDA,
so record-level results are allowed between them). Idempotent.

The CSV files to compare are shipped in this package (``consortia/overlap/demo_data/``):
``northshore-customers.csv``, ``northshore-opportunities.csv``, ``lakeside-customers.csv``,
``lakeside-opportunities.csv`` — 38 customers in common, and so on (see README).
"""

from importlib import resources

from consortia.core.clock import Story
from consortia.networks.models import Person

from . import services
from .models import Partnership, Population


def demo_file(name: str):
    """A demo CSV shipped in the package (a Traversable: `.read_bytes()`, `str()` for a path)."""
    return resources.files("consortia.overlap").joinpath("demo_data", name)


def _fresh(person):
    return Person.objects.select_related("org_membership__organization").get(pk=person.pk)


def load(network, leaders: list) -> None:
    """`leaders`: team leaders of acting member organizations; the first two become partners."""
    if len(leaders) < 2 or Partnership.objects.filter(network=network).exists():
        return
    for index, leader in enumerate(leaders):
        leader = _fresh(leader)
        if Population.objects.filter(organization=leader.organization).exists():
            continue
        services.population_create(
            actor=leader,
            name="Customers",
            kind=Population.Kind.CUSTOMERS,
            level="records" if index < 2 else "counts",
            fields=["name", "owner"] if index < 2 else [],
        )
        services.population_create(
            actor=leader,
            name="Open opportunities",
            slug="opportunities",
            kind=Population.Kind.OPPORTUNITIES,
            level="counts",
        )
    first, second = _fresh(leaders[0]), _fresh(leaders[1])
    story = Story(network.created_at)  # proposed last week, accepted the next day
    with story.at(6, hour=10):
        partnership = services.partnership_propose(
            actor=first,
            network=network,
            counterparty=second.organization,
            message="Let us see which accounts we share before planning the joint offer.",
        )
    with story.at(5, hour=15):
        services.partnership_answer(actor=second, partnership=partnership, accept=True)
