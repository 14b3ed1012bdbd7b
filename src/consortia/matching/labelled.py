"""The labelled set (tests/data/matching): reading it, loading it into a network, scoring a
ranking. Used by the benchmark (`consortia bench --only matching`) and the quality test."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED_ORG = ("key", "name", "description", "offerings")
REQUIRED_CHALLENGE = ("key", "title", "body", "relevant")


class SetError(ValueError):
    """The labelled set cannot be used; the message names the file and the problem."""


@dataclass
class LabelledSet:
    organizations: list[dict]
    challenges: list[dict]

    @property
    def keys(self) -> set[str]:
        return {org["key"] for org in self.organizations}


def _read(path: Path) -> list:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SetError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SetError(f"{path}: not a readable JSON file ({exc})") from None
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise SetError(f"{path}: expected a JSON list of objects")
    return data


def read_set(directory) -> LabelledSet:
    directory = Path(directory)
    organizations = _read(directory / "organizations.json")
    challenges = _read(directory / "challenges.json")
    for n, org in enumerate(organizations, 1):
        missing = [k for k in REQUIRED_ORG if not isinstance(org.get(k), str)]
        if missing:
            raise SetError(f"organizations.json: entry {n} lacks {', '.join(missing)}")
    keys = [org["key"] for org in organizations]
    if len(set(keys)) != len(keys):
        raise SetError("organizations.json: two organizations share a key")
    names = [org["name"].strip().lower() for org in organizations]
    if len(set(names)) != len(names):
        raise SetError("organizations.json: two organizations share a name")
    known = set(keys)
    for n, challenge in enumerate(challenges, 1):
        missing = [k for k in REQUIRED_CHALLENGE if k not in challenge]
        if missing:
            raise SetError(f"challenges.json: entry {n} lacks {', '.join(missing)}")
        for label in ("relevant", "highly_relevant"):
            unknown = set(challenge.get(label) or []) - known
            if unknown:
                raise SetError(
                    f"challenges.json: {challenge['key']} names unknown organizations "
                    f"{', '.join(sorted(unknown))}"
                )
        if not challenge["relevant"]:
            raise SetError(f"challenges.json: {challenge['key']} has no relevant organization")
    if not organizations or not challenges:
        raise SetError(f"{directory}: the set is empty")
    return LabelledSet(organizations=organizations, challenges=challenges)


def default_directory() -> Path:
    """tests/data/matching of the source checkout."""
    return Path(__file__).resolve().parents[3] / "tests" / "data" / "matching"


# Metrics -----------------------------------------------------------------------------------------


@dataclass
class Scores:
    recall_at_5: float = 0.0
    mrr: float = 0.0
    ndcg_at_10: float = 0.0
    count: int = 0
    per_challenge: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "recall@5": round(self.recall_at_5, 4),
            "mrr": round(self.mrr, 4),
            "ndcg@10": round(self.ndcg_at_10, 4),
            "challenges": self.count,
        }


def score_one(challenge: dict, ranked_keys: list[str]) -> tuple[float, float, float]:
    """recall@5 (of min(5, |relevant|)), reciprocal rank, nDCG@10 with gains 2 (highly
    relevant) and 1 (relevant)."""
    relevant = set(challenge["relevant"]) | set(challenge.get("highly_relevant") or [])
    highly = set(challenge.get("highly_relevant") or [])
    top = ranked_keys[:10]
    recall = len(relevant & set(top[:5])) / min(len(relevant), 5)
    rr = next((1 / (i + 1) for i, key in enumerate(ranked_keys) if key in relevant), 0.0)

    def gain(key):
        return 2 if key in highly else (1 if key in relevant else 0)

    dcg = sum((2 ** gain(k) - 1) / math.log2(i + 2) for i, k in enumerate(top))
    ideal = sorted((gain(k) for k in relevant), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return recall, rr, (dcg / idcg if idcg else 0.0)


def evaluate(challenges: list[dict], rankings: dict[str, list[str]]) -> Scores:
    scores = Scores(count=len(challenges))
    for challenge in challenges:
        recall, rr, ndcg = score_one(challenge, rankings.get(challenge["key"], []))
        scores.recall_at_5 += recall
        scores.mrr += rr
        scores.ndcg_at_10 += ndcg
        scores.per_challenge[challenge["key"]] = (recall, rr, ndcg)
    if challenges:
        scores.recall_at_5 /= len(challenges)
        scores.mrr /= len(challenges)
        scores.ndcg_at_10 /= len(challenges)
    return scores


def halves(challenges: list[dict]) -> tuple[list[dict], list[dict]]:
    """The tuning half (1st, 3rd, 5th… challenge of the file) and the held-out half."""
    return challenges[0::2], challenges[1::2]


# Loading into a network --------------------------------------------------------------------------


def load(
    labelled: LabelledSet, *, network, extra_rows=(), say=None, slug_prefix: str = ""
) -> dict[str, int]:
    """Create the organizations (bulk, then index them) as active members of `network`;
    `extra_rows` adds padding organizations. Returns {key: organization id}."""
    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from consortia.networks.models import NetworkMembership, Organization

    from . import index

    kinds = {choice for choice, _ in Organization.Kind.choices}
    now = timezone.now()
    rows = [
        (
            org["key"],
            org["name"].strip()[:150],
            org.get("kind") if org.get("kind") in kinds else Organization.Kind.OTHER,
            org.get("description") or "",
            org.get("offerings") or "",
            org.get("needs") or "",
            org.get("values") or "",
        )
        for org in labelled.organizations
    ]
    rows += list(extra_rows)
    with transaction.atomic():
        created = Organization.objects.bulk_create(
            [
                Organization(
                    name=name,
                    slug=f"{slug_prefix}{slugify(name)[:130]}-{n}",
                    kind=kind,
                    description=description,
                    offerings=offerings,
                    needs=needs,
                    values=values,
                )
                for n, (_, name, kind, description, offerings, needs, values) in enumerate(rows)
            ],
            batch_size=1000,
        )
        NetworkMembership.objects.bulk_create(
            [
                NetworkMembership(network=network, organization=org, status="active", joined_at=now)
                for org in created
            ],
            batch_size=1000,
        )
        ids = {row[0]: org.pk for row, org in zip(rows, created, strict=True)}
        index.rebuild(network=network, say=say)
    return ids
