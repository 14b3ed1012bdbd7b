"""REST operations: investment and return."""

from ninja import Router

router = Router(tags=["ledger"])
