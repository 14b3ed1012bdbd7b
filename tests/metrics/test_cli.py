"""`consortia import-measurements`: imports a valid file, refuses a bad one line by line."""

import pytest

from consortia import cli
from consortia.metrics.models import Measurement, MeasurementRollup

pytestmark = pytest.mark.django_db

HEADER = "metric,organization,period,value\n"


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "m.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_it_imports_a_file_with_a_progress_bar(world, metric, tmp_path, capsys):
    path = write(
        tmp_path, HEADER + "Deliveries,acme-labs,2026-01,5\nDeliveries,acme-labs,2026-02,6\n"
    )
    code = cli.main(
        ["import-measurements", path, "--network", "northwind", "--as", "max@acme.test",
         "--progress", "always"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "imported 2 measurement(s)" in out and "importing [" in err
    assert Measurement.objects.count() == 2 and MeasurementRollup.objects.count() == 2


def test_bad_rows_are_one_line_each_and_exit_2(world, metric, tmp_path, capsys):
    path = write(tmp_path, HEADER + "Deliveries,beta-works,2026-01,5\nDeliveries,acme-labs,x,6\n")
    code = cli.main(
        ["import-measurements", path, "--network", "northwind", "--as", "max@acme.test"]
    )
    _, err = capsys.readouterr()
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"{path}:2:2 (organization): You can only enter")
    assert lines[1].startswith(f"{path}:3:3 (period):")
    assert lines[-1].endswith("nothing imported")
    assert not Measurement.objects.exists()


def test_other_encodings_and_bad_arguments(world, metric, tmp_path, capsys):
    path = write(tmp_path, HEADER + "Deliveries,acme-labs,2026-01,5 é\n", encoding="latin-1")
    args = ["--network", "northwind", "--as", "max@acme.test"]
    assert cli.main(["import-measurements", path, *args]) == 2
    assert "not UTF-8" in capsys.readouterr().err
    assert cli.main(["import-measurements", str(tmp_path / "none.csv"), *args]) == 2
    assert cli.main(["import-measurements", path, "--network", "nope", "--as", "x@y.z"]) == 2
    assert cli.main(["import-measurements", path, "--network", "northwind"]) == 2
    assert cli.main(["import-measurements", path, "--network", "northwind", "--as", "x@y.z"]) == 2
    assert not Measurement.objects.exists()


def test_operators_may_import_for_any_member(world, metric, tmp_path, capsys):
    path = write(
        tmp_path, HEADER + "Deliveries,beta-works,2026-01,5\nDeliveries,acme-labs,2026-01,6\n"
    )
    code = cli.main(["import-measurements", path, "--network", "northwind", "--any-organization"])
    assert code == 0, capsys.readouterr().err
    assert Measurement.objects.count() == 2
    # The outsider's organization is not a member.
    path = write(tmp_path, HEADER + "Deliveries,delta-corp,2026-01,5\n")
    assert (
        cli.main(["import-measurements", path, "--network", "northwind", "--any-organization"]) == 2
    )


def test_a_file_with_nul_bytes_is_refused_line_by_line_with_status_2(
    world, metric, tmp_path, capsys
):
    # A NUL in a slug used to reach PostgreSQL, which refuses it in any text: status 1, "database".
    path = write(
        tmp_path, HEADER + "Deliveries,acme\x00labs,2026-01,5\nDeli\x00veries,acme-labs,2026-02,6\n"
    )
    code = cli.main(
        ["import-measurements", path, "--network", "northwind", "--as", "max@acme.test"]
    )
    _, err = capsys.readouterr()
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"{path}:2:2 (organization): This value contains a NUL character")
    assert lines[1].startswith(f"{path}:3:1 (metric): This value contains a NUL character")
    assert lines[-1].endswith("2 error(s) in " + path + ": nothing imported")
    assert "\x00" not in err
    assert not Measurement.objects.exists()
