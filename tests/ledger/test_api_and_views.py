"""The ledger pages and API: entries, balance, settings; outsiders and non-participants 404."""

import pytest
from django.urls import reverse
from django.utils import timezone

from consortia.ledger.models import LedgerEntry
from tests.api.conftest import api_as
from tests.conftest import login

pytestmark = pytest.mark.django_db


def entry(**fields):
    body = {
        "direction": "investment",
        "kind": "money",
        "amount": "1500.50",
        "currency": "EUR",
        "date": timezone.localdate().isoformat(),
    }
    body.update(fields)
    return body


def test_api_entries_balance_and_delete(world):
    api = api_as(world.leader)
    response = api.post("/networks/northwind/ledger/entries", entry())
    assert response.status_code == 201 and response.json()["value"] in ("1500.50", "1500.5")
    api_as(world.other_member).post(
        "/networks/northwind/ledger/entries", entry(direction="return", amount=300)
    )
    balance = api.get("/networks/northwind/ledger/balance").json()
    assert [r["organization"] for r in balance["rows"]] == ["Acme Labs", "Beta Works"]
    assert balance["rows"][0]["invested_share"] == 1.0 and balance["flagged_any"] is True
    assert api.get("/networks/northwind/ledger/entries").json()["count"] == 2
    other_id = LedgerEntry.objects.get(organization=world.beta).pk
    assert api.delete(f"/ledger/entries/{other_id}").status_code == 403
    assert api_as(world.other_member).delete(f"/ledger/entries/{other_id}").status_code == 204


def test_api_bad_input_is_422(world):
    api = api_as(world.leader)
    for body in (entry(amount="-1"), entry(currency="USD"), entry(kind="hours", hours="-2")):
        response = api.post("/networks/northwind/ledger/entries", body)
        assert response.status_code == 422, body
    assert not LedgerEntry.objects.exists()


def test_api_outsiders_get_404(world, initiative):
    api = api_as(world.outsider)
    assert api.get("/networks/northwind/ledger/balance").status_code == 404
    assert api.post("/networks/northwind/ledger/entries", entry()).status_code == 404
    assert api.get(f"/initiatives/{initiative.pk}/ledger/balance").status_code == 404


def test_initiative_ledger_is_for_participants(world, initiative):
    from tests.conftest import admit, make_org_leader

    third = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
    admit(world.network, third, world.leader)
    assert api_as(third).get(f"/initiatives/{initiative.pk}/ledger/balance").status_code == 404
    url = reverse("ledger_initiative", args=["northwind", initiative.pk])
    assert login(third).get(url).status_code == 404
    response = api_as(world.leader).post(
        "/networks/northwind/ledger/entries",
        entry(initiative_id=initiative.pk, kind="hours", hours=5, amount=None),
    )
    assert response.status_code == 201
    assert login(world.other_member).get(url).status_code == 200


def test_the_ledger_page_records_and_shows_the_balance(world, as_leader):
    url = reverse("ledger_network", args=["northwind"])
    response = as_leader.post(
        url,
        {"form": "entry", "direction": "investment", "kind": "money", "amount": "420",
         "currency": "EUR", "date": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    html = as_leader.get(url).content.decode()
    assert "Acme Labs has put in 100 % of the investment" in html
    response = as_leader.post(
        url,
        {"form": "entry", "direction": "investment", "kind": "hours", "hours": "-3",
         "date": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert response.status_code == 422 and "cannot be negative" in response.content.decode()
    response = as_leader.post(
        url, {"form": "settings", "currency": "EUR", "threshold_pct": "15", "hour_rate": "60"}
    )
    assert response.status_code == 302
    assert LedgerEntry.objects.count() == 1


def test_ledger_pages_are_404_for_outsiders(world, as_outsider):
    assert as_outsider.get(reverse("ledger_network", args=["northwind"])).status_code == 404
