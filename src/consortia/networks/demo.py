"""The demo network, built through the services exactly as its people would build it.

Everyone signs up, creates or joins an organization by invitation, founds the network, asks
to join or is invited, is admitted by the members' team leaders and accepts the charter; the
services emit the events the activity feed shows. Loading is idempotent: when the demo network
(slug `great-lakes`) exists, nothing changes.

With the normal PBKDF2 hasher loading takes several seconds (one hash per person); set
FAST_PASSWORD_HASHING=true for tests and throwaway instances.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from consortia.core import hooks
from consortia.core.clock import Story
from consortia.core.models import OutboundEmail
from consortia.networks import services
from consortia.networks.models import (
    Network,
    NetworkMembership,
    Organization,
    OrgMembership,
    Person,
)

NETWORK_SLUG = "great-lakes"
NETWORK_NAME = "Great Lakes Manufacturing Alliance"
# Public on purpose: printed by `consortia demo` and the README.
PASSWORD = "partner-demo-2030"  # noqa: S105
LEADER = "leader"
MEMBER = "member"


class DemoError(Exception):
    """The demo cannot be loaded or removed without touching data that is not the demo's."""


@dataclass(frozen=True)
class DemoPerson:
    name: str
    local: str  # the part of the email address before the @
    department: str
    role: str = MEMBER


@dataclass(frozen=True)
class DemoOrg:
    name: str
    domain: str  # people's addresses are local@<domain>.example
    kind: str
    description: str
    offerings: str
    needs: str
    values: str
    people: tuple[DemoPerson, ...]
    # How it came in: "found", "apply" (with `message`) or "invited" by the org named `via`.
    joins: str = "apply"
    via: str = ""
    message: str = ""
    approved_by: tuple[str, ...] = ()  # organizations whose team leaders approved it
    accepts_charter: bool = True
    # How many days ago it asked to join or was invited (its people signed up a few days
    # before; the approvals and its charter acceptance follow in the days after).
    days_ago: int = 0

    def email(self, person: DemoPerson) -> str:
        return f"{person.local}@{self.domain}.example"

    @property
    def website(self) -> str:
        return f"https://{self.domain}.example.org"

    @property
    def leader(self) -> DemoPerson:
        return self.people[0]


CHARTER_TITLE = "Great Lakes Manufacturing Alliance charter"
CHARTER = """\
1. Why we partner. We are manufacturers, researchers, public bodies and nonprofits of the Great \
Lakes region. We partner to be more competitive together than any of us could be alone: to \
share capacity, knowledge and access to markets, and to keep good manufacturing work in the region.

2. Mutual benefit. Every partnership in the alliance must benefit each partner taking part. We \
record what each partner puts in and gets back, and we raise an imbalance openly and early \
instead of letting it grow.

3. Consent, not command. No partner gives orders to another. Membership, roles and tasks are \
requested and accepted, or declined with a reason. An organization joins when the members admit \
it, and nobody is bound by a commitment it did not accept.

4. Leadership for a purpose and a period. The alliance has no permanent chair and no owner. The \
partners taking part in an initiative elect its leader, by consensus where possible, for the \
length of that initiative only. When the term ends, the authority ends with it.

5. Open communication within boundaries. We share our challenges first and our information \
second. Each partner chooses who sees what it shares and how confidential it is. Confidential \
material is seen only by people whose organization accepted this charter, and never beyond the \
audience its owner chose.

6. Competitors at the same table. Some of us compete. We do not discuss prices, bids or the \
allocation of customers, and we stay out of the segments a partner has declared out of scope. \
Every initiative writes down its boundaries before the work starts.

7. Fairness, review and trust. We agree on common metrics, review progress together at a regular \
cadence, say what works and what does not, record the lessons and celebrate the wins. Trust is \
earned by delivering what we committed to.

8. Leaving. Any member may leave at any time, without penalty, after telling the partners which \
of its commitments remain open. The members may, by vote, invite a member to leave when it \
repeatedly breaks this charter. What a partner shared stays with the audience it chose.
"""

DESCRIPTION = (
    "Manufacturers, researchers, public agencies and nonprofits around the Great Lakes, "
    "partnering on lightweighting, automation, skills and resilient regional supply chains."
)

