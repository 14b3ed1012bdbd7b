"""The demo: Northshore has an agenda, four criteria and three prospects in different stages
with due diligence under way; nobody else sees any of it."""

import pytest
from django.test import Client

from consortia import demo as consortia_demo
from consortia.agenda import selectors
from consortia.agenda.models import Agenda, Criterion, Prospect
from consortia.core.models import Event, Notification

pytestmark = pytest.mark.django_db


def test_northshore_has_a_private_agenda():
    result = consortia_demo.load()
    assert result.created
    agenda = Agenda.objects.get(organization__name="Northshore Steel Works")
    assert len(agenda.gap_lines) == 4
    assert Criterion.objects.filter(organization=agenda.organization).count() == 4
    stages = set(Prospect.objects.values_list("stage", flat=True))
    assert stages == {"due_diligence", "researching", "identified"}
    lakeside = Prospect.objects.get(name="Lakeside Robotics")
    assert lakeside.checks.exclude(status="open").count() == 2
    assert lakeside.checks.filter(required=True, status="open").exists()
    ranked = selectors.prioritized(agenda.organization)
    assert ranked[0].name == "Lakeside Robotics" and ranked[0].scored == 4
    # Lakeside, Huron and everyone else are told nothing.
    assert (
        not Event.objects.filter(verb__startswith="agenda.")
        .exclude(audience_organization=agenda.organization)
        .exists()
    )
    assert not Notification.objects.filter(title__icontains="prospect").exists()
    priya = Client()
    priya.force_login(
        agenda.organization.__class__.objects.get(name="Lakeside Robotics")
        .memberships.get(role="team_leader")
        .person
    )
    assert priya.get(f"/organization/agenda/prospects/{lakeside.pk}/").status_code == 404
    own = priya.get("/organization/agenda/").content.decode()
    assert "automated assemblies" not in own and "Riverbend Coatings" not in own
    consortia_demo.load()  # idempotent
    assert Prospect.objects.count() == 3
