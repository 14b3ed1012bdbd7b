"""Demo partnering agenda, made through the services: Northshore Steel Works has written its
agenda, four criteria, and three prospects in different stages — Lakeside Robotics (a member,
in due diligence with part of its checklist ticked), Huron Composites (applying to the network,
being researched) and Riverbend Coatings (outside the network, just identified). Nobody else
sees any of it. Idempotent."""

from datetime import timedelta

from django.utils import timezone

from consortia.networks import demo as networks_demo
from consortia.networks.models import Organization, Person

from . import services
from .models import Agenda

AGENDA = {
    "why_partner": "We make excellent steel but sell it as a commodity. Partnering lets us "
    "offer **lightweight, automated assemblies** that none of us can offer alone, and share the "
    "cost of the automation we cannot afford by ourselves.",
    "value_expected": "- Automation know-how for our finishing lines\n- Access to automotive "
    "customers who buy assemblies, not coils\n- Research on high-strength alloys",
    "success_measures": "The network's standard metrics: *on-time delivery* above 95 %, "
    "*scrap rate* down 20 % in two years; two joint offers quoted in 2027.",
    "benefits": "Tangible: revenue from assemblies, lower scrap. Intangible: learning "
    "automation, a reputation as an innovator, a trusted bench of partners.",
    "what_we_bring": "Steel supply with short lead times, a 40,000 m² plant with free capacity, "
    "metallurgy lab, long-standing automotive customers.",
    "gaps": "Robotic welding and handling cells\nComposite and multi-material joining\n"
    "Protective coatings for lightweight alloys\nApprentices for CNC machining",
    "resources_needed": "A partnering lead (half time), 10 % of an engineer per active "
    "partner, a budget for one joint pilot a year.",
    "risks": "Partners may compete with us on some segments (structural parts): keep pricing "
    "out of shared data. Dependence on a single automation partner.",
}
SCALE = {
    "Product fit": (
        "strategic",
        "3",
        [
            "unknown",
            "overlaps our products",
            "partly complementary",
            "complementary",
            "fully complementary",
        ],
    ),
    "Delivery capacity": (
        "operational",
        "2",
        ["unknown", "cannot scale", "small batches", "our volumes", "more than our volumes"],
    ),
    "Shared values": (
        "cultural",
        "1.5",
        ["unknown", "clash", "some differences", "aligned", "strongly aligned"],
    ),
    "Dependency risk": (
        "risk",
        "1",
        ["unknown", "we would depend on them", "some dependence", "little dependence", "none"],
    ),
}


def _person(email: str) -> Person:
    return Person.objects.select_related("org_membership__organization").get(email=email)


def load(network) -> None:
    alice = _person("alice@northshore-steel.example")
    ben = _person("ben@northshore-steel.example")
    if Agenda.objects.filter(organization=alice.organization).exists():
        return
    services.agenda_save(actor=alice, partner_capacity=3, **AGENDA)
    criteria = {
        name: services.criterion_create(
            actor=_person(alice.email), name=name, group=g, weight=w, scale=s
        )
        for name, (g, w, s) in SCALE.items()
    }
    today = timezone.localdate()
    lakeside = services.prospect_add(
        actor=_person(alice.email),
        partner=Organization.objects.get(name=networks_demo.LAKESIDE),
        owner=_person(alice.email),
        next_step="Reference call with Blue Harbor",
        next_step_on=today + timedelta(days=3),
    )
    huron = services.prospect_add(
        actor=_person(alice.email),
        partner=Organization.objects.get(name=networks_demo.HURON),
        owner=ben,
        next_step="Read their composites white paper",
        next_step_on=today + timedelta(days=10),
    )
    services.prospect_add(
        actor=_person(alice.email),
        name="Riverbend Coatings",
        website="https://riverbend-coatings.example",
        owner=ben,
        next_step="Find a contact",
    )
    for name, value, note in (
        ("Product fit", 4, "Their welding cells complete our steel: assemblies, not coils."),
        ("Delivery capacity", 3, "Two cells a quarter; enough for a pilot."),
        ("Shared values", 3, "Open about failures in the network's reviews."),
        ("Dependency risk", 2, "They would be our only automation partner at first."),
    ):
        services.score_set(
            actor=_person(alice.email),
            prospect=lakeside,
            criterion=criteria[name],
            value=value,
            note=note,
        )
    services.score_set(
        actor=_person(alice.email),
        prospect=huron,
        criterion=criteria["Product fit"],
        value=3,
        note="Multi-material joining is one of our gaps.",
    )
    services.prospect_move(actor=_person(alice.email), prospect=huron, stage="researching")
    services.prospect_move(actor=_person(alice.email), prospect=lakeside, stage="researching")
    services.prospect_move(actor=_person(alice.email), prospect=lakeside, stage="due_diligence")
    for check in lakeside.checks.all():
        if check.title == "Financial health":
            services.check_update(
                actor=_person(alice.email),
                check=check,
                status="passed",
                evidence="2025 accounts: profitable, two years of runway without new funding.",
            )
        elif check.title.startswith("Security"):
            services.check_update(
                actor=_person(alice.email),
                check=check,
                status="concern",
                evidence="Cell telemetry goes to their cloud: ask where it is hosted.",
            )
    services.memo_save(
        actor=_person(alice.email),
        prospect=lakeside,
        context="Automotive customers ask us for welded assemblies; we have no automation.",
        options="Buy cells ourselves; partner with Lakeside on a pilot line; do nothing.",
        risks=[
            "They also sell to our competitor Keystone",
            "Their telemetry cloud",
            "A single automation partner",
        ],
        recommendation="Pilot line with Lakeside for one customer, after the reference call.",
    )
