"""Keeping the matching index in step with what organizations state about themselves.

Two kinds of `MatchDocument` (models.py), each with a row in a full-text table:
- an organization's **profile**: its name, description, offerings and values (never its
  needs, never anything private such as a partnering agenda);
- its **track record** in one network: the titles and objectives of that network's initiatives
  it took part in (visible to that network's members only, so kept per network).

Phrases are embedded here (both models, embedding.py), when the text changes, never at query
time. `networks` calls
`profile_changed(organization_ids, network=…)` through `core.hooks` (PROFILE_CHANGED)
after a profile is saved and `initiatives` after a participation changes; `rebuild()` (the
`consortia manage matching_reindex` command, the demo, the benchmark) redoes everything.

Full-text backends (same columns, created by migration 0001):
- SQLite: an FTS5 table `matching_fts` (porter stemming, diacritics folded), rowid = document id;
- PostgreSQL: a table `matching_fts` with a stored weighted `tsvector` and a GIN index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from . import embedding
from .text import clean, phrases

logger = logging.getLogger(__name__)
TABLE = "matching_fts"
FIELDS = ("name", "description", "offerings", "values_text", "initiatives")
# How much each kind of phrase counts in a document's overall vector (semantic part).
VECTOR_WEIGHTS = {"description": 1.0, "offerings": 1.0, "values": 0.3, "initiatives": 1.0}
MAX_FIELD_CHARS = 20_000
MAX_TRACK_INITIATIVES = 200  # the newest ones, per organization and network

# SQLite: the rowid says whose document it is, (organization id << 20) | network id (0 for the
# profile), so the search filters and groups without reading stored columns (3x faster).
NETWORK_BITS = 20
NETWORK_MASK = (1 << NETWORK_BITS) - 1
SQLITE_SCHEMA = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "name, description, offerings, values_text, initiatives, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
]
POSTGRES_SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "document_id bigint PRIMARY KEY, organization_id bigint NOT NULL, "
    "network_id bigint NOT NULL DEFAULT 0, name text NOT NULL DEFAULT '', "
    "description text NOT NULL DEFAULT '', offerings text NOT NULL DEFAULT '', "
    "values_text text NOT NULL DEFAULT '', initiatives text NOT NULL DEFAULT '', "
    "vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', name), 'A') || "
    "setweight(to_tsvector('english', offerings), 'A') || "
    "setweight(to_tsvector('english', description), 'B') || "
    "setweight(to_tsvector('english', initiatives), 'C') || "
    "setweight(to_tsvector('english', values_text), 'D')) STORED)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_vector ON {TABLE} USING gin (vector)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_org ON {TABLE} (organization_id, network_id)",
]
DROP = [f"DROP TABLE IF EXISTS {TABLE}"]
STATE = "matching_matchindexstate"


def fts_key(organization_id, network_id) -> int:
    network_id = int(network_id or 0)
    if not 0 <= network_id <= NETWORK_MASK:
        raise ValueError(f"network id {network_id} does not fit the full-text key")
    return (int(organization_id) << NETWORK_BITS) | network_id


def touch(cursor) -> None:
    """Record that the index changed: a new random token, which every process's vector copy
    compares with its own (a rolled-back change restores the old token, and with it the old
    state, so a copy is never taken for current when it is not)."""
    import uuid

    token = uuid.uuid4().hex
    cursor.execute(f"UPDATE {STATE} SET token = %s WHERE id = 1", [token])  # noqa: S608
    if cursor.rowcount == 0:
        cursor.execute(f"INSERT INTO {STATE} (id, token) VALUES (1, %s)", [token])  # noqa: S608


def _limit(text) -> str:
    return clean(text)[:MAX_FIELD_CHARS]


# What a document says --------------------------------------------------------------------------


def profile_phrases(organization) -> list[tuple[str, str]]:
    return (
        phrases("description", _limit(organization.description), by_line=False)
        + phrases("offerings", _limit(organization.offerings), by_line=True)
        + phrases("values", _limit(organization.values), by_line=True)
    )


def initiative_phrase(title: str, objective: str) -> str:
    title, objective = " ".join(clean(title).split()), " ".join(clean(objective).split())
    return f"{title}: {objective}"[:500] if objective else title[:500]


def document_vectors(found: list[tuple[str, str]]) -> tuple[np.ndarray, ...]:
    """(The English model: one row per phrase, and the document's unit vector; the
    multilingual encoder: the same two), phrases weighted by field. A document written in
    another language gets no English vectors (zero rows): the ranking reads it with the
    multilingual encoder alone. Without a model (a broken install) its vectors are zero and
    matching leans on the rest until `matching_reindex` runs again: a profile can always be
    saved."""
    texts = [text for _, text in found]
    rows = np.zeros((len(found), embedding.DIMENSIONS), dtype=np.float32)
    if embedding.is_english(" ".join(text for field, text in found if field != "name")):
        try:
            rows = embedding.embed(texts)
        except embedding.ModelUnavailable:
            logger.exception("matching: the English model is unavailable; indexing without it")
    try:
        rows_ml = embedding.embed_multilingual(texts)
    except embedding.ModelUnavailable:
        logger.exception("matching: the multilingual model is unavailable")
        rows_ml = np.zeros((len(found), embedding.MULTILINGUAL_DIMENSIONS), dtype=np.float32)
    weights = np.array([VECTOR_WEIGHTS.get(field, 1.0) for field, _ in found], dtype=np.float32)
    return rows, _weighted_unit(rows, weights), rows_ml, _weighted_unit(rows_ml, weights)


def _weighted_unit(rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    total = (rows * weights[:, None]).sum(axis=0)
    norm = float(np.linalg.norm(total)) if len(rows) else 0.0
    vector = total / norm if norm > 0 else np.zeros(rows.shape[1], dtype=np.float32)
    return vector.reshape(1, -1)


# Writing ----------------------------------------------------------------------------------------


def _fts_insert(cursor, document_id, organization_id, network_id, texts: dict) -> None:
    values = [_limit(texts.get(field, "")) for field in FIELDS]
    if connection.vendor == "postgresql":
        cursor.execute(
            f"INSERT INTO {TABLE} (document_id, organization_id, network_id, "  # noqa: S608
            f"{', '.join(FIELDS)}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [document_id, organization_id, network_id or 0, *values],
        )
    else:
        cursor.execute(
            f"INSERT INTO {TABLE} (rowid, {', '.join(FIELDS)}) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [fts_key(organization_id, network_id), *values],
        )


def _fts_delete(cursor, organization_id, network_id) -> None:
    """Remove the organization's row for that network (or its profile's), whatever the
    documents table says: `flush` (tests, the benchmark) empties the tables Django knows, not
    this one, so a row may outlive its document."""
    if connection.vendor == "postgresql":
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE organization_id = %s AND network_id = %s",  # noqa: S608
            [organization_id, network_id or 0],
        )
    else:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE rowid = %s",  # noqa: S608
            [fts_key(organization_id, network_id)],
        )


@dataclass(frozen=True)
class Models:
    """The model classes the index reads and writes: the real ones, or a migration's."""

    document: type
    organization: type
    initiative: type
    participation: type
    membership: type


