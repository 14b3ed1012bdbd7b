"""The `consortia` command: serve, demo, migrate, worker, manage, bench.

Django is set up lazily, only by the commands that need it, so `consortia --help` and argument
errors are instant and never touch the database. Every failure the operator can fix (a bad
argument, a malformed setting, an unreachable database) prints one line and exits with a
non-zero status instead of a traceback: 2 for bad input or configuration, 1 for the rest.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

PROG = "consortia"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Two processes with a few threads each: enough to keep a page responsive while another is
# busy, and little enough that SQLite's single writer is not a bottleneck. PostgreSQL sites add
# workers (or hosts) instead.
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4
DEFAULT_WORKER_INTERVAL = 5.0


class CliError(Exception):
    """A failure to report on one line; `code` 2 means bad input or configuration."""

    def __init__(self, message: str, code: int = 2, prog: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.prog = prog


class ConciseArgumentParser(argparse.ArgumentParser):
    """Reports a bad argument on one line (`consortia serve: error: …`) instead of the usage
    block, and lets `main` turn it into exit status 2."""

    def error(self, message):
        raise CliError(f"{message} (see `{self.prog} --help`)", 2, prog=self.prog)


def _say_error(message: str, prog: str = PROG) -> None:
    first_line = " ".join(str(message).split()) or "unknown error"
    print(f"{prog}: error: {first_line}", file=sys.stderr)


# Arguments ---------------------------------------------------------------------------------


def _port(value: str) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(
            f"invalid port {value!r}: use a number from 1 to 65535"
        ) from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}: use a number from 1 to 65535")
    return port


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"invalid number {value!r}: use a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"invalid number {value!r}: use 1 or more")
    return number


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"invalid number of seconds {value!r}") from None
    if not 0 < number <= 86400:
        raise argparse.ArgumentTypeError(f"invalid number of seconds {value!r}: use more than 0")
    return number


def _from_env(name: str, parse, default):
    """A default taken from the environment, parsed as strictly as the flag itself."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return parse(raw)
    except argparse.ArgumentTypeError as exc:
        raise CliError(f"environment variable {name}: {exc}") from None


def _add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help=f"address to listen on (default: $HOST or {DEFAULT_HOST})")
    parser.add_argument(
        "--port", type=_port, help=f"port to listen on (default: $PORT or {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        help=f"worker processes (default: $WEB_WORKERS or {DEFAULT_WORKERS})",
    )
    parser.add_argument(
        "--threads",
        type=_positive_int,
        default=DEFAULT_THREADS,
        help=f"threads per worker process (default: {DEFAULT_THREADS})",
    )


def build_parser() -> ConciseArgumentParser:
    parser = ConciseArgumentParser(
        prog=PROG,
        description="Consortia: a self-hostable platform for collaborative partnership networks.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser(
        "serve",
        help="serve the web app and API with gunicorn",
        description="Serve the web app and the API with gunicorn (threaded workers, access log "
        "on standard output). HOST, PORT and WEB_WORKERS set the defaults; flags win.",
    )
    _add_server_arguments(serve)
    serve.set_defaults(handler=cmd_serve)

    demo = commands.add_parser(
        "demo",
        help="migrate and load the demo network (idempotent)",
        description="Apply migrations, then load the demo network “Great Lakes Manufacturing "
        "Alliance” unless it is already there, and print the demo sign-ins.",
    )
    demo.add_argument(
        "--reset",
        action="store_true",
        help="delete the demo network, organizations and people first, then load them afresh "
        "(touches nothing else)",
    )
    demo.add_argument("--serve", action="store_true", help="then serve the app, as `serve` does")
    _add_server_arguments(demo)
    demo.set_defaults(handler=cmd_demo)

    migrate = commands.add_parser(
        "migrate",
        help="apply database migrations",
        description="Apply the database migrations (never asks questions).",
    )
    migrate.add_argument(
        "--noinput", "--no-input", action="store_true", help="accepted for Django familiarity"
    )
    migrate.add_argument(
        "-v", "--verbosity", type=int, choices=(0, 1, 2, 3), default=1, help="0 prints nothing"
    )
    migrate.set_defaults(handler=cmd_migrate)

    worker = commands.add_parser(
        "worker",
        help="deliver queued emails in the background",
        description="Deliver queued emails until stopped (SIGTERM or Ctrl-C). Several workers "
        "may run at once: each email is claimed by exactly one.",
    )
    worker.add_argument("--once", action="store_true", help="deliver one batch, then exit")
    worker.add_argument(
        "--interval",
        type=_positive_float,
        default=DEFAULT_WORKER_INTERVAL,
        help="seconds between checks when the queue is empty "
        f"(default: {DEFAULT_WORKER_INTERVAL:g})",
    )
    worker.set_defaults(handler=cmd_worker)

    # `manage` and `bench` take their arguments verbatim; main() dispatches them before
    # argparse sees the rest. They are declared here for `consortia --help`.
    commands.add_parser(
        "manage",
        help="run a Django management command, e.g. `consortia manage check --deploy`",
        add_help=False,
    )
    commands.add_parser(
        "bench",
        help="benchmark a synthetic 1,000-organization network (`bench --help`)",
        add_help=False,
    )
    for name, command in APP_COMMANDS.items():
        commands.add_parser(name, help=command.help, add_help=False)
    return parser


