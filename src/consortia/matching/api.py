"""`GET /api/v1/networks/{slug}/match?q=…`: who could help, with the evidence.

The same funnel as the page: 404 for anyone whose organization is not an active member of the
network (and for a network that does not exist); an empty or over-long text is a 422 with a
sentence; never a 500. `POST` to the same path takes the text in a JSON body: a whole
challenge (4,000 characters, up to nine bytes each once percent-encoded) does not fit in a URL,
which servers refuse past a few KiB (gunicorn: 414).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Field, Path, Query, Router, Schema

from consortia.core.schemas import BODY_ERRORS, ERRORS, SLUG_PATTERN, InputSchema, Text

from . import ranking
from .permissions import get_network_for
from .text import MAX_QUERY_CHARS

router = Router(tags=["matching"])


class MatchingOrganizationOut(Schema):
    slug: str
    name: str
    kind: str


class MatchingPhraseOut(Schema):
    field: str = Field(description="name, description, offerings, values or initiatives")
    text: str = Field(description="The phrase of the organization's profile.")
    html: str = Field(description="The phrase, HTML-escaped, the matched words in <mark>.")


class MatchingClosestOut(Schema):
    field: str
    text: str
    similarity: float = Field(description="Cosine similarity with the text, -1…1.")


class MatchingHitOut(Schema):
    organization: MatchingOrganizationOut
    score: float = Field(description="The fused score the list is sorted by.")
    strength: str = Field(description="strong, good or weak")
    lexical: float = Field(description="BM25 relative to the best lexical match, 0…1.")
    semantic: float = Field(description="Cosine similarity of the text and the profile.")
    why: str = Field(description="One sentence saying why it is listed.")
    words: list[str] = Field(description="Words of the text found in its profile.")
    phrases: list[MatchingPhraseOut] = Field(description="Profile phrases with those words.")
    closest: MatchingClosestOut | None = Field(description="The phrase closest in meaning.")


class MatchingQueryIn(InputSchema):
    q: Text(MAX_QUERY_CHARS, description="A challenge, a gap or a need, in words.")
    top: int = Field(ranking.DEFAULT_TOP, ge=1, le=ranking.MAX_TOP, description="How many.")


class MatchingResultOut(Schema):
    query: str
    candidates: int = Field(description="Member organizations ranked (not your own).")
    results: list[MatchingHitOut]


@router.get(
    "/networks/{slug}/match",
    response={200: MatchingResultOut, **ERRORS},
    summary="Who could help? Rank the network's organizations against a text",
)
def match_organizations(
    request,
    slug: str = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug."),
    q: str = Query(
        ..., max_length=MAX_QUERY_CHARS, description="A challenge, a gap or a need, in words."
    ),
    top: int = Query(ranking.DEFAULT_TOP, ge=1, le=ranking.MAX_TOP, description="How many."),
):
    """The active member organizations of the network (never your own) ranked by how well
    their stated description, offerings, values and past initiatives in this network answer
    the text: BM25 over those fields fused with sentence-embedding similarity. Each comes with
    its evidence: the words and phrases that matched, and the phrase closest in meaning. Their
    needs and anything private are never used."""
    return _answer(request, slug, q, top)


@router.post(
    "/networks/{slug}/match",
    response={200: MatchingResultOut, **BODY_ERRORS},
    summary="Who could help? The same, with the text in a JSON body (for a long one)",
)
def match_organizations_posted(
    request,
    payload: MatchingQueryIn,
    slug: str = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug."),
):
    """The same ranking as `GET`, for a text too long for a URL: `{"q": "…", "top": 10}`.
    It changes nothing."""
    return _answer(request, slug, payload.q, payload.top)


def _answer(request, slug: str, q: str, top: int) -> dict:
    network = get_network_for(request.auth, slug)
    result = ranking.match(request.auth, network, q, top=top)
    if result.error:
        raise ValidationError({"q": result.error})
    return {
        "query": result.query,
        "candidates": result.candidates,
        "results": [_hit(m) for m in result],
    }


def _hit(m: ranking.Match) -> dict:
    org = m.organization
    return {
        "organization": {"slug": org.slug, "name": org.name, "kind": org.kind},
        "score": m.score,
        "strength": m.strength,
        "lexical": m.lexical,
        "semantic": m.semantic,
        "why": m.why,
        "words": m.words,
        "phrases": [{"field": e.field, "text": e.text, "html": str(e.html)} for e in m.phrases],
        "closest": (
            {
                "field": m.closest.field,
                "text": m.closest.text,
                "similarity": round(m.closest.similarity, 4),
            }
            if m.closest
            else None
        ),
    }
