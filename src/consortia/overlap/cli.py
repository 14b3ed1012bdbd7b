"""``consortia overlap run|list|show|export``: overlap discovery from the command line.

``run`` reads the CSV here, on the organization's machine, blinds its keys with a fresh secret
(on every core, with a progress bar on stderr) and takes part in the run through the same
services as the web pages, as the person named by ``--as`` (like ``import-measurements``). When
the partner's values are needed it waits for them, polling the database, up to ``--wait``
seconds. The records it receives are stored sealed with a key written to ``--key-dir`` (only
this machine can open them: ``export`` reads that key).

Bad input (a missing file, a CSV without a key column, too few keys, a partner who has not
accepted…) prints one line and exits with status 2; nothing is changed.
"""

from __future__ import annotations

import csv
import math
import os
import sys
import time
from pathlib import Path

PROG = "consortia overlap"
DEFAULT_WAIT = 600.0
POLL = 1.0


def _key_dir(value: str | None) -> Path:
    raw = value or os.environ.get("CONSORTIA_OVERLAP_KEYS", "").strip()
    return Path(raw).expanduser() if raw else Path.home() / ".config" / "consortia" / "overlap-keys"


def build_parser():
    from consortia.cli import ConciseArgumentParser

    parser = ConciseArgumentParser(
        prog=PROG,
        description="Overlap discovery: find the accounts you have in common with a partner "
        "without revealing the rest (private set intersection in the ristretto255 group).",
    )
    commands = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    run = commands.add_parser(
        "run",
        help="compare a population with an accepted partner",
        description="Read FILE (CSV, UTF-8, with a `key` column and optionally name, owner, "
        "stage) here, blind it and compare it with the partner. Joins the partner's open run "
        "if it started one for you, otherwise starts a run and waits for the partner.",
    )
    run.prog = f"{PROG} run"
    run.add_argument("file", help="the population's CSV file (never sent anywhere)")
    run.add_argument("--network", required=True, help="the network's slug")
    run.add_argument(
        "--with", dest="partner", required=True, help="the partner organization's slug"
    )
    run.add_argument("--population", required=True, help="your population's slug, e.g. customers")
    run.add_argument("--as", dest="email", required=True, help="act as this person")
    run.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WAIT,
        help=f"seconds to wait for the partner at each step (default {DEFAULT_WAIT:g})",
    )
    run.add_argument("--output", help="also write the received records to this CSV file")
    run.add_argument("--key-dir", help="where the keys of received records are kept")
    run.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes")
    run.add_argument("--progress", choices=("auto", "always", "never"), default="auto")

    listing = commands.add_parser("list", help="the run log of your organization in a network")
    listing.prog = f"{PROG} list"
    listing.add_argument("--network", required=True)
    listing.add_argument("--as", dest="email", required=True)

    show = commands.add_parser("show", help="one run: sides, set sizes, the matrix")
    show.prog = f"{PROG} show"
    show.add_argument("run", help="the run's id")
    show.add_argument("--as", dest="email", required=True)

    export = commands.add_parser(
        "export", help="the records (or, with --matrix, the counts) a run gave you, as CSV"
    )
    export.prog = f"{PROG} export"
    export.add_argument("run", help="the run's id")
    export.add_argument("--as", dest="email", required=True)
    export.add_argument("--matrix", action="store_true", help="export the matrix of counts")
    export.add_argument("--output", help="write to this file instead of standard output")
    export.add_argument("--key-dir", help="where `overlap run` kept the records' key")
    return parser


def main(argv: list[str]) -> int:
    from consortia.cli import CliError

    args = build_parser().parse_args(argv)
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    try:
        return {"run": cmd_run, "list": cmd_list, "show": cmd_show, "export": cmd_export}[
            args.action
        ](args)
    except (ValidationError, PermissionDenied, Http404) as exc:
        messages = getattr(exc, "messages", None) or [str(exc) or "not allowed"]
        raise CliError(" ".join(messages), 2, prog=f"{PROG} {args.action}") from None


# Helpers -----------------------------------------------------------------------------------------


def _fail(message: str, code: int = 2, action: str = ""):
    from consortia.cli import CliError

    raise CliError(message, code, prog=f"{PROG} {action}".strip())


