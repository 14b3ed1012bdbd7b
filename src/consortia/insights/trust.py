"""The trust index: a recency-weighted on-time delivery rate with a Beta prior.

    trust = (a + Σ wᵢ·onᵢ) / (a + b + Σ wᵢ),   wᵢ = ½^(ageᵢ / 180 days),   a = b = 2

Each *settled* commitment i counts once: onᵢ = 1 when it was delivered on or before its due
date, 0 when it was delivered late, marked missed, is still open past its due date (overdue),
or was withdrawn after its due date. Its age is counted from when it settled (delivery, the
miss or withdrawal, or the due date for an overdue one), so a commitment weighs half as much
after 180 days and a quarter after a year. Not counted: open commitments not yet due;
renegotiated ones (the replacement with the newly agreed date is judged instead, so telling a
partner early is never punished); ones withdrawn on or before their due date (the intention
was communicated in time).

The prior a = b = 2 acts like two on-time and two failed deliveries of full weight: a new
partner starts at 0.5, and one commitment moves the index to 0.6 or 0.4, not to 1 or 0.
Pure functions here; insights.selectors computes the same sums in SQL for a whole network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

PRIOR_ON_TIME = 2.0  # a
PRIOR_FAILED = 2.0  # b
HALF_LIFE_DAYS = 180.0

FORMULA = (
    "trust = (2 + weighted on-time deliveries) / (4 + weighted settled commitments); "
    "each commitment weighs ½ to the power of (its age in days ÷ 180)"
)
EXPLANATION = (
    "The share of an organization's settled commitments it delivered on time, counting recent "
    "ones more (a commitment's weight halves every 180 days) and starting every organization "
    "at 0.5 as if it had two on-time and two failed deliveries, so that one commitment does not "
    "decide its reputation. Settled means delivered (on time or late), missed, overdue, or "
    "withdrawn after its due date; renegotiated commitments and those withdrawn in time do "
    "not count."
)


@dataclass(frozen=True)
class Outcome:
    """One settled commitment: how many days ago it settled and whether it was on time."""

    age_days: float
    on_time: bool


def weight(age_days: float, half_life: float = HALF_LIFE_DAYS) -> float:
    """½^(age / half-life); a settlement dated in the future (clock skew) weighs 1."""
    return 0.5 ** (max(0.0, float(age_days)) / half_life)


def from_sums(
    on_time_weight: float,
    total_weight: float,
    *,
    a: float = PRIOR_ON_TIME,
    b: float = PRIOR_FAILED,
) -> float:
    """The index from the weighted sums (as computed in SQL)."""
    on_time_weight = max(0.0, float(on_time_weight or 0.0))
    total_weight = max(on_time_weight, float(total_weight or 0.0))
    return (a + on_time_weight) / (a + b + total_weight)


def trust_index(
    outcomes: Iterable[Outcome],
    *,
    a: float = PRIOR_ON_TIME,
    b: float = PRIOR_FAILED,
    half_life: float = HALF_LIFE_DAYS,
) -> float:
    """The trust index in [0, 1] of a list of settled commitments."""
    on_time_weight = total_weight = 0.0
    for outcome in outcomes:
        w = weight(outcome.age_days, half_life)
        total_weight += w
        if outcome.on_time:
            on_time_weight += w
    return from_sums(on_time_weight, total_weight, a=a, b=b)


BANDS = ((0.7, "high"), (0.45, "medium"), (0.0, "low"))


def band(value: float) -> str:
    """A word for the index, used in badges (never instead of the number)."""
    for floor, label in BANDS:
        if value >= floor:
            return label
    return "low"