P = DemoPerson
NORTHSHORE = "Northshore Steel Works"
LAKESIDE = "Lakeside Robotics"
UNIVERSITY = "Great Lakes University — Advanced Manufacturing Institute"
ERIE = "Erie Basin Development Authority"
SKILLS = "Great Lakes Skills Collaborative"
MAPLE = "Maple Ridge Plastics"
HARBOR = "Blue Harbor Logistics"
CIRCUIT = "Circuit Forge Labs"
HURON = "Huron Composites"

ORGANIZATIONS: tuple[DemoOrg, ...] = (
    DemoOrg(
        name=NORTHSHORE,
        days_ago=330,
        domain="northshore-steel",
        kind=Organization.Kind.COMPANY,
        joins="found",
        description="A family-owned specialty steel mill on Lake Superior, rolling alloy plate "
        "and bar for heavy equipment, rail and wind-turbine makers since 1911.",
        offerings="Alloy plate and bar in short runs; metallurgy lab time; heat-treatment "
        "capacity on night shifts; 110 years of process know-how.",
        needs="Automation for finishing and inspection; lighter products for truck makers; "
        "apprentices in welding and maintenance.",
        values="Safety first; long-term relationships over one-off deals; keep jobs in the region.",
        people=(
            P("Alice Nakamura", "alice", "Operations", LEADER),
            P("Ben Okafor", "ben", "Engineering"),
            P("Carmen Díaz", "carmen", "Sales"),
            P("Dmitri Volkov", "dmitri", "Finance"),
            P("Erin Walsh", "erin", "Legal", LEADER),
        ),
    ),
    DemoOrg(
        name=LAKESIDE,
        days_ago=318,
        domain="lakeside-robotics",
        kind=Organization.Kind.STARTUP,
        description="A four-year-old start-up building collaborative robot cells for small-batch "
        "welding, grinding and finishing in plants that cannot afford a full automation team.",
        offerings="Robot cells on a pay-per-part lease; offline programming; pilot installations "
        "within six weeks.",
        needs="Real production lines to pilot on; steel and plastics process expertise; "
        "introductions to regional buyers.",
        values="Ship early and learn on the floor; automation that keeps operators, "
        "not replaces them.",
        message="We would like to pilot our welding and finishing cells with steel and plastics "
        "members, and learn which tasks your operators most want help with.",
        approved_by=(NORTHSHORE,),
        people=(
            P("Priya Raman", "priya", "Engineering", LEADER),
            P("Tom Becker", "tom", "Sales"),
            P("Mei Chen", "mei", "Engineering"),
            P("Jonas Lindqvist", "jonas", "Operations"),
        ),
    ),
    DemoOrg(
        name=UNIVERSITY,
        days_ago=300,
        domain="greatlakes-university",
        kind=Organization.Kind.UNIVERSITY,
        joins="invited",
        via=NORTHSHORE,
        message="Your lightweighting and joining research is exactly what our members need; "
        "would the institute join us?",
        approved_by=(NORTHSHORE, LAKESIDE),
        description="The university's applied research institute for materials, joining and "
        "industrial automation, with pilot-scale labs open to regional industry.",
        offerings="Materials testing and failure analysis; joint research proposals; student "
        "projects and interns; access to a pilot-scale composites and welding lab.",
        needs="Industrial problems worth a thesis; co-funding for applied projects; data from "
        "real production lines.",
        values="Open publication by default, with confidentiality agreed up front when "
        "partners need it.",
        people=(
            P("Hannah Schultz", "hannah", "Research", LEADER),
            P("Omar Haddad", "omar", "Research"),
            P("Grace Kim", "grace", "Legal"),
            P("Luis Moreno", "luis", "Research", LEADER),
            P("Rachel Adams", "rachel", "Finance"),
            P("Samuel Osei", "samuel", "Engineering"),
        ),
    ),
    DemoOrg(
        name=ERIE,
        days_ago=270,
        domain="erie-basin",
        kind=Organization.Kind.PUBLIC,
        message="The Authority funds regional supply-chain projects and would like to hear "
        "first-hand where manufacturers need public support.",
        approved_by=(UNIVERSITY, NORTHSHORE),
        description="The regional economic development agency for the Erie basin: grants, "
        "industrial sites, export assistance and infrastructure planning.",
        offerings="Co-funding for pilot projects; help with grant applications; industrial sites "
        "and permits; trade missions.",
        needs="Evidence of what works for regional manufacturers; partners to carry projects.",
        values="Public money for public benefit; transparency on every grant.",
        people=(
            P("Margaret O'Neill", "margaret", "Operations", LEADER),
            P("David Park", "david", "Finance"),
            P("Fatima Yusuf", "fatima", "Legal"),
        ),
    ),
    DemoOrg(
        name=SKILLS,
        days_ago=240,
        domain="skills-collaborative",
        kind=Organization.Kind.NONPROFIT,
        joins="invited",
        via=ERIE,
        message="Skills are the bottleneck every member mentions; the collaborative runs the "
        "region's apprenticeship programmes and would be a natural partner.",
        approved_by=(ERIE, LAKESIDE),
        description="A nonprofit running apprenticeships and short courses in welding, "
        "maintenance and mechatronics with employers and community colleges.",
        offerings="Apprenticeship programmes designed with employers; trainers; a network of "
        "community colleges and job centres.",
        needs="Employers who commit to apprentices; modern equipment to train on; "
        "up-to-date skill profiles.",
        values="Every apprentice finishes with a job offer; equal access to training.",
        people=(
            P("Keisha Brown", "keisha", "Operations", LEADER),
            P("Paul Novak", "paul", "Sales"),
            P("Ana Silva", "ana", "Research"),
            P("Victor Chen", "victor", "Finance"),
        ),
    ),
    DemoOrg(
        name=MAPLE,
        days_ago=215,
        domain="maple-ridge-plastics",
        kind=Organization.Kind.COMPANY,
        message="We mould parts for the same truck and appliance makers as several of you and "
        "want to work on recycled resins and lighter assemblies together.",
        approved_by=(LAKESIDE, NORTHSHORE),
        description="An injection-moulding company making parts for trucks, appliances and "
        "medical devices, moving a third of its volume to recycled resins.",
        offerings="Moulding capacity; recycled-resin qualification data; tool-room services.",
        needs="Automation for trimming and inspection; steady recycled feedstock; engineers.",
        values="Circular materials; no surprises for customers.",
        people=(
            P("Robert Lefebvre", "robert", "Operations", LEADER),
            P("Sofia Rossi", "sofia", "Engineering"),
            P("Greg Thompson", "greg", "Sales"),
            P("Nadia Petrova", "nadia", "Finance", LEADER),
            P("Kevin Murphy", "kevin", "Operations"),
        ),
    ),
    DemoOrg(
        name=HARBOR,
        days_ago=185,
        domain="blue-harbor",
        kind=Organization.Kind.COMPANY,
        message="We move steel, resin and finished parts across the lakes and the border for "
        "half of you already; joint planning would cut empty miles for everyone.",
        approved_by=(MAPLE, ERIE),
        description="Lake freight, warehousing and cross-border trucking for manufacturers "
        "between Duluth, Detroit and Toronto.",
        offerings="Shared warehousing; consolidated shipments; customs brokerage.",
        needs="Demand forecasts from partners; rail-siding access; drivers.",
        values="Reliability; fair rates published in advance.",
        people=(
            P("Daniel Harper", "daniel", "Operations", LEADER),
            P("Yuki Tanaka", "yuki", "Sales"),
            P("Marcus Johnson", "marcus", "Engineering"),
            P("Leah Goldberg", "leah", "Finance"),
        ),
    ),
    DemoOrg(
        name=CIRCUIT,
        days_ago=10,
        domain="circuit-forge",
        kind=Organization.Kind.STARTUP,
        joins="invited",
        via=LAKESIDE,
        message="Your vibration sensors would make our robot cells and the members' presses "
        "far easier to maintain; come and test them with us.",
        approved_by=(LAKESIDE, UNIVERSITY),
        accepts_charter=False,  # admitted last week; its legal team is still reading the charter
        description="A start-up making wireless vibration and temperature sensors for "
        "predictive maintenance of presses, mills and robots.",
        offerings="Sensor kits; a maintenance dashboard; data science for failure prediction.",
        needs="Machines to instrument; failure histories; a first regional reference customer.",
        values="Customers own their data.",
        people=(
            P("Ravi Shah", "ravi", "Engineering", LEADER),
            P("Emma Laurent", "emma", "Sales"),
            P("Noah Williams", "noah", "Engineering"),
        ),
    ),
)

