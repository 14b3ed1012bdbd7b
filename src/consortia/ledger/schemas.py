"""Request and response shapes of the ledger API (C8)."""

from datetime import date
from decimal import Decimal
from enum import StrEnum

from ninja import Field, Schema

from consortia.core.schemas import MAX_ID, InputSchema, Text

Number = float | int | Text(30)


class LedgerDirection(StrEnum):
    investment = "investment"
    return_ = "return"


class LedgerEntryKind(StrEnum):
    money = "money"
    hours = "hours"
    in_kind = "in_kind"


class LedgerEntryIn(InputSchema):
    direction: LedgerDirection
    kind: LedgerEntryKind
    date: date
    initiative_id: int | None = Field(None, ge=1, le=MAX_ID)
    amount: Number | None = Field(None, description="kind=money: the amount, not negative.")
    currency: Text(3) = Field("", description="ISO 4217; must be the ledger's currency.")
    hours: Number | None = Field(None, description="kind=hours: not negative.")
    stated_value: Number | None = Field(None, description="kind=in_kind: its stated value.")
    note: Text(500) = ""


class LedgerEntryOut(Schema):
    id: int
    organization_id: int
    organization: str = Field(alias="organization.name")
    initiative_id: int | None
    direction: str
    kind: str
    amount: Decimal | None
    currency: str
    hours: Decimal | None
    stated_value: Decimal | None
    value: Decimal = Field(description="Its worth in the ledger's currency, fixed when entered.")
    date: date
    note: str


class SettingsIn(InputSchema):
    currency: Text(3, min_length=3)
    threshold_pct: Number
    hour_rate: Number


class SettingsOut(Schema):
    currency: str
    threshold_pct: Decimal
    hour_rate: Decimal


class BalanceRow(Schema):
    organization_id: int
    organization: str
    invested: Decimal
    returned: Decimal
    invested_share: float
    returned_share: float
    ratio: float | None
    flagged: bool
    sentence: str


class BalanceOut(Schema):
    rows: list[BalanceRow]
    threshold: float = Field(description="Percentage points.")
    currency: str
    flagged_any: bool
    period: str
