"""Random partnership networks for the leak tests, and the oracle's view of them.

`worlds()` draws a plain description (a `Spec`); `build(spec)` writes it to the database
directly through the ORM (fast), applies the audience changes through the real service
(`services.item_update_audience`) and returns a `Built` holding the database objects and the
oracle's `World` built from the SAME description — never read back from the database, so the
oracle stays independent of the queries under test.

Reuse (search, feed, notifications, export):

    @given(spec=strategies.worlds())
    def test_x(spec, ...):
        with strategies.rollback():
            built = strategies.build(spec)
            for person in built.viewers:
                expected = oracle.visible_item_ids(built.world, person.pk)
"""

import contextlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from hypothesis import strategies as st

from consortia.initiatives.models import Initiative, Participation
from consortia.networks.models import (
    Agreement,
    AgreementAcceptance,
    Network,
    NetworkMembership,
    Organization,
    OrgMembership,
    Person,
)
from consortia.sharing import oracle, services
from consortia.sharing.markup import render_markdown
from consortia.sharing.models import DocumentVersion, Item, ItemPartner, ItemReader, Nda

MEMBERSHIP_STATES = (
    "active",
    "active",
    "active",
    "applied",
    "invited",
    "rejected",
    "left",
    "removed_notice",  # removed by a vote, notice period still running: still a member
    "removed_past",  # removed, notice over: no longer a member
    None,  # no relation to the network at all
)
NDA_STATES = ("proposed", "accepted", "accepted", "declined", "withdrawn", "superseded")
PARTICIPATION_STATES = (None, "requested", "invited", "active", "active", "declined", "left")
KINDS = ("challenge", "post", "document")
AUDIENCES = ("organization", "partners", "initiative", "network")
LEVELS = ("open", "confidential", "restricted")
PLURAL = {"challenge": "challenges", "post": "posts", "document": "documents"}
FILE_BYTES = b"%PDF-1.4\n% leak oracle test file\n%%EOF\n"


@dataclass
class ItemSpec:
    network: int
    org: int
    kind: str
    audience: str
    level: str
    initiative: int | None
    partners: frozenset
    readers: frozenset  # (org index, person index)


@dataclass
class Change:
    item: int
    audience: str
    level: str
    initiative: int | None
    partners: frozenset
    readers: frozenset


@dataclass
class Spec:
    networks: int
    people: list[int]  # people per organization
    memberships: dict  # (network, org) -> state (see MEMBERSHIP_STATES)
    nda_versions: dict  # network -> number of network NDA versions (0: none)
    nda_accepts: dict  # (network, org) -> version the org accepted (0: none)
    bilateral: list  # (network, proposer org, counterparty org, status)
    initiatives: list  # initiative index -> network index
    participations: dict  # (initiative, org) -> status
    items: list[ItemSpec]
    changes: list[Change]
    homeless_viewer: bool = True  # a signed-in person with no organization
    two_factor_networks: frozenset = frozenset()  # networks that require two-factor
    two_factor_people: frozenset = frozenset()  # (org, person index) who turned it on


def _audience(draw, network, n_orgs, people, initiatives):
    audience = draw(st.sampled_from(AUDIENCES))
    own_initiatives = [i for i, net in enumerate(initiatives) if net == network]
    initiative = None
    if audience == "initiative":
        if own_initiatives:
            initiative = draw(st.sampled_from(own_initiatives))
        else:
            audience = "network"
    partners = frozenset(
        draw(st.sets(st.integers(0, n_orgs - 1), max_size=n_orgs)) if audience == "partners" else ()
    )
    level = draw(st.sampled_from(LEVELS))
    all_people = [(o, p) for o in range(n_orgs) for p in range(people[o])]
    readers = frozenset(
        draw(st.sets(st.sampled_from(all_people), max_size=3)) if level == "restricted" else ()
    )
    return audience, level, initiative, partners, readers


