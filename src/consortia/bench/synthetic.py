"""A synthetic large network for the benchmark, written with bulk_create.

Going through the services (one transaction, several queries and an event per write) would take
many minutes for 20,000 people; the benchmark measures reads, so the data is inserted in bulk.
Every row still respects the models' constraints (unique names, slugs and emails, one
membership per organization and network, one acceptance per charter version, events with an
audience target), so the pages see what real use would have produced. The random generator is
seeded: the same size always gives the same data.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from consortia.core.models import Audience, Event, hash_token
from consortia.decisions import services as decisions
from consortia.decisions.models import Ballot, BallotRecord, Poll, PollOption, PollVoter
from consortia.initiatives.models import (
    Commitment,
    Initiative,
    JointPlan,
    LeadershipTerm,
    Participation,
    PlanAcceptance,
    Request,
)
from consortia.networks.models import (
    AdmissionVote,
    Agreement,
    AgreementAcceptance,
    Invitation,
    Network,
    NetworkMembership,
    Organization,
    OrgMembership,
    Person,
)

SLUG = "bench"
NAME = "Benchmark Alliance"
MARK = "Synthetic benchmark data"
CLUSTERS = 9  # smaller networks beside the big one, so visibility filters have work to do
BATCH = 2000
# The poll and initiative pages are measured twice: with every active member voting or
# participating, and with SMALL of them, to show the work per page does not grow with them.
POLL_TITLE = "Which priority first? (whole network)"
SMALL_POLL_TITLE = "Which priority first? (pilot group)"
INITIATIVE_TITLE = "Network-wide supplier programme"
SMALL_INITIATIVE_TITLE = "Pilot supplier programme"
SMALL = 100
BALLOT_SHARE = 0.4  # of the electorate
# Nobody signs in with a password: the benchmark creates its session and token directly.
UNUSABLE_PASSWORD = "!synthetic-benchmark-person"

Status = NetworkMembership.Status


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "Ada Ben Chloé Dev Emil Fatou Gus Hana Ivan Jade Kofi Lena Marco Nia Omar Pia Quinn Rosa Sam "
    "Tariq Uma Vera Wen Xavi Yara Zoe"
)
LAST = _words(
    "Abbott Bauer Costa Dubois Eze Fischer García Haddad Ito Jensen Kowalski Larsen Mendes Novak "
    "Okafor Patel Quinn Rossi Schmidt Tanaka Ueda Varga Walsh Xu Yilmaz Zhang"
)
PREFIX = _words(
    "Harbor Summit Prairie Granite Lakeshore Northern Riverside Keystone Ironwood Bluewater "
    "Cedar Pioneer Meridian Beacon Heartland Frontier Silverline Redwood Clearwater Highland"
)
SUFFIX = _words(
    "Castings Robotics Polymers Logistics Foundry Analytics Composites Machining Labs "
    "Fabrication Sensors Coatings Institute Agency Collaborative Textiles Energy Tooling"
)
DEPARTMENTS = ("Engineering", "Operations", "Sales", "Research", "Finance", "Legal", "Quality")
KINDS = [kind for kind, _ in Organization.Kind.choices]


@dataclass(frozen=True)
class Size:
    organizations: int = 1000
    people: int = 20000
    events: int = 50000

    def signature(self) -> str:
        return (
            f"[generator v4: {self.organizations} organizations, {self.people} people, "
            f"{self.events} events]"
        )


def is_ready(size: Size) -> bool:
    """The database holds exactly the synthetic data of this size (a finished generation)."""
    return (
        Network.objects.filter(slug=SLUG, description__contains=size.signature()).exists()
        and Organization.objects.count() == size.organizations
        and Person.objects.count() == size.people
    )


def is_disposable() -> bool:
    """Only an empty database, or one this generator filled, may be wiped and refilled."""
    if Network.objects.filter(slug=SLUG, description__startswith=MARK).exists():
        return True
    return not (
        Person.objects.exists() or Organization.objects.exists() or Network.objects.exists()
    )


def generate(size: Size, *, say: Callable[[str], None] = print) -> None:
    """Fill an empty database; all or nothing (one transaction)."""
    if size.organizations < 2 or size.people < 2 * size.organizations or size.events < 1:
        raise ValueError("need at least 2 organizations, 2 people per organization and 1 event")
    rng = random.Random(20240601)
    now = timezone.now()
    start = now - timedelta(days=365)
    with transaction.atomic():
        orgs = _organizations(size, rng, start)
        say(f"  {len(orgs):,} organizations")
        people_by_org = _people(size, orgs, rng, start)
        say(f"  {size.people:,} people with their roles and departments")
        networks = _networks(size, orgs, rng, start)
        say(f"  {len(networks)} networks with memberships, charters and acceptances")
        _events(size, orgs, people_by_org, networks, rng, start, now)
        say(f"  {size.events:,} events")
        polls = _polls(networks[0], people_by_org, rng, now)
        say(f"  {len(polls)} ranked polls with their electorates and hash-chained ballots")
        initiatives = _initiatives(networks[0], people_by_org, rng, start, now)
        say(f"  {len(initiatives)} initiatives with participants, plans, requests, commitments")


def _organizations(size: Size, rng: random.Random, start) -> list[Organization]:
    rows = []
    for i in range(size.organizations):
        name = f"{PREFIX[i % len(PREFIX)]} {SUFFIX[(i // len(PREFIX)) % len(SUFFIX)]} {i + 1:04d}"
        slug = f"org-{i + 1:04d}"
        rows.append(
            Organization(
                name=name,
                slug=slug,
                kind=rng.choice(KINDS),
                description=f"{name} is a synthetic partner generated for the benchmark.",
                website=f"https://{slug}.example.org",
                offerings="Capacity, know-how and introductions.",
                needs="Automation, skills and new markets.",
                values="Mutual benefit.",
                created_at=start + timedelta(minutes=i),
            )
        )
    Organization.objects.bulk_create(rows, batch_size=BATCH)
    return list(Organization.objects.order_by("slug"))


def _people(size: Size, orgs, rng: random.Random, start) -> dict[int, list[int]]:
    base, extra = divmod(size.people, len(orgs))
    people, roles = [], []
    for index, org in enumerate(orgs):
        count = base + (1 if index < extra else 0)
        for k in range(count):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            people.append(
                Person(
                    email=f"{slugify(first)}.{k + 1}@{org.slug}.example",
                    name=f"{first} {last}",
                    password=UNUSABLE_PASSWORD,
                    date_joined=start + timedelta(minutes=index),
                )
            )
            # One or two team leaders per organization, the rest members across departments.
            leader = k == 0 or (k == 1 and count > 6)
            roles.append((org, leader, DEPARTMENTS[(k + index) % len(DEPARTMENTS)]))
    Person.objects.bulk_create(people, batch_size=BATCH)
    ids = dict(Person.objects.values_list("email", "pk"))
    memberships = []
    by_org: dict[int, list[int]] = {org.pk: [] for org in orgs}
    for person, (org, leader, department) in zip(people, roles, strict=True):
        pk = ids[person.email]
        by_org[org.pk].append(pk)
        memberships.append(
            OrgMembership(
                person_id=pk,
                organization=org,
                department=department,
                role=OrgMembership.Role.TEAM_LEADER if leader else OrgMembership.Role.MEMBER,
                joined_at=person.date_joined,
            )
        )
    OrgMembership.objects.bulk_create(memberships, batch_size=BATCH)
    return by_org


def _networks(size: Size, orgs, rng: random.Random, start) -> list[Network]:
    main = Network.objects.create(
        name=NAME,
        slug=SLUG,
        approvals_required=2,
        visibility=Network.Visibility.LISTED,
        description=f"{MARK} {size.signature()}",
        created_at=start,
    )
    networks = [main]
    for k in range(CLUSTERS):
        networks.append(
            Network.objects.create(
                name=f"Regional cluster {k + 1}",
                slug=f"bench-cluster-{k + 1}",
                description=f"{MARK}: a smaller network beside the benchmark alliance.",
                visibility=Network.Visibility.UNLISTED if k % 3 == 2 else Network.Visibility.LISTED,
                approvals_required=1,
                created_at=start,
            )
        )
    charters = {
        network.pk: Agreement.objects.create(
            network=network,
            kind=Agreement.Kind.CHARTER,
            version=1,
            title=f"{network.name} charter",
            created_at=start,
            text="We partner for mutual benefit. Nobody gives orders; we request and accept.",
        )
        for network in networks
    }
    memberships, acceptances = [], []
    for index, org in enumerate(orgs):
        # The first organizations are plain active members that accepted the charter: the
        # benchmark signs in as a team leader of the first one.
        roll = 0.0 if index < 10 else rng.random()
        status = (
            Status.ACTIVE
            if roll < 0.94
            else Status.APPLIED
            if roll < 0.97
            else Status.INVITED
            if roll < 0.98
            else Status.LEFT
        )
        memberships.append(_membership(main, org, status, start, index))
        if status == Status.ACTIVE and (index < 10 or rng.random() < 0.85):
            acceptances.append(
                AgreementAcceptance(
                    agreement=charters[main.pk],
                    organization=org,
                    accepted_at=start + timedelta(hours=index + 1),
                )
            )
    cluster_size = max(2, len(orgs) // 10)
    for network in networks[1:]:
        for index, org in enumerate(rng.sample(orgs, min(cluster_size, len(orgs)))):
            memberships.append(_membership(network, org, Status.ACTIVE, start, index))
            acceptances.append(
                AgreementAcceptance(
                    agreement=charters[network.pk],
                    organization=org,
                    accepted_at=start + timedelta(hours=index + 1),
                )
            )
    NetworkMembership.objects.bulk_create(memberships, batch_size=BATCH)
    AgreementAcceptance.objects.bulk_create(acceptances, batch_size=BATCH)

    # Pending admissions have a first approval; a few invitations are still open.
    pending = list(
        NetworkMembership.objects.filter(network=main, status__in=NetworkMembership.PENDING)
    )
    voters = orgs[:10]
    AdmissionVote.objects.bulk_create(
        [
            AdmissionVote(
                membership=membership,
                organization=rng.choice(voters),
                decision=AdmissionVote.Decision.APPROVE,
                created_at=membership.created_at,
            )
            for membership in pending
        ],
        batch_size=BATCH,
    )
    Invitation.objects.bulk_create(
        [
            Invitation(
                kind=Invitation.Kind.NETWORK,
                network=main,
                email=f"invitee{k + 1}@prospect.example",
                digest=hash_token(secrets.token_urlsafe(32)),
                inviting_organization=orgs[k % 10],
                message="Would your organization join us?",
            )
            for k in range(min(20, len(orgs)))
        ]
    )
    return networks


def _membership(network, org, status, start, index) -> NetworkMembership:
    joined = start + timedelta(hours=index)
    active = status in (Status.ACTIVE, Status.LEFT)
    return NetworkMembership(
        network=network,
        organization=org,
        status=status,
        created_at=joined,
        message="We would like to join." if status == Status.APPLIED else "",
        decided_at=joined if active else None,
        joined_at=joined if active else None,
        ended_at=joined + timedelta(days=30) if status == Status.LEFT else None,
    )


VERBS = (
    ("agreement.accepted", "{org} accepted the charter (version 1)"),
    ("network.admission_approved", "{org} approved the admission of {other}"),
    ("network.organization_invited", "{org} invited a partner to {network}"),
    ("network.admitted", "{org} was admitted to {network} (2 of 2 approvals needed)"),
    ("network.applied", "{org} asked to join {network}"),
)
ORG_VERBS = (
    ("organization.member_joined", "{person} joined {org}"),
    ("organization.colleague_invited", "{person} invited a colleague to join {org}"),
    ("organization.updated", "{person} updated the profile of {org}"),
)


def _events(size, orgs, people_by_org, networks, rng, start, now) -> None:
    main, clusters = networks[0], networks[1:]
    members = {
        network.pk: list(
            NetworkMembership.objects.filter(network=network, status=Status.ACTIVE).values_list(
                "organization_id", flat=True
            )
        )
        for network in networks
    }
    org_names = {org.pk: org.name for org in orgs}
    person_names = dict(Person.objects.values_list("pk", "name"))
    span = (now - start).total_seconds()
    rows = []
    for i in range(size.events):
        created_at = start + timedelta(seconds=span * (i + 1) / (size.events + 1))
        roll = rng.random()
        if roll < 0.85:
            network = main if roll < 0.75 or not clusters else rng.choice(clusters)
            org_id = rng.choice(members[network.pk] or [orgs[0].pk])
            other_id = rng.choice(members[network.pk] or [orgs[1].pk])
            verb, template = rng.choice(VERBS)
            summary = template.format(
                org=org_names[org_id], other=org_names[other_id], network=network.name
            )
            rows.append(
                Event(
                    actor_id=rng.choice(people_by_org[org_id]),
                    organization_id=org_id,
                    network=network,
                    verb=verb,
                    summary=summary,
                    audience=Audience.NETWORK,
                    object_type="networks.network",
                    object_id=network.pk,
                    object_repr=network.name,
                    created_at=created_at,
                )
            )
        else:
            org = rng.choice(orgs)
            actor_id = rng.choice(people_by_org[org.pk])
            verb, template = rng.choice(ORG_VERBS)
            rows.append(
                Event(
                    actor_id=actor_id,
                    organization=org,
                    verb=verb,
                    summary=template.format(person=person_names[actor_id], org=org.name),
                    audience=Audience.ORGANIZATION,
                    audience_organization=org,
                    object_type="networks.organization",
                    object_id=org.pk,
                    object_repr=org.name,
                    created_at=created_at,
                )
            )
        if len(rows) >= BATCH:
            Event.objects.bulk_create(rows, batch_size=BATCH)
            rows = []
    Event.objects.bulk_create(rows, batch_size=BATCH)


PRIORITIES = _words(
    "Automation Training Export Recycling Energy Logistics Research Funding Standards Hiring"
)


def landmarks() -> dict[str, int]:
    """The primary keys the benchmark's poll and initiative scenarios point at."""
    polls = dict(Poll.objects.filter(network__slug=SLUG).values_list("title", "pk"))
    initiatives = dict(Initiative.objects.filter(network__slug=SLUG).values_list("title", "pk"))
    return {
        "poll": polls.get(POLL_TITLE, 0),
        "small_poll": polls.get(SMALL_POLL_TITLE, 0),
        "initiative": initiatives.get(INITIATIVE_TITLE, 0),
        "small_initiative": initiatives.get(SMALL_INITIATIVE_TITLE, 0),
    }


