"""REST operations: challenges, posts, documents, ndas and the access log."""

from ninja import Router

router = Router(tags=["sharing"])
