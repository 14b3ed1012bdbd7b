"""`consortia backup FILE` and `consortia restore FILE`, on the database the suite runs on.

On SQLite they go through SQLite's online backup API; with DATABASE_URL=postgres://… through
pg_dump and pg_restore. A populated network (tests/scene.py) makes the round trip, and every
table — Django's, the search index, the bookkeeping — must come back row for row.
"""

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from consortia import cli
from consortia.core import backup
from consortia.core.models import OutboundEmail
from tests.conftest import make_person
from tests.scene import scene_fixture  # noqa: F401 - the `scene` fixture

pytestmark = pytest.mark.django_db(transaction=True)


def every_table() -> dict[str, list]:
    """Every row of every table, in a stable order (values as text, to compare anything)."""
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            tables[table] = sorted(tuple(map(repr, row)) for row in cursor.fetchall())
    return tables


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def change_things():
    """Add and remove rows, as days of use would."""
    make_person("late@comer.test", "Late Comer")
    OutboundEmail.objects.all().delete()


def test_it_round_trips_a_populated_database(scene, tmp_path, capsys):
    before = every_table()
    assert sum(map(len, before.values())) > 300  # a populated network, not an empty schema
    file = tmp_path / "site.backup"
    code, out, err = run(capsys, "backup", str(file))
    assert code == 0, err
    assert "Backed up the" in out and "copy" in out  # and a word about uploaded files
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # people's data: the owner only
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())

    change_things()
    changed = every_table()
    assert changed != before
    code, _out, err = run(capsys, "restore", str(file))
    assert code == 2 and "is not empty" in err and "--force" in err
    assert err.count("\n") == 1
    assert every_table() == changed  # refused: nothing touched

    code, out, err = run(capsys, "restore", str(file), "--force")
    assert code == 0, err
    assert "Restored the" in out
    assert every_table() == before


def test_it_restores_into_an_empty_database_without_force(scene, tmp_path, capsys):
    before = every_table()
    file = tmp_path / "site.backup"
    assert run(capsys, "backup", str(file))[0] == 0
    call_command("flush", interactive=False, verbosity=0)
    # flush empties the models' tables; a new site has nothing in the others either (the
    # search index, the feed's last visits), whatever earlier tests left there.
    models = set(connection.introspection.django_table_names())
    with connection.cursor() as cursor:
        for table in set(backup.data_tables()) - models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    assert backup.data_tables() == {}
    code, _out, err = run(capsys, "restore", str(file))
    assert code == 0, err
    assert every_table() == before


def test_it_refuses_a_backup_of_the_other_kind(world, tmp_path, capsys):
    other = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
        expected = "is a PostgreSQL (pg_dump) archive but this site's database is SQLite"
    else:
        sqlite3.connect(other).execute("CREATE TABLE django_migrations (id integer)").close()
        expected = "is an SQLite database but this site's database is PostgreSQL"
    before = every_table()
    code, _out, err = run(capsys, "restore", str(other), "--force")
    assert code == 2 and expected in err
    assert every_table() == before


def test_it_refuses_files_it_did_not_make(world, tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    code, _out, err = run(capsys, "restore", str(text), "--force")
    assert code == 2 and "neither an SQLite database nor a pg_dump" in err
    code, _out, err = run(capsys, "restore", str(tmp_path / "missing.backup"))
    assert code == 2 and "is not a file" in err
    if connection.vendor == "sqlite":
        stranger = tmp_path / "stranger.sqlite3"
        sqlite3.connect(stranger).execute("CREATE TABLE t (x)").close()
        code, _out, err = run(capsys, "restore", str(stranger), "--force")
        assert code == 2 and "not a Consortia backup" in err


def test_it_does_not_overwrite_a_file_without_force(world, tmp_path, capsys):
    file = tmp_path / "site.backup"
    file.write_text("an older backup")
    code, _out, err = run(capsys, "backup", str(file))
    assert code == 2 and "exists" in err and file.read_text() == "an older backup"
    assert run(capsys, "backup", str(file), "--force")[0] == 0
    assert backup.file_kind(file) in ("sqlite", "postgresql")
    code, _out, err = run(capsys, "backup", str(tmp_path / "no" / "such" / "folder.backup"))
    assert code == 2 and "does not exist" in err


def test_bad_arguments_get_one_line_and_status_2(capsys):
    for argv in (["backup"], ["restore"], ["backup", "a", "b"], ["restore", "x", "--frobnicate"]):
        code, _out, err = run(capsys, *argv)
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_the_commands_are_listed(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--help"])
    out = capsys.readouterr().out
    assert "backup" in out and "restore" in out


# PostgreSQL's client tools ------------------------------------------------------------------


def fake_tool(folder: Path, name: str, version: str) -> None:
    tool = folder / name
    tool.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version} (Debian {version}-1)'\n")
    tool.chmod(0o755)


def test_it_says_what_to_install_when_a_tool_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(backup.BackupError) as error:
        backup._tool("pg_dump", 16)
    assert "pg_dump was not found" in str(error.value)
    assert "postgresql-client-16" in str(error.value)


def test_it_wants_the_tools_of_the_servers_major_version(monkeypatch, tmp_path):
    fake_tool(tmp_path, "pg_dump", "14.11")
    fake_tool(tmp_path, "pg_restore", "16.2")
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    with pytest.raises(backup.BackupError) as error:
        backup._tool("pg_dump", 16)
    assert "version 14 but the server is PostgreSQL 16" in str(error.value)
    assert "postgresql-client-16" in str(error.value)
    assert backup._tool("pg_restore", 16) == str(tmp_path / "pg_restore")


# While the site writes ----------------------------------------------------------------------

WRITER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=20, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
n = 0
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    n += 1
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO probe (n) VALUES (?)", (n,))
    db.execute("COMMIT")
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's online backup API")
def test_a_sqlite_backup_is_one_consistent_snapshot_while_the_site_writes(tmp_path):
    """Another process commits a row after row; each backup taken meanwhile is a valid database
    holding rows 1…k with no gap: one moment of the site, never a half-written page."""
    import subprocess
    import sys

    db = tmp_path / "live.sqlite3"
    assert cli.main(["backup", str(db)]) == 0  # a migrated site database, without migrating
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "CONSORTIA_VAR_DIR": str(tmp_path),
    }
    consortia = [sys.executable, "-m", "consortia.cli"]
    live = sqlite3.connect(db)
    live.execute("CREATE TABLE probe (n INTEGER PRIMARY KEY)")
    live.commit()
    live.close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)])
    try:
        seen = []
        for number in range(3):
            copy = tmp_path / f"copy-{number}.backup"
            result = subprocess.run(
                [*consortia, "backup", str(copy)], env=env, capture_output=True, text=True
            )
            assert result.returncode == 0, result.stderr
            check = sqlite3.connect(copy)
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            rows = [n for (n,) in check.execute("SELECT n FROM probe ORDER BY n")]
            check.close()
            assert rows == list(range(1, len(rows) + 1))
            seen.append(len(rows))
        assert writer.poll() is None  # the writer never stopped for the backups
        assert seen[-1] > seen[0] > 0  # and the copies are of a site that kept changing
    finally:
        writer.kill()
        writer.wait()
