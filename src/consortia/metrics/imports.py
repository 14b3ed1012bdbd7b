"""Reading measurements from CSV (upload, CLI) and JSON (API bulk): validate everything first,
then write in large batches.

Columns (header row required, any order): metric, organization, period, value, and optionally
initiative, visibility, unit.
- metric: the metric's name in the network's catalog (or your organization's / initiative's
  private metric), case-insensitive;
- organization: the organization's slug; one may only enter measurements for one's own
  organization (the operator's CLI `--any-organization` lifts this for migrations);
- period: 2026-03-15 (normalized to the metric's cadence), 2026-03, 2026-Q1 or 2026-W11;
- value: a decimal number with a dot (1234.5);
- initiative: the initiative's id (optional); visibility: organization, initiative or network
  (default: network for catalog metrics, organization for private ones); unit: if given, it
  must be the metric's unit.
Errors name the line and the column; nothing is written unless the whole input is valid.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from consortia.initiatives.models import Initiative, Participation
from consortia.networks import permissions as network_permissions
from consortia.networks.models import NetworkMembership, Organization

from . import periods
from .models import Measurement, Metric

REQUIRED = ("metric", "organization", "period", "value")
OPTIONAL = ("initiative", "visibility", "unit")
COLUMNS = REQUIRED + OPTIONAL
MAX_ERRORS = 50
PREVIEW_ROWS = 10
MAX_INTEGER_DIGITS = 16  # Measurement.value: 20 digits, 4 after the point
V = Measurement.Visibility
# Plain strings: enum attribute lookups cost more than the rest of a row's checks.
VISIBILITIES = frozenset(V.values)
NET, ORG, INIT = "network", "organization", "initiative"
RETIRED = Metric.Status.RETIRED.value
FORMAT_HELP = (
    "The columns are metric, organization, period, value, and optionally initiative, "
    "visibility and unit."
)
NUL_MESSAGE = (
    "This value contains a NUL character (byte 0), which no metric, organization, period or "
    "number has: is the file saved as text (CSV UTF-8)?"
)


@dataclass
class RowError:
    line: int
    column: str | None
    column_number: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.column:
            where += f", column {self.column_number} ({self.column})"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "column_number": self.column_number,
            "message": self.message,
        }


# A validated row: metric id, organization id, initiative id or None, period start, value,
# visibility.
Row = tuple[int, int, int | None, date, Decimal, str]


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    too_many_errors: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


class Validator:
    """Checks rows against the catalog and the sharing rules, with every lookup loaded once."""

    def __init__(self, *, actor, network, any_organization: bool = False):
        self.network = network
        self.actor = actor
        self.any_organization = any_organization
        metrics = Metric.objects.filter(network=network)
        if not any_organization:
            from .permissions import metric_q

            metrics = metrics.filter(metric_q(actor, network))
        self.metrics = {m.name.casefold(): m for m in metrics}
        self.own_org_id = None if any_organization else network_permissions.org_id_of(actor)
        members = Organization.objects.filter(
            NetworkMembership.active_q(prefix="network_memberships__"),
            network_memberships__network=network,
        )
        if any_organization:
            self.orgs = dict(members.values_list("slug", "id"))
        else:
            self.orgs = dict(members.filter(pk=self.own_org_id).values_list("slug", "id"))
        self.initiatives = {
            i.pk: i for i in Initiative.objects.filter(network=network).only("id", "title")
        }
        participants = Participation.objects.filter(
            initiative__network=network, status=Participation.Status.ACTIVE
        )
        if not any_organization:
            participants = participants.filter(organization_id=self.own_org_id)
        self.participations = set(participants.values_list("initiative_id", "organization_id"))
        self.seen: dict[tuple, int] = {}

    def _org_error(self, slug: str) -> str:
        if self.any_organization:
            return f"“{slug}” is not an active member organization of {self.network}."
        if Organization.objects.filter(slug=slug).exists():
            own = next(iter(self.orgs), "your organization")
            return (
                f"You can only enter measurements for your own organization ({own}), not “{slug}”."
            )
        return f"There is no organization “{slug}” (give the organization's slug)."

    def row(self, values: dict, line: int, columns: dict[str, int]) -> Row | list[RowError]:
        """Validate one row given as {column: text}; `columns` maps column names to numbers."""
        errors: list[RowError] = []

        def err(column, message):
            errors.append(RowError(line, column, columns.get(column), message))

        # No name, slug, period or number holds a NUL, and PostgreSQL refuses to even look one
        # up: the row stops here, without echoing the invisible character.
        for column, text in values.items():
            if "\x00" in text:
                err(column, NUL_MESSAGE)
        if errors:
            return errors
        name = (values.get("metric") or "").strip()
        metric = self.metrics.get(name.casefold())
        if not name:
            err("metric", "Give the metric's name.")
        elif metric is None:
            err("metric", f"Unknown metric “{name[:80]}”.")
        elif metric.status == RETIRED:
            err("metric", f"“{metric.name}” is retired and takes no new measurements.")
        slug = (values.get("organization") or "").strip()
        org_id = self.orgs.get(slug)
        if not slug:
            err("organization", "Give the organization's slug.")
        elif org_id is None:
            err("organization", self._org_error(slug[:80]))
        elif metric is not None and metric.scope == ORG and metric.owner_organization_id != org_id:
            err("metric", f"“{metric.name}” is another organization's private metric.")
        unit = (values.get("unit") or "").strip()
        if unit and metric is not None and unit.casefold() != metric.unit.casefold():
            err("unit", f"“{metric.name}” is measured in {metric.unit}, not “{unit[:30]}”.")
        text = (values.get("period") or "").strip()
        period = None
        if not text:
            err("period", "Give the period, e.g. 2026-03 or 2026-Q1.")
        elif metric is not None:
            try:
                period = periods.parse(text, metric.cadence)
            except ValueError:
                err(
                    "period",
                    f"“{text[:30]}” is not a period: write a date (2026-03-15), a month "
                    "(2026-03), a quarter (2026-Q1) or a week (2026-W11).",
                )
        raw = (values.get("value") or "").strip()
        value = None
        try:
            value = Decimal(raw)
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            err(
                "value",
                f"“{raw[:30]}” is not a number (write e.g. 1234.5)." if raw else "Give the value.",
            )
            value = None
        if value is not None:
            value = value.quantize(Decimal("0.0001")) if value.as_tuple().exponent < -4 else value
            if abs(value) >= Decimal(10) ** MAX_INTEGER_DIGITS:
                err("value", f"{raw[:30]} is too large.")
                value = None
            elif value < 0 and metric is not None and metric.non_negative:
                err("value", f"“{metric.name}” is never negative; {raw[:30]} is below zero.")
                value = None
        init_text = (values.get("initiative") or "").strip()
        initiative_id = None
        if init_text:
            if not init_text.isdigit() or int(init_text) not in self.initiatives:
                err("initiative", f"There is no initiative “{init_text[:20]}” in {self.network}.")
            else:
                initiative_id = int(init_text)
                if org_id is not None and (initiative_id, org_id) not in self.participations:
                    err("initiative", "The organization does not take part in this initiative.")
        visibility = (values.get("visibility") or "").strip().lower()
        if (
            metric is not None
            and metric.scope == INIT
            and initiative_id != metric.owner_initiative_id
        ):
            err(
                "initiative",
                f"“{metric.name}” belongs to initiative {metric.owner_initiative_id}: "
                "give that initiative.",
            )
        # A metric's scope names its default audience: network, organization or initiative.
        scope = NET if metric is None else metric.scope
        visibility = visibility or scope
        if visibility not in VISIBILITIES:
            err("visibility", "Choose organization, initiative or network.")
        elif visibility == INIT and not init_text:
            err("visibility", "Visibility “initiative” needs the initiative column.")
        elif visibility == NET and scope != NET:
            err("visibility", f"“{metric.name}” is private: it cannot be shared with the network.")
        elif visibility == INIT and scope == ORG:
            err("visibility", f"“{metric.name}” is private to your organization.")
        if errors:
            return errors
        key = (metric.id, org_id, initiative_id, period)
        earlier = self.seen.get(key)
        if earlier is not None:
            return [
                RowError(
                    line,
                    "period",
                    columns.get("period"),
                    f"Duplicate: line {earlier} already gives {metric.name} for "
                    f"{slug} in {periods.label(period, metric.cadence)}.",
                )
            ]
        self.seen[key] = line
        return (metric.id, org_id, initiative_id, period, value, visibility)


def _collect(parsed: Parsed, result, values: dict) -> None:
    if isinstance(result, list):
        room = MAX_ERRORS - len(parsed.errors)
        parsed.errors.extend(result[: max(room, 0)])
        if len(parsed.errors) >= MAX_ERRORS:
            parsed.too_many_errors = True
    else:
        parsed.rows.append(result)
        if len(parsed.preview) < PREVIEW_ROWS:
            parsed.preview.append(values)


def parse_csv(
    stream,
    *,
    actor,
    network,
    any_organization: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Parsed:
    """Validate a CSV file given as a binary stream, streaming; stops after MAX_ERRORS."""
    parsed = Parsed()
    state = {"line": 0}

    def lines():
        # Decoded line by line, so that a byte that is not UTF-8 is reported on its line.
        for raw in stream:
            state["line"] += 1
            yield raw.decode("utf-8-sig" if state["line"] == 1 else "utf-8")

    reader = csv.reader(lines())
    try:
        header = next(reader, None)
    except UnicodeDecodeError:
        parsed.errors.append(RowError(1, None, None, _encoding_message()))
        return parsed
    except csv.Error as exc:
        parsed.errors.append(RowError(1, None, None, f"This is not a readable CSV file ({exc})."))
        return parsed
    if not header:
        parsed.errors.append(RowError(1, None, None, "The file is empty. " + FORMAT_HELP))
        return parsed
    names = [h.strip().lower() for h in header]
    columns = {name: i + 1 for i, name in enumerate(names)}
    for i, name in enumerate(names):
        if name not in COLUMNS:
            parsed.errors.append(
                RowError(1, name[:40] or "(empty)", i + 1, f"Unknown column. {FORMAT_HELP}")
            )
    for name in REQUIRED:
        if name not in columns:
            parsed.errors.append(
                RowError(1, name, None, f"The column “{name}” is missing. {FORMAT_HELP}")
            )
    if parsed.errors:
        return parsed
    validator = Validator(actor=actor, network=network, any_organization=any_organization)
    width = len(names)
    try:
        for fields in reader:
            line = state["line"]
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if len(fields) > width:
                parsed.errors.append(
                    RowError(
                        line, None, None, f"{len(fields)} fields where the header has {width}."
                    )
                )
                if len(parsed.errors) >= MAX_ERRORS:
                    parsed.too_many_errors = True
                    break
                continue
            values = dict(zip(names, fields, strict=False))
            _collect(parsed, validator.row(values, line, columns), values)
            if parsed.too_many_errors:
                break
            if progress is not None and line % 10000 == 0:
                progress(line)
    except UnicodeDecodeError:
        parsed.errors.append(RowError(state["line"], None, None, _encoding_message()))
    except csv.Error as exc:
        parsed.errors.append(
            RowError(state["line"], None, None, f"This line cannot be read as CSV ({exc}).")
        )
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(2, None, None, "The file has a header but no rows."))
    return parsed


def _encoding_message() -> str:
    return (
        "The file is not UTF-8 text (perhaps Latin-1 or UTF-16). Save it as “CSV UTF-8” "
        "and upload it again."
    )


def parse_items(items: Iterable[dict], *, actor, network) -> Parsed:
    """Validate API items (dicts with the CSV's column names); `line` is the item's index."""
    parsed = Parsed()
    validator = Validator(actor=actor, network=network)
    columns = {name: i + 1 for i, name in enumerate(COLUMNS)}
    for index, item in enumerate(items):
        values = {k: ("" if v is None else str(v)) for k, v in item.items()}
        result = validator.row(values, index, columns)
        if isinstance(result, list):
            parsed.errors.extend(result)
        else:
            parsed.rows.append(result)
    return parsed
