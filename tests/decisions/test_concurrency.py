"""50 concurrent submissions by one organization leave exactly one current ballot."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from consortia.decisions import services, verify
from consortia.decisions.models import Ballot, BallotRecord, Poll
from tests.conftest import fresh
from tests.decisions.conftest import open_poll

N = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_ballots_leave_one_current_ballot(world):
    poll = open_poll(world, "score")
    barrier = threading.Barrier(N)
    errors: list[BaseException] = []
    receipts: list[str] = []

    leaders = [fresh(world.leader) for _ in range(N)]
    polls = [Poll.objects.get(pk=poll.pk) for _ in range(N)]

    def vote(i: int) -> None:
        try:
            barrier.wait()
            _, receipt = services.ballot_cast(
                actor=leaders[i],
                poll=polls[i],
                choice={"Alpha": i % 6, "Bravo": (i // 6) % 6, "Charlie": i % 5},
            )
            receipts.append(receipt)
        except ValidationError:
            pass  # the same ballot twice in a row: refused, nothing changed
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(i,)) for i in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Ballot.objects.filter(poll=poll).count() == 1
    records = BallotRecord.objects.filter(poll=poll)
    assert records.count() == len(receipts) >= 1
    assert sorted(records.values_list("seq", flat=True)) == list(range(1, len(receipts) + 1))
    ballot = Ballot.objects.get(poll=poll)
    assert ballot.changes == len(receipts) - 1
    assert ballot.receipt == records.order_by("-seq").first().hash
    assert verify.verify_poll(poll).ok
