"""Limit/offset pagination for API lists, with bounds the database can always honour."""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000_000


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=`; the response is `{"items": [...], "count": total}`."""

    class Input(Schema):
        limit: int = Field(
            min(settings.PAGE_SIZE, MAX_LIMIT),
            ge=1,
            le=MAX_LIMIT,
            description=f"How many items to return (at most {MAX_LIMIT}).",
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
