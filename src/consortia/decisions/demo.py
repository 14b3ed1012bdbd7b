"""Demo decisions for the demo network: one settled ranked poll and one open consensus poll,
made through the services with the clock moved back, as if the members had voted last week."""

from datetime import timedelta

from django.utils import timezone

from consortia.decisions import services

CAPABILITIES = [
    "Shared supplier-risk dashboard",
    "Joint apprenticeship programme",
    "Regional testing lab",
    "Common carbon accounting",
]
# One ranking per voting organization (in the order their team leaders are given).
RANKINGS = [
    [0, 2, 1, 3],
    [2, 0, 3, 1],
    [0, 1, 2, 3],
    [1, 0, 2, 3],
    [2, 3, 0, 1],
    [0, 3, 2, 1],
    [3, 0, 2, 1],
]
CONSENSUS = ["agree", "agree", "abstain", "agree"]


def load(network, voters: list) -> None:
    """`voters`: team leaders of member organizations that accepted the charter."""
    now = timezone.now()
    opened = now - timedelta(days=9)
    ranked = services.poll_create(
        actor=voters[0],
        network=network,
        title="Which shared capability should the alliance build first?",
        description="Each member ranks the four candidates; Schulze picks the one a majority "
        "prefers to each of the others. The winner becomes our first initiative.",
        kind="ranked",
        method="schulze",
        options=CAPABILITIES,
        opens_at=opened,
        closes_at=now - timedelta(days=2),
        now=opened,
    )
    for person, order in zip(voters, RANKINGS, strict=False):
        services.ballot_cast(
            actor=person,
            poll=ranked,
            choice=[CAPABILITIES[i] for i in order],
            now=opened + timedelta(days=1),
        )
    consensus = services.poll_create(
        actor=voters[1],
        network=network,
        title="Hold a joint review of every initiative each quarter",
        description="Progress against goals, what works, what does not, lessons and wins — "
        "every three months, with every participating partner.",
        kind="consensus",
        closes_at=now + timedelta(days=5),
        now=now - timedelta(hours=20),
    )
    for person, choice in zip(voters[1:], CONSENSUS, strict=False):
        services.ballot_cast(actor=person, poll=consensus, choice=choice, now=now)
