"""Who could help? Ranking a network's member organizations against a text, with evidence.

    result = ranking.match(person, network, "Our puddings arrive at the retailer too warm")

Two signals, fused:
1. **Lexical**: BM25 (SQLite FTS5) or `ts_rank` (PostgreSQL) over the profile fields with field
   weights — name and offerings count most, then the description and past initiatives, then
   values; an organization's needs are not indexed at all (a firm that *needs* what the text
   asks for is not the one that can help). The query is the text's distinct content words,
   OR-ed. Scores are divided by the best one, so the top lexical match gets 1.
2. **Semantic**: cosine similarity between the text's vector and each document's vector
   (phrases weighted by field), standardised over the candidates, from the model made for
   the text's language (embedding.py): all-MiniLM-L6-v2 for an English text, the
   multilingual Universal Sentence Encoder for a text in another language. A document
   written in another language has no English vectors: for an English text it counts with
   its multilingual standing. The English part of the best STAGE_TWO organizations is refined
   with their single closest phrase (0.7 x document + 0.3 x closest phrase), which is also
   the evidence shown.

   score = LEXICAL_WEIGHT x lexical
           + (1 - LEXICAL_WEIGHT) x ((1 - share) x z(English) + share x z(multilingual)) / 3

   share = MULTILINGUAL_SHARE (0.1) for an English text, 1 for another language.

Only the text is embedded at query time; documents were embedded when they changed
(index.py). Visibility is SQL: the candidates are the network's active members now (never
the viewer's own organization), read with `NetworkMembership.active_q`, and the lexical query
filters on the same subquery; track records of other networks are never read. A process keeps
the documents' vectors in memory and reloads them when the index changed (one cheap query
per search checks it), so a search costs a fixed number of queries whatever the size of the
network.
"""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import embedding
from .index import FIELDS, NETWORK_BITS, NETWORK_MASK, TABLE, fts_key
from .text import MAX_QUERY_CHARS, clean, query_terms, split

# The best on all 49 challenges of the labelled set (tests/data/matching) on SQLite and
# PostgreSQL; README says how, and gives the cross-validated estimate. DOCUMENT_SHARE and the
# field weights were chosen on its tuning half with the previous models and kept.
LEXICAL_WEIGHT = 0.1
# The multilingual encoder's share of the semantic part for an English text; a text in
# another language gets 1 (the English model does not read it).
MULTILINGUAL_SHARE = 0.1
FIELD_WEIGHTS = {  # BM25 column weights (SQLite); PostgreSQL has four classes, see _lexical
    "name": 2.0,
    "description": 1.0,
    "offerings": 2.0,
    "values_text": 0.5,
    "initiatives": 1.0,
}
DOCUMENT_SHARE = 0.7  # semantic: the document vector vs. its closest phrase (stage two)
STAGE_TWO = 20  # 50 and 10 rank the labelled set the same
DEFAULT_TOP = 10
MAX_TOP = 50
START, STOP = "\x02", "\x03"
FIELD_LABELS = {
    "name": "name",
    "description": "description",
    "offerings": "offerings",
    "values": "values",
    "values_text": "values",
    "initiatives": "past initiatives",
}


class MatchError(ValueError):
    """The text cannot be matched; the message says why, as a sentence for the person."""


@dataclass(frozen=True)
class Weights:
    lexical: float = LEXICAL_WEIGHT
    document_share: float = DOCUMENT_SHARE
    multilingual: float = MULTILINGUAL_SHARE
    fields: tuple = tuple(FIELD_WEIGHTS[name] for name in FIELDS)  # the table's column order

    @property
    def semantic(self) -> float:
        return 1.0 - self.lexical


@dataclass
class Evidence:
    field: str  # name, description, offerings, values, initiatives
    text: str
    html: SafeString  # the phrase, escaped, matched words in <mark>
    similarity: float | None = None  # for the semantic evidence

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)


