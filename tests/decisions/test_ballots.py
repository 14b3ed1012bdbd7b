"""The ballot log: hash chain, receipts, tamper detection by `consortia verify-poll`."""

from itertools import pairwise

import pytest

from consortia.decisions import services, verify
from consortia.decisions.models import Ballot, BallotRecord
from tests.decisions.conftest import after_close, open_poll


@pytest.fixture
def voted(world, now):
    poll = open_poll(world, "ranked", now=now)
    services.ballot_cast(actor=world.leader, poll=poll, choice=["Alpha", "Bravo"], now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice=["Charlie"], now=now)
    services.ballot_cast(actor=world.leader, poll=poll, choice=["Bravo"], now=now)
    return poll


def test_each_record_chains_to_the_previous_one(voted):
    records = list(BallotRecord.objects.filter(poll=voted))
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[0].previous_hash == services.GENESIS
    for before, after in pairwise(records):
        assert after.previous_hash == before.hash
        assert after.hash == services.chain_hash(before.hash, services.record_payload(after))


def test_an_intact_poll_verifies(voted, capsys):
    assert verify.verify_poll(voted).ok
    assert verify.main([str(voted.pk)]) == 0
    assert "chain intact" in capsys.readouterr().out


def test_changing_a_record_is_detected(voted, capsys):
    BallotRecord.objects.filter(poll=voted, seq=2).update(choice={"ranking": ["Alpha"]})
    report = verify.verify_poll(voted)
    assert report.problems == ["record 2 was altered: its hash does not match its content"]
    assert verify.main([str(voted.pk)]) == 1
    assert "TAMPERED: record 2" in capsys.readouterr().out


def test_rehashing_a_changed_record_breaks_the_chain(voted):
    record = BallotRecord.objects.get(poll=voted, seq=1)
    record.choice = {"ranking": ["Charlie"]}
    record.hash = services.chain_hash(record.previous_hash, services.record_payload(record))
    record.save()
    assert verify.verify_poll(voted).problems == [
        "record 2 does not follow record 1: the chain is broken"
    ]


def test_deleting_a_record_is_detected(voted):
    BallotRecord.objects.filter(poll=voted, seq=2).delete()
    assert "record 2 is missing" in verify.verify_poll(voted).problems[0]
    BallotRecord.objects.filter(poll=voted, seq=3).delete()
    assert verify.verify_poll(voted).problems  # the last one: the ballots no longer match


def test_changing_a_current_ballot_row_is_detected(voted, world):
    Ballot.objects.filter(poll=voted, organization=world.beta).update(choice={"ranking": ["Alpha"]})
    assert "does not match its latest log record" in verify.verify_poll(voted).problems[0]


def test_changing_the_published_result_is_detected(voted):
    services.poll_settle(voted, now=after_close(voted))
    voted.refresh_from_db()
    assert verify.verify_poll(voted).ok
    voted.result["tally"]["winners"] = ["Charlie"]
    voted.save(update_fields=["result"])
    assert verify.verify_poll(voted).problems == [
        "the published result differs from a recount of the log"
    ]


def test_a_secret_poll_verifies_too(world, now):
    poll = open_poll(world, "approval", now=now, secret=True)
    services.ballot_cast(actor=world.leader, poll=poll, choice=["Alpha"], now=now)
    services.ballot_cast(actor=world.other_leader, poll=poll, choice=["Bravo"], now=now)
    services.poll_settle(poll, now=after_close(poll))
    poll.refresh_from_db()
    assert verify.verify_poll(poll).ok
    BallotRecord.objects.filter(poll=poll, seq=1).update(choice={"approve": ["Bravo"]})
    assert not verify.verify_poll(poll).ok


def test_the_receipt_is_the_hash_of_the_record(world, now):
    poll = open_poll(world, now=now)
    _, receipt = services.ballot_cast(actor=world.leader, poll=poll, choice="yes", now=now)
    assert BallotRecord.objects.get(poll=poll).hash == receipt
    services.poll_settle(poll, now=after_close(poll))
    poll.refresh_from_db()
    assert services.poll_export(poll)["receipts"] == [receipt]


@pytest.mark.parametrize("argv, code", [(["0"], 2), (["abc"], 2), (["999999"], 2), ([], 2)])
def test_verify_poll_refuses_bad_usage(db, argv, code, capsys):
    assert verify.main(argv) == code
    err = capsys.readouterr().err
    assert err.count("\n") <= 2 and "error" in err
