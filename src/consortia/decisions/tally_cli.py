"""``consortia tally``: re-count a poll from its exported ballot file.

Usage (``argv`` is what follows ``consortia tally`` on the command line)::

    consortia tally --method METHOD FILE [--seats K] [--threshold T]
                    [--electorate N] [--quorum Q] [--rank-by sum|mean]

METHOD is one of schulze, ranked-pairs, irv, approval, score, plurality, consensus, yes-no.
FILE is the JSON ballot file (``-`` reads standard input); see :mod:`consortia.decisions.tally`
for its format. The result is printed as JSON (indent 2) and the exit status is 0. Any problem
(missing or unreadable file, invalid JSON, a file of the wrong shape, a bad option) prints one
line ``consortia tally: error: ...`` on standard error and exits with status 2.

This module does not import Django.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn

from consortia.decisions.tally import METHODS, TallyError, tally

PROG = "consortia tally"
METHOD_NAMES = [name.replace("_", "-") for name in METHODS]


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Re-count a poll from its exported ballot file and print the result as JSON.",
        epilog="methods: " + ", ".join(METHOD_NAMES),
    )
    parser.add_argument("--method", required=True, metavar="METHOD", help="the counting method")
    parser.add_argument("file", metavar="FILE", help="the ballot file (JSON), or - for stdin")
    parser.add_argument("--seats", type=int, metavar="K", help="winners to elect (approval, score)")
    parser.add_argument(
        "--threshold",
        metavar="T",
        help="majority, two-thirds, unanimity or a number such as 0.75, 3/4, 75%% "
        "(consensus, yes-no)",
    )
    parser.add_argument(
        "--electorate", type=int, metavar="N", help="people entitled to vote (consensus, yes-no)"
    )
    parser.add_argument(
        "--quorum", metavar="Q", help="share of the electorate that must vote (needs --electorate)"
    )
    parser.add_argument("--rank-by", choices=["sum", "mean"], help="score: rank by sum or mean")
    return parser


def _read(path: str) -> object:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise TallyError(f"cannot read {path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise TallyError(f"{path} is not UTF-8 text") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise TallyError(f"{path} is not valid JSON: {error}") from error
    except RecursionError as error:
        raise TallyError(f"{path} is nested too deeply to be a ballot file") from error


def _error(message: str) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run ``consortia tally`` with ``argv`` (the arguments after ``tally``); return the exit
    status: 0 with the result JSON on stdout, 2 with one error line on stderr."""
    if argv is None:
        argv = sys.argv[1:]
    try:
        args = _parser().parse_args(argv)
    except _UsageError as error:
        return _error(str(error))
    except SystemExit as exit_:  # --help
        return exit_.code if isinstance(exit_.code, int) else 0
    options = {
        "seats": args.seats,
        "threshold": args.threshold,
        "electorate": args.electorate,
        "quorum": args.quorum,
        "rank_by": args.rank_by,
    }
    try:
        result = tally(args.method, _read(args.file), **options)
    except TallyError as error:
        return _error(str(error))
    try:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    except UnicodeEncodeError:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
