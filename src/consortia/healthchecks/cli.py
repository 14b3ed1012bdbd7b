"""``consortia health-checks list|show [ID] --as EMAIL [--waiting] [--json]``.

Reads health checks as a person, through the same permissions and selectors as the pages and
the API: `list` shows those the person's organization takes part in (`--waiting`: those still
waiting for the person's answer), `show ID` one of them with what the person may read (their
own side's scores until it is unsealed; then every side's and the perception gap). A health
check the person may not see is "no health check", exit 2, as for one that does not exist.
"""

from __future__ import annotations

import json

PROG = "consortia health-checks"


def main(argv: list[str]) -> int:
    from consortia.cli import CliError, ConciseArgumentParser

    parser = ConciseArgumentParser(
        prog=PROG, description="List or show partnership health checks as a person."
    )
    parser.add_argument("action", choices=["list", "show"], help="list, or show ID")
    parser.add_argument("id", nargs="?", metavar="ID", help="the health check's id (show)")
    parser.add_argument("--as", dest="email", required=True, metavar="EMAIL", help="as this person")
    parser.add_argument("--waiting", action="store_true", help="list: only those waiting for you")
    parser.add_argument("--json", action="store_true", help="print JSON (as the API answers)")
    args = parser.parse_args(argv)

    from django.http import Http404
    from django.utils import timezone

    from consortia.networks.models import Person

    from . import permissions, selectors, services
    from .api import _detail, _summary

    person = (
        Person.objects.select_related("org_membership__organization")
        .filter(email__iexact=args.email.strip(), is_active=True)
        .first()
    )
    if person is None or person.organization is None:
        raise CliError(f"no active person {args.email} with an organization", 2, prog=PROG)
    now = timezone.now()
    if args.action == "list":
        if args.id is not None:
            raise CliError("list takes no ID", 2, prog=PROG)
        checks = (
            selectors.waiting_for(person, now=now)
            if args.waiting
            else permissions.checks_visible_to(person).order_by("-created_at", "-id")
        )
        rows = [
            _summary(c, now)
            for c in checks.select_related("network").prefetch_related("sides__organization")
        ]
        if args.json:
            print(json.dumps(rows, default=str, indent=2))
            return 0
        for row in rows:
            state = "unsealed" if row["unsealed"] else "sealed"
            answered = sum(s["answered"] for s in row["sides"])
            print(
                f"{row['id']}\t{row['network']}\t{state}\t{answered}/{len(row['sides'])} answered"
                f"\t{row['title']}"
            )
        return 0
    if not args.id:
        raise CliError(
            "show needs the health check's ID (`consortia health-checks list` lists them)",
            2,
            prog=PROG,
        )
    try:
        pk = int(args.id)
        if not 1 <= pk <= 2**63 - 1:
            raise ValueError
    except ValueError:
        raise CliError(
            f"ID must be a positive whole number, not {args.id!r}", 2, prog=PROG
        ) from None
    try:
        check = permissions.get_check_for(person, pk)
    except Http404:
        raise CliError(f"no health check {pk} that {args.email} may see", 2, prog=PROG) from None
    services.unseal_if_due(check, now=now)
    data = _detail(person, check)
    if args.json:
        print(json.dumps(data, default=str, indent=2))
        return 0
    print(f"{data['title']} ({'unsealed' if data['unsealed'] else 'sealed'})")
    for dim in data["dimensions"]:
        scores = ", ".join(
            f"{s['organization']} {s['score'] if s['score'] is not None else '—'}"
            for s in dim["sides"]
        )
        gap = f"gap {dim['gap']}" if dim["gap"] is not None else "gap —"
        print(f"  {dim['label']}: {scores}; {gap}")
    return 0
