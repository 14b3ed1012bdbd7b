"""Helpers for poll tests: a clock, and polls opened by the Northwind personas."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.decisions import services
from tests.api.conftest import api  # noqa: F401 - the API clients fixture, for test_poll_api


@pytest.fixture
def now():
    return timezone.now()


def open_poll(world, kind="yes_no", *, now=None, hours=24, actor=None, **fields):
    now = now or timezone.now()
    if kind in ("approval", "ranked", "score") and "options" not in fields:
        fields["options"] = ["Alpha", "Bravo", "Charlie"]
    return services.poll_create(
        actor=actor if actor is not None else world.leader,
        network=world.network,
        title=fields.pop("title", f"A {kind} poll"),
        kind=kind,
        closes_at=now + timedelta(hours=hours),
        now=now,
        **fields,
    )


def after_close(poll, minutes=1):
    return poll.closes_at + timedelta(minutes=minutes)
