"""Streamed CSV downloads, safe to open in a spreadsheet.

    return csv_export.stream(
        "members.csv",
        ["organization", "status", "joined_at"],
        ((m.organization.name, m.status, m.joined_at) for m in rows.iterator(chunk_size=500)),
    )

Rows are written as they are produced (StreamingHttpResponse), so an export of 100,000 rows
needs no more memory than one. Callers pass rows that already went through the page's own
selector and permission functions: this module decides nothing about visibility.

CSV injection (OWASP): a text cell starting with =, +, -, @, a tab or a carriage return is
prefixed with a single quote so a spreadsheet shows it as text instead of running a formula.
Numbers (int, Decimal, float) are written as they are, negative ones included; dates and times
in ISO 8601; None as an empty cell; booleans as yes/no.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils.text import get_valid_filename

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str | int | float | Decimal:
    """One value as written to the file (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(DANGEROUS_FIRST):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterable[str]:
    """The CSV text, one line at a time (a UTF-8 BOM first, for spreadsheets)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([cell(h) for h in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def stream(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{get_valid_filename(filename)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