def _active_orgs(main) -> list[int]:
    return list(
        NetworkMembership.objects.filter(network=main, status=Status.ACTIVE)
        .order_by("organization__slug")
        .values_list("organization_id", flat=True)
    )


def _leaders(org_ids) -> dict[int, int]:
    leaders: dict[int, int] = {}
    for org_id, person_id in (
        OrgMembership.objects.filter(
            organization_id__in=org_ids, role=OrgMembership.Role.TEAM_LEADER
        )
        .order_by("organization_id", "person_id")
        .values_list("organization_id", "person_id")
    ):
        leaders.setdefault(org_id, person_id)
    return leaders


def _polls(main, people_by_org, rng: random.Random, now) -> list[Poll]:
    """Two open ranked (Schulze) polls: the whole network and a pilot group of SMALL members.
    As the services would leave them: an electorate snapshot, one current ballot per voting
    organization, and the append-only log with its hash chain (open polls name who voted)."""
    active = _active_orgs(main)
    leaders = _leaders(active)
    polls = []
    for title, electorate in ((POLL_TITLE, active), (SMALL_POLL_TITLE, active[:SMALL])):
        opened = now - timedelta(days=2)
        poll = Poll.objects.create(
            network=main,
            title=title,
            description="Rank the priorities of the coming year.",
            kind=Poll.Kind.RANKED,
            method=Poll.Method.SCHULZE,
            opens_at=opened,
            closes_at=now + timedelta(days=3650),  # open on every later run
            electorate_taken_at=opened,
            ballot_salt=secrets.token_hex(32),
            created_by_id=leaders[electorate[0]],
            created_at=opened,
        )
        PollOption.objects.bulk_create(
            PollOption(poll=poll, label=label, position=i) for i, label in enumerate(PRIORITIES)
        )
        PollVoter.objects.bulk_create(
            (PollVoter(poll=poll, organization_id=org_id) for org_id in electorate),
            batch_size=BATCH,
        )
        # The benchmark's viewer (a leader of the first organization) voted in both polls, so
        # the two pages differ only in the size of the electorate and of the log.
        voting = [
            org_id for i, org_id in enumerate(electorate) if i == 0 or rng.random() < BALLOT_SHARE
        ]
        records, ballots, previous = [], [], decisions.GENESIS
        for seq, org_id in enumerate(voting, start=1):
            order = PRIORITIES[:]
            rng.shuffle(order)
            choice = {"ranking": order[: rng.randint(3, len(order))]}
            cast_at = opened + timedelta(minutes=seq)
            record = BallotRecord(
                poll=poll,
                seq=seq,
                ballot_key=decisions.ballot_key(poll, org_id),
                organization_id=org_id,
                person_id=leaders[org_id],
                choice=choice,
                created_at=cast_at,
                previous_hash=previous,
            )
            record.hash = previous = decisions.chain_hash(
                previous, decisions.record_payload(record)
            )
            records.append(record)
            ballots.append(
                Ballot(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    poll=poll,
                    organization_id=org_id,
                    cast_by_id=leaders[org_id],
                    choice=choice,
                    receipt=record.hash,
                    cast_at=cast_at,
                )
            )
        BallotRecord.objects.bulk_create(records, batch_size=BATCH)
        Ballot.objects.bulk_create(ballots, batch_size=BATCH)
        polls.append(poll)
    return polls


