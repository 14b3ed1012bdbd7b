"""Full-text search over shared items, filtered by audience in the same SQL query.

One index row per item (its id is the row's key): the title, the body, every comment and the
current document version's extracted text. The index holds only text; who may read a row is
decided at query time by `audience.item_visible_q`, inside the search query itself (a
correlated EXISTS on the item), so a result, a snippet or a count never comes from an item the
viewer cannot see, and narrowing an audience takes effect at the next request without
re-indexing.

Backends:
- SQLite: an FTS5 virtual table `sharing_search` (porter stemming, diacritics folded).
- PostgreSQL: a plain table `sharing_search` with a stored, weighted `tsvector` column and a
  GIN index (`english` configuration).

They are created by migration 0002 (vendor SQL that Django's model state cannot describe; no
foreign keys, so Django's `flush` can still truncate the tables it knows). The services keep
the index in sync by calling `index_item(item)` after any write that changes an item's text
(create, edit, comment, new document version) and `unindex_item(item)` when an item is
deleted; `rebuild_index()` re-creates every row (for data inserted in bulk, as the benchmark's).

Results come newest item first (like Zulip's search), which also lets both backends stop after
one page of visible matches instead of ranking every match in the network.

The user's query is never passed to the engine as syntax: it is parsed here into words,
"quoted phrases" and -excluded words (letters and digits only), and rebuilt for the backend,
so no input can raise a syntax error. While the person types (the page's as-you-type
requests), the trailing word also matches as a prefix; a submitted search matches whole words
(with stemming), which is much cheaper on common words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_FIELD_CHARS = 200_000  # per indexed field: enough for a long document, bounded
START, STOP = "\x02", "\x03"  # highlight markers; stripped from indexed text beforehand
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"\w+", re.UNICODE)
TABLE = "sharing_search"


class SearchError(ValueError):
    """The query cannot be searched; the message says why, in a sentence for the person."""


@dataclass
class Term:
    words: list[str]  # one word, or a phrase
    exclude: bool = False
    prefix: bool = False


@dataclass
class ParsedQuery:
    text: str
    terms: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(not term.exclude for term in self.terms)


def parse_query(raw, *, as_you_type: bool = False) -> ParsedQuery:
    """Split what the person typed into words, phrases and excluded words.

    Raises SearchError for input that cannot make a useful search: too long, too many words.
    Punctuation and search-engine syntax are ignored (they only separate words).
    """
    text = _CONTROL.sub(" ", str(raw or "")).strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchError(f"Search for at most {MAX_QUERY_LENGTH} characters.")
    terms: list[Term] = []
    for match in _TOKEN.finditer(text):
        if match.group(2) is not None:
            exclude, chunk, phrase = match.group(1) == "-", match.group(2), True
        else:
            exclude, chunk, phrase = match.group(3) == "-", match.group(4), False
        words = [word.lower() for word in _WORD.findall(chunk)]
        if not words:
            continue
        if phrase:
            terms.append(Term(words=words, exclude=exclude))
        else:
            # "e-mail" or "R&D" typed as one token: each part is a word of its own.
            terms.extend(Term(words=[word], exclude=exclude) for word in words)
    if len(terms) > MAX_TERMS:
        raise SearchError(f"Search for at most {MAX_TERMS} words.")
    positive = [term for term in terms if not term.exclude]
    if (
        as_you_type
        and positive
        and text[-1:].isalnum()
        and len(positive[-1].words) == 1
        and terms[-1] is positive[-1]
    ):
        positive[-1].prefix = True  # the word being typed
    return ParsedQuery(text=text, terms=terms)


# Query strings for each backend (built from words of letters/digits only) ------------------


def _fts5_query(parsed: ParsedQuery) -> str:
    def quoted(term: Term) -> str:
        phrase = '"' + " ".join(term.words) + '"'
        return phrase + ("*" if term.prefix else "")

    positive = " ".join(quoted(term) for term in parsed.terms if not term.exclude)
    negative = [quoted(term) for term in parsed.terms if term.exclude]
    query = f"({positive})"
    for term in negative:
        query += f" NOT {term}"
    return query


def _tsquery(parsed: ParsedQuery) -> str:
    def lexeme(word: str, prefix: bool = False) -> str:
        return f"'{word}'" + (":*" if prefix else "")

    def part(term: Term) -> str:
        if len(term.words) == 1:
            text = lexeme(term.words[0], term.prefix)
        else:
            text = "(" + " <-> ".join(lexeme(word) for word in term.words) + ")"
        return f"!{text}" if term.exclude else text

    return " & ".join(part(term) for term in parsed.terms)


# Highlighting ----------------------------------------------------------------------------------


def highlight(snippet: str | None) -> SafeString:
    """Escape a snippet and turn the engine's markers into <mark> elements."""
    text = escape(snippet or "")
    text = text.replace(START, "<mark>").replace(STOP, "</mark>")
    # A fragment can cut a highlighted word in two: close what was opened.
    opened = text.count("<mark>") - text.count("</mark>")
    return mark_safe(text + "</mark>" * max(0, opened))  # noqa: S308


