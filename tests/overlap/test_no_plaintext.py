"""After a complete run, no key — as typed, normalized, or hashed to the group before blinding —
appears anywhere: not in any table of the database, not in the logs, not in the event log."""

import hashlib
import logging

import pytest
from django.db import connection

from consortia.overlap import keys, protocol
from consortia.overlap.models import Blob

from .conftest import run_between

pytestmark = pytest.mark.django_db

RAW = {
    "https://www.northwind-tooling.example/contact": {"name": "Northwind Tooling"},
    "sales@harbor-castings.example": {"name": "Harbor Castings"},
    "DE 811 907 980": {"name": "Registered GmbH"},
}


def inputs(side: str, shared: range, own: range):
    records = dict(RAW)
    records.update({f"shared{n}.example": {"name": f"Shared {n}"} for n in shared})
    records.update({f"{side}-only{n}.example": {"name": f"{side} {n}"} for n in own})
    return records


def table_dump() -> list[bytes]:
    """Every cell of every table, as bytes (text as UTF-8, binary as is)."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the schema
            for row in cursor.fetchall():
                for value in row:
                    if value is None:
                        continue
                    if isinstance(value, memoryview | bytearray | bytes):
                        cells.append(bytes(value))
                    else:
                        cells.append(str(value).encode())
    return cells


def needles(records, run_id) -> set[bytes]:
    """Each input key as typed and normalized, and its unblinded hashes (SHA-512, the
    ristretto255 element and its X25519 coordinate), raw and in hex."""
    found = set()
    tag = protocol.dst(run_id)
    for raw in records:
        key = keys.normalize(raw)
        digest = hashlib.sha512(tag + key.encode()).digest()
        ristretto = protocol.hash_to_ristretto(tag, key)
        element = protocol.hash_to_group(tag, key)
        for value in (raw.encode(), key.encode(), key[2:].encode(), digest, ristretto, element):
            found.add(value)
            found.add(value.hex().encode())
    return found


def test_no_plaintext_key_nor_unblinded_hash_is_left_anywhere(pair, caplog):
    caplog.set_level(logging.DEBUG)
    a_records = inputs("a", range(25), range(10))
    b_records = inputs("b", range(5, 30), range(12))
    run, _, _, got_a, got_b = run_between(
        pair.world, a_records, b_records, pair.acme_pop, pair.beta_pop
    )
    assert run.status == "complete"
    assert len(got_a) == len(got_b) == 20 + len(RAW)  # shared5..24 and the three raw keys
    assert not Blob.objects.exists()

    cells = table_dump()
    assert any(b"overlap" in cell for cell in cells)  # the dump did read the tables
    logs = "\n".join(record.getMessage() for record in caplog.records).encode()
    for needle in needles({**a_records, **b_records}, str(run.uuid)):
        assert not any(needle in cell for cell in cells), needle
        assert needle not in logs, needle
