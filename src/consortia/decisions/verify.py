"""``consortia verify-poll ID``: check a poll's ballot log has not been altered.

It recomputes the hash chain (each record's hash is sha256 of the previous hash and the record's
canonical JSON), reports the first record that does not match, and checks that the current
ballots agree with the log (open polls: each organization's ballot is its latest record; every
poll: one counted ballot per ballot row) and, once settled, that a recount of the log gives the
published result. Exit status 0 when everything matches, 1 when something was tampered with,
2 for bad usage (unknown poll, bad argument).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

PROG = "consortia verify-poll"


@dataclass
class Report:
    poll_id: int
    records: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_poll(poll) -> Report:
    from consortia.decisions.models import Ballot, BallotRecord
    from consortia.decisions.services import (
        GENESIS,
        canonical_json,
        chain_hash,
        compute_result,
        record_payload,
    )

    report = Report(poll_id=poll.pk)
    previous = GENESIS
    latest: dict[str, BallotRecord] = {}
    expected_seq = 1
    for record in BallotRecord.objects.filter(poll=poll).order_by("seq").iterator():
        report.records += 1
        if record.seq != expected_seq:
            report.problems.append(f"record {expected_seq} is missing (found {record.seq} instead)")
            return report
        if record.previous_hash != previous:
            report.problems.append(
                f"record {record.seq} does not follow record {record.seq - 1}: the chain is broken"
            )
            return report
        if chain_hash(previous, record_payload(record)) != record.hash:
            report.problems.append(
                f"record {record.seq} was altered: its hash does not match its content"
            )
            return report
        previous = record.hash
        expected_seq += 1
        latest[record.ballot_key] = record
    ballots = list(Ballot.objects.filter(poll=poll))
    if len(ballots) != len(latest):
        report.problems.append(
            f"{len(ballots)} organizations have voted but the log holds {len(latest)} ballots"
        )
    if not poll.secret:
        by_org = {r.organization_id: r for r in latest.values()}
        for ballot in ballots:
            record = by_org.get(ballot.organization_id)
            if (
                record is None
                or record.hash != ballot.receipt
                or canonical_json(record.choice) != canonical_json(ballot.choice)
            ):
                report.problems.append(
                    f"the current ballot of organization {ballot.organization_id} does not match "
                    "its latest log record"
                )
    if poll.result is not None:
        recount = compute_result(poll, electorate=poll.result.get("electorate"))
        if canonical_json(recount["tally"]) != canonical_json(poll.result.get("tally")):
            report.problems.append("the published result differs from a recount of the log")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="Check a poll's ballot log.")
    parser.add_argument("poll_id", metavar="ID", help="the poll's id")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and 2
    try:
        poll_id = int(args.poll_id)
        if poll_id < 1:
            raise ValueError
    except ValueError:
        print(
            f"{PROG}: error: ID must be a positive whole number, not {args.poll_id!r}",
            file=sys.stderr,
        )
        return 2
    from consortia.decisions.models import Poll

    poll = Poll.objects.filter(pk=poll_id).first()
    if poll is None:
        print(f"{PROG}: error: there is no poll {poll_id}", file=sys.stderr)
        return 2
    report = verify_poll(poll)
    if report.ok:
        print(
            f"poll {poll.pk} “{poll.title}”: {report.records} log records, chain intact, "
            "ballots and result match"
        )
        return 0
    for problem in report.problems:
        print(f"poll {poll.pk}: TAMPERED: {problem}")
    return 1
