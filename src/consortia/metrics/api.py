"""REST operations: standard metrics, measurements and goals."""

from ninja import Router

router = Router(tags=["metrics"])
