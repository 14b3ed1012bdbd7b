"""A demo's story told over time: run each act of a demo loader as if it happened on an earlier
day, so the activity feed, the trust index and the charts show a network that has lived for a
year instead of "a minute ago" everywhere.

Only the demo loaders use this. The services stay as they are: they read the clock
(`timezone.now()`), and `Story.at` moves the clock back for the duration of one act
(time-machine, the clock ticking from there), so every timestamp, due date and deadline the
services derive from it is consistent with the day of the act.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

# How far back the apps' demo stories reach, in days: a subject at least this old (the demo
# network was founded 330 days ago) gets them at full scale.
SPAN_DAYS = 300


class Story:
    """Days before now, scaled to fit the life of what the story is about.

    `since` is when its subject began (the network's founding): acts are placed `days_ago`
    before now, shrunk proportionally when the subject is younger than the story's span, so a
    loader run on a network founded a minute ago keeps the order of its acts without placing any
    of them before the network existed."""

    def __init__(self, since: datetime | None = None, *, span_days: int = SPAN_DAYS):
        self.now = timezone.now()
        self.span = timedelta(days=span_days)
        age = self.span if since is None else max(self.now - since, timedelta(0))
        self.scale = min(1.0, age / self.span)

    def ago(self, days: float, *, hour: int = 10) -> datetime:
        """The moment `days` days before now (at about `hour` local time when the story is not
        shrunk), never in the future."""
        moment = self.now - timedelta(days=days) * self.scale
        if self.scale == 1.0 and days >= 1:
            local = timezone.localtime(moment)
            moment = local.replace(hour=hour, minute=(int(days * 37) % 60), second=0)
        return min(moment, self.now)

    @contextmanager
    def at(self, days: float, *, hour: int = 10):
        """Run the block as if it were `days` days ago (the clock ticks from there). A moment
        less than an hour ago is now: the block runs on the real clock, after what came before."""
        moment = self.ago(days, hour=hour)
        if timezone.now() - moment < timedelta(hours=1):
            yield
            return
        with time_machine.travel(moment, tick=True):
            yield
