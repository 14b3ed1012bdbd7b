"""``consortia match TEXT --network SLUG --as EMAIL [--top N] [--json]``: who could help?

The same ranking and the same permission as the page and the API: the person's organization
must be an active member of the network (otherwise: "no network", exit 2, as for one that does
not exist). `TEXT` may be `-` to read it from standard input. Plain output lists each
organization with its evidence; `--json` prints what the API returns.
"""

from __future__ import annotations

import json
import sys

PROG = "consortia match"


def _top(value: str) -> int:
    import argparse

    from .ranking import MAX_TOP

    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {value!r}") from None
    if not 1 <= number <= MAX_TOP:
        raise argparse.ArgumentTypeError(f"invalid number {value!r}: use 1 to {MAX_TOP}")
    return number


def main(argv: list[str]) -> int:
    from consortia.cli import CliError, ConciseArgumentParser

    parser = ConciseArgumentParser(
        prog=PROG,
        description="Rank the member organizations of a network by how well their stated "
        "profile (description, offerings, values, past initiatives) answers TEXT, with the "
        "evidence. Their needs and anything private are never used.",
    )
    parser.add_argument("text", metavar="TEXT", help="a challenge, a gap or a need; - reads stdin")
    parser.add_argument("--network", required=True, metavar="SLUG", help="the network's slug")
    parser.add_argument(
        "--as",
        dest="email",
        required=True,
        metavar="EMAIL",
        help="rank as this person (never their own organization)",
    )
    parser.add_argument("--top", type=_top, default=10, metavar="N", help="how many (default 10)")
    parser.add_argument("--json", action="store_true", help="print JSON (as the API answers)")
    args = parser.parse_args(argv)

    from django.http import Http404

    from consortia.networks.models import Person

    from . import ranking
    from .api import _hit
    from .permissions import get_network_for

    text = sys.stdin.read() if args.text == "-" else args.text
    person = (
        Person.objects.select_related("org_membership__organization")
        .filter(email__iexact=args.email.strip(), is_active=True)
        .first()
    )
    if person is None or person.organization is None:
        raise CliError(f"no active person {args.email} with an organization", 2, prog=PROG)
    try:
        network = get_network_for(person, args.network)
    except Http404:
        raise CliError(
            f"no network “{args.network}” of which {args.email}'s organization is an active member",
            2,
            prog=PROG,
        ) from None
    result = ranking.match(person, network, text, top=args.top)
    if result.error:
        raise CliError(result.error, 2, prog=PROG)
    if args.json:
        payload = {
            "query": result.query,
            "candidates": result.candidates,
            "results": [_hit(m) for m in result],
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    print(
        f"{result.candidates} member organization(s) of {network} ranked; the best {len(result)}:"
    )
    for n, m in enumerate(result, 1):
        print(
            f"\n{n}. {m.organization.name} ({m.organization.get_kind_display()}) — "
            f"{m.strength} match, score {m.score:.2f}"
        )
        print(f"   {m.why}")
        for evidence in m.phrases:
            print(f"   · {evidence.label}: {_plain(evidence)}")
        if m.closest:
            print(f"   ≈ {m.closest.label}: “{m.closest.text}”")
    return 0


def _plain(evidence) -> str:
    """The phrase with its matched words in [brackets]."""
    return (
        str(evidence.html)
        .replace("<mark>", "[")
        .replace("</mark>", "]")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#x27;", "'")
    )
