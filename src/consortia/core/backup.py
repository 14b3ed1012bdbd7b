"""`consortia backup FILE` and `consortia restore FILE`: the whole database in one file.

- SQLite: SQLite's online backup API (Python's `sqlite3.Connection.backup`) copies a
  consistent snapshot page by page while the site keeps running; the copy is itself an SQLite
  database, checked with `PRAGMA quick_check` before it replaces FILE.
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, also while the site runs), and
  `pg_restore` streamed into `psql` in one transaction, so a restore either completes or
  changes nothing. The client tools must be present and of the server's major version.

Restore refuses to replace a database that holds data unless `--force` is given, and refuses a
file of the other kind (an SQLite backup on a PostgreSQL site, or the reverse) or of no known
kind. Uploaded files (MEDIA_ROOT or the object store) are not in the database: copy them too.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
# Tables that `migrate` fills by itself: rows there do not make a database "hold data".
BOOKKEEPING = {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}
INSTALL_HINT = (
    "install the PostgreSQL client tools of the server's major version, e.g. "
    "`apt-get install postgresql-client-{major}` (Debian, Ubuntu) or "
    "`dnf install postgresql{major}` (Fedora, RHEL)"
)


class BackupError(Exception):
    """One line for the operator; `code` 2 for something they can fix, 1 otherwise."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


# Files --------------------------------------------------------------------------------------