@st.composite
def worlds(draw, max_orgs: int = 5, max_items: int = 6, two_factor: bool = False):
    """`two_factor`: some networks require two-factor authentication and some people have it
    (the sharing oracles; the other apps' oracles keep to the audience rule)."""
    n_networks = draw(st.integers(1, 2))
    n_orgs = draw(st.integers(2, max_orgs))
    people = [draw(st.integers(1, 2)) for _ in range(n_orgs)]
    memberships = {
        (n, o): draw(st.sampled_from(MEMBERSHIP_STATES))
        for n in range(n_networks)
        for o in range(n_orgs)
    }
    memberships[(0, 0)] = "active"  # someone shares in network 0
    nda_versions = {n: draw(st.integers(0, 2)) for n in range(n_networks)}
    nda_accepts = {
        (n, o): draw(st.integers(0, nda_versions[n]))
        for n in range(n_networks)
        for o in range(n_orgs)
    }
    bilateral = []
    for n in range(n_networks):
        for a in range(n_orgs):
            for b in range(a + 1, n_orgs):
                status = draw(st.sampled_from((None, None, *NDA_STATES)))
                if status:
                    pair = (a, b) if draw(st.booleans()) else (b, a)
                    bilateral.append((n, *pair, status))
    initiatives = [draw(st.integers(0, n_networks - 1)) for _ in range(draw(st.integers(0, 2)))]
    participations = {
        (i, o): draw(st.sampled_from(PARTICIPATION_STATES))
        for i in range(len(initiatives))
        for o in range(n_orgs)
    }
    items = []
    for _ in range(draw(st.integers(1, max_items))):
        network = draw(st.integers(0, n_networks - 1))
        org = draw(st.integers(0, n_orgs - 1))
        kind = draw(st.sampled_from(KINDS))
        audience, level, initiative, partners, readers = _audience(
            draw, network, n_orgs, people, initiatives
        )
        items.append(ItemSpec(network, org, kind, audience, level, initiative, partners, readers))
    changes = []
    for _ in range(draw(st.integers(0, 2))):
        index = draw(st.integers(0, len(items) - 1))
        audience, level, initiative, partners, readers = _audience(
            draw, items[index].network, n_orgs, people, initiatives
        )
        changes.append(Change(index, audience, level, initiative, partners, readers))
    return Spec(
        networks=n_networks,
        people=people,
        memberships=memberships,
        nda_versions=nda_versions,
        nda_accepts=nda_accepts,
        bilateral=bilateral,
        initiatives=initiatives,
        participations=participations,
        items=items,
        changes=changes,
        homeless_viewer=draw(st.booleans()),
        two_factor_networks=frozenset(
            draw(st.sets(st.integers(0, n_networks - 1), max_size=1)) if two_factor else ()
        ),
        two_factor_people=frozenset(
            draw(
                st.sets(st.sampled_from([(o, p) for o in range(n_orgs) for p in range(people[o])]))
            )
            if two_factor
            else ()
        ),
    )


