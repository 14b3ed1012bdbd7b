"""CSV exports: streamed, the page's own permissions and rows, spreadsheet-injection safe."""

import csv
import io
from datetime import date
from decimal import Decimal

from consortia.core import csv_export
from consortia.decisions import services as decisions
from consortia.ledger import services as ledger
from consortia.networks import services as network_services
from tests.conftest import fresh, make_org_leader


def read(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_cells_that_would_run_as_formulas_are_neutralized():
    assert csv_export.cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    for dangerous in ("+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_export.cell(dangerous).startswith("'"), dangerous
    assert csv_export.cell(Decimal("-5.5")) == Decimal("-5.5")  # a number stays a number
    assert csv_export.cell(None) == "" and csv_export.cell(True) == "yes"
    assert csv_export.cell(date(2026, 3, 1)) == "2026-03-01"


def test_members_export_is_the_member_list(world, as_member, as_outsider, as_applicant):
    network_services.organization_update(
        actor=world.leader, organization=world.acme, name="=cmd|' /C calc'!A0"
    )
    rows = read(as_member.get("/n/northwind/csv/members/"))
    assert list(rows[0]) == [
        "organization",
        "organization_slug",
        "status",
        "joined_at",
        "people",
        "charter_accepted",
    ]
    names = {row["organization"] for row in rows}
    assert names == {"'=cmd|' /C calc'!A0", "Beta Works"}  # not the applicant Gamma
    # Whoever may not open the members page may not export it, with the page's own answer
    # (Northwind is a listed network: outsiders know it exists, and are told no).
    for client in (as_outsider, as_applicant):
        page = client.get("/n/northwind/members/").status_code
        assert page in (403, 404)
        assert client.get("/n/northwind/csv/members/").status_code == page
    assert as_member.get("/n/northwind/csv/nothing/").status_code == 404


def test_ledger_export_follows_the_ledger_page(world, as_member, as_outsider):
    ledger.entry_create(
        actor=fresh(world.leader),
        network=world.network,
        direction="investment",
        kind="money",
        amount=Decimal("1200.50"),
        currency="EUR",
        date=date(2026, 1, 15),
        note="@risky note",
    )
    (row,) = read(as_member.get("/n/northwind/csv/ledger/"))
    assert row["organization"] == "Acme Labs" and row["value"] == "1200.50"
    assert row["note"] == "'@risky note"
    assert as_outsider.get("/n/northwind/csv/ledger/").status_code == 404
    assert as_member.get("/n/northwind/csv/ledger/?initiative=abc").status_code == 404
    assert as_member.get("/n/northwind/csv/ledger/?initiative=999999").status_code == 404


def test_measurements_export_is_streamed_through_the_visibility_rule(world, as_member, as_outsider):
    rows = read(as_member.get("/n/northwind/csv/measurements/"))
    assert rows == []
    assert as_outsider.get("/n/northwind/csv/measurements/").status_code == 404


def test_poll_results_export_only_when_the_page_shows_them(world, as_member, as_outsider):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    poll = decisions.poll_create(
        actor=world.leader,
        network=world.network,
        title="Adopt the plan?",
        kind="yes_no",
        closes_at=now + timedelta(hours=2),
        now=now,
    )
    decisions.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    url = f"/n/northwind/csv/polls/{poll.pk}/"
    rows = read(as_member.get(url))
    assert {row["option"]: row["value"] for row in rows}["yes"] == "1"
    assert (
        as_outsider.get(url).status_code
        == as_outsider.get(f"/n/northwind/decisions/{poll.pk}/").status_code
    )
    assert as_outsider.get(url).status_code in (403, 404)
    hidden = decisions.poll_create(
        actor=world.leader,
        network=world.network,
        title="Secret until the end",
        kind="yes_no",
        closes_at=now + timedelta(hours=2),
        hide_results_until_close=True,
        now=now,
    )
    assert as_member.get(f"/n/northwind/csv/polls/{hidden.pk}/").status_code == 404


def test_my_commitments_and_requests_exports(world, as_member, client):
    assert read(as_member.get("/me/csv/commitments/")) == []
    assert read(as_member.get("/me/csv/requests/")) == []
    assert as_member.get("/me/csv/nothing/").status_code == 404
    assert client.get("/me/csv/commitments/").status_code == 302  # sign in first


def test_exports_take_a_fixed_number_of_queries(world, as_member, django_assert_num_queries):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            read(as_member.get("/n/northwind/csv/members/"))
        return len(queries)

    before = count()
    for n in range(5):
        newcomer = make_org_leader(f"n{n}@new.test", f"N{n}", f"New {n}")
        from tests.conftest import admit

        admit(world.network, newcomer, world.leader)
    assert count() == before