def file_kind(path: Path) -> str:
    """ "sqlite", "postgresql" or "unknown", from the file's first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    return "unknown"


KIND_NAMES = {"sqlite": "an SQLite database", "postgresql": "a PostgreSQL (pg_dump) archive"}


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""  # pragma: no cover


# What the database holds --------------------------------------------------------------------


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def data_tables() -> dict[str, int]:
    """{table: rows} of the tables holding data (bookkeeping that `migrate` writes, and the
    internals of SQLite's full-text index, do not count). One query per table."""
    from django.db import connection

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        shadow_prefixes: tuple[str, ...] = ()
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
            shadow_prefixes = tuple(f"{name}_" for (name,) in cursor.fetchall())
        counts = {}
        for table in tables:
            if table in BOOKKEEPING or (shadow_prefixes and table.startswith(shadow_prefixes)):
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 - a table's own name
            rows = cursor.fetchone()[0]
            if rows:
                counts[table] = rows
    return counts


def _refuse_non_empty(force: bool) -> None:
    if force:
        return
    counts = data_tables()
    if counts:
        biggest = sorted(counts.items(), key=lambda kv: -kv[1])[:3]
        sample = ", ".join(f"{table}: {rows:,}" for table, rows in biggest)
        raise BackupError(
            f"the database is not empty ({sum(counts.values()):,} rows in {len(counts)} tables, "
            f"e.g. {sample}); pass --force to replace everything in it with the backup"
        )


def _pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# SQLite -------------------------------------------------------------------------------------


def _sqlite_connection() -> sqlite3.Connection:
    """Django's own connection to the site's SQLite database (file or in-memory)."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection


def _check_sqlite_file(path: Path) -> int:
    """The number of tables of a valid Consortia SQLite backup, else BackupError."""
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened as an SQLite database: {exc}") from None
    try:
        check = source.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{path} is a damaged SQLite database: {check}")
        names = {n for (n,) in source.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
    finally:
        source.close()
    if "django_migrations" not in names:
        raise BackupError(f"{path} is an SQLite database but not a Consortia backup")
    return len(names)


def backup_sqlite(path: Path) -> str:
    partial = _partial(path)
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        # One step: a read transaction on the live database for the copy's duration, so the
        # copy is one consistent snapshot while the site goes on writing (WAL).
        _sqlite_connection().backup(target)
    finally:
        target.close()
    partial.chmod(0o600)
    tables = _check_sqlite_file(partial)
    os.replace(partial, path)
    return f"{tables} tables"


def restore_sqlite(path: Path) -> str:
    tables = _check_sqlite_file(path)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        # The backup API in reverse: the site's database becomes a page-for-page copy of the
        # file, in one step under an exclusive lock (other processes wait, then see it whole).
        source.backup(_sqlite_connection())
    except sqlite3.Error as exc:
        raise BackupError(f"the restore failed, nothing was changed: {exc}", 1) from None
    finally:
        source.close()
    return f"{tables} tables"


# PostgreSQL ---------------------------------------------------------------------------------


def _server_major() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _tool(name: str, server_major: int) -> str:
    """The path of a PostgreSQL client tool of the server's major version, else BackupError."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH; {INSTALL_HINT.format(major=server_major)}"
        )
    output = subprocess.run(  # noqa: S603 - a fixed argument list
        [path, "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"\)\s*(\d+)", output) or re.search(r"(\d+)(?:\.\d+)", output)
    major = int(match.group(1)) if match else -1
    if major != server_major:
        raise BackupError(
            f"{name} is version {major if major >= 0 else 'unknown'} but the server is "
            f"PostgreSQL {server_major}: an older {name} cannot read the server, a newer one "
            f"writes archives the server's own tools cannot read; "
            f"{INSTALL_HINT.format(major=server_major)}"
        )
    return path


def _pg_env() -> dict[str, str]:
    """libpq's variables for the site's database (the password never on a command line)."""
    from django.db import connection

    settings = connection.settings_dict
    env = dict(os.environ)
    values = {
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"),
        "PGDATABASE": settings.get("NAME"),
    }
    options = settings.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(option):
            values[variable] = str(options[option])
    for key, value in values.items():
        if value not in (None, ""):
            env[key] = str(value)
    return env


def _run(args: list[str], env: dict, what: str) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = (result.stderr or result.stdout or "").strip().splitlines()
        raise BackupError(f"{what} failed: {lines[-1] if lines else result.returncode}", 1)
    return result


def _check_pg_archive(path: Path, pg_restore: str, env: dict) -> int:
    """The number of tables in a valid Consortia pg_dump archive, else BackupError."""
    listing = subprocess.run(  # noqa: S603
        [pg_restore, "--list", str(path)], env=env, capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        lines = listing.stderr.strip().splitlines()
        raise BackupError(f"{path} is not a readable pg_dump archive: {lines[-1] if lines else ''}")
    tables = re.findall(r"^\d+; \d+ \d+ TABLE (?!DATA )\S+ (\S+)(?: |$)", listing.stdout, re.M)
    if "django_migrations" not in tables:
        raise BackupError(f"{path} is a pg_dump archive but not a Consortia backup")
    return len(tables)


def backup_postgresql(path: Path) -> str:
    major = _server_major()
    pg_dump, pg_restore = _tool("pg_dump", major), _tool("pg_restore", major)
    env = _pg_env()
    partial = _partial(path)
    partial.unlink(missing_ok=True)
    try:
        _run(
            [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
            env,
            "pg_dump",
        )
        partial.chmod(0o600)
        tables = _check_pg_archive(partial, pg_restore, env)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)
    return f"{tables} tables, PostgreSQL {major}"


def restore_postgresql(path: Path) -> str:
    from django.db import connection, connections

    major = _server_major()
    pg_restore, psql = _tool("pg_restore", major), _tool("psql", major)
    env = _pg_env()
    tables = _check_pg_archive(path, pg_restore, env)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        existing = [row[0] for row in cursor.fetchall()]
    connections.close_all()  # hold no lock on what is about to be dropped
    # One transaction: drop every table of the site's schema, then recreate everything from
    # the archive (pg_restore's script, with --clean for functions and types); psql stops at
    # the first error and the transaction is rolled back: nothing changes.
    drops = "".join(
        f"DROP TABLE IF EXISTS {connection.ops.quote_name(t)} CASCADE;\n" for t in existing
    )
    # Errors go to files, not pipes: a full pipe would stall both processes.
    env = {**env, "PGOPTIONS": "-c client_min_messages=warning"}
    with tempfile.TemporaryFile() as script_err, tempfile.TemporaryFile() as loader_err:
        script = subprocess.Popen(  # noqa: S603
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--clean",
                "--if-exists",
                "--file=-",
                str(path),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=script_err,
        )
        loader = subprocess.Popen(  # noqa: S603
            [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=loader_err,
        )
        try:
            loader.stdin.write(b"BEGIN;\n" + drops.encode())
            shutil.copyfileobj(script.stdout, loader.stdin)
            if script.wait() == 0:  # a truncated script must not be committed
                loader.stdin.write(b"COMMIT;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error: reported below
        finally:
            with contextlib.suppress(BrokenPipeError):
                loader.stdin.close()
            script.stdout.close()
        script.wait()
        loader.wait()
        if loader.returncode != 0 or script.returncode != 0:
            loader_err.seek(0)
            script_err.seek(0)
            text = (loader_err.read() or script_err.read()).decode(errors="replace")
            lines = text.strip().splitlines()
            detail = lines[0] if lines else f"exit {loader.returncode or script.returncode}"
            raise BackupError(f"the restore failed, nothing was changed: {detail}", 1)
    return f"{tables} tables, PostgreSQL {major}"


# Commands -----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise BackupError(f"{message} (see `{self.prog} --help`)")


def _database_label() -> str:
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"SQLite database {name}"
    return f"PostgreSQL database {name} on {connection.settings_dict.get('HOST') or 'localhost'}"


def _media_note() -> str:
    from django.conf import settings

    backend = settings.STORAGES["default"]["BACKEND"]
    if backend.endswith("FileSystemStorage"):
        return f"Uploaded files are not in the database: copy {settings.MEDIA_ROOT} as well."
    return "Uploaded files are in the object store, not in the database: back it up as well."


def _run_command(prog: str, argv: list[str], work) -> int:
    try:
        return work(argv)
    except BackupError as exc:
        message = " ".join(str(exc).split())
        print(f"{prog}: error: {message}", file=sys.stderr)
        return exc.code


def backup(argv: list[str]) -> int:
    parser = _Parser(
        prog="consortia backup",
        description="Write the whole database to FILE while the site runs: SQLite through its "
        "online backup API, PostgreSQL through pg_dump --format=custom.",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="where to write the backup")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    args = parser.parse_args(argv)
    path: Path = args.file
    if path.exists() and not args.force:
        raise BackupError(f"{path} exists; pass --force to overwrite it")
    if path.exists() and path.is_dir():
        raise BackupError(f"{path} is a directory; name the backup file")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")
    started = time.monotonic()
    label = _database_label()
    summary = backup_sqlite(path) if vendor() == "sqlite" else backup_postgresql(path)
    print(
        f"Backed up the {label} to {path} ({summary}, "
        f"{_human_size(path.stat().st_size)}) in {time.monotonic() - started:.1f} s."
    )
    print(_media_note())
    return 0


def restore(argv: list[str]) -> int:
    parser = _Parser(
        prog="consortia restore",
        description="Replace the whole database with a backup made by `consortia backup`. "
        "Stop the site and the worker first.",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the backup to restore")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a database that already holds data (everything in it is lost)",
    )
    args = parser.parse_args(argv)
    path: Path = args.file
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    kind, site = file_kind(path), vendor()
    site = "sqlite" if site == "sqlite" else "postgresql"
    if kind == "unknown":
        raise BackupError(
            f"{path} is neither an SQLite database nor a pg_dump custom-format archive, "
            "so it was not made by `consortia backup`"
        )
    if kind != site:
        raise BackupError(
            f"{path} is {KIND_NAMES[kind]} but this site's database is "
            f"{'SQLite' if site == 'sqlite' else 'PostgreSQL'} (DATABASE_URL): restore it on a "
            f"site of its kind, then move the data with `consortia manage dumpdata`/`loaddata`"
        )
    _refuse_non_empty(args.force)
    started = time.monotonic()
    label = _database_label()
    summary = restore_sqlite(path) if site == "sqlite" else restore_postgresql(path)
    print(f"Restored the {label} from {path} ({summary}) in {time.monotonic() - started:.1f} s.")
    pending = _pending_migrations()
    if pending:
        print(
            f"The backup predates this version of Consortia: run `consortia migrate` "
            f"({pending} migration(s) to apply)."
        )
    print(_media_note().replace("copy", "put back").replace("back it up", "restore it"))
    return 0


def main(argv: list[str]) -> int:
    """`consortia backup FILE [--force]`."""
    return _run_command("consortia backup", argv, backup)


def main_restore(argv: list[str]) -> int:
    """`consortia restore FILE [--force]`."""
    return _run_command("consortia restore", argv, restore)
