"""The ledger: entries, bad input, and the balance with hand-computed shares."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortia.ledger import selectors, services
from consortia.ledger.models import LedgerEntry
from tests.conftest import fresh

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def money(person, network, direction, amount, **fields):
    return services.entry_create(
        actor=fresh(person),
        network=network,
        direction=direction,
        kind="money",
        amount=amount,
        currency="EUR",
        date=fields.pop("date", TODAY()),
        **fields,
    )


def test_shares_ratio_and_fairness_flag_by_hand(world):
    n = world.network
    money(world.leader, n, "investment", "700")  # Acme 70 % of 1000 invested
    money(world.other_leader, n, "investment", "300")  # Beta 30 %
    money(world.leader, n, "return", "100")  # Acme 20 % of 500 returned
    money(world.other_member, n, "return", "400")  # Beta 80 %
    result = selectors.balance(network=n)
    acme, beta = result["rows"]
    assert acme["organization"] == "Acme Labs"
    assert acme["invested_share"] == pytest.approx(0.7)
    assert acme["returned_share"] == pytest.approx(0.2)
    assert acme["ratio"] == pytest.approx(100 / 700)
    assert beta["ratio"] == pytest.approx(400 / 300)
    assert acme["flagged"] and beta["flagged"] and result["flagged_any"]  # 50 points > 20
    assert acme["sentence"] == (
        "Acme Labs has put in 70 % of the investment and received 20 % of the returns so far."
    )
    assert result["threshold"] == 20.0 and result["currency"] == "EUR"


def test_hours_count_at_the_hour_rate_and_threshold_is_theirs(world, initiative):
    n = world.network
    services.settings_update(
        actor=fresh(world.leader),
        network=n,
        initiative=initiative,
        currency="EUR",
        threshold_pct="60",
        hour_rate="50",
    )
    services.entry_create(
        actor=fresh(world.other_member), network=n, initiative=initiative,
        direction="investment", kind="hours", hours="10", date=TODAY(),
    )  # fmt: skip  # 500 EUR
    money(world.leader, n, "investment", "500", initiative=initiative)
    money(world.leader, n, "return", "1000", initiative=initiative)
    result = selectors.balance(initiative=initiative)
    acme, beta = result["rows"]
    assert (acme["invested"], beta["invested"]) == (Decimal("500.00"), Decimal("500.00"))
    assert acme["returned_share"] == 1.0 and beta["returned_share"] == 0.0
    assert not acme["flagged"]  # 50 points, within the 60-point threshold
    assert beta["ratio"] == 0.0
    # Only entries of the initiative count in its balance.
    money(world.other_leader, n, "return", "999")
    assert selectors.balance(initiative=initiative)["rows"][1]["returned"] == 0


def test_the_window_leaves_out_older_entries(world):
    n = world.network
    money(world.leader, n, "investment", "100", date=TODAY() - timedelta(days=400))
    money(world.other_leader, n, "investment", "100")
    result = selectors.balance(network=n, since=TODAY() - timedelta(days=365))
    assert [r["organization"] for r in result["rows"]] == ["Beta Works"]
    assert "in the last 12 months" in result["rows"][0]["sentence"]


def test_bad_input_is_refused_and_nothing_changes(world):
    n = world.network
    cases = [
        dict(kind="money", amount="-5", currency="EUR"),
        dict(kind="hours", hours="-1"),
        dict(kind="money", amount="abc", currency="EUR"),
        dict(kind="money", amount="10", currency="USD"),
        dict(kind="money", amount="10", currency="XXXX"),
        dict(kind="in_kind", stated_value=""),
        dict(kind="gold", amount="1"),
    ]
    for fields in cases:
        with pytest.raises(ValidationError):
            services.entry_create(
                actor=fresh(world.leader), network=n, direction="investment", date=TODAY(), **fields
            )
    with pytest.raises(ValidationError):
        money(world.leader, n, "investment", "10", date=TODAY() + timedelta(days=3))
    # A typed year 0001 (or 1999) is not a past the ledger has: refused with the reason.
    for ancient in (date(1, 1, 1), date(1999, 12, 31)):
        with pytest.raises(ValidationError) as exc:
            money(world.leader, n, "investment", "10", date=ancient)
        assert exc.value.message_dict["date"] == ["Give a date between the years 2000 and 2199."]
    assert not LedgerEntry.objects.exists()


def test_currency_mismatch_names_both_currencies(world):
    with pytest.raises(ValidationError) as exc:
        services.entry_create(
            actor=fresh(world.leader), network=world.network, direction="return", kind="money",
            amount="10", currency="usd", date=TODAY(),
        )  # fmt: skip
    assert "EUR" in str(exc.value) and "USD" in str(exc.value)


def test_the_database_refuses_negative_hours(world):
    entry = money(world.leader, world.network, "investment", "10")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(kind="hours", hours=Decimal("-1"))


def test_only_participants_write_an_initiatives_ledger_and_only_their_own(world, initiative):
    from tests.conftest import admit, make_org_leader

    third = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
    admit(world.network, third, world.leader)
    with pytest.raises(PermissionDenied):
        money(third, world.network, "investment", "10", initiative=initiative)
    entry = money(world.leader, world.network, "investment", "10")
    with pytest.raises(PermissionDenied):
        services.entry_delete(actor=fresh(world.other_leader), entry=entry)
    with pytest.raises(PermissionDenied):
        money(world.outsider, world.network, "investment", "10")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(
        st.tuples(st.booleans(), st.booleans(), st.integers(min_value=0, max_value=10**6)),
        min_size=1,
        max_size=8,
    )
)
def test_shares_add_up_to_one(world, amounts):
    LedgerEntry.objects.all().delete()
    for acme, investment, amount in amounts:
        person = world.leader if acme else world.other_leader
        money(person, world.network, "investment" if investment else "return", str(amount))
    result = selectors.balance(network=world.network)
    invested = sum(r["invested"] for r in result["rows"])
    returned = sum(r["returned"] for r in result["rows"])
    if invested:
        assert sum(r["invested_share"] for r in result["rows"]) == pytest.approx(1.0)
    if returned:
        assert sum(r["returned_share"] for r in result["rows"]) == pytest.approx(1.0)
    for r in result["rows"]:
        assert 0.0 <= r["invested_share"] <= 1.0 and 0.0 <= r["returned_share"] <= 1.0
        assert r["flagged"] == (abs(r["invested_share"] - r["returned_share"]) * 100 > 20)