@dataclass
class Match:
    organization: object
    score: float
    lexical: float  # 0..1, 1 for the best lexical match
    semantic: float  # cosine similarity of the text and the organization's profile
    words: list[str] = field(default_factory=list)  # query words found in the profile
    phrases: list[Evidence] = field(default_factory=list)  # profile phrases with those words
    closest: Evidence | None = None  # the profile phrase closest in meaning

    @property
    def strength(self) -> str:
        if self.score >= STRONG:
            return "strong"
        return "good" if self.score >= GOOD else "weak"

    @property
    def why(self) -> str:
        """One sentence saying why it is listed."""
        parts = []
        if self.words:
            fields = sorted({e.label for e in self.phrases}) or ["profile"]
            shown = ", ".join(self.words[:6]) + ("…" if len(self.words) > 6 else "")
            noun = "the word" if len(self.words) == 1 else "the words"
            verb = "appears" if len(self.words) == 1 else "appear"
            parts.append(f"{noun} {shown} {verb} in its {' and '.join(fields)}")
        if self.closest is not None:
            parts.append(
                f"a phrase of its {self.closest.label} is close in meaning "
                f"(similarity {self.closest.similarity:.2f})"
            )
        if not parts:
            return "Little in its profile relates to the text."
        return "Listed because " + "; ".join(parts) + "."


STRONG, GOOD = 0.6, 0.35


@dataclass
class MatchResult:
    query: str
    matches: list[Match]
    candidates: int = 0  # organizations ranked (active members but the viewer's own)
    error: str = ""

    def __iter__(self):
        return iter(self.matches)

    def __len__(self) -> int:
        return len(self.matches)


# The text --------------------------------------------------------------------------------------


def clean_query(raw) -> str:
    text = clean(raw).strip()
    if not text:
        raise MatchError("Describe what you need help with.")
    if len(text) > MAX_QUERY_CHARS:
        raise MatchError(f"Describe it in at most {MAX_QUERY_CHARS:,} characters.")
    if not any(ch.isalnum() for ch in text):
        raise MatchError("Describe what you need help with in words.")
    return text


# Candidates (visibility, in SQL) -----------------------------------------------------------------


def candidates_queryset(network, exclude=(), now=None):
    """The organizations that may be ranked: the network's active members now, without the
    `exclude`d ones (the viewer's own organization, the challenge's author)."""
    from consortia.networks.models import NetworkMembership

    members = NetworkMembership.objects.filter(NetworkMembership.active_q(now), network=network)
    exclude = sorted({int(pk) for pk in exclude if pk is not None})
    if exclude:
        members = members.exclude(organization_id__in=exclude)
    return members.order_by().values("organization_id")  # no ordering: no join, no sort


def _candidate_ids(candidates) -> np.ndarray:
    """The candidates' ids, sorted (one query, no model instances)."""
    sql, params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
    ids.sort()
    return ids


# Lexical ----------------------------------------------------------------------------------------


def _fts5_query(terms) -> str:
    return " OR ".join(f'"{term}"' for term in terms)


def _tsquery(terms) -> str:
    return " | ".join(f"'{term}'" for term in terms)


# PostgreSQL's four weight classes, {D, C, B, A}: values, initiatives, description, name and
# offerings; the same proportions as FIELD_WEIGHTS.
PG_WEIGHTS = "{0.25, 0.5, 0.5, 1.0}"