APPLICANT = DemoOrg(
    name=HURON,
    days_ago=3,
    domain="huron-composites",
    kind=Organization.Kind.COMPANY,
    message="We make glass- and carbon-fibre panels for trucks and wind turbines and would like "
    "to join the lightweighting work. We already supply two members' customers, so we welcome "
    "the charter's boundaries and will stay out of steel plate discussions.",
    approved_by=(MAPLE,),  # one approval of the two needed: the rest is up to the members
    description="A composites manufacturer moulding glass- and carbon-fibre panels for truck "
    "bodies, wind-turbine nacelles and boats.",
    offerings="Composite panel design and moulding; lightweighting studies.",
    needs="Joining techniques for steel-composite assemblies; automation for trimming.",
    values="Lighter vehicles, lower emissions.",
    people=(
        P("Olivia Grant", "olivia", "Sales", LEADER),
        P("Ethan Cole", "ethan", "Engineering"),
        P("Zara Ahmed", "zara", "Operations"),
    ),
)

INVITEE_EMAIL = "dean@riverbend-college.example"
INVITED_BY = SKILLS
INVITATION_MESSAGE = (
    "Riverbend's welding and mechatronics programmes would be a natural partner for our "
    "apprenticeship work. Would the college join the alliance?"
)


def all_orgs() -> tuple[DemoOrg, ...]:
    return (*ORGANIZATIONS, APPLICANT)


