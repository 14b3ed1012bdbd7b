"""Demo decisions for the demo network, made through the services with the clock moved back:
two settled polls (a consensus and a ranked choice) and one open consensus poll."""

from datetime import timedelta

from consortia.core.clock import Story
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
MEET = ["agree", "agree", "abstain"]


def load(network, voters: list) -> None:
    """`voters`: team leaders of member organizations that accepted the charter, in the order
    they joined. Told over the network's year: an early consensus on meeting in person, the
    ranked choice of the first shared capability half a year ago (settled then, so its winner
    became the first initiative), and a consensus poll open now."""
    story = Story(network.created_at)
    if story.scale == 1.0:  # a network younger than the story has no past polls
        _past_polls(story, network, voters)
    with story.at(1, hour=9):
        consensus = services.poll_create(
            actor=voters[1],
            network=network,
            title="Hold a joint review of every initiative each quarter",
            description="Progress against goals, what works, what does not, lessons and wins — "
            "every three months, with every participating partner.",
            kind="consensus",
            closes_at=story.now + timedelta(days=5),
        )
    for k, (person, choice) in enumerate(zip(voters[1:], CONSENSUS, strict=False)):
        with story.at(0.8 - 0.15 * k):
            services.ballot_cast(actor=person, poll=consensus, choice=choice)


def _past_polls(story: Story, network, voters: list) -> None:
    with story.at(290):
        meet = services.poll_create(
            actor=voters[0],
            network=network,
            title="Meet in person twice a year, hosted in turn by the members",
            description="A spring and an autumn meeting; the host pays the room, each member "
            "its travel.",
            kind="consensus",
            closes_at=story.ago(280),
        )
    for k, (person, choice) in enumerate(zip(voters[:3], MEET, strict=False)):
        with story.at(288 - 2 * k, hour=9 + 2 * k):
            services.ballot_cast(actor=person, poll=meet, choice=choice)
    with story.at(280, hour=18):
        services.poll_settle(meet)

    with story.at(170):
        ranked = services.poll_create(
            actor=voters[0],
            network=network,
            title="Which shared capability should the alliance build first?",
            description="Each member ranks the four candidates; Schulze picks the one a majority "
            "prefers to each of the others. The winner becomes our first initiative.",
            kind="ranked",
            method="schulze",
            options=CAPABILITIES,
            closes_at=story.ago(160, hour=17),
        )
    for k, (person, order) in enumerate(zip(voters, RANKINGS, strict=False)):
        with story.at(169 - k, hour=9 + k):
            services.ballot_cast(actor=person, poll=ranked, choice=[CAPABILITIES[i] for i in order])
    with story.at(160, hour=18):
        services.poll_settle(ranked)