def real_models() -> Models:
    from consortia.initiatives.models import Initiative, Participation
    from consortia.networks.models import NetworkMembership, Organization

    from .models import MatchDocument

    return Models(MatchDocument, Organization, Initiative, Participation, NetworkMembership)


def migration_models(apps) -> Models:
    """The same classes as a migration sees them (its historical models, from `apps`)."""
    return Models(
        document=apps.get_model("matching", "MatchDocument"),
        organization=apps.get_model("networks", "Organization"),
        initiative=apps.get_model("initiatives", "Initiative"),
        participation=apps.get_model("initiatives", "Participation"),
        membership=apps.get_model("networks", "NetworkMembership"),
    )


def reindex_documents(apps, schema_editor) -> None:
    """RunPython of a migration that adds a vector field (0002, 0003) or changes a model
    (0004): rebuild the documents there are, with the migration's models, so that each gets
    the new field's value."""
    models = migration_models(apps)
    if models.document.objects.exists():
        rebuild(models=models)


# Statuses as stored (a migration's historical models have no TextChoices).
TOOK_PART = ("active", "left")
CANCELLED = "cancelled"


def _replace(organization_id, network_id, found, texts, models: Models | None = None) -> None:
    """Replace one document (a new id each time: the vector caches notice it by the id)."""
    MatchDocument = (models or real_models()).document

    old = list(
        MatchDocument.objects.filter(
            organization_id=organization_id, network_id=network_id
        ).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        _fts_delete(cursor, organization_id, network_id)
        if old:
            MatchDocument.objects.filter(pk__in=old).delete()
        if not found:
            return
        rows, vector, rows_ml, vector_ml = document_vectors(found)
        values = {
            "organization_id": organization_id,
            "network_id": network_id,
            "phrases": [list(pair) for pair in found],
            "vectors": embedding.to_bytes(rows),
            "vector": embedding.to_bytes(vector),
            "vectors_ml": embedding.to_bytes_multilingual(rows_ml),
            "vector_ml": embedding.to_bytes_multilingual(vector_ml),
            "model_name": embedding.MODEL_NAME,
            "updated_at": timezone.now(),
        }
        # A migration's model may not have the later vector fields yet (0001 and 0002 rebuild
        # with theirs on an upgrade): it gets what it has, the later migration the rest.
        known = {field.attname for field in MatchDocument._meta.concrete_fields}
        document = MatchDocument.objects.create(
            **{name: value for name, value in values.items() if name in known}
        )
        _fts_insert(cursor, document.pk, organization_id, network_id, texts)


def index_profile(organization, models: Models | None = None) -> None:
    """(Re-)index an organization's own profile."""
    found = profile_phrases(organization)
    texts = {
        "name": organization.name,
        "description": organization.description,
        "offerings": organization.offerings,
        "values_text": organization.values,
    }
    if organization.name and not found:
        found = [("name", organization.name)]  # a bare profile still matches by name
    _replace(organization.pk, None, found, texts, models)


def track_phrases(organization_id, network_id, models: Models | None = None) -> list:
    """The initiatives of the network it took part in (participant now or earlier; proposed,
    active or completed: not cancelled), newest first."""
    Initiative = (models or real_models()).initiative
    rows = (
        Initiative.objects.filter(
            network_id=network_id,
            participations__organization_id=organization_id,
            participations__status__in=TOOK_PART,
        )
        .exclude(status=CANCELLED)
        .order_by("-starts_on", "-pk")
        .values_list("title", "objective")
        .distinct()[:MAX_TRACK_INITIATIVES]
    )
    return [("initiatives", initiative_phrase(title, objective)) for title, objective in rows]


def index_track(organization_id, network_id, models: Models | None = None) -> None:
    """(Re-)index an organization's track record in one network."""
    found = track_phrases(organization_id, network_id, models)
    texts = {"initiatives": "\n".join(text for _, text in found)}
    _replace(organization_id, network_id, found, texts, models)


def profile_changed(*, organization_ids, network=None) -> None:
    """The listener of core.hooks.PROFILE_CHANGED: a profile, or a track record in `network`,
    changed. Runs inside the caller's transaction, so the index changes with the profile."""
    from consortia.networks.models import Organization

    ids = sorted({int(pk) for pk in organization_ids if pk})
    if not ids:
        return
    with transaction.atomic():
        if network is None:
            for organization in Organization.objects.filter(pk__in=ids):
                index_profile(organization)
        else:
            network_id = getattr(network, "pk", network)
            for organization_id in ids:
                index_track(organization_id, network_id)
        with connection.cursor() as cursor:
            touch(cursor)


def rebuild(*, network=None, say=None, models: Models | None = None) -> int:
    """Re-create the documents of every organization (or of one network's organizations, any
    membership status); returns how many documents were written."""
    models = models or real_models()
    organizations = models.organization.objects.order_by("pk")
    tracks = models.participation.objects.filter(status__in=TOOK_PART)
    if network is not None:
        members = models.membership.objects.filter(network=network).values("organization_id")
        organizations = organizations.filter(pk__in=members)
        tracks = tracks.filter(initiative__network=network)
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        models.document.objects.all().delete()
    count = 0
    with transaction.atomic():
        for organization in organizations.iterator(chunk_size=500):
            index_profile(organization, models)
            count += 1
            if say and count % 1000 == 0:
                say(f"  {count:,} profiles indexed")
        pairs = tracks.values_list("organization_id", "initiative__network_id").distinct()
        for organization_id, network_id in sorted(set(pairs)):
            index_track(organization_id, network_id, models)
            count += 1
        with connection.cursor() as cursor:
            touch(cursor)
    return count