def _initiatives(main, people_by_org, rng: random.Random, start, now) -> list[Initiative]:
    """Two active initiatives: every active member participating, and a pilot of SMALL; each
    with a current leadership term, three plan versions (the latest accepted by most), requests
    between participants and the commitments the accepted ones became."""
    active = _active_orgs(main)
    leaders = _leaders(active)
    today = timezone.localdate(now)
    made = []
    for title, members in ((INITIATIVE_TITLE, active), (SMALL_INITIATIVE_TITLE, active[:SMALL])):
        first, created = members[0], now - timedelta(days=60)
        initiative = Initiative.objects.create(
            network=main,
            title=title,
            objective="Source from each other first and share what we learn.",
            scope="Purchasing, quality audits and joint tenders.",
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=3650),
            status=Initiative.Status.ACTIVE,
            proposed_by_id=first,
            created_by_id=leaders[first],
            created_at=created,
        )
        Participation.objects.bulk_create(
            (
                Participation(
                    initiative=initiative,
                    organization_id=org_id,
                    status=Participation.Status.ACTIVE,
                    team_leader_id=leaders[org_id],
                    created_by_id=leaders[org_id],
                    created_at=created,
                    decided_by_id=leaders[first],
                    decided_at=created,
                )
                for org_id in members
            ),
            batch_size=BATCH,
        )
        LeadershipTerm.objects.create(
            initiative=initiative,
            person_id=leaders[first],
            organization_id=first,
            starts_at=created,
            ends_at=now + timedelta(days=3650),
            source="consensus",
            created_at=created,
        )
        acceptances = []
        for version in (1, 2, 3):
            plan = JointPlan.objects.create(
                initiative=initiative,
                version=version,
                goals=f"Version {version}: half of our purchasing within the network.",
                boundaries="Each organization keeps its own suppliers of last resort.",
                raci={
                    "responsibilities": [
                        {"name": "Supplier map", "roles": {str(first): "A", str(members[1]): "R"}}
                    ]
                },
                created_by_id=leaders[first],
                created_at=created + timedelta(days=version),
            )
            share = 1.0 if version < 3 else 0.7
            acceptances += [
                PlanAcceptance(
                    plan=plan,
                    organization_id=org_id,
                    person_id=leaders[org_id],
                    accepted_at=plan.created_at + timedelta(hours=1),
                )
                for org_id in members
                if rng.random() < share
            ]
        PlanAcceptance.objects.bulk_create(acceptances, batch_size=BATCH)
        requests = []
        for k in range(min(200, 2 * len(members))):
            sender, receiver = rng.sample(members, 2)
            accepted = k % 2 == 0
            requests.append(
                Request(
                    initiative=initiative,
                    from_organization_id=sender,
                    from_person_id=leaders[sender],
                    to_organization_id=receiver,
                    kind=Request.Kind.TASK,
                    title=f"Audit a supplier ({k + 1})",
                    due_on=today + timedelta(days=rng.randint(-20, 60)),
                    status=Request.Status.ACCEPTED if accepted else Request.Status.OPEN,
                    created_at=created + timedelta(hours=k),
                    answered_at=created + timedelta(hours=k + 1) if accepted else None,
                    answered_by_id=leaders[receiver] if accepted else None,
                )
            )
        Request.objects.bulk_create(requests, batch_size=BATCH)
        Commitment.objects.bulk_create(
            (
                Commitment(
                    request=request,
                    initiative=initiative,
                    owner_organization_id=request.to_organization_id,
                    owner_person_id=request.answered_by_id,
                    title=request.title,
                    due_on=request.due_on,
                    created_at=request.answered_at,
                )
                for request in Request.objects.filter(
                    initiative=initiative, status=Request.Status.ACCEPTED
                )
            ),
            batch_size=BATCH,
        )
        made.append(initiative)
    return made