@dataclass
class Built:
    spec: Spec
    now: object
    networks: list
    orgs: list
    people: list  # people[org][i]
    viewers: list  # every person, plus one without an organization
    initiatives: list
    items: list
    world: oracle.World
    applied_changes: list = field(default_factory=list)

    def item_url(self, item, network=None) -> str:
        slug = (network or item.network).slug
        return f"/n/{slug}/{PLURAL[item.kind]}/{item.pk}/"

    def list_url(self, network, kind) -> str:
        return f"/n/{network.slug}/{PLURAL[kind]}/"


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rollback():
    """Run one example inside a savepoint that is always rolled back."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def _membership_row(network, org, state, now):
    if state is None:
        return None
    status, ended_at = state, None
    if state == "removed_notice":
        status, ended_at = "removed", now + timedelta(days=10)
    elif state == "removed_past":
        status, ended_at = "removed", now - timedelta(days=1)
    elif state == "left":
        ended_at = now - timedelta(days=2)
    return NetworkMembership(
        network=network,
        organization=org,
        status=status,
        ended_at=ended_at,
        joined_at=now - timedelta(days=100) if status in ("active", "removed", "left") else None,
    )


def build(spec: Spec, *, files: bool = True) -> Built:
    """Write `spec` to the database and describe it for the oracle."""
    now = timezone.now()
    tag = Network.objects.count() + 1  # unique names inside one test
    networks = [
        Network.objects.create(name=f"Net {tag}-{n}", slug=f"net-{tag}-{n}")
        for n in range(spec.networks)
    ]
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Org {tag}-{o}", slug=f"org-{tag}-{o}") for o in range(len(spec.people))
    )
    flat = Person.objects.bulk_create(
        Person(email=f"p{tag}-{o}-{p}@leak.test", name=f"P{o}-{p}")
        for o, count in enumerate(spec.people)
        for p in range(count)
    )
    people, position = [], 0
    for count in spec.people:
        people.append(flat[position : position + count])
        position += count
    OrgMembership.objects.bulk_create(
        OrgMembership(
            person=person,
            organization=orgs[o],
            role=OrgMembership.Role.TEAM_LEADER if p == 0 else OrgMembership.Role.MEMBER,
        )
        for o, members in enumerate(people)
        for p, person in enumerate(members)
    )
    world = oracle.World(now=now)
    for o, members in enumerate(people):
        for person in members:
            world.person_org[person.pk] = orgs[o].pk
    rows = []
    for (n, o), state in spec.memberships.items():
        row = _membership_row(networks[n], orgs[o], state, now)
        if row is not None:
            rows.append(row)
            world.memberships[(networks[n].pk, orgs[o].pk)] = oracle.MembershipFact(
                row.status, row.ended_at
            )
    NetworkMembership.objects.bulk_create(rows)
    for n, versions in spec.nda_versions.items():
        agreements = {
            v: Agreement.objects.create(
                network=networks[n], kind="nda", version=v, title="NDA", text=f"v{v}"
            )
            for v in range(1, versions + 1)
        }
        if versions:
            world.network_nda[networks[n].pk] = agreements[versions].pk
        for o in range(len(orgs)):
            accepted = spec.nda_accepts.get((n, o), 0)
            if accepted:
                AgreementAcceptance.objects.create(
                    agreement=agreements[accepted], organization=orgs[o]
                )
                world.nda_acceptances.add((agreements[accepted].pk, orgs[o].pk))
    for n, a, b, status in spec.bilateral:
        Nda.objects.create(
            network=networks[n],
            proposer=orgs[a],
            counterparty=orgs[b],
            title="NDA",
            text="secret",
            status=status,
        )
        world.bilateral.append((networks[n].pk, orgs[a].pk, orgs[b].pk, status))
    initiatives = [
        Initiative.objects.create(
            network=networks[n],
            title=f"Initiative {i}",
            objective="Together",
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 1, 1),
        )
        for i, n in enumerate(spec.initiatives)
    ]
    for (i, o), status in spec.participations.items():
        if status:
            Participation.objects.create(
                initiative=initiatives[i], organization=orgs[o], status=status
            )
            world.participations[(initiatives[i].pk, orgs[o].pk)] = status
    items = []
    for index, s in enumerate(spec.items):
        item = Item.objects.create(
            network=networks[s.network],
            kind=s.kind,
            organization=orgs[s.org],
            author=people[s.org][0],
            title=f"Item {index} secret-{tag}-{index}",
            body=f"Body of item {index}",
            body_html=render_markdown(f"Body of item {index}"),
            audience=s.audience,
            level=s.level,
            initiative=initiatives[s.initiative] if s.initiative is not None else None,
            status="open" if s.kind == "challenge" else "published",
        )
        ItemPartner.objects.bulk_create(
            ItemPartner(item=item, organization=orgs[o]) for o in s.partners
        )
        ItemReader.objects.bulk_create(
            ItemReader(item=item, person=people[o][p]) for o, p in s.readers
        )
        if s.kind == "document" and files:
            version = DocumentVersion(
                item=item,
                number=1,
                filename="plan.pdf",
                content_type="application/pdf",
                size=len(FILE_BYTES),
                sha256="0" * 64,
            )
            version.file.save("plan.pdf", ContentFile(FILE_BYTES), save=False)
            version.save()
        items.append(item)
        world.items[item.pk] = oracle.ItemFact(
            network=networks[s.network].pk,
            organization=orgs[s.org].pk,
            audience=s.audience,
            level=s.level,
            initiative=initiatives[s.initiative].pk if s.initiative is not None else None,
            partners={orgs[o].pk for o in s.partners},
            readers={people[o][p].pk for o, p in s.readers},
        )
    for n in spec.two_factor_networks:
        Network.objects.filter(pk=networks[n].pk).update(requires_two_factor=True)
        networks[n].requires_two_factor = True
        world.two_factor_networks.add(networks[n].pk)
    for o, p in spec.two_factor_people:
        Authenticator.objects.create(user=people[o][p], type="totp", data={"secret": "x"})
        world.two_factor_people.add(people[o][p].pk)
    viewers = [person for members in people for person in members]
    if spec.homeless_viewer:
        viewers.append(Person.objects.create(email=f"nobody{tag}@leak.test", name="Nobody"))
    built = Built(
        spec=spec,
        now=now,
        networks=networks,
        orgs=orgs,
        people=people,
        viewers=viewers,
        initiatives=initiatives,
        items=items,
        world=world,
    )
    for change in spec.changes:
        apply_change(built, change)
    return built


def apply_change(built: Built, change: Change) -> bool:
    """Change an item's audience through the service, as its author would; the oracle's facts
    follow only when the service accepted the change (a refused change changes nothing)."""
    item = built.items[change.item]
    s = built.spec.items[change.item]
    author = Person.objects.select_related("org_membership").get(pk=built.people[s.org][0].pk)
    try:
        services.item_update_audience(
            actor=author,
            item=item,
            audience=change.audience,
            level=change.level,
            partners=[built.orgs[o].pk for o in change.partners],
            initiative=(
                built.initiatives[change.initiative].pk if change.initiative is not None else None
            ),
            readers=[built.people[o][p].pk for o, p in change.readers],
        )
    except ValidationError:
        return False
    fact = built.world.items[item.pk]
    fact.audience, fact.level = change.audience, change.level
    fact.initiative = (
        built.initiatives[change.initiative].pk if change.initiative is not None else None
    )
    # The service drops the owner from its own partner list (owners always see their items).
    fact.partners = {built.orgs[o].pk for o in change.partners} - {fact.organization}
    fact.readers = {built.people[o][p].pk for o, p in change.readers}
    item.refresh_from_db()
    built.applied_changes.append(change)
    return True
