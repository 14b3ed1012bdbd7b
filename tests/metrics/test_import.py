"""CSV import: every kind of bad input is reported with its line and column, and nothing is
imported until the whole file is valid; then the upload imports in chunks with progress."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consortia.metrics import imports, selectors, services
from consortia.metrics.models import ImportJob, Measurement, MeasurementRollup
from tests.conftest import fresh

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = "metric,organization,period,value\n"


def parse(world, text, person=None, encoding="utf-8"):
    return imports.parse_csv(
        csv_bytes(text, encoding), actor=fresh(person or world.leader), network=world.network
    )


def only_error(parsed):
    assert len(parsed.errors) == 1, [str(e) for e in parsed.errors]
    return parsed.errors[0]


def test_a_valid_file_is_imported_with_rollups(world, metric):
    text = HEADER + "Deliveries,acme-labs,2026-01,10\ndeliveries,acme-labs,2026-02-14,12.5\n"
    parsed, created, updated = services.import_file(
        actor=fresh(world.leader), network=world.network, stream=csv_bytes(text)
    )
    assert not parsed.errors and (created, updated) == (2, 0)
    assert MeasurementRollup.objects.filter(visibility="network").count() == 2
    text = HEADER + "Deliveries,acme-labs,2026-01,11\n"
    _, created, updated = services.import_file(
        actor=fresh(world.leader), network=world.network, stream=csv_bytes(text)
    )
    assert (created, updated) == (0, 1)
    totals = selectors.network_totals(person=fresh(world.member), network=world.network)
    assert [v for _, v in totals[metric.pk]] == [Decimal("11"), Decimal("12.5")]


@pytest.mark.parametrize(
    ("row", "line", "column", "words"),
    [
        ("Unknown,acme-labs,2026-01,1", 3, "metric", "Unknown metric"),
        ("Deliveries,acme-labs,2026-01,abc", 3, "value", "not a number"),
        ("Deliveries,acme-labs,2026-01,NaN", 3, "value", "not a number"),
        ("Deliveries,acme-labs,Jan 2026,1", 3, "period", "not a period"),
        ("Deliveries,beta-works,2026-01,1", 3, "organization", "your own organization"),
        ("Deliveries,nobody,2026-01,1", 3, "organization", "no organization"),
        ("Deliveries,acme-labs,2026-01-20,1", 3, "period", "Duplicate: line 2"),
        ("Deliveries,acme-labs,2026-02,1e30", 3, "value", "too large"),
        # PostgreSQL refuses a NUL in any text: the slug must not reach a query.
        ("Deliveries,acme\x00labs,2026-01,1", 3, "organization", "contains a NUL character"),
    ],
)
def test_bad_rows_are_reported_with_line_and_column(world, metric, row, line, column, words):
    text = HEADER + "Deliveries,acme-labs,2026-01,5\n" + row + "\n"
    error = only_error(parse(world, text))
    assert (error.line, error.column) == (line, column)
    assert error.column_number == ["metric", "organization", "period", "value"].index(column) + 1
    assert words in error.message
    assert f"line {line}, column" in str(error)


def test_a_wrong_unit_is_refused(world, metric):
    text = "metric,organization,period,value,unit\nDeliveries,acme-labs,2026-01,5,kg\n"
    error = only_error(parse(world, text))
    assert (error.line, error.column, error.column_number) == (2, "unit", 5)
    assert "parcels" in error.message


def test_a_missing_column_is_refused(world, metric):
    error = only_error(parse(world, "metric,organization,value\nDeliveries,acme-labs,5\n"))
    assert error.line == 1 and error.column == "period" and "missing" in error.message


def test_another_encoding_is_refused_clearly(world, metric):
    text = HEADER + "Deliveries,acme-labs,2026-01,5\n" + "Deliveries,acme-labs,2026-02,5 # é\n"
    parsed = parse(world, text, encoding="latin-1")
    error = parsed.errors[-1]
    assert "not UTF-8" in error.message and error.line == 3


def test_utf16_is_refused(world, metric):
    parsed = parse(world, HEADER + "Deliveries,acme-labs,2026-01,5\n", encoding="utf-16")
    assert parsed.errors and "UTF-8" in parsed.errors[0].message


def test_a_bom_is_fine(world, metric):
    parsed = parse(world, "\ufeff" + HEADER + "Deliveries,acme-labs,2026-01,5\n")
    assert parsed.ok


def test_visibility_and_initiative_columns(world, metric, initiative):
    text = (
        "metric,organization,period,value,initiative,visibility\n"
        f"Deliveries,acme-labs,2026-01,5,{initiative.pk},initiative\n"
        "Deliveries,acme-labs,2026-01,6,,organization\n"
        "Deliveries,acme-labs,2026-02,6,,initiative\n"
        "Deliveries,acme-labs,2026-03,6,999,network\n"
        "Deliveries,acme-labs,2026-04,6,,everyone\n"
    )
    parsed = parse(world, text)
    assert [(e.line, e.column) for e in parsed.errors] == [
        (4, "visibility"),
        (5, "initiative"),
        (6, "visibility"),
    ]


def test_nothing_is_imported_when_one_row_is_bad(world, metric):
    text = HEADER + "Deliveries,acme-labs,2026-01,5\nDeliveries,acme-labs,2026-02,x\n"
    parsed, created, _ = services.import_file(
        actor=fresh(world.leader), network=world.network, stream=csv_bytes(text)
    )
    assert parsed.errors and created == 0
    assert not Measurement.objects.exists()


def upload(client, text, name="data.csv", encoding="utf-8"):
    return client.post(
        reverse("measurement_import", args=["northwind"]),
        {"file": SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")},
    )


def test_the_upload_previews_then_imports_in_chunks(world, metric, as_member):
    rows = "".join(
        f"Deliveries,acme-labs,{2000 + i // 12}-{i % 12 + 1:02d},{i}\n" for i in range(30)
    )
    response = upload(as_member, HEADER + rows)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The file is valid: 30 rows" in html and "Import 30 rows" in html
    assert not Measurement.objects.exists()
    job = ImportJob.objects.get()
    url = reverse("import_job", args=["northwind", job.pk])
    headers = {"HX-Request": "true"}
    # Small chunks, to see the progress bar move.
    services.import_job_step(job=job, chunk=10)
    assert Measurement.objects.count() == 10
    response = as_member.post(url, headers=headers)
    assert response.status_code == 200 and "<progress" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "done" and Measurement.objects.count() == 30
    assert "See the charts" in response.content.decode()
    # Another step does nothing more.
    as_member.post(url, headers=headers)
    assert Measurement.objects.count() == 30


def test_the_upload_lists_every_error_and_imports_nothing(world, metric, as_member):
    response = upload(
        as_member, HEADER + "Deliveries,acme-labs,2026-01,x\nNope,acme-labs,2026-01,1\n"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was imported" in html and "not a number" in html and "Unknown metric" in html
    assert not ImportJob.objects.exists() and not Measurement.objects.exists()


def test_an_upload_with_a_nul_byte_is_a_422_not_a_500(world, metric, as_member):
    # PostgreSQL refuses a NUL in any text: the slug used to reach a query (a 500 there).
    response = upload(as_member, HEADER + "Deliveries,acme\x00labs,2026-01,1\n")
    assert response.status_code == 422
    assert "contains a NUL character" in response.content.decode()
    assert not ImportJob.objects.exists() and not Measurement.objects.exists()


def test_a_latin1_upload_gets_a_clear_message(world, metric, as_member):
    response = upload(as_member, HEADER + "Deliveries,acme-labs,2026-01,1 é\n", encoding="latin-1")
    assert response.status_code == 422 and "not UTF-8" in response.content.decode()


def test_import_jobs_of_other_organizations_are_404(world, metric, as_other):
    parsed = parse(world, HEADER + "Deliveries,acme-labs,2026-01,1\n")
    job = services.import_job_create(
        actor=fresh(world.leader), network=world.network, parsed=parsed, filename="x.csv"
    )
    url = reverse("import_job", args=["northwind", job.pk])
    assert as_other.get(url).status_code == 404
    assert as_other.post(url).status_code == 404
    assert not Measurement.objects.exists()


def test_a_previewed_import_can_be_cancelled(world, metric, as_member):
    upload(as_member, HEADER + "Deliveries,acme-labs,2026-01,1\n")
    job = ImportJob.objects.get()
    url = reverse("import_job", args=["northwind", job.pk])
    assert as_member.post(url, {"cancel": "1"}).status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled" and job.content == ""
    as_member.post(url)
    assert not Measurement.objects.exists()
