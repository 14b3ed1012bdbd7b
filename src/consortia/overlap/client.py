"""One organization's side of a run, computed on this machine and sent through the services.

The CLI uses it (``consortia overlap run``), and so do the tests: it is the Python twin of the
browser's script. The keys and the run's secrets stay in this object; only blinded values are
handed to the services.
"""

from __future__ import annotations

import time

from django.db import OperationalError

from . import keys, protocol, services
from .models import Blob, Level, Run

# The protocol version this client's arithmetic (protocol.Party) speaks: sent with every step, so
# that a run started by a client of another version is refused with a sentence.
SPEAKS = protocol.PROTOCOL


def retry_locked(function, *, attempts: int = 20, pause: float = 0.25):
    """Call `function`, again when SQLite says the database is locked (a writer in another
    process or thread; each step is one transaction, rolled back on that error)."""
    for attempt in range(attempts):
        try:
            return function()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(pause)
    return None


class LocalSide:
    def __init__(self, *, person, run: Run, engine: protocol.Engine | None = None):
        self.person = person
        self.run = run
        self.org_id = person.organization.pk
        self.party = protocol.Party(str(run.uuid), engine=engine or protocol.Engine(workers=1))
        self.read: dict[int, keys.Population] = {}
        self.key: bytes | None = None

    def sides(self):
        return services.side_of(self.run, self.org_id)

    def blind(self, populations: dict[int, keys.Population]) -> None:
        """Round 1 for the populations this side chose (id → its read CSV)."""
        own, _ = self.sides()
        uploads = {}
        for pk, read in populations.items():
            info = own.population(pk) or {"level": Level.COUNTS, "fields": []}
            share = info["fields"] if info["level"] == Level.RECORDS else None
            blinded, payload = self.party.blind(str(pk), read.records, share_fields=share)
            uploads[pk] = services.Upload(
                blinded=blinded,
                payload=payload,
                rows=read.rows,
                duplicates=read.duplicates,
                skipped=read.skipped_count,
                restricted=read.restricted,
            )
            self.read[pk] = read
        services.run_blinded(actor=self.person, run=self.run, uploads=uploads, speaks=SPEAKS)

    def double(self) -> None:
        """Round 2: the other side's blinded lists, double-blinded (and evaluated when this side
        shares records)."""
        own, other = self.sides()
        double, evaluated = {}, {}
        for theirs in other.populations:
            blob = services.blob_for(
                actor=self.person, run=self.run, kind=Blob.Kind.BLINDED, population_id=theirs["id"]
            )
            data = bytes(blob.data)
            double[theirs["id"]] = self.party.double_blind(
                data, f"double-blinding {theirs['name']}"
            )
            if services.shares_records(own):
                evaluated[theirs["id"]] = self.party.evaluate(data, f"evaluating {theirs['name']}")
        services.run_doubled(
            actor=self.person, run=self.run, double=double, evaluated=evaluated, speaks=SPEAKS
        )

    def open(self) -> list[dict] | None:
        """Round 3, when the other side shares records: open them, store them sealed with a key
        kept here (self.key). None when this side receives no records."""
        own, other = self.sides()
        if not services.receives_records(own, other):
            return None
        tables = {
            theirs["name"]: bytes(
                services.blob_for(
                    actor=self.person,
                    run=self.run,
                    kind=Blob.Kind.PAYLOAD,
                    population_id=theirs["id"],
                ).data
            )
            for theirs in other.populations
            if theirs["level"] == Level.RECORDS
        }
        records = []
        for mine in own.populations:
            evaluated = services.blob_for(
                actor=self.person, run=self.run, kind=Blob.Kind.EVALUATED, population_id=mine["id"]
            )
            read = self.read.get(mine["id"])
            for key, name, fields in self.party.open(
                str(mine["id"]), bytes(evaluated.data), tables
            ):
                records.append(
                    {
                        "population": mine["name"],
                        "key": key,
                        "their_population": name,
                        "your_fields": read.records.get(key, {}) if read else {},
                        "fields": fields,
                    }
                )
        records.sort(key=lambda r: (r["population"], r["key"], r["their_population"]))
        self.key, sealed = protocol.seal_result({"run": str(self.run.uuid), "records": records})
        services.run_opened(
            actor=self.person,
            run=self.run,
            sealed_result=sealed,
            records=len(records),
            speaks=SPEAKS,
        )
        return records
