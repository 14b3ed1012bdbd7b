"""REST operations: trust, engagement and network health."""

from ninja import Router

router = Router(tags=["insights"])