def _person(email: str, action: str):
    from consortia.networks.models import Person

    person = (
        Person.objects.select_related("org_membership__organization")
        .filter(email__iexact=email, is_active=True)
        .first()
    )
    if person is None or person.organization is None:
        _fail(f"no active person {email} with an organization", action=action)
    return person


def _network(person, slug: str, action: str):
    from django.http import Http404

    from . import permissions

    try:
        return permissions.get_network_for(person, slug)
    except Http404:
        _fail(
            f"no network “{slug}” in which {person.organization} is an active member",
            action=action,
        )


def _run_for(person, run_id: str, action: str):
    import uuid

    from . import permissions
    from .models import Run

    try:
        key = uuid.UUID(run_id)
    except ValueError:
        _fail(f"“{run_id}” is not a run id", action=action)
    run = Run.objects.select_related("network").filter(uuid=key).first()
    if run is None:
        _fail(f"no run {run_id} visible to {person.email}", action=action)
    try:
        permissions.get_network_for(person, run.network.slug)
        return permissions.get_run_for(person, run.network, key)
    except Exception:  # Http404: the same answer as for a run that does not exist
        _fail(f"no run {run_id} visible to {person.email}", action=action)


def _progress_bar(mode: str):
    from consortia.metrics.cli import Progress

    enabled = mode == "always" or (mode == "auto" and sys.stderr.isatty())
    bars: dict[str, Progress] = {}

    def update(label: str, done: int, total: int) -> None:
        if not enabled:
            return
        bar = bars.get(label)
        if bar is None:
            bar = bars[label] = Progress(f"{label:<24}", total, enabled=True)
        bar.update(done, final=done >= total)

    return update


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _wait(run, test, what: str, seconds: float):
    """Poll the run until `test(run, sides)` holds; a clear message, then a timeout."""
    from .models import Run, RunSide

    deadline = time.monotonic() + seconds
    _say(f"Waiting for {what} (up to {seconds:g} s; Ctrl-C stops)…")
    from .client import retry_locked

    def look():
        run.refresh_from_db()
        return {
            s.organization_id: s for s in RunSide.objects.filter(run=run).defer("sealed_result")
        }

    while True:
        sides = retry_locked(look)
        if run.status in (Run.Status.CANCELLED, Run.Status.EXPIRED):
            _fail(f"the run was {run.status}", 1, "run")
        if test(run, sides):
            return sides
        if time.monotonic() > deadline:
            return None
        time.sleep(POLL)


# run ---------------------------------------------------------------------------------------------