def lexical_scores(terms, network, candidates, weights: Weights) -> tuple[np.ndarray, ...]:
    """(organization ids, summed BM25 of their profile and their track record in `network`)
    for the candidates that match at least one term. One query; the candidates' subquery is in
    it, so nothing outside them is ever scored."""
    empty = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    if not terms:
        return empty
    subquery, sub_params = candidates.query.sql_with_params()
    if connection.vendor == "postgresql":
        sql = (
            "SELECT organization_id, SUM(ts_rank(%s::float4[], vector, q.q, 1)) "  # noqa: S608
            f"FROM {TABLE}, to_tsquery('english', %s) AS q(q) "
            f"WHERE vector @@ q.q AND network_id IN (0, %s) AND organization_id IN ({subquery}) "
            "GROUP BY organization_id"
        )
        params = [PG_WEIGHTS, _tsquery(terms), network.pk, *sub_params]
    else:
        marks = ", ".join(["%s"] * len(weights.fields))
        # The rowid holds the organization and the network (index.fts_key): filtering on it
        # reads no stored column. A profile and a track record are added up below.
        sql = (
            f"SELECT rowid >> {NETWORK_BITS}, -bm25({TABLE}, {marks}) FROM {TABLE} "  # noqa: S608
            f"WHERE {TABLE} MATCH %s AND (rowid & {NETWORK_MASK}) IN (0, %s) "
            f"AND (rowid >> {NETWORK_BITS}) IN ({subquery})"
        )
        params = [*weights.fields, _fts5_query(terms), network.pk, *sub_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return empty
    organizations = np.array([row[0] for row in rows], dtype=np.int64)
    scores = np.array([row[1] or 0.0 for row in rows], dtype=np.float64)
    unique, position = np.unique(organizations, return_inverse=True)
    summed = np.zeros(len(unique), dtype=np.float64)
    np.add.at(summed, position, scores)
    return unique, summed


def _highlights(terms, documents: list[tuple[int, int, int]]) -> dict[int, dict[str, str]]:
    """{document id: {field: text with START/STOP around matched words}} for a few documents,
    given as (document id, organization id, network id or 0)."""
    if not terms or not documents:
        return {}
    marks = ", ".join(["%s"] * len(documents))
    if connection.vendor == "postgresql":
        options = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"
        columns = ", ".join(f"ts_headline('english', {name}, q.q, '{options}')" for name in FIELDS)
        sql = (
            f"SELECT document_id, {columns} FROM {TABLE}, "  # noqa: S608
            f"to_tsquery('english', %s) AS q(q) WHERE document_id IN ({marks}) AND vector @@ q.q"
        )
        params = [_tsquery(terms), *(doc for doc, _, _ in documents)]
        keys = None
    else:
        columns = ", ".join(
            f"highlight({TABLE}, {i}, '{START}', '{STOP}')" for i in range(len(FIELDS))
        )
        sql = (
            f"SELECT rowid, {columns} FROM {TABLE} "  # noqa: S608
            f"WHERE {TABLE} MATCH %s AND rowid IN ({marks})"
        )
        keys = {fts_key(org, net): doc for doc, org, net in documents}
        params = [_fts5_query(terms), *keys]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = {}
    for row in rows:
        document_id = int(row[0]) if keys is None else keys.get(int(row[0]))
        if document_id is not None:
            found[document_id] = dict(zip(FIELDS, row[1:], strict=True))
    return found


def _marked_html(text: str) -> SafeString:
    html = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html + "</mark>" * max(0, html.count("<mark>") - html.count("</mark>")))  # noqa: S308


def _lexical_evidence(highlighted: dict[str, str]) -> tuple[list[str], list[Evidence]]:
    words: dict[str, None] = {}
    found = []
    for name, text in highlighted.items():
        if not text or START not in text:
            continue
        label = "values" if name == "values_text" else name
        by_line = name != "description"
        for phrase in split(text, by_line=by_line):
            if START not in phrase:
                continue
            for part in phrase.split(START)[1:]:
                words.setdefault(part.split(STOP)[0].lower(), None)
            plain = phrase.replace(START, "").replace(STOP, "")
            found.append(Evidence(field=label, text=plain, html=_marked_html(phrase)))
    return list(words), found


# Semantic: the documents' vectors, kept per process -------------------------------------------


class _VectorCache:
    """Every document's id, organization, network (0: the profile) and unit vector."""

    def __init__(self):
        self.lock = threading.Lock()
        self.stamp = object()  # never equal to a token
        self.organizations = np.zeros(0, dtype=np.int64)
        self.networks = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, embedding.DIMENSIONS), dtype=np.float32)
        self.vectors_ml = np.zeros((0, embedding.MULTILINGUAL_DIMENSIONS), dtype=np.float32)
        self.missing = [np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)]

    def current(self):
        from .index import STATE
        from .models import MatchDocument

        with connection.cursor() as cursor:
            cursor.execute(f"SELECT token FROM {STATE} WHERE id = 1")  # noqa: S608
            row = cursor.fetchone()
        stamp = (connection.alias, row[0] if row else None)
        with self.lock:
            if stamp != self.stamp:
                # The same database as the token (never a replica that may lag behind it).
                rows = list(
                    MatchDocument.objects.using(connection.alias)
                    .order_by("pk")
                    .values_list("organization_id", "network_id", "vector", "vector_ml")
                )
                self.organizations = np.array([r[0] for r in rows], dtype=np.int64)
                self.networks = np.array([r[1] or 0 for r in rows], dtype=np.int64)
                self.vectors = _matrix([r[2] for r in rows], embedding.DIMENSIONS)
                self.vectors_ml = _matrix([r[3] for r in rows], embedding.MULTILINGUAL_DIMENSIONS)
                # Rows without a vector (not indexed with that model): never "similar".
                self.missing = [~self.vectors.any(axis=1), ~self.vectors_ml.any(axis=1)]
                self.stamp = stamp
            return (
                self.organizations,
                self.networks,
                [self.vectors, self.vectors_ml],
                self.missing,
            )