def all_emails() -> list[str]:
    return [org.email(person) for org in all_orgs() for person in org.people]


LEAD_EMAIL = ORGANIZATIONS[0].email(ORGANIZATIONS[0].leader)


@dataclass
class LoadResult:
    network: Network
    created: bool
    people: int = 0
    organizations: int = 0


def _fresh(person: Person) -> Person:
    """The same person as a new request would see them (no cached memberships)."""
    return Person.objects.select_related("org_membership__organization").get(pk=person.pk)


def existing() -> Network | None:
    network = Network.objects.filter(slug=NETWORK_SLUG).first()
    if network is not None and not Person.objects.filter(email=LEAD_EMAIL).exists():
        raise DemoError(
            f"a network with the address “{NETWORK_SLUG}” exists but is not the demo network; "
            "the demo was not loaded"
        )
    return network


@transaction.atomic
def load() -> LoadResult:
    """Load the demo network unless it is already there (then change nothing). The other apps'
    demo data goes on top of it from `consortia.demo.load`, which calls this first."""
    network = existing()
    if network is not None:
        return LoadResult(network=network, created=False)

    # The story of a year: Northshore founds the network, the others come in one by one over
    # the months (each one's people sign up a few days before), the last member was admitted
    # last week and one organization asked to join three days ago.
    story = Story()
    leaders: dict[str, Person] = {}
    people = 0
    for org in all_orgs():
        with story.at(org.days_ago + 10 if org is ORGANIZATIONS[0] else org.days_ago + 3):
            leaders[org.name] = _sign_up_organization(org)
        people += len(org.people)

    founder_org = ORGANIZATIONS[0]
    with story.at(founder_org.days_ago):
        network = services.network_found(
            actor=_fresh(leaders[founder_org.name]),
            name=NETWORK_NAME,
            slug=NETWORK_SLUG,
            description=DESCRIPTION,
            charter_title=CHARTER_TITLE,
            charter_text=CHARTER,
            visibility=Network.Visibility.LISTED,
            approvals_required=2,
        )
    for org in (*ORGANIZATIONS[1:], APPLICANT):
        leader = _fresh(leaders[org.name])
        with story.at(org.days_ago):
            if org.joins == "invited":
                invitation, _ = services.network_invite_organization(
                    actor=_fresh(leaders[org.via]),
                    network=network,
                    email=leader.email,
                    message=org.message,
                )
        with story.at(org.days_ago - 1 if org.joins == "invited" else org.days_ago):
            if org.joins == "invited":
                services.invitation_accept(actor=leader, invitation=invitation)
                membership = NetworkMembership.objects.get(
                    network=network, organization=leader.organization
                )
            else:
                membership = services.network_apply(
                    actor=leader, network=network, message=org.message
                )
        for k, approver in enumerate(org.approved_by):
            with story.at(max(org.days_ago - 2 - k, 1), hour=14):
                services.admission_vote(
                    actor=_fresh(leaders[approver]), membership=membership, decision="approve"
                )
        if org.accepts_charter and org is not APPLICANT:
            with story.at(org.days_ago - 4, hour=16):
                services.charter_accept(actor=_fresh(leaders[org.name]), network=network)

    with story.at(1, hour=11):
        services.network_invite_organization(
            actor=_fresh(leaders[INVITED_BY]),
            network=network,
            email=INVITEE_EMAIL,
            message=INVITATION_MESSAGE,
        )
    return LoadResult(network=network, created=True, people=people, organizations=len(all_orgs()))