def cmd_run(args) -> int:
    from consortia.networks.models import Organization

    from . import client, keys, protocol, services
    from .models import Population, Run

    person = _person(args.email, "run")
    network = _network(person, args.network, "run")
    if not math.isfinite(args.wait) or args.wait <= 0:
        _fail("--wait must be a number of seconds more than 0", action="run")
    if args.workers < 1:
        _fail("--workers must be 1 or more", action="run")
    # What would only fail once the whole exchange is done is checked before it starts.
    if args.output:
        _check_writable(args.output)
    _check_key_dir(args.key_dir)
    partner = Organization.objects.filter(slug=args.partner).first()
    if partner is None:
        _fail(f"no organization “{args.partner}”", action="run")
    population = Population.objects.filter(
        organization_id=person.organization.pk, slug=args.population
    ).first()
    if population is None:
        _fail(f"{person.organization} has no population “{args.population}”", action="run")
    if os.path.isdir(args.file):
        _fail(f"{args.file} is a folder, not a file", action="run")
    if not os.path.isfile(args.file):
        _fail(f"{args.file}: no such file", action="run")
    restricted = services.restricted_list_of(person.organization)
    digests = set(restricted.digests)
    try:
        with open(args.file, "rb") as handle:
            data = handle.read()
        read = keys.read_csv(
            data,
            is_restricted=(lambda k: services.restricted_digest(restricted.salt, k) in digests)
            if digests
            else None,
            minimum=services.min_set_size(),
        )
    except keys.CsvError as exc:
        _fail(f"{args.file}: {exc}", action="run")
    _say(f"{args.file}: {read.report()}.")

    # Join the partner's open run waiting for us, or start one.
    waiting = (
        Run.objects.filter(
            network=network,
            initiator=partner,
            status=Run.Status.OPEN,
            sides__organization_id=person.organization.pk,
            sides__joined_at__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )
    if waiting is not None:
        run = waiting
        services.run_join(
            actor=person, run=run, population_ids=[population.pk], speaks=client.SPEAKS
        )
        _say(f"Joined the run {partner} started ({run.uuid}).")
    else:
        run = services.run_start(
            actor=person,
            network=network,
            partner=partner,
            population_ids=[population.pk],
            speaks=client.SPEAKS,
        )
        _say(f"Started run {run.uuid} with {partner}; it is waiting for {partner} to take part.")
    run = Run.objects.select_related("network", "partnership").get(pk=run.pk)
    engine = protocol.Engine(workers=max(1, args.workers), progress=_progress_bar(args.progress))
    try:
        return _protocol(args, person, run, population, read, engine, partner)
    except KeyboardInterrupt:
        services.run_cancel(actor=person, run=run)
        _fail("interrupted: the run was cancelled", 1, "run")
    except protocol.ProtocolError as exc:
        services.run_cancel(actor=person, run=run)
        _fail(f"{partner}'s data cannot be used ({exc}): the run was cancelled", 1, "run")
    finally:
        engine.close()


def _protocol(args, person, run, population, read, engine, partner) -> int:
    from . import services
    from .client import LocalSide, retry_locked
    from .models import Run

    side = LocalSide(person=person, run=run, engine=engine)
    retry_locked(lambda: side.blind({population.pk: read}))
    waited = _wait(
        run,
        lambda r, s: all(x.blinded_at for x in s.values()),
        f"{partner} to send its blinded lists",
        args.wait,
    )
    if waited is None:
        services.run_cancel(actor=person, run=run)
        _fail(
            f"{partner} did not send its blinded lists within {args.wait:g} s: the run was "
            "cancelled (its secret existed only in this process)",
            1,
            "run",
        )
    retry_locked(side.double)
    waited = _wait(
        run,
        lambda r, s: r.status in (Run.Status.MATCHED, Run.Status.COMPLETE),
        f"{partner} to double-blind your list",
        args.wait,
    )
    if waited is None:
        services.run_cancel(actor=person, run=run)
        _fail(f"{partner} did not finish within {args.wait:g} s: the run was cancelled", 1, "run")
    records = retry_locked(side.open)
    if records is not None:
        _store_key(args.key_dir, str(run.uuid), person.organization, side.key)
    run.refresh_from_db()
    _print_run(person, run)
    if records is not None:
        if args.output:
            with open(args.output, "w", newline="", encoding="utf-8") as handle:
                _write_records(handle, records)
            print(f"{len(records)} record(s) written to {args.output}")
        else:
            print(
                f"{len(records)} overlapping record(s) received; "
                f"`consortia overlap export {run.uuid} --as {person.email}` writes them as CSV."
            )
    return 0


def _check_writable(path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        reason = "it is a folder" if os.path.isdir(path) else f"no writable folder {folder}"
        _fail(f"cannot write {path}: {reason}", action="run")


def _check_key_dir(directory: str | None) -> None:
    folder = _key_dir(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        _fail(f"cannot keep keys in {folder}: {exc.strerror or exc}", action="run")
    if not os.access(folder, os.W_OK):
        _fail(f"cannot keep keys in {folder}: not writable", action="run")


def _key_path(directory: str | None, run_id: str, organization) -> Path:
    # One file per run and side: both partners may use the CLI on one machine.
    return _key_dir(directory) / f"{run_id}-{organization.slug}.key"


def _store_key(directory: str | None, run_id: str, organization, key: bytes) -> Path:
    path = _key_path(directory, run_id, organization)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key.hex() + "\n")
    return path


RECORD_COLUMNS = (
    "key",
    "your_population",
    "your_name",
    "their_population",
    "their_name",
    "their_owner",
    "their_stage",
)


def _safe(value) -> str:
    value = "" if value is None else str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _write_records(handle, records) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(RECORD_COLUMNS)
    for r in records:
        writer.writerow(
            [
                _safe(v)
                for v in (
                    r["key"][2:],
                    r["population"],
                    (r.get("your_fields") or {}).get("name", ""),
                    r["their_population"],
                    r["fields"].get("name", ""),
                    r["fields"].get("owner", ""),
                    r["fields"].get("stage", ""),
                )
            ]
        )


# list / show / export ---------------------------------------------------------------------------


def protocol_label(run) -> str:
    return f"v{run.protocol}" if run.protocol is not None else "not recorded"


def _print_run(person, run) -> None:
    from . import selectors
    from .models import Run

    run = Run.objects.select_related(
        "network", "initiator", "started_by", "partnership__proposer", "partnership__counterparty"
    ).get(pk=run.pk)
    view = selectors.describe_run(run, person.organization.pk)
    print(f"Run {run.uuid} — {run.get_status_display()}")
    print(f"  started {run.created_at:%Y-%m-%d %H:%M} UTC by {run.started_by} ({run.initiator})")
    print(f"  protocol {protocol_label(run)}")
    for label, side in (("you", view["own"]), ("them", view["other"])):
        pops = ", ".join(
            f"{p['name']} {p.get('size', '—')} keys ({p['level']})" for p in side.populations
        )
        print(f"  {label:<4} {side.organization}: {pops or 'no population chosen yet'}")
    if view["matrix"]:
        columns = view["matrix"]["columns"]
        width = max([len(r["name"]) for r in view["matrix"]["rows"]] + [12])
        print("  matrix (your populations by theirs):")
        print("    " + " " * width + "  " + "  ".join(f"{c:>12}" for c in columns))
        for row in view["matrix"]["rows"]:
            cells = "  ".join(f"{n:>12,}" for n in row["cells"])
            print(f"    {row['name']:<{width}}  {cells}")
    elif run.results_purged_at:
        print("  results expired")


def cmd_list(args) -> int:
    from . import selectors, services

    person = _person(args.email, "list")
    network = _network(person, args.network, "list")
    services.purge_expired()
    runs = list(selectors.runs_for(person, network, limit=100))
    if not runs:
        print("No run yet.")
        return 0
    own = person.organization.pk
    for run in runs:
        total = sum(c["count"] for c in run.matrix or [])
        sizes = "; ".join(
            f"{s.organization}: "
            + ", ".join(f"{p['name']} {p.get('size', '—')}" for p in s.populations)
            for s in run.sides.all()
        )
        print(
            f"{run.uuid}  {run.created_at:%Y-%m-%d %H:%M}  with {run.partnership.other(own)}  "
            f"{run.status:<9}  overlaps {total:,}  ({sizes})"
        )
    return 0


def cmd_show(args) -> int:
    from . import services

    person = _person(args.email, "show")
    services.purge_expired()
    run = _run_for(person, args.run, "show")
    _print_run(person, run)
    return 0


def cmd_export(args) -> int:
    from . import protocol, selectors, services
    from .views import matrix_text

    person = _person(args.email, "export")
    services.purge_expired()
    run = _run_for(person, args.run, "export")
    own, _ = services.side_of(run, person.organization.pk)
    if args.matrix:
        view = selectors.describe_run(run, person.organization.pk)
        if view["matrix"] is None:
            _fail(
                "this run has no matrix (not counted yet, or its results expired)", action="export"
            )
        text = matrix_text(view)
    else:
        if not own.sealed_result:
            _fail(
                "your side received no records in this run (or they expired); "
                "--matrix exports the counts",
                action="export",
            )
        path = _key_path(args.key_dir, str(run.uuid), person.organization)
        try:
            key = bytes.fromhex(path.read_text().strip())
        except (OSError, ValueError):
            _fail(
                f"the records' key is not on this machine ({path}): they were opened in a "
                "browser or on another machine, and only there can they be read",
                action="export",
            )
        try:
            data = protocol.open_result(key, bytes(own.sealed_result))
        except protocol.ProtocolError as exc:
            _fail(str(exc), action="export")
        import io

        buffer = io.StringIO()
        _write_records(buffer, data["records"])
        text = buffer.getvalue()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