def _matrix(blobs, columns: int) -> np.ndarray:
    """float16 rows as one float32 matrix; an empty row (not yet indexed) is zero."""
    matrix = np.zeros((len(blobs), columns), dtype=np.float32)
    width = 2 * columns
    for i, blob in enumerate(blobs):
        data = bytes(blob or b"")
        if len(data) == width:
            matrix[i] = np.frombuffer(data, dtype=np.float16)
    return matrix


_cache = _VectorCache()


def forget_vectors() -> None:
    """Drop this process's copy of the vectors (tests that roll back the database)."""
    with _cache.lock:
        _cache.stamp = object()


def semantic_scores(query_vectors, network, candidate_ids: np.ndarray) -> list[np.ndarray]:
    """For each model's query vector (English, multilingual): the cosine of the query and
    each candidate's best document (its profile, or its track record in `network`), in the
    order of `candidate_ids`; -1 for an unindexed organization.

    One matrix product per model over every document (a few ms at 10,000), then the
    candidates' rows picked by position: an organization has one profile and at most one
    track record per network (unique constraints), so no per-row loop is needed."""
    organizations, networks, matrices, missing = _cache.current()
    found = [np.full(len(candidate_ids), -1.0, dtype=np.float32) for _ in query_vectors]
    if not len(organizations) or not len(candidate_ids):
        return found
    position = np.minimum(np.searchsorted(candidate_ids, organizations), len(candidate_ids) - 1)
    inside = candidate_ids[position] == organizations
    profiles = inside & (networks == 0)
    tracks = inside & (networks == network.pk)
    for scores, vectors, absent, query_vector in zip(
        found, matrices, missing, query_vectors, strict=True
    ):
        if query_vector is None or not query_vector.any():
            continue
        sims = vectors @ query_vector
        sims[absent] = -1.0
        scores[position[profiles]] = sims[profiles]
        if tracks.any():
            at = position[tracks]
            scores[at] = np.maximum(scores[at], sims[tracks])
    return found


# Ranking -----------------------------------------------------------------------------------------


def _standardise(values: np.ndarray, known: np.ndarray) -> tuple[float, float]:
    sample = values[known]
    if len(sample) < 2:
        return (float(sample.mean()) if len(sample) else 0.0), 1.0
    return float(sample.mean()), float(sample.std()) or 1.0


def _no_vectors() -> tuple[np.ndarray, np.ndarray]:
    return (
        np.zeros(embedding.DIMENSIONS, dtype=np.float32),
        np.zeros(embedding.MULTILINGUAL_DIMENSIONS, dtype=np.float32),
    )


