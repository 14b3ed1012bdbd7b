"""``consortia import-measurements FILE --network SLUG --as EMAIL``: import a CSV file.

The file is validated completely first (a progress bar on stderr), then written in one
transaction. Any error: every problem on its own line (``FILE:LINE:COLUMN: message``), then a
one-line summary, nothing imported, exit status 2. ``--any-organization`` (instead of
``--as``) is for operators migrating history: rows may be for any active member organization.
"""

from __future__ import annotations

import os
import sys
import time

PROG = "consortia import-measurements"


class Progress:
    """A one-line progress bar on stderr (only when stderr is a terminal, unless forced)."""

    def __init__(self, label: str, total: int | None, *, enabled: bool):
        self.label, self.total, self.enabled = label, total, enabled
        self.started = time.monotonic()
        self.last = 0.0

    def update(self, done: int, *, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now - self.last < 0.1:
            return
        self.last = now
        if self.total:
            share = min(1.0, done / self.total)
            bar = "#" * int(share * 30)
            text = f"\r{self.label} [{bar:<30}] {share * 100:5.1f} % {done:,}/{self.total:,}"
        else:
            text = f"\r{self.label} {done:,} rows"
        sys.stderr.write(f"{text} ({now - self.started:.1f} s)")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _count_lines(path: str) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def main(argv: list[str]) -> int:
    from consortia.cli import CliError, ConciseArgumentParser

    parser = ConciseArgumentParser(
        prog=PROG,
        description="Import measurements from a UTF-8 CSV file with the columns metric, "
        "organization (slug), period (2026-03-15, 2026-03, 2026-Q1 or 2026-W11), value, and "
        "optionally initiative (id), visibility (organization|initiative|network), unit. "
        "Nothing is imported unless the whole file is valid.",
    )
    parser.add_argument("file", help="the CSV file")
    parser.add_argument("--network", required=True, help="the network's slug")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--as", dest="email", help="import as this person (their organization)")
    who.add_argument(
        "--any-organization",
        action="store_true",
        help="operator import: rows may be for any active member organization",
    )
    parser.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="show a progress bar on stderr (auto: when stderr is a terminal)",
    )
    args = parser.parse_args(argv)

    from django.core.exceptions import PermissionDenied

    from consortia.metrics import services
    from consortia.networks.models import Network, Person

    if not os.path.isfile(args.file):
        raise CliError(f"{args.file}: no such file", 2, prog=PROG)
    network = Network.objects.filter(slug=args.network).first()
    if network is None:
        raise CliError(f"no network “{args.network}”", 2, prog=PROG)
    actor = None
    if args.email:
        actor = (
            Person.objects.select_related("org_membership__organization")
            .filter(email__iexact=args.email, is_active=True)
            .first()
        )
        if actor is None or actor.organization is None:
            raise CliError(f"no active person {args.email} with an organization", 2, prog=PROG)
    enabled = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    total = _count_lines(args.file) - 1 if enabled else None
    checking = Progress("checking ", total, enabled=enabled)
    try:
        with open(args.file, "rb") as stream:
            from consortia.metrics import imports

            parsed = imports.parse_csv(
                stream,
                actor=actor,
                network=network,
                any_organization=args.any_organization,
                progress=lambda line: checking.update(line),
            )
    except PermissionDenied as exc:
        raise CliError(str(exc), 2, prog=PROG) from None
    checking.update(total or len(parsed.rows), final=True)
    if parsed.errors:
        for error in parsed.errors:
            where = str(error.line)
            if error.column_number:
                where += f":{error.column_number}"
            column = f" ({error.column})" if error.column else ""
            print(f"{args.file}:{where}{column}: {error.message}", file=sys.stderr)
        more = " (stopped after the first ones)" if parsed.too_many_errors else ""
        raise CliError(
            f"{len(parsed.errors)} error(s){more} in {args.file}: nothing imported", 2, prog=PROG
        )
    if actor is not None:
        from consortia.networks import permissions as network_permissions

        try:
            network_permissions.require_acting_member(actor, network)
        except PermissionDenied as exc:
            raise CliError(str(exc), 2, prog=PROG) from None
    writing = Progress("importing", len(parsed.rows), enabled=enabled)
    started = time.monotonic()
    created, updated = services.write_rows(
        parsed.rows, actor=actor, progress=lambda done: writing.update(done)
    )
    writing.update(len(parsed.rows), final=True)
    services._summary_event(actor, network, created, updated, "from the command line")
    print(
        f"imported {created + updated:,} measurement(s) from {args.file}: {created:,} new, "
        f"{updated:,} updated ({time.monotonic() - started:.1f} s to write)"
    )
    return 0
