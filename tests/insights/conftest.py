"""Commitments with chosen outcomes and dates, on top of the initiative personas."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from consortia.initiatives import services
from consortia.initiatives.models import Commitment
from tests.conftest import fresh
from tests.initiatives.conftest import initiative, join, make_leader, propose  # noqa: F401


def today():
    return timezone.localdate()


def at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def commitment(world, project, *, to="beta", due_in=10, title="Audit a supplier"):
    """An open commitment of Beta (to="beta") or Acme (to="acme"), through the services."""
    sender, receiver = (
        (world.leader, world.other_leader) if to == "beta" else (world.other_leader, world.leader)
    )
    request = services.request_send(
        actor=fresh(sender),
        initiative=project,
        to_organization=fresh(receiver).organization,
        title=title,
        due_on=today() + timedelta(days=max(due_in, 0)),
    )
    return services.request_accept(actor=fresh(receiver), request=request)


def settle(c: Commitment, *, status: str, due_days_ago: int, settled_days_ago: int | None = None):
    """Backdate a commitment to a past outcome (test setup only: services stamp 'now')."""
    due_on = today() - timedelta(days=due_days_ago)
    fields = {"due_on": due_on, "status": status}
    if settled_days_ago is not None:
        when = at(today() - timedelta(days=settled_days_ago))
        fields["closed_at"] = when
        if status == Commitment.Status.DELIVERED:
            fields["delivered_at"] = when
    Commitment.objects.filter(pk=c.pk).update(**fields)
    c.refresh_from_db()
    return c


@pytest.fixture
def beta_history(world, initiative):  # noqa: F811
    """Beta: on time 0 days ago, late (settled 180 days ago), missed 360 days ago, overdue
    (due 10 days ago), renegotiated and withdrawn in time (not counted), one open."""
    D = Commitment.Status
    made = [commitment(world, initiative, title=f"Task {i}") for i in range(7)]
    settle(made[0], status=D.DELIVERED, due_days_ago=0, settled_days_ago=0)
    settle(made[1], status=D.DELIVERED, due_days_ago=190, settled_days_ago=180)
    settle(made[2], status=D.MISSED, due_days_ago=365, settled_days_ago=360)
    settle(made[3], status=D.OPEN, due_days_ago=10)
    settle(made[4], status=D.RENEGOTIATED, due_days_ago=5, settled_days_ago=20)
    settle(made[5], status=D.WITHDRAWN, due_days_ago=5, settled_days_ago=20)
    return made