# Commands of the apps ------------------------------------------------------------------------


@dataclass(frozen=True)
class AppCommand:
    """A command that an app implements as `module.main(argv) -> exit status`; it parses its own
    arguments (one line and status 2 on bad input, like every command here)."""

    module: str
    help: str
    django: bool = True  # set Django up first (False for pure-Python commands such as tally)


# An app adds its command here: one line, and `consortia --help` lists it.
APP_COMMANDS: dict[str, AppCommand] = {
    "verify-poll": AppCommand(
        "consortia.decisions.verify",
        "check that a poll's hash-chained ballot log was not altered: `verify-poll ID`",
    ),
    "export-review": AppCommand(
        "consortia.reviews.cli",
        "export a joint review: `export-review ID --format pdf|md [--output FILE]`",
    ),
    "import-measurements": AppCommand(
        "consortia.metrics.cli",
        "import measurements from CSV: `import-measurements FILE --network SLUG --as EMAIL`",
    ),
    "match": AppCommand(
        "consortia.matching.cli",
        "who could help? `match TEXT --network SLUG --as EMAIL [--top N] [--json]`",
    ),
    "health-checks": AppCommand(
        "consortia.healthchecks.cli",
        "partnership health checks: `health-checks list|show [ID] --as EMAIL [--waiting] [--json]`",
    ),
    "agenda": AppCommand(
        "consortia.agenda.cli",
        "your organization's private partnering agenda: `agenda export --as EMAIL` (Markdown)",
    ),
    "overlap": AppCommand(
        "consortia.overlap.cli",
        "overlap discovery with a partner: `overlap run|list|show|export` (`overlap --help`)",
    ),
    "backup": AppCommand(
        "consortia.core.backup",
        "write the whole database to FILE while the site runs: `backup FILE [--force]`",
    ),
    "restore": AppCommand(
        "consortia.core.restore",
        "replace the database with a backup: `restore FILE [--force]` (stop the site first)",
    ),
    "tally": AppCommand(
        "consortia.decisions.tally_cli",
        "recount an exported ballot file: `tally --method schulze FILE` (`tally --help`)",
        django=False,
    ),
}


def run_app_command(name: str, argv: list[str]) -> int:
    command = APP_COMMANDS[name]
    if command.django:
        setup_django()
    return importlib.import_module(command.module).main(argv)


# Django ------------------------------------------------------------------------------------


def setup_django() -> None:
    """Configure Django once; a malformed setting becomes a one-line CliError (status 2)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortia.settings")
    from django.apps import apps

    if apps.ready:
        return
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise CliError(str(exc), 2) from None
    from django.conf import settings

    # WhiteNoise serves from the package (WHITENOISE_USE_FINDERS) but warns on every start
    # when STATIC_ROOT is missing; an empty folder under var/ keeps the log clean.
    with contextlib.suppress(OSError):
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def _database_label() -> str:
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "localhost"
    return f"{connection.vendor} {settings_dict.get('NAME')} on {host}"


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _unapplied_migrations() -> int:
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# serve ---------------------------------------------------------------------------------------


def _server_address(args) -> tuple[str, int, int]:
    """Where to listen: flags, then HOST / PORT / WEB_WORKERS, then the defaults.

    Call before Django is set up: the settings add HOST to ALLOWED_HOSTS, so a `--host` flag
    is passed on the same way.
    """
    if args.host:
        os.environ["HOST"] = args.host
    host = os.environ.get("HOST", "").strip() or DEFAULT_HOST
    port = args.port or _from_env("PORT", _port, DEFAULT_PORT)
    workers = args.workers or _from_env("WEB_WORKERS", _positive_int, DEFAULT_WORKERS)
    return host, port, workers


def _bind_address(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        return f"[{host}]:{port}"
    return f"{host}:{port}"


def _check_port_free(host: str, port: int) -> None:
    """Fail fast with one line, rather than gunicorn's five retries and a log excerpt."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = socket.socket(family, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
    try:
        probe.bind((host.strip("[]"), port))
    except OSError as exc:
        raise CliError(f"cannot listen on {_bind_address(host, port)}: {exc.strerror}", 1) from None
    finally:
        probe.close()