# Indexing --------------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    return _CONTROL.sub(" ", text or "")[:MAX_FIELD_CHARS]


def _document_text(item) -> str:
    from consortia.sharing.models import DocumentVersion

    version = DocumentVersion.objects.filter(item=item).order_by("-number").only("text").first()
    return version.text if version is not None and version.text else ""


def _comments_text(item) -> str:
    from consortia.sharing.models import Comment

    bodies = Comment.objects.filter(item=item).order_by("pk").values_list("body", flat=True)
    return "\n".join(bodies)


def _row(item) -> tuple:
    return (
        item.pk,
        item.network_id,
        _clean(item.title),
        _clean(item.body),
        _clean(_comments_text(item)),
        _clean(_document_text(item)),
    )


def _insert_sql() -> str:
    if connection.vendor == "postgresql":
        return (
            f"INSERT INTO {TABLE} (item_id, network_id, title, body, comments, document) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (item_id) DO UPDATE SET "
            "network_id = EXCLUDED.network_id, title = EXCLUDED.title, body = EXCLUDED.body, "
            "comments = EXCLUDED.comments, document = EXCLUDED.document"
        )
    return (
        f"INSERT INTO {TABLE} (rowid, network_id, title, body, comments, document) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s)"
    )


def _delete(cursor, item_ids) -> None:
    key = "item_id" if connection.vendor == "postgresql" else "rowid"
    ids = list(item_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        cursor.execute(f"DELETE FROM {TABLE} WHERE {key} IN ({marks})", chunk)  # noqa: S608


def index_item(item) -> None:
    """(Re-)index one item: its title, body, comments and current document text."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            _delete(cursor, [item.pk])
        cursor.execute(_insert_sql(), _row(item))


def unindex_item(item) -> None:
    with connection.cursor() as cursor:
        _delete(cursor, [item.pk])


def index_rows(rows) -> None:
    """Bulk-insert (item_id, network_id, title, body, comments, document) rows, replacing any
    rows of those items (used by rebuild_index and the benchmark's generator)."""
    rows = [(pk, net, _clean(t), _clean(b), _clean(c), _clean(d)) for pk, net, t, b, c, d in rows]
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            _delete(cursor, [row[0] for row in rows])
        cursor.executemany(_insert_sql(), rows)


def rebuild_index(*, batch: int = 2000) -> int:
    """Re-create every row of the index from the items; returns how many items were indexed."""
    from consortia.sharing.models import Comment, DocumentVersion, Item

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
    count, last = 0, 0
    while True:
        items = list(
            Item.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "network_id", "title", "body")[:batch]
        )
        if not items:
            return count
        ids = [row[0] for row in items]
        comments: dict[int, list[str]] = {}
        for item_id, body in (
            Comment.objects.filter(item_id__in=ids).order_by("pk").values_list("item_id", "body")
        ):
            comments.setdefault(item_id, []).append(body)
        documents: dict[int, str] = {}
        for item_id, text in (
            DocumentVersion.objects.filter(item_id__in=ids)
            .order_by("item_id", "number")
            .values_list("item_id", "text")
        ):
            documents[item_id] = text or ""  # the highest number wins
        index_rows(
            (pk, net, title, body, "\n".join(comments.get(pk, [])), documents.get(pk, ""))
            for pk, net, title, body in items
        )
        count += len(items)
        last = ids[-1]


# Searching -------------------------------------------------------------------------------------


@dataclass
class Hit:
    item: object
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchPage:
    query: str
    hits: list[Hit]
    number: int
    has_next: bool
    error: str = ""

    def __iter__(self):
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _visible_exists(person, network, now, outer: str) -> tuple[str, list]:
    """SQL `EXISTS (…)` true when the item `outer` (a column reference) is visible to person."""
    from consortia.sharing.audience import item_visible_q
    from consortia.sharing.models import Item

    visible = (
        Item.objects.filter(item_visible_q(person, now), network=network)
        .filter(pk=RawSQL(outer, []))  # noqa: S611
        .values("pk")
    )
    sql, params = visible.query.sql_with_params()
    return f"EXISTS ({sql})", list(params)


def matching_ids(person, network, parsed: ParsedQuery, *, limit: int, offset: int = 0, now=None):
    """[(item_id, title snippet, body snippet)] of visible items matching, newest first.

    One SQL statement: the text match, the network and the audience rule together.
    """
    now = now or timezone.now()
    try:
        return _matching_ids(person, network, parsed, limit=limit, offset=offset, now=now)
    except EmptyResultSet:  # the audience rule can match nothing (a person with no organization)
        return []


def _matching_ids(person, network, parsed, *, limit, offset, now):
    if connection.vendor == "postgresql":
        exists, exists_params = _visible_exists(person, network, now, "s.item_id")
        sql = (
            "SELECT m.item_id, "  # noqa: S608
            f"ts_headline('english', m.title, m.q, 'HighlightAll=true, StartSel={START}, "
            f"StopSel={STOP}'), "
            "ts_headline('english', concat_ws(' … ', nullif(m.body, ''), nullif(m.comments, ''), "
            f"nullif(m.document, '')), m.q, 'StartSel={START}, StopSel={STOP}, MaxWords=30, "
            "MinWords=12, MaxFragments=2, FragmentDelimiter= … ') "
            "FROM (SELECT s.item_id, s.title, left(s.body, 20000) AS body, "
            "left(s.comments, 20000) AS comments, left(s.document, 20000) AS document, q.q "
            f"FROM {TABLE} s, to_tsquery('english', %s) AS q(q) "
            f"WHERE s.network_id = %s AND s.vector @@ q.q AND {exists} "
            "ORDER BY s.item_id DESC LIMIT %s OFFSET %s) m ORDER BY m.item_id DESC"
        )
        params = [_tsquery(parsed), network.pk, *exists_params, limit, offset]
    else:
        exists, exists_params = _visible_exists(person, network, now, f"{TABLE}.rowid")
        sql = (
            f"SELECT rowid, snippet({TABLE}, 0, '{START}', '{STOP}', '…', 64), "  # noqa: S608
            f"snippet({TABLE}, -1, '{START}', '{STOP}', '…', 24) "
            f"FROM {TABLE} WHERE {TABLE} MATCH %s AND network_id = %s AND {exists} "
            "ORDER BY rowid DESC LIMIT %s OFFSET %s"
        )
        params = [_fts5_query(parsed), network.pk, *exists_params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def search(
    person, network, raw_query, *, page=1, per_page: int | None = None, as_you_type=False, now=None
):
    """A page of items visible to `person` in `network` matching `raw_query`.

    Two queries: the match (audience included), then the page's items. Bad input gives a page
    with `error` set and no hits, never an exception.
    """
    from django.conf import settings

    from consortia.sharing.models import Item

    per_page = per_page or settings.PAGE_SIZE
    try:
        number = max(1, min(int(page or 1), 1000))
    except (TypeError, ValueError):
        number = 1
    try:
        parsed = parse_query(raw_query, as_you_type=as_you_type)
    except SearchError as exc:
        return SearchPage(
            query=str(raw_query)[:MAX_QUERY_LENGTH],
            hits=[],
            number=1,
            has_next=False,
            error=str(exc),
        )
    if parsed.empty:
        error = "Type a word to search for." if parsed.text else ""
        if parsed.terms:
            error = "Say what to search for, not only what to leave out."
        return SearchPage(query=parsed.text, hits=[], number=1, has_next=False, error=error)
    rows = matching_ids(
        person, network, parsed, limit=per_page + 1, offset=(number - 1) * per_page, now=now
    )
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    items = Item.objects.select_related("organization", "author").in_bulk([row[0] for row in rows])
    for item in items.values():
        item.network = network  # known: no query per row for its URL
    hits = [
        Hit(item=items[pk], title_html=highlight(title), snippet_html=highlight(body))
        for pk, title, body in rows
        if pk in items  # deleted between the two queries
    ]
    return SearchPage(query=parsed.text, hits=hits, number=number, has_next=has_next)


# Schema (created by migration 0002) ---------------------------------------------------------------

# When each person last looked at each network's feed (seconds since the epoch): sharing.feed.
# No foreign keys: Django's `flush` (tests, the benchmark) truncates the tables it knows, and a
# key from a table it does not know would stop it; a stale row is harmless (ids are not reused).
LAST_VISIT = "sharing_last_visit"
SQLITE_SCHEMA = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "title, body, comments, document, network_id UNINDEXED, "
    "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3 4')",
    f"CREATE TABLE IF NOT EXISTS {LAST_VISIT} ("
    "person_id bigint NOT NULL, network_id bigint NOT NULL, "
    "seen_at double precision NOT NULL)",
    f"CREATE UNIQUE INDEX IF NOT EXISTS one_last_visit ON {LAST_VISIT} (person_id, network_id)",
]
POSTGRES_SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "item_id bigint PRIMARY KEY, network_id bigint NOT NULL, title text NOT NULL DEFAULT '', "
    "body text NOT NULL DEFAULT '', comments text NOT NULL DEFAULT '', "
    "document text NOT NULL DEFAULT '', "
    "vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', body), 'B') || "
    "setweight(to_tsvector('english', comments), 'C') || "
    "setweight(to_tsvector('english', left(document, 500000)), 'D')) STORED)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_vector ON {TABLE} USING gin (vector)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_network ON {TABLE} (network_id, item_id DESC)",
    f"CREATE TABLE IF NOT EXISTS {LAST_VISIT} ("
    "person_id bigint NOT NULL, network_id bigint NOT NULL, "
    "seen_at double precision NOT NULL)",
    f"CREATE UNIQUE INDEX IF NOT EXISTS one_last_visit ON {LAST_VISIT} (person_id, network_id)",
]


SQLITE_DROP = [f"DROP TABLE IF EXISTS {TABLE}", f"DROP TABLE IF EXISTS {LAST_VISIT}"]
POSTGRES_DROP = SQLITE_DROP
