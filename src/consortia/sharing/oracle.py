"""The specification of who may see a shared item, as a small pure-Python function.

It knows nothing of the ORM: it reads plain data (a `World`) and says which item ids a person
may see. sharing.audience implements the same rule in SQL; the leak tests check that every
read path (pages, API, downloads, feed, search, notifications, export) agrees with this.

The rule. A viewer P whose organization is O (no organization: nothing) sees item I iff
  (a) O == I.organization — owners always see their own items, at every level, even after
      leaving or being removed from the network; or
  (b) O is an ACTIVE member of I.network at `now` — status "active", or "removed" with the end
      of its notice (`ended_at`) still in the future — and both:
      audience: "network" → yes; "partners" → O is among I.partners; "initiative" → O is an
                active participant of I.initiative; "organization" → no;
      level:    "open" → yes; "confidential" → O accepted the latest network NDA version of
                I.network, or an "accepted" bilateral NDA between I.organization and O (either
                direction) exists in I.network; "restricted" → P is among I.readers;
and, whatever (a) or (b) say, nothing of a network that requires two-factor authentication
reaches a person P without it (the network lock, accounts.policy.TwoFactorLock). An organization
as a whole (a webhook endpoint) is no person: the lock does not apply to it.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class MembershipFact:
    status: str  # applied, invited, active, rejected, left, removed
    ended_at: datetime | None = None


@dataclass
class ItemFact:
    network: int
    organization: int
    audience: str  # organization, partners, initiative, network
    level: str  # open, confidential, restricted
    initiative: int | None = None
    partners: set[int] = field(default_factory=set)
    readers: set[int] = field(default_factory=set)


@dataclass
class World:
    """Plain facts: every id is an int (the database ids of the rows built from them)."""

    now: datetime
    person_org: dict[int, int | None] = field(default_factory=dict)
    # (network id, organization id) -> membership
    memberships: dict[tuple[int, int], MembershipFact] = field(default_factory=dict)
    # network id -> id of its latest NDA agreement version (absent: no network NDA)
    network_nda: dict[int, int] = field(default_factory=dict)
    # (agreement id, organization id) pairs
    nda_acceptances: set[tuple[int, int]] = field(default_factory=set)
    # (network id, proposer org, counterparty org, status)
    bilateral: list[tuple[int, int, int, str]] = field(default_factory=list)
    # (initiative id, organization id) -> participation status
    participations: dict[tuple[int, int], str] = field(default_factory=dict)
    items: dict[int, ItemFact] = field(default_factory=dict)
    # networks that require two-factor authentication, and people who turned it on
    two_factor_networks: set[int] = field(default_factory=set)
    two_factor_people: set[int] = field(default_factory=set)


def is_active_member(world: World, network: int, org: int) -> bool:
    fact = world.memberships.get((network, org))
    if fact is None:
        return False
    if fact.status == "active":
        return True
    return fact.status == "removed" and fact.ended_at is not None and fact.ended_at > world.now


def has_nda(world: World, network: int, owner: int, org: int) -> bool:
    latest = world.network_nda.get(network)
    if latest is not None and (latest, org) in world.nda_acceptances:
        return True
    return any(
        net == network and status == "accepted" and {a, b} == {owner, org}
        for net, a, b, status in world.bilateral
    )


def can_see(world: World, person_id: int, item: ItemFact) -> bool:
    org = world.person_org.get(person_id)
    if org is None:
        return False
    if item.network in world.two_factor_networks and person_id not in world.two_factor_people:
        return False
    return org_can_see(world, org, item, person_id)


def org_can_see(world: World, org: int, item: ItemFact, person_id: int | None = None) -> bool:
    """Whether organization `org` sees `item`; with no `person_id` (an organization as a whole,
    e.g. its webhook endpoint) nobody is a named reader, so restricted items stay with their
    owner."""
    if org == item.organization:
        return True
    if not is_active_member(world, item.network, org):
        return False
    if item.audience == "network":
        audience_ok = True
    elif item.audience == "partners":
        audience_ok = org in item.partners
    elif item.audience == "initiative":
        audience_ok = world.participations.get((item.initiative, org)) == "active"
    else:
        audience_ok = False
    if not audience_ok:
        return False
    if item.level == "open":
        return True
    if item.level == "confidential":
        return has_nda(world, item.network, item.organization, org)
    return person_id is not None and person_id in item.readers


def visible_item_ids(world: World, person_id: int) -> set[int]:
    """The ids of the items person `person_id` may see in `world`."""
    return {item_id for item_id, item in world.items.items() if can_see(world, person_id, item)}


def visible_item_ids_for_organization(world: World, org: int) -> set[int]:
    """The ids of the items organization `org` as a whole may see in `world`."""
    return {item_id for item_id, item in world.items.items() if org_can_see(world, org, item)}