def _prometheus_multiprocess_dir() -> None:
    """Several gunicorn workers: prometheus_client's multiprocess mode needs one empty folder,
    named before prometheus_client is imported (integrations.ops explains)."""
    import shutil
    import tempfile

    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="consortia-prom-")
    shutil.rmtree(path, ignore_errors=True)
    Path(path).mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path


def serve(*, host: str, port: int, workers: int, threads: int = DEFAULT_THREADS) -> int:
    """Run gunicorn in this process until it is stopped (SIGTERM/SIGINT)."""
    _prometheus_multiprocess_dir()
    setup_django()
    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    _check_port_free(host, port)
    pending = _unapplied_migrations()
    connections.close_all()  # the app is preloaded: no connection may cross the fork
    if pending:
        print(
            f"{PROG}: warning: {pending} database migration(s) not applied; "
            f"run `{PROG} migrate` (or `{PROG} demo`)",
            file=sys.stderr,
        )
    application = get_wsgi_application()
    from django.conf import settings

    if settings.BENCHMARK:  # `consortia bench` only: its baseline page (bench/instrument.py)
        from consortia.bench.instrument import wrap

        application = wrap(application)
    bind = _bind_address(host, port)
    shown = f"localhost:{port}" if host in ("0.0.0.0", "::") else bind  # noqa: S104

    def when_ready(server):
        print(
            f"Consortia is serving http://{shown}/ ({workers} worker(s) x {threads} threads, "
            f"{_database_label()}). Stop with Ctrl-C.",
            flush=True,
        )

    options = {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 30,
        "graceful_timeout": 20,
        "keepalive": 5,
        "preload_app": True,
        "proc_name": PROG,
        # Gunicorn ≥ 25 opens a control socket at one fixed path per user; two servers (the
        # site and `consortia bench`) would fight over it, and nothing here uses it.
        "control_socket_disable": True,
        "when_ready": when_ready,
        "child_exit": _child_exit,
    }
    from django.conf import settings

    if settings.LOG_FORMAT == "json":
        from consortia.integrations.logformat import gunicorn_json_logger

        options["logger_class"] = gunicorn_json_logger()

    class ConsortiaServer(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    ConsortiaServer(prog=PROG).run()
    return 0


def _child_exit(server, worker) -> None:
    from consortia.integrations.ops import mark_process_dead

    mark_process_dead(worker.pid)


def cmd_serve(args) -> int:
    host, port, workers = _server_address(args)
    return serve(host=host, port=port, workers=workers, threads=args.threads)


# demo / migrate ----------------------------------------------------------------------------


def cmd_demo(args) -> int:
    host, port, workers = _server_address(args)  # validate before the slow part
    setup_django()
    from django.core.exceptions import ValidationError

    from consortia import demo

    _migrate()
    try:
        if args.reset:
            removed = demo.reset()
            if removed:
                print(f"Removed the previous demo data: {removed}.")
        result = demo.load()
    except demo.DemoError as exc:
        raise CliError(str(exc), 1) from None
    except ValidationError as exc:  # e.g. a demo address already taken by a real account
        raise CliError(f"the demo could not be loaded: {'; '.join(exc.messages)}", 1) from None
    print(demo.logins_text(created=result.created))
    if args.serve:
        return serve(host=host, port=port, workers=workers, threads=args.threads)
    return 0


def cmd_migrate(args) -> int:
    setup_django()
    _migrate(verbosity=args.verbosity)
    return 0


# worker ------------------------------------------------------------------------------------


def cmd_worker(args) -> int:
    setup_django()
    from django.db import close_old_connections

    from consortia.core.mail import deliver_pending
    from consortia.core.worker import run_jobs

    batch = 100

    def one_pass() -> int:
        for name, count in run_jobs().items():
            if count:
                print(f"{name}: {count}" if count > 0 else f"{name}: failed (see log)", flush=True)
        return deliver_pending(limit=batch)

    if args.once:
        sent = one_pass()
        print(f"Delivered {sent} email(s).")
        return 0

    stop = threading.Event()

    def request_stop(signum, frame):
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    print(
        f"Consortia worker: delivering queued emails every {args.interval:g}s "
        f"({_database_label()}). Stop with Ctrl-C.",
        flush=True,
    )
    try:
        while not stop.is_set():
            close_old_connections()  # honour CONN_MAX_AGE and drop broken connections
            try:
                sent = one_pass()
            except Exception as exc:
                _say_error(f"worker: {exc}")
                sent = 0
            if sent:
                print(f"Delivered {sent} email(s).", flush=True)
            if sent < batch:  # a full batch means more are waiting: go on at once
                stop.wait(args.interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Consortia worker stopped.", flush=True)
    return 0


# manage / bench ------------------------------------------------------------------------------


def _management_utility(argv: list[str]):
    """Django's `manage.py`, reporting bad input as every command here does: an unknown
    command, a bad argument, a CommandError (e.g. createsuperuser refusing a name) or an unknown
    app label (`check nope`) prints one line and exits with status 2. The system checks' report
    (SystemCheckError) keeps Django's layout and status 1, `--traceback` still shows the
    traceback, and any other exception is a crash and propagates as one."""
    from difflib import get_close_matches

    from django.core.management import CommandError, ManagementUtility, get_commands
    from django.core.management.base import SystemCheckError

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand):
            commands = get_commands()
            if subcommand not in commands:
                close = get_close_matches(subcommand, commands)
                hint = f"; did you mean {close[0]}?" if close else ""
                raise CliError(
                    f"unknown command {subcommand!r}{hint} (see `{self.prog_name} help`)", 2
                )
            command = super().fetch_command(subcommand)
            create_parser, execute = command.create_parser, command.execute

            def concise_parser(prog_name, subcommand, **kwargs):
                parser = create_parser(prog_name, subcommand, **kwargs)

                def error(message):
                    raise CliError(f"{message} (see `{parser.prog} --help`)", 2, prog=parser.prog)

                parser.error = error
                return parser

            def reported_execute(*args, **options):
                try:
                    return execute(*args, **options)
                except CommandError as exc:
                    if options.get("traceback") or isinstance(exc, SystemCheckError):
                        raise
                    # Django's default status 1 is bad input here; a chosen status stays.
                    code = 2 if exc.returncode == 1 else exc.returncode
                    message = str(exc).removeprefix("Error: ")  # createsuperuser's prefix
                    raise CliError(message, code) from None
                except LookupError as exc:
                    # `check nope`: Django's apps registry refuses an unknown app label with a
                    # plain LookupError. Its subclasses (KeyError, IndexError) are crashes.
                    if type(exc) is not LookupError or options.get("traceback"):
                        raise
                    raise CliError(str(exc), 2) from None

            command.create_parser, command.execute = concise_parser, reported_execute
            return command

    return Utility([f"{PROG} manage", *argv])


def cmd_manage(argv: list[str]) -> int:
    setup_django()
    _management_utility(argv).execute()
    return 0


def cmd_bench(argv: list[str]) -> int:
    """The benchmark is part of the package: consortia.bench (sections in bench/run.py)."""
    from consortia.bench import run as bench_run

    return bench_run.main(argv)


# main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    prog = PROG
    try:
        # A shell cannot pass a NUL byte, but a caller of main() can: refused here, before it
        # reaches a file name (ValueError) or PostgreSQL (which refuses it in any text).
        for arg in argv:
            if "\x00" in arg:
                raise CliError(f"the argument {arg!r} contains a NUL byte")
        if argv and argv[0] == "manage":
            prog = f"{PROG} manage"
            return cmd_manage(argv[1:])
        if argv and argv[0] == "bench":
            prog = f"{PROG} bench"
            return cmd_bench(argv[1:])
        if argv and argv[0] in APP_COMMANDS:
            prog = f"{PROG} {argv[0]}"
            return run_app_command(argv[0], argv[1:])
        args = build_parser().parse_args(argv)
        prog = f"{PROG} {args.command}"
        return args.handler(args) or 0
    except CliError as exc:
        _say_error(exc.message, exc.prog or prog)
        return exc.code
    except ImproperlyConfigured as exc:
        _say_error(str(exc), prog)
        return 2
    except DatabaseError as exc:
        lines = str(exc).strip().splitlines()
        _say_error(f"database: {lines[0] if lines else type(exc).__name__}", prog)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # `consortia demo | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