def _sign_up_organization(org: DemoOrg) -> Person:
    """Its team leader signs up and creates it; the colleagues sign up and accept invitations."""
    founder = services.person_sign_up(
        email=org.email(org.leader), name=org.leader.name, password=PASSWORD
    )
    hooks.call(hooks.DEMO_PERSON_CREATED, person=founder)
    services.organization_create(
        actor=founder,
        name=org.name,
        kind=org.kind,
        description=org.description,
        website=org.website,
        offerings=org.offerings,
        needs=org.needs,
        values=org.values,
        department=org.leader.department,
    )
    leader = _fresh(founder)
    for colleague in org.people[1:]:
        person = services.person_sign_up(
            email=org.email(colleague), name=colleague.name, password=PASSWORD
        )
        hooks.call(hooks.DEMO_PERSON_CREATED, person=person)
        invitation, _ = services.colleague_invite(
            actor=leader,
            email=org.email(colleague),
            role=OrgMembership.Role.TEAM_LEADER
            if colleague.role == LEADER
            else OrgMembership.Role.MEMBER,
            department=colleague.department,
        )
        services.invitation_accept(actor=person, invitation=invitation)
    return leader


def voters() -> list[Person]:
    """The team leaders of the demo's member organizations that accepted the charter: those
    who may act in the network (open polls, share, vote), as a new request sees them."""
    return [
        _fresh(Person.objects.get(email=org.email(org.leader)))
        for org in ORGANIZATIONS
        if org.accepts_charter
    ]


@transaction.atomic
def reset() -> str:
    """Delete the demo network, the demo organizations and the demo people; nothing else.

    An organization that someone outside the demo has joined is kept, with its outside people.
    """
    emails = all_emails()
    removed = []
    _, deleted = Network.objects.filter(slug=NETWORK_SLUG).delete()
    networks = deleted.get(Network._meta.label, 0)
    demo_orgs = Organization.objects.filter(name__in=[org.name for org in all_orgs()])
    outside = OrgMembership.objects.exclude(person__email__in=emails).values("organization_id")
    kept = list(demo_orgs.filter(pk__in=outside).values_list("pk", flat=True))
    _, deleted = demo_orgs.exclude(pk__in=kept).delete()
    org_count = deleted.get(Organization._meta.label, 0)
    _, deleted = (
        Person.objects.filter(email__in=emails)
        .exclude(org_membership__organization_id__in=kept)
        .delete()
    )
    person_count = deleted.get(Person._meta.label, 0)
    OutboundEmail.objects.filter(to__in=[*emails, INVITEE_EMAIL], sent_at__isnull=True).delete()
    existing_network = networks > 0
    if existing_network:
        removed.append("the demo network")
    if org_count:
        removed.append(f"{org_count} organizations")
    if person_count:
        removed.append(f"{person_count} people")
    return ", ".join(removed)


def logins_text(*, created: bool = True) -> str:
    """What `consortia demo` prints: where to go and who to sign in as."""
    url = f"{settings.SITE_URL}/n/{NETWORK_SLUG}/"
    status = "is loaded" if created else "is already loaded (nothing changed)"
    rows = []
    for org in all_orgs():
        leader = org.leader
        if org is APPLICANT:
            note = "asked to join; awaiting admission"
        elif not org.accepts_charter:
            note = "member; has not accepted the charter yet"
        elif org is ORGANIZATIONS[0]:
            note = "founding member; start here"
        else:
            note = "member"
        rows.append((org.email(leader), f"{leader.name}, team leader", org.name, note))
    founder = ORGANIZATIONS[0]
    member = founder.people[1]
    rows.insert(
        1, (founder.email(member), f"{member.name}, member", founder.name, "not a team leader")
    )
    width = max(len(row[0]) for row in rows)
    name_width = max(len(row[1]) for row in rows)
    lines = [
        f"The demo network “{NETWORK_NAME}” {status}: {url}",
        f"Sign in with any of these addresses. Every demo person's password is: {PASSWORD}",
        "",
        *(
            f"  {email:<{width}}  {who:<{name_width}}  {org} ({note})"
            for email, who, org, note in rows
        ),
        "",
        f"{sum(len(org.people) for org in all_orgs())} people in {len(all_orgs())} organizations "
        f"use the same password; {INVITEE_EMAIL} has an open invitation (no account yet).",
    ]
    return "\n".join(lines)