def _encode_query(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(The English model's vector, zero for a text in another language; the multilingual
    encoder's), a zero vector for a model that cannot be loaded."""
    query_vector, query_ml = _no_vectors()
    if embedding.is_english(text):
        with contextlib.suppress(embedding.ModelUnavailable):
            query_vector = embedding.embed([text], remember=False)[0]
    with contextlib.suppress(embedding.ModelUnavailable):
        query_ml = embedding.embed_multilingual([text], remember=False)[0]
    return query_vector, query_ml


_pool_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _encoder() -> ThreadPoolExecutor:
    """The threads that encode search texts (one pool per process: a forked worker makes its
    own, the parent's threads do not survive a fork)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(4, thread_name_prefix="matching-query"))
        return _pool[1]


def rank(
    text: str,
    network,
    exclude=(),
    *,
    top: int = DEFAULT_TOP,
    weights: Weights | None = None,
    now=None,
    evidence: bool = True,
) -> tuple[list[tuple[int, float, float, float]], int, dict]:
    """[(organization id, score, lexical 0..1, semantic cosine)] best first, the number of
    candidates, and the evidence material. `text` must be clean (clean_query)."""
    weights = weights or Weights()
    candidates = candidates_queryset(network, exclude, now)
    candidate_ids = _candidate_ids(candidates)
    if not len(candidate_ids):
        return [], 0, {}
    # The text is encoded in a thread while the database ranks the words: numpy releases the
    # GIL in its products and the database works in its own process (PostgreSQL) or without
    # the GIL (SQLite), so a search costs the longer of the two, not their sum.
    encoding = _encoder().submit(_encode_query, text) if weights.semantic > 0 else None
    terms = query_terms(text)
    lexical = np.zeros(len(candidate_ids), dtype=np.float64)
    if weights.lexical > 0:
        found, scores = lexical_scores(terms, network, candidates, weights)
        position = np.searchsorted(candidate_ids, found)
        inside = position < len(candidate_ids)
        inside[inside] = candidate_ids[position[inside]] == found[inside]
        lexical[position[inside]] = scores[inside]
    if lexical.max() > 0:
        lexical = lexical / lexical.max()

    # The English model reads an English text; a text in another language (or a broken
    # install of the English model) is read by the multilingual encoder alone.
    share = weights.multilingual
    query_vector, query_ml = encoding.result() if encoding is not None else _no_vectors()
    if not query_vector.any():
        share = 1.0
    score = weights.lexical * lexical
    semantic = np.full(len(candidate_ids), -1.0, dtype=np.float32)
    known = np.zeros(len(candidate_ids), dtype=bool)
    mean, spread = 0.0, 1.0
    if weights.semantic > 0 and (query_vector.any() or query_ml.any()):
        with embedding.one_blas_thread():
            semantic, semantic_ml = semantic_scores(
                [query_vector, query_ml], network, candidate_ids
            )
        known_ml = semantic_ml > -1
        mean_ml, spread_ml = _standardise(semantic_ml, known_ml)
        z_ml = np.where(known_ml, (semantic_ml - mean_ml) / spread_ml, -3.0)
        if share < 1:
            # A document without English vectors (written in another language) counts with
            # its multilingual standing in the English part too.
            known = semantic > -1
            mean, spread = _standardise(semantic, known)
            z = np.where(known, (semantic - mean) / spread, z_ml)
            score = score + weights.semantic * (1 - share) * z / 3
        if share > 0:
            score = score + weights.semantic * share * z_ml / 3
        semantic = np.where(known, semantic, semantic_ml)
    order = np.lexsort((candidate_ids, -score))

    # Stage two: the best ones, refined with their closest phrase (also the evidence).
    head = order[: max(STAGE_TWO, top)] if weights.semantic > 0 else order[:top]
    documents = _documents([int(candidate_ids[i]) for i in head], network)
    # The evidence: the phrase closest in meaning by the model that read the text (the
    # multilingual encoder's for a document without English vectors); the English model's
    # closest phrase also refines its part.
    english_part = share < 1
    closest: dict[int, Evidence] = {}
    closest_english: dict[int, float] = {}
    for org_id, docs in documents.items():
        best_en = _closest_phrase(docs, 3, query_vector if english_part else None)
        best_ml = _closest_phrase(docs, 4, query_ml)
        if best_en is not None:
            closest_english[org_id] = best_en[0]
        best = best_en or best_ml
        if best is not None:
            (field_name, phrase) = best[1]
            closest[org_id] = Evidence(
                field=field_name, text=phrase, html=escape(phrase), similarity=best[0]
            )
    refined = score.copy()
    if weights.semantic > 0 and english_part:
        for i in head:
            org_id = int(candidate_ids[i])
            if org_id in closest_english and known[i]:
                mixed = (
                    weights.document_share * semantic[i]
                    + (1 - weights.document_share) * closest_english[org_id]
                )
                refined[i] += weights.semantic * (1 - share) * (mixed - semantic[i]) / spread / 3
        head = sorted(head, key=lambda i: (-refined[i], candidate_ids[i]))
    ranked = [
        (int(candidate_ids[i]), float(refined[i]), float(lexical[i]), float(semantic[i]))
        for i in head[:top]
    ]
    material = {"terms": terms, "documents": documents, "closest": closest}
    if evidence and terms:
        wanted = [(d, org, net) for org, *_ in ranked for d, net, *_ in documents.get(org, [])]
        material["highlights"] = _highlights(terms, wanted)
    return ranked, len(candidate_ids), material


def _closest_phrase(docs, column: int, query_vector):
    """(cosine, (field, phrase)) of the documents' phrase closest to the query, using the phrase
    vectors in `column` of each document (3: English, 4: multilingual); None without them."""
    if query_vector is None or not query_vector.any():
        return None
    best = None
    for doc in docs:
        found, rows = doc[2], doc[column]
        if not len(found) or rows is None or len(rows) != len(found) or not rows.any():
            continue
        sims = rows @ query_vector
        i = int(np.argmax(sims))
        if best is None or sims[i] > best[0]:
            best = (float(sims[i]), found[i])
    return best


def _documents(org_ids, network) -> dict[int, list]:
    """{organization id: [(document id, network id or 0, phrases, English phrase vectors,
    multilingual phrase vectors or None)]}: the profile and the track record in `network`."""
    from django.db.models import Q

    from .models import MatchDocument

    found: dict[int, list] = {}
    if not org_ids:
        return found
    rows = (
        MatchDocument.objects.using(connection.alias)
        .filter(organization_id__in=org_ids)
        .filter(Q(network__isnull=True) | Q(network=network))
        .order_by("network_id", "pk")
        .values_list("pk", "organization_id", "network_id", "phrases", "vectors", "vectors_ml")
    )
    for pk, org_id, network_id, found_phrases, vectors, vectors_ml in rows:
        pairs = [tuple(pair) for pair in found_phrases or []]
        matrix = embedding.from_bytes(vectors) if pairs else np.zeros((0, embedding.DIMENSIONS))
        data_ml = bytes(vectors_ml or b"")
        matrix_ml = None
        if pairs and len(data_ml) == 2 * embedding.MULTILINGUAL_DIMENSIONS * len(pairs):
            matrix_ml = embedding.from_bytes_multilingual(data_ml)
        found.setdefault(org_id, []).append(
            (pk, network_id or 0, pairs, matrix[: len(pairs)], matrix_ml)
        )
    return found


def match(person, network, raw_text, *, top=DEFAULT_TOP, exclude=(), now=None) -> MatchResult:
    """The organizations of `network` that could help with `raw_text`, best first, with their
    evidence; never the person's own organization, nor those in `exclude`. `person` must
    already have been allowed to see the network's members (permissions.get_network_for).
    Bad input gives a result with `error` set, never raises."""
    from consortia.networks.models import Organization
    from consortia.networks.permissions import org_id_of

    try:
        text = clean_query(raw_text)
    except MatchError as exc:
        return MatchResult(query=clean(raw_text)[:MAX_QUERY_CHARS], matches=[], error=str(exc))
    try:
        top = max(1, min(int(top or DEFAULT_TOP), MAX_TOP))
    except (TypeError, ValueError):
        top = DEFAULT_TOP
    ranked, candidates, material = rank(
        text, network, [org_id_of(person), *exclude], top=top, now=now or timezone.now()
    )
    organizations = Organization.objects.in_bulk([org for org, *_ in ranked])
    highlights = material.get("highlights", {})
    matches = []
    for org_id, score, lexical, semantic in ranked:
        if org_id not in organizations:
            continue  # deleted meanwhile
        words, evidence = [], []
        for doc_id, *_ in material["documents"].get(org_id, []):
            doc_words, doc_evidence = _lexical_evidence(highlights.get(doc_id, {}))
            words += [w for w in doc_words if w not in words]
            evidence += doc_evidence
        matches.append(
            Match(
                organization=organizations[org_id],
                score=round(score, 4),
                lexical=round(lexical, 4),
                semantic=round(max(semantic, -1.0), 4),
                words=words,
                phrases=evidence[:4],
                closest=material["closest"].get(org_id),
            )
        )
    return MatchResult(query=text, matches=matches, candidates=candidates)
