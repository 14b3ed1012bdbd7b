"""The trust index: hand-computed cases and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consortia.insights.trust import Outcome, band, from_sums, trust_index, weight

outcomes = st.lists(
    st.builds(Outcome, age_days=st.floats(0, 3650), on_time=st.booleans()), max_size=40
)


def test_it_starts_a_new_partner_at_one_half():
    assert trust_index([]) == 0.5


def test_one_commitment_does_not_swing_it_far():
    assert trust_index([Outcome(0, True)]) == pytest.approx(3 / 5)
    assert trust_index([Outcome(0, False)]) == pytest.approx(2 / 5)


def test_it_halves_the_weight_every_180_days():
    assert weight(0) == 1
    assert weight(180) == pytest.approx(0.5)
    assert weight(360) == pytest.approx(0.25)
    assert weight(-5) == 1  # a settlement in the future (clock skew) weighs 1


def test_a_hand_computed_history():
    # on time today (w=1), late 180 days ago (w=.5), missed 360 days ago (w=.25), overdue 10
    # days ago (w=2^(-10/180)): (2 + 1) / (4 + 1 + .5 + .25 + 0.9622)
    history = [Outcome(0, True), Outcome(180, False), Outcome(360, False), Outcome(10, False)]
    w10 = 0.5 ** (10 / 180)
    assert trust_index(history) == pytest.approx(3 / (5.75 + w10))
    assert trust_index(history) == pytest.approx(0.44697, abs=1e-4)


def test_old_failures_fade():
    assert trust_index([Outcome(1000, False)]) > trust_index([Outcome(10, False)])


def test_from_sums_matches_the_list_form():
    assert from_sums(1.5, 2.0) == pytest.approx(3.5 / 6.0)
    assert from_sums(None, None) == 0.5


def test_bands():
    assert band(0.8) == "high" and band(0.5) == "medium" and band(0.2) == "low"


@given(outcomes)
def test_it_stays_between_zero_and_one(history):
    assert 0.0 <= trust_index(history) <= 1.0


@given(outcomes, st.floats(0, 3650))
def test_one_more_on_time_delivery_never_lowers_it(history, age):
    assert trust_index([*history, Outcome(age, True)]) >= trust_index(history) - 1e-12


@given(outcomes, st.floats(0, 3650))
def test_one_more_late_or_missed_never_raises_it(history, age):
    assert trust_index([*history, Outcome(age, False)]) <= trust_index(history) + 1e-12


@given(outcomes)
def test_order_does_not_matter(history):
    assert trust_index(history) == pytest.approx(trust_index(list(reversed(history))))
