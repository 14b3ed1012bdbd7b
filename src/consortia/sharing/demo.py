"""Demo sharing for the demo network, made through the services: two challenges (one with an
offer of help), a post, and a confidential document that one partner can read thanks to an
accepted bilateral NDA. Idempotent: does nothing if the network already has shared items.

Listed in consortia/demo.py (APP_DEMOS) after the decisions demo, with the same list:
``sharing_demo.load(network, voters)`` — team leaders of acting member organizations.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from consortia.core.clock import Story
from consortia.networks.models import Person
from consortia.sharing import services
from consortia.sharing.models import Item

PLAN = b"""Supplier risk plan (draft)

1. Map tier-2 suppliers for aluminium castings.
2. Share buffer stock between partners under the NDA.
3. Review quarterly.
"""


def _fresh(person):
    return Person.objects.select_related("org_membership__organization").get(pk=person.pk)


def load(network, leaders: list) -> None:
    """`leaders`: at least two team leaders of acting member organizations."""
    if len(leaders) < 2 or Item.objects.filter(network=network).exists():
        return
    first, second = _fresh(leaders[0]), _fresh(leaders[1])
    # Spread over the last months: each item on its own day, as its authors wrote them.
    story = Story(network.created_at)
    with story.at(75, hour=9):
        castings = services.item_create(
            actor=first,
            network=network,
            kind=Item.Kind.CHALLENGE,
            title="Aluminium castings capacity for Q3",
            body="Our main foundry is booked until October. We need **2,000 castings** a month "
            "for three months. Who has spare capacity, or knows who does?",
            tags="castings, supply chain",
            audience=Item.Audience.NETWORK,
        )
    with story.at(73, hour=14):
        services.offer_create(
            actor=second,
            item=castings,
            offer="Our pilot foundry can run a second shift from July.",
            message="Happy to talk this week.",
        )
    with story.at(50, hour=10):
        services.item_create(
            actor=second,
            network=network,
            kind=Item.Kind.CHALLENGE,
            title="Apprentices for CNC machining",
            body="We cannot find enough apprentices. Would a shared programme help?",
            tags="skills",
            audience=Item.Audience.PARTNERS,
            partners=[first.organization.pk],
        )
    with story.at(40, hour=11):
        services.item_create(
            actor=first,
            network=network,
            kind=Item.Kind.POST,
            title="Lessons from our energy audit",
            body="We cut compressed-air losses by 30%:\n\n- fix leaks first\n- lower the pressure\n"
            "- switch off at night",
            tags="energy",
            audience=Item.Audience.NETWORK,
        )
    with story.at(100, hour=10):
        nda = services.nda_propose(
            actor=first,
            network=network,
            counterparty=second.organization,
            title="Supplier data NDA",
            text="We keep each other's supplier data confidential and use it only for this plan.",
        )
    with story.at(97, hour=16):
        services.nda_accept(actor=second, nda=nda)
    with story.at(95, hour=9):
        services.item_create(
            actor=first,
            network=network,
            kind=Item.Kind.DOCUMENT,
            title="Supplier risk plan (confidential)",
            body="Readable by partners with an NDA with us.",
            audience=Item.Audience.NETWORK,
            level=Item.Level.CONFIDENTIAL,
            file=SimpleUploadedFile("supplier-risk-plan.txt", PLAN, content_type="text/plain"),
        )
