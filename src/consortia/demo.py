"""`consortia demo`: the demo network, then every app's demo data on top of it.

The networks app loads the network itself (organizations, people, memberships, the charter);
each other app has `<app>/demo.py` with a `load(network, …)` that builds on what is already
there. This module, like `api.py`, `urls.py` and `cli.py`, knows every app: an app adds its demo
with one line in APP_DEMOS, in the order it needs (later ones build on earlier ones).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from django.db import transaction

from consortia.networks import demo as networks_demo
from consortia.networks.demo import DemoError, LoadResult, logins_text, reset

__all__ = ["APP_DEMOS", "AppDemo", "DemoError", "LoadResult", "load", "logins_text", "reset"]


@dataclass(frozen=True)
class AppDemo:
    """An app's demo loader: `module.load(network)`, or `module.load(network, voters)` with the
    team leaders of the member organizations that accepted the charter (they may act)."""

    module: str
    voters: bool = False


# Each later capability builds on what is there: polls, shared items, then metrics and goals,
# the ledger, and a held joint review of an initiative that uses them.
APP_DEMOS: list[AppDemo] = [
    AppDemo("consortia.decisions.demo", voters=True),
    AppDemo("consortia.sharing.demo", voters=True),
    AppDemo("consortia.metrics.demo"),
    AppDemo("consortia.ledger.demo"),
    AppDemo("consortia.reviews.demo"),
    AppDemo("consortia.matching.demo"),  # indexed as profiles are saved; this checks it
    AppDemo("consortia.overlap.demo", voters=True),
    AppDemo("consortia.healthchecks.demo", voters=True),
    AppDemo("consortia.agenda.demo"),  # Northshore's private partnering agenda
]


@transaction.atomic
def load() -> LoadResult:
    """Load the demo network and every app's demo data, unless the network is already there
    (then change nothing). All or nothing."""
    result = networks_demo.load()
    if not result.created:
        return result
    voters = networks_demo.voters()
    for app in APP_DEMOS:
        loader = importlib.import_module(app.module).load
        if app.voters:
            loader(result.network, voters)
        else:
            loader(result.network)
    return result
