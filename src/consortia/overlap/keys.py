"""Reading a population's CSV and normalizing its keys, exactly as the browser does.

The same rules are implemented in ``static/overlap/overlap-worker.js``; both sides of a run must
normalize identically or matching accounts would not meet. The browser test compares the two on
the Public Suffix List's own test cases.

A key becomes one of:
- ``d:<registrable domain>`` for an e-mail address (its domain), a URL (its host) or a bare host
  name: the domain one level below its public suffix (``https://www.sales.acme.co.uk/x`` →
  ``d:acme.co.uk``), with the ICANN section of the Public Suffix List that the
  ``publicsuffixlist`` package ships (offline: it never fetches an update);
- ``r:<REGISTRATIONNUMBER>`` for anything else: ASCII letters and digits only, upper case
  (``DE 123.456.789`` → ``r:DE123456789``).

Rows with an empty or unusable key are skipped and reported; a key found twice is counted once
(its first row's fields are kept) and reported.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from publicsuffixlist import PublicSuffixList

KEY_COLUMN = "key"
FIELD_COLUMNS = ("name", "owner", "stage")
FIELD_MAX = 80  # characters kept of each shared field
MAX_REPORTED = 5
_HOST = re.compile(r"[a-z0-9\u0080-\uffff.-]+")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
_NON_ALNUM = re.compile(r"[^0-9a-z]")
_LETTER = re.compile(r"[a-z\u0080-\uffff]")
_PORT = re.compile(r":\d*$")
# What the browser's normalizer trims too (JavaScript's \\s is wider: keep one explicit list).
_SPACE = " \t\r\n\f\v\u00a0" + "".join(map(chr, range(0x2000, 0x200C))) + "\u202f\u205f\u3000\ufeff"


class CsvError(ValueError):
    """The file cannot be used at all (encoding, no key column, too few keys…)."""


@functools.cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList(only_icann=True)


@functools.cache
def icann_rules() -> list[str]:
    """The ICANN rules of the bundled Public Suffix List, IDN labels in punycode (what the
    browser's normalizer uses, so that both sides share one list)."""
    text = resources.files("publicsuffixlist").joinpath("public_suffix_list.dat").read_text("utf-8")
    rules, inside = [], False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("// ===BEGIN ICANN DOMAINS==="):
            inside = True
        elif line.startswith("// ===END ICANN DOMAINS==="):
            break
        elif inside and line and not line.startswith("//"):
            rule = line.split()[0].lower()
            prefix = "!" if rule.startswith("!") else ""
            labels = rule.removeprefix("!").split(".")
            rules.append(prefix + ".".join(_punycode(label) for label in labels))
    return rules


def _punycode(label: str) -> str:
    if label == "*" or label.isascii():
        return label
    return label.encode("idna").decode("ascii")


def _host_of(lower: str) -> str | None:
    """The host name a value names (an e-mail, a URL, a bare host), or None."""
    if "://" in lower:
        rest = lower.split("://", 1)[1]
        rest = re.split(r"[/?#]", rest, maxsplit=1)[0]
        if "@" in rest:
            rest = rest.rsplit("@", 1)[1]
        return _PORT.sub("", rest)
    if "@" in lower:
        rest = lower.rsplit("@", 1)[1]
        return re.split(r"[/?#>]", rest, maxsplit=1)[0]
    candidate = _PORT.sub("", re.split(r"[/?#]", lower, maxsplit=1)[0])
    if "." not in candidate.strip(".") or not _HOST.fullmatch(candidate):
        return None
    last = candidate.rstrip(".").rsplit(".", 1)[-1]
    return candidate if _LETTER.search(last) else None


def registrable_domain(host: str) -> str | None:
    host = host.strip(".")
    if not host or ".." in host:
        return None
    try:
        labels = [_punycode(label) for label in host.split(".")]
    except UnicodeError:
        return None
    if not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return _psl().privatesuffix(".".join(labels))


def normalize(value: str) -> str | None:
    """The normalized key of a cell, or None when it holds no usable key."""
    lower = value.strip(_SPACE).lower()
    if not lower:
        return None
    host = _host_of(lower)
    if host is not None:
        domain = registrable_domain(host)
        return f"d:{domain}" if domain else None
    number = _NON_ALNUM.sub("", lower).upper()
    return f"r:{number}" if number else None


@dataclass
class Population:
    """A population's keys after normalization: key → its shared fields (first row wins)."""

    records: dict[str, dict[str, str]] = field(default_factory=dict)
    rows: int = 0
    duplicates: int = 0
    restricted: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why), first few
    skipped_count: int = 0
    columns: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.records)

    def report(self) -> str:
        """One line: what was read and what was left out."""
        parts = [f"{self.size:,} distinct keys from {self.rows:,} rows"]
        if self.duplicates:
            parts.append(f"{self.duplicates:,} duplicate(s) counted once")
        if self.restricted:
            parts.append(f"{self.restricted:,} restricted account(s) left out")
        if self.skipped_count:
            shown = "; ".join(f"line {line}: {why}" for line, why in self.skipped)
            more = "…" if self.skipped_count > len(self.skipped) else ""
            parts.append(f"{self.skipped_count:,} row(s) skipped ({shown}{more})")
        return ", ".join(parts)


def decode(data: bytes) -> str:
    """UTF-8 text (a byte-order mark is allowed); anything else is refused with a sentence."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). Save it as "
            "“CSV UTF-8” and try again."
        ) from None


def read_csv(
    data: bytes,
    *,
    is_restricted: Callable[[str], bool] | None = None,
    minimum: int = 1,
) -> Population:
    """Parse and normalize a population's CSV (bytes). Raises CsvError with a sentence."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvError("The file is empty: it needs a header row with a “key” column.") from None
    except csv.Error as exc:
        raise CsvError(f"The file is not valid CSV: {exc}.") from None
    columns = [cell.strip(_SPACE).lower() for cell in header]
    if KEY_COLUMN not in columns:
        raise CsvError(
            "The file has no “key” column. The first row must name the columns: key, and "
            "optionally name, owner, stage."
        )
    key_at = columns.index(KEY_COLUMN)
    fields_at = {name: columns.index(name) for name in FIELD_COLUMNS if name in columns}
    population = Population(columns=tuple(fields_at))
    seen: set[str] = set()
    try:
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip(_SPACE) for cell in row):
                continue  # blank line
            population.rows += 1
            raw = row[key_at] if key_at < len(row) else ""
            key = normalize(raw)
            if key is None:
                population.skipped_count += 1
                if len(population.skipped) < MAX_REPORTED:
                    why = "no key" if not raw.strip(_SPACE) else f"“{raw[:40]}” is not a usable key"
                    population.skipped.append((line, why))
                continue
            if key in seen:
                population.duplicates += 1
                continue
            seen.add(key)
            if is_restricted is not None and is_restricted(key):
                population.restricted += 1
                continue
            population.records[key] = {
                name: row[at].strip(_SPACE)[:FIELD_MAX]
                for name, at in fields_at.items()
                if at < len(row) and row[at].strip(_SPACE)
            }
    except csv.Error as exc:
        raise CsvError(f"The file is not valid CSV (line {reader.line_num}): {exc}.") from None
    if population.size == 0:
        raise CsvError(f"The file has no usable key ({population.report()}).")
    if population.size < minimum:
        raise CsvError(
            f"Too few keys: {population.size} distinct key(s) ({population.report()}); a run "
            f"needs at least {minimum} per population, so that a partner cannot probe a "
            "handful of guessed accounts."
        )
    return population
