"""REST operations: joint reviews."""

from ninja import Router

router = Router(tags=["reviews"])
