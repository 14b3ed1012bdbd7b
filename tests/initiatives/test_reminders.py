"""Commitment reminders: due within 48 hours, and overdue, once each."""

from datetime import timedelta

from django.utils import timezone

from consortia.core.models import Notification
from consortia.initiatives import services
from consortia.initiatives.reminders import send_commitment_reminders
from tests.conftest import fresh
from tests.initiatives.conftest import today


def commit(world, initiative, days):
    request = services.request_send(
        actor=fresh(world.leader),
        initiative=initiative,
        to_organization=world.beta,
        title=f"Task in {days} days",
        due_on=today() + timedelta(days=days),
    )
    return services.request_accept(actor=fresh(world.other_leader), request=request)


def test_it_reminds_once_when_due_soon_and_once_when_overdue(world, initiative):
    commit(world, initiative, 1)
    commit(world, initiative, 30)
    now = timezone.now()
    assert send_commitment_reminders(now=now) == 1
    assert send_commitment_reminders(now=now) == 0
    assert (
        Notification.objects.filter(kind="commitment.due_soon", person=world.other_leader).count()
        == 1
    )
    assert Notification.objects.filter(kind="commitment.due_soon", person=world.leader).count() == 1
    later = now + timedelta(days=3)
    assert send_commitment_reminders(now=later) == 1
    assert send_commitment_reminders(now=later) == 0
    assert Notification.objects.filter(kind="commitment.overdue").count() == 2


def test_it_does_not_remind_about_delivered_commitments(world, initiative):
    commitment = commit(world, initiative, 1)
    services.commitment_deliver(actor=fresh(world.other_leader), commitment=commitment)
    assert send_commitment_reminders(now=timezone.now() + timedelta(days=5)) == 0
