"""Deterministic vote tallying for Consortia polls (capability C2), in plain Python.

This module has no dependency outside the standard library (in particular it does not import
Django), so that anybody can re-count a poll from its exported ballot file.

Entry point
-----------
``tally(method, data, **options) -> dict`` where ``data`` is the exported ballot file of a poll,
already parsed from JSON. Every method returns a JSON-serialisable dict::

    {"method": "schulze", "winners": [...], "ranking": [[...], [...]], "details": {...}}

* ``winners`` lists every winner, in candidate-list order; it has several entries only when the
  method itself ends in a tie (the tie-break rules below say when that can happen).
* ``ranking`` is always a list of tiers (lists of names, best tier first); candidates in the same
  tier are tied and listed in candidate-list order.
* ``details`` holds the method's own figures (pairwise matrix, rounds, counts ...).

Every invalid input raises :class:`TallyError` (a ``ValueError``) with a one-line message; no
``KeyError`` or ``TypeError`` escapes for bad data.

Input formats
-------------
All methods read ``{"ballots": [...]}``; each ballot is an object with an optional ``"weight"``
(a non-negative integer, default 1: a ballot of weight n counts exactly like n identical
ballots; weight 0 is allowed and counts for nothing). Other keys in a ballot are ignored.

* ranked methods (``schulze``, ``ranked_pairs``, ``irv``; also ``plurality``):
  ``{"candidates": ["A", "B", ...], "ballots": [{"ranking": ["A", ["B", "C"], "D"]}]}``.
  A nested list is a group of equally ranked candidates. A ranking may be truncated: the
  candidates it leaves out tie with each other below every ranked candidate. An empty ranking is
  a blank ballot.
* ``approval``: ``{"candidates": [...], "ballots": [{"approve": ["A", "C"]}]}``.
* ``score``: ``{"candidates": [...], "ballots": [{"scores": {"A": 5, "B": 0}}]}`` with integer
  scores from 0 to 5; a candidate left out of a ballot's scores is not scored by that ballot.
* ``plurality``: ``{"candidates": [...], "ballots": [{"choice": "A"}]}`` (``null`` is a blank
  ballot), or ranked ballots, whose first preferences are counted.
* ``consensus``: ``{"ballots": [{"choice": "agree"}]}`` with agree / abstain / disagree / block.
* ``yes_no``: ``{"ballots": [{"choice": "yes"}]}`` with yes / no / abstain.

Candidate names are non-empty, distinct strings; ``candidates`` must not be empty.

Methods and their deterministic tie-break rules
-----------------------------------------------
* ``schulze``: beatpath method with winning votes; widest paths by Floyd-Warshall. Ties are not
  broken: every candidate that no other candidate beats is a winner.
* ``ranked_pairs``: Tideman's ranked pairs; majorities locked in by decreasing margin. Pairs with
  equal margins are taken in candidate-list order of their winner, then of their loser. Winners
  are the candidates nobody is locked above (several only when pairwise ties exist).
* ``irv``: instant-runoff, one elimination per round, until a candidate holds more than half of
  the continuing (non-exhausted) votes. A ballot whose top continuing rank is a group of k
  candidates gives each of them 1/k of its weight. A tie for last place is broken by the earlier
  rounds (most recent first: the tied candidate with fewer votes there is eliminated), then by
  eliminating the tied candidate that comes last in the candidate list. With no votes at all,
  every candidate is a (tied) winner.
* ``approval`` and ``score`` (``seats`` = k, default 1): the k candidates with most approvals
  (score: highest sum, or mean with ``rank_by="mean"``); candidates tied for the last seat are all
  reported as winners, so ``winners`` may be longer than k, and ``details["tied"]`` names them.
* ``plurality``: most first preferences; ties give several winners.
* ``consensus``: passes when nobody blocks and agree / (agree + disagree) reaches the threshold
  (default 0.75, i.e. three quarters); abstentions count for neither side. Nobody agreeing fails.
* ``yes_no``: passes when yes / (yes + no) meets the threshold: ``"majority"`` (default: more
  than half), ``"two-thirds"`` (at least two thirds), ``"unanimity"`` (at least one yes and no
  no), or a number q in (0, 1] (share at least q). Abstentions count for neither side.

``consensus`` and ``yes_no`` accept ``electorate`` (number of people entitled to vote) and
``quorum`` (fraction of the electorate, in (0, 1], that must cast a ballot, abstentions
included); a proposal that misses its quorum fails. Their ``winners`` is ``["yes"]`` /
``["agree"]`` when the proposal passes and ``["no"]`` / ``["disagree"]`` when it fails;
``details["passed"]`` says the same as a boolean.

Speed
-----
Ballots are counted column-wise: on large profiles the rankings are packed into one byte
string and every (candidate, rank position) pair becomes a big-integer bitset of ballots, so the
pairwise matrix and each instant-runoff round cost a few thousand big-integer operations
whatever the number of ballots. Small or unusual profiles (few ballots, equal ranks) aggregate
identical ballots first and are counted ballot by ballot.
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction
from itertools import chain, compress, repeat
from operator import and_, itemgetter, methodcaller, not_
from typing import Any, NoReturn

__all__ = [
    "METHODS",
    "SCORE_MAX",
    "SCORE_MIN",
    "TallyError",
    "approval",
    "consensus",
    "irv",
    "plurality",
    "ranked_pairs",
    "schulze",
    "score",
    "tally",
    "yes_no",
]

SCORE_MIN = 0
SCORE_MAX = 5

#: Profiles with at least this many (flat, distinct) ballots are counted with bitsets.
_BITSET_MIN_BALLOTS = 64

_PLANE_TABLES = [bytes(0x31 if (code >> k) & 1 else 0x30 for code in range(256)) for k in range(8)]
_get_ranking = itemgetter("ranking")
_get_weight = methodcaller("get", "weight", 1)


class TallyError(ValueError):
    """Invalid tally input; the message is one line, meant for a person."""


# --------------------------------------------------------------------------------------------
# small helpers


def _fail(message: str) -> NoReturn:
    raise TallyError(message)


def _show(value: Any) -> str:
    """A short one-line rendering of a user-supplied value for error messages."""
    try:
        text = repr(value)
    except Exception:  # pragma: no cover - defensive: a repr that raises
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 40 else text[:37] + "..."


def _number(value: Fraction) -> int | float:
    """An exact count as JSON: an int when whole, else the nearest float."""
    return value.numerator if value.denominator == 1 else float(value)


def _scaled(value: int, scale: int) -> int | float:
    """``value / scale`` as JSON: an int when whole, else the nearest float."""
    return value if scale == 1 else _number(Fraction(value, scale))


def _tiers(order: list[int], key: Any) -> list[list[int]]:
    """Group ``order`` (already sorted by ``key``) into runs of equal ``key``."""
    tiers: list[list[int]] = []
    last = object()
    for x in order:
        k = key(x)
        if tiers and k == last:
            tiers[-1].append(x)
        else:
            tiers.append([x])
            last = k
    return tiers


def _require_data(data: Any) -> dict:
    if not isinstance(data, dict):
        _fail(f"the ballot file must be a JSON object, not {type(data).__name__}")
    return data


def _candidates(data: dict) -> tuple[list[str], dict[str, int]]:
    if "candidates" not in data:
        _fail("the ballot file has no 'candidates' list")
    cands = data["candidates"]
    if not isinstance(cands, list):
        _fail(f"'candidates' must be a list of names, not {type(cands).__name__}")
    if not cands:
        _fail("'candidates' is empty: a poll needs at least one candidate")
    index: dict[str, int] = {}
    for i, name in enumerate(cands):
        if not isinstance(name, str) or not name:
            _fail(f"candidate {i + 1} must be a non-empty string, not {_show(name)}")
        if name in index:
            _fail(f"candidate {_show(name)} is listed twice in 'candidates'")
        index[name] = i
    return list(cands), index


def _ballot_list(data: dict) -> list:
    if "ballots" not in data:
        _fail("the ballot file has no 'ballots' list")
    ballots = data["ballots"]
    if not isinstance(ballots, list):
        _fail(f"'ballots' must be a list, not {type(ballots).__name__}")
    return ballots


def _ballot_dict(ballot: Any, i: int, field: str) -> dict:
    if not isinstance(ballot, dict):
        _fail(f"ballot {i}: must be an object with a {field!r} entry, not {_show(ballot)}")
    if field not in ballot:
        _fail(f"ballot {i}: has no {field!r} entry")
    return ballot


def _weight(ballot: dict, i: int) -> int:
    w = ballot.get("weight", 1)
    if type(w) is not int or w < 0:
        _fail(f"ballot {i}: weight must be a non-negative integer, not {_show(w)}")
    return w


def _seats(seats: Any, n: int) -> int:
    if type(seats) is not int or not 1 <= seats <= n:
        _fail(
            f"seats must be an integer from 1 to {n} (the number of candidates), not {_show(seats)}"
        )
    return seats


def _matrix(cands: list[str], m: list[list[int]]) -> dict[str, dict[str, int]]:
    return {
        cands[i]: {cands[j]: m[i][j] for j in range(len(cands)) if j != i}
        for i in range(len(cands))
    }


def _result(method: str, cands: list[str], winners: list[int], tiers: list[list[int]], details):
    return {
        "method": method,
        "winners": [cands[i] for i in sorted(winners)],
        "ranking": [[cands[i] for i in sorted(t)] for t in tiers],
        "details": details,
    }


# --------------------------------------------------------------------------------------------
# ranked profiles


class _Bitsets:
    """Flat rankings packed column-wise: ``E[c][p]`` is the set of ballots (as the bits of an int)
    that rank candidate code ``c`` at position ``p``; code ``C`` means "nothing ranked here".

    The constructor takes, for each position p, a byte string with one byte per ballot: the code
    of the candidate that ballot ranks at position p. ``columns[p][c]`` is ``E[c][p]``.
    """

    def __init__(self, columns: list[bytes], ncand: int, weights: list[int]) -> None:
        self.C = ncand
        self.R = len(columns)
        self.U = len(weights)
        full = self.full = (1 << self.U) - 1
        nbits = ncand.bit_length()  # codes run from 0 to C (the filler)
        E = self.E = [[0] * self.R for _ in range(ncand + 1)]
        for p, column in enumerate(columns):
            # split the ballots by the bits of their code, highest bit first
            nodes = [full]
            for k in range(nbits - 1, -1, -1):
                plane = int(column.translate(_PLANE_TABLES[k]), 2)
                rest = full ^ plane
                nxt = []
                for prefix, node in enumerate(nodes):
                    if (prefix << (k + 1)) > ncand:
                        break
                    nxt.append(node & rest)
                    nxt.append(node & plane)
                nodes = nxt
            for code in range(ncand + 1):
                E[code][p] = nodes[code]
        self.columns = [list(column) for column in zip(*E, strict=True)]
        # masks with multipliers: the weighted size of a set s is sum(mult * |s & mask|)
        distinct = set(weights)
        if len(distinct) == 1:
            (w,) = distinct
            self.masks = [(full, w)] if w else []
        else:
            top = max(distinct).bit_length()
            if len(distinct) <= top:
                groups = [(v, [w == v for w in weights]) for v in sorted(distinct) if v]
            else:
                groups = [(1 << b, [(w >> b) & 1 for w in weights]) for b in range(top)]
            self.masks = [
                (int("".join(["1" if f else "0" for f in flags]), 2), mult)
                for mult, flags in groups
            ]

    def has_duplicates(self) -> bool:
        """True when some ballot ranks one candidate twice."""
        bit_count = int.bit_count
        for row in self.E[: self.C]:
            union = 0
            for s in row:
                union |= s
            if sum(map(bit_count, row)) != union.bit_count():
                return True
        return False

    def weigh(self, s: int) -> int:
        """Total weight of the ballots in the set ``s``."""
        if len(self.masks) == 1 and self.masks[0][0] == self.full:
            return self.masks[0][1] * s.bit_count()
        return sum(mult * (s & m).bit_count() for m, mult in self.masks)

    def add_pairwise(self, d: list[list[int]]) -> None:
        """Add, for every x != y, the weight of ballots ranking x above y into d[x][y]."""
        C, E, full = self.C, self.E, self.full
        beaten = []  # beaten[y][p]: ballots where y is not ranked at positions 0..p
        for y in range(C):
            acc = 0
            row = []
            for s in E[y]:
                acc |= s
                row.append(full ^ acc)
            beaten.append(row)
        bit_count = int.bit_count
        for m, mult in self.masks:
            for x in range(C):
                ex = E[x] if m == full else [s & m for s in E[x]]
                if not any(ex):
                    continue
                dx = d[x]
                for y in range(C):
                    if y != x:
                        dx[y] += mult * sum(map(bit_count, map(and_, ex, beaten[y])))

    def irv_start(self) -> list[int]:
        """Per position, the ballots whose entry there is eliminated (at first: the padding)."""
        return list(self.E[self.C])

    def irv_eliminate(self, gone: list[int], e: int) -> None:
        for p, s in enumerate(self.E[e]):
            gone[p] |= s

    def irv_count(self, gone: list[int], continuing: list[int], counts: list[int], scale: int):
        """Add each continuing candidate's votes (times ``scale``); return the weight of ballots
        with no continuing candidate (blank ones included)."""
        live = self.full
        simple = len(self.masks) == 1 and self.masks[0][0] == self.full
        factor = scale * self.masks[0][1] if simple else scale
        bit_count = int.bit_count
        for p, column in enumerate(self.columns):
            if not live:
                break
            here = map(column.__getitem__, continuing)
            if simple:
                sizes = map(bit_count, map(and_, here, repeat(live)))
                for x, size in zip(continuing, sizes, strict=True):
                    counts[x] += factor * size
            else:
                for x, s in zip(continuing, here, strict=True):
                    counts[x] += factor * self.weigh(s & live)
            live &= gone[p]
        return self.weigh(live) if live else 0


class _Ranked:
    """A validated ranked profile: ``bits`` (flat rankings, column-wise) plus ``loose`` ballots
    (aggregated, as tuples of groups of candidate indices) counted one by one."""

    def __init__(self, cands: list[str], nballots: int) -> None:
        self.cands = cands
        self.C = len(cands)
        self.nballots = nballots
        self.total = 0
        self.blank = 0  # weight of empty rankings
        self.bits: _Bitsets | None = None
        self.bits_blank = 0  # weight of empty rankings stored inside ``bits``
        self.loose: list[tuple[tuple[tuple[int, ...], ...], int]] = []

    def summary(self) -> dict[str, Any]:
        return {
            "candidates": list(self.cands),
            "ballots": self.nballots,
            "total_weight": self.total,
            "blank": self.blank,
        }


def _parse_ranked(data: Any) -> _Ranked:
    data = _require_data(data)
    cands, index = _candidates(data)
    ballots = _ballot_list(data)
    if len(ballots) >= _BITSET_MIN_BALLOTS and len(cands) < 255:
        profile = _parse_ranked_fast(cands, index, ballots)
        if profile is not None:
            return profile
    return _parse_ranked_slow(cands, index, ballots)


def _parse_ranked_fast(cands: list[str], index: dict[str, int], ballots: list) -> _Ranked | None:
    """The common shape (dict ballots, flat lists of names, int weights) with C-level loops;
    None when anything is unusual, so that the careful path finds and reports the problem."""
    C = len(cands)
    n = len(ballots)
    try:
        if set(map(type, ballots)) != {dict}:
            return None
        rankings = list(map(_get_ranking, ballots))
        if set(map(type, rankings)) != {list}:
            return None
        if sum(map(len, ballots)) == n:  # no ballot has anything but its ranking
            weights = [1] * n
        else:
            weights = list(map(_get_weight, ballots))
            if set(map(type, weights)) != {int} or min(weights) < 0:
                return None
        lengths = list(map(len, rankings))
        width = max(lengths)
        if width == 0 or width > C:
            return None
        if min(lengths) < width:  # sort by length: each length is then one fixed-width block
            order = sorted(range(n), key=lengths.__getitem__)
            rankings = list(map(rankings.__getitem__, order))
            weights = list(map(weights.__getitem__, order))
            lengths = list(map(lengths.__getitem__, order))
        buf = bytes(map(index.__getitem__, chain.from_iterable(rankings)))
    except (KeyError, TypeError, ValueError):
        return None
    blocks = []  # (length, number of ballots, their bytes), by increasing length
    offset = 0
    for length, count in sorted(Counter(lengths).items()):
        size = length * count
        blocks.append((length, count, buf[offset : offset + size]))
        offset += size
    filler = bytes([C])
    columns = [
        b"".join(
            [chunk[p::length] if p < length else filler * count for length, count, chunk in blocks]
        )
        for p in range(width)
    ]
    bits = _Bitsets(columns, C, weights)
    if bits.has_duplicates():
        return None
    profile = _Ranked(cands, n)
    profile.total = sum(weights)
    profile.blank = profile.bits_blank = sum(compress(weights, map(not_, lengths)))
    profile.bits = bits
    return profile


def _canonical_ranking(ranking: Any, index: dict[str, int], i: int) -> tuple[tuple[int, ...], ...]:
    if not isinstance(ranking, (list, tuple)):
        _fail(f"ballot {i}: 'ranking' must be a list, not {_show(ranking)}")
    seen: set[int] = set()
    groups = []
    for item in ranking:
        if isinstance(item, str):
            members: Any = (item,)
        elif isinstance(item, (list, tuple)):
            if not item:
                _fail(f"ballot {i}: the ranking has an empty group of equal ranks")
            members = item
        else:
            _fail(f"ballot {i}: a ranking holds names or lists of names, not {_show(item)}")
        group = []
        for name in members:
            if not isinstance(name, str):
                _fail(f"ballot {i}: a group of equal ranks holds names only, not {_show(name)}")
            j = index.get(name)
            if j is None:
                _fail(f"ballot {i}: unknown candidate {_show(name)}")
            if j in seen:
                _fail(f"ballot {i}: candidate {_show(name)} is ranked more than once")
            seen.add(j)
            group.append(j)
        groups.append(tuple(sorted(group)))
    return tuple(groups)


def _parse_ranked_slow(cands: list[str], index: dict[str, int], ballots: list) -> _Ranked:
    raw: dict[Any, list[Any]] = {}  # raw key -> [weight, first ballot number, its ranking]
    for i, ballot in enumerate(ballots, 1):
        ballot = _ballot_dict(ballot, i, "ranking")
        w = _weight(ballot, i)
        ranking = ballot["ranking"]
        try:
            key: Any = (type(ranking), tuple(ranking))
            hash(key)
        except TypeError:
            try:
                key = (
                    type(ranking),
                    tuple(tuple(x) if isinstance(x, (list, tuple)) else x for x in ranking),
                )
                hash(key)
            except TypeError:
                key = ("ballot", i)  # unusual content: validated on its own below
        slot = raw.get(key)
        if slot is None:
            raw[key] = [w, i, ranking]
        else:
            slot[0] += w
    agg: dict[tuple[tuple[int, ...], ...], int] = {}
    for w, i, ranking in raw.values():
        groups = _canonical_ranking(ranking, index, i)
        agg[groups] = agg.get(groups, 0) + w
    profile = _Ranked(cands, len(ballots))
    profile.total = sum(agg.values())
    profile.blank = agg.pop((), 0)
    flat = [(g, w) for g, w in agg.items() if all(len(x) == 1 for x in g)]
    C = len(cands)
    if flat and len(flat) >= _BITSET_MIN_BALLOTS and C < 255:
        width = max(len(g) for g, _ in flat)
        columns = [bytes(g[p][0] if p < len(g) else C for g, _ in flat) for p in range(width)]
        profile.bits = _Bitsets(columns, C, [w for _, w in flat])
        profile.loose = [(g, w) for g, w in agg.items() if any(len(x) > 1 for x in g)]
    else:
        profile.loose = list(agg.items())
    return profile


def _pairwise(profile: _Ranked) -> list[list[int]]:
    """d[x][y]: total weight of ballots ranking x strictly above y."""
    C = profile.C
    d = [[0] * C for _ in range(C)]
    if profile.bits is not None:
        profile.bits.add_pairwise(d)
    everyone = range(C)
    for groups, w in profile.loose:
        if not w:
            continue
        ranked = set(chain.from_iterable(groups))
        below = [y for y in everyone if y not in ranked]
        for group in reversed(groups):
            for x in group:
                row = d[x]
                for y in below:
                    row[y] += w
            below.extend(group)
    return d


def _layers(C: int, above: Any) -> list[list[int]]:
    """Tiers of a strict partial order: the candidates that nobody is ``above``, then those only
    the first tier is above, and so on (layer by layer, as in a topological sort)."""
    below: list[list[int]] = [[] for _ in range(C)]
    waiting = [0] * C  # how many candidates are above each one
    for x in range(C):
        for y in range(C):
            if x != y and above(x, y):
                below[x].append(y)
                waiting[y] += 1
    tier = [x for x in range(C) if not waiting[x]]
    tiers = []
    while tier:
        tiers.append(tier)
        nxt = []
        for x in tier:
            for y in below[x]:
                waiting[y] -= 1
                if not waiting[y]:
                    nxt.append(y)
        tier = sorted(nxt)
    return tiers


# --------------------------------------------------------------------------------------------
# ranked methods


def schulze(data: dict) -> dict:
    """Schulze (beatpath) method, winning votes, weighted.

    ``d[x][y]`` is the weight of ballots ranking x above y (a candidate left off a truncated
    ballot is below every ranked one; equal ranks count for neither). A link x->y has strength
    d[x][y] when d[x][y] > d[y][x], else 0; ``p[x][y]`` is the strength of the strongest (widest)
    path, computed with Floyd-Warshall. x ranks above y when p[x][y] > p[y][x].

    Tie-break: none. Every candidate that no candidate beats is a winner (several winners mean a
    genuine tie); the ranking is the tiers of that order. ``details`` has ``pairwise`` (d) and
    ``strongest_paths`` (p) as nested objects ``{x: {y: value}}``.
    """
    profile = _parse_ranked(data)
    C = profile.C
    d = _pairwise(profile)
    p = [[d[i][j] if d[i][j] > d[j][i] else 0 for j in range(C)] for i in range(C)]
    for i in range(C):
        pi = p[i]
        for j in range(C):
            pji = p[j][i]
            if j != i and pji:
                pj = p[j]
                # p[j][k] = max(p[j][k], min(p[j][i], p[i][k])); the diagonal is cleared below
                pj[:] = map(max, pj, map(min, pi, repeat(pji)))
    for i in range(C):
        p[i][i] = 0
    tiers = _layers(C, lambda x, y: p[x][y] > p[y][x])
    details = profile.summary()
    details["pairwise"] = _matrix(profile.cands, d)
    details["strongest_paths"] = _matrix(profile.cands, p)
    return _result("schulze", profile.cands, tiers[0], tiers, details)


def ranked_pairs(data: dict) -> dict:
    """Ranked pairs (Tideman), weighted, by margins.

    Every majority x over y (margin d[x][y] - d[y][x] > 0) is considered in order of decreasing
    margin and locked in unless it would close a cycle with pairs already locked.

    Tie-break: pairs with equal margins are taken in candidate-list order of their winner, then
    of their loser (so the order of the candidate list is the tie-breaking ranking). Winners are
    the candidates nobody is locked above; several only when some pairs are exactly tied.
    ``details`` has ``pairwise`` and ``pairs`` (each with margin and whether it was locked).
    """
    profile = _parse_ranked(data)
    C, cands = profile.C, profile.cands
    d = _pairwise(profile)
    pairs = [(d[x][y] - d[y][x], x, y) for x in range(C) for y in range(C) if d[x][y] > d[y][x]]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    reach = [1 << v for v in range(C)]  # reach[v]: bitmask of nodes reachable from v (and v)
    locked = [[False] * C for _ in range(C)]
    report = []
    for margin, x, y in pairs:
        ok = not (reach[y] >> x) & 1
        if ok:
            locked[x][y] = True
            add_reach = reach[y]
            bit = 1 << x
            for v in range(C):
                if reach[v] & bit:
                    reach[v] |= add_reach
        report.append(
            {
                "winner": cands[x],
                "loser": cands[y],
                "margin": margin,
                "votes": [d[x][y], d[y][x]],
                "locked": ok,
            }
        )
    tiers = _layers(C, lambda x, y: locked[x][y])
    details = profile.summary()
    details["pairwise"] = _matrix(cands, d)
    details["pairs"] = report
    return _result("ranked_pairs", cands, tiers[0], tiers, details)


def _irv_scale(profile: _Ranked) -> int:
    """A common multiple of every possible split of a ballot across equal ranks."""
    biggest = max((len(g) for groups, _ in profile.loose for g in groups), default=1)
    return math.lcm(*range(1, biggest + 1))


def _irv_count(profile: _Ranked, state: Any, eliminated: list[bool], scale: int):
    """Scaled votes of every continuing candidate, and scaled exhausted weight."""
    C = profile.C
    counts = [0] * C
    continuing = [x for x in range(C) if not eliminated[x]]
    exhausted = 0
    if profile.bits is not None:
        exhausted += scale * (
            profile.bits.irv_count(state, continuing, counts, scale) - profile.bits_blank
        )
    for groups, w in profile.loose:
        if not w or not groups:
            continue
        for group in groups:
            live = [x for x in group if not eliminated[x]]
            if live:
                share = w * scale // len(live)
                for x in live:
                    counts[x] += share
                break
        else:
            exhausted += w * scale
    return counts, exhausted


def irv(data: dict) -> dict:
    """Instant-runoff voting, weighted, one elimination per round.

    Each ballot counts for its highest-ranked continuing candidate (split equally across a group
    of equal ranks); a ballot with no continuing candidate left is exhausted. A candidate with
    more than half of the continuing votes, or the last one left, wins.

    Tie-break for last place: among the tied candidates, look back at the earlier rounds, most
    recent first, and keep only those with the fewest votes there, until one is left; if several
    remain, eliminate the one that comes last in the candidate list. If nobody has any vote in
    the first round, every candidate is a tied winner. ``details["rounds"]`` lists every round's
    counts, exhausted weight and elimination (with ``tied`` and ``tie_break`` when a tie-break
    decided it).
    """
    profile = _parse_ranked(data)
    C, cands = profile.C, profile.cands
    scale = _irv_scale(profile)
    state = profile.bits.irv_start() if profile.bits is not None else None
    eliminated = [False] * C
    order_out: list[int] = []
    history: list[list[int]] = []
    rounds: list[dict[str, Any]] = []
    winners: list[int]
    while True:
        counts, exhausted = _irv_count(profile, state, eliminated, scale)
        history.append(counts)
        continuing = [x for x in range(C) if not eliminated[x]]
        entry: dict[str, Any] = {
            "round": len(rounds) + 1,
            "counts": {cands[x]: _scaled(counts[x], scale) for x in continuing},
            "exhausted": _scaled(exhausted, scale),
        }
        rounds.append(entry)
        active = sum(counts[x] for x in continuing)
        best = max(counts[x] for x in continuing)
        if active == 0 and len(rounds) == 1:
            winners = continuing
            entry["elected"] = [cands[x] for x in winners]
            break
        if 2 * best > active or len(continuing) == 1:
            winners = [x for x in continuing if counts[x] == best][:1]
            entry["elected"] = [cands[winners[0]]]
            break
        low = min(counts[x] for x in continuing)
        tied = [x for x in continuing if counts[x] == low]
        loser = tied[-1]
        if len(tied) > 1:
            entry["tied"] = [cands[x] for x in tied]
            entry["tie_break"] = "candidate order"
            for back in range(len(history) - 2, -1, -1):
                earlier = history[back]
                fewest = min(earlier[x] for x in tied)
                tied = [x for x in tied if earlier[x] == fewest]
                if len(tied) == 1:
                    entry["tie_break"] = f"round {back + 1}"
                    break
            loser = tied[-1]
        entry["eliminated"] = cands[loser]
        eliminated[loser] = True
        order_out.append(loser)
        if state is not None:
            profile.bits.irv_eliminate(state, loser)  # type: ignore[union-attr]
    last = history[-1]
    rest = [x for x in range(C) if not eliminated[x] and x not in winners]
    rest.sort(key=lambda x: -last[x])
    tiers = [winners] if winners else []
    tiers += _tiers(rest, lambda x: last[x])
    tiers += [[x] for x in reversed(order_out)]
    details = profile.summary()
    details["rounds"] = rounds
    return _result("irv", cands, winners, tiers, details)


# --------------------------------------------------------------------------------------------
# single-mark and rated methods


def _ranked_by_count(cands: list[str], totals: list[Any], seats: int):
    """Tiers by decreasing total; winners fill ``seats`` seats, keeping a tie at the cut whole."""
    order = sorted(range(len(cands)), key=lambda x: -totals[x])
    tiers = _tiers(order, lambda x: totals[x])
    winners: list[int] = []
    tied: list[int] = []
    for tier in tiers:
        if len(winners) >= seats:
            break
        if len(winners) + len(tier) > seats:
            tied = tier
        winners += tier
    return winners, tiers, tied


def approval(data: dict, seats: int = 1) -> dict:
    """Approval voting: each ballot approves any set of candidates; most approvals win.

    ``seats`` (default 1) winners are chosen. Tie-break: none. If candidates tie for the last
    seat they are all returned as winners (``winners`` is then longer than ``seats``) and
    ``details["tied"]`` names them, so the tie is visible rather than hidden.
    """
    data = _require_data(data)
    cands, index = _candidates(data)
    seats = _seats(seats, len(cands))
    ballots = _ballot_list(data)
    totals = [0] * len(cands)
    total = 0
    for i, ballot in enumerate(ballots, 1):
        ballot = _ballot_dict(ballot, i, "approve")
        w = _weight(ballot, i)
        marks = ballot["approve"]
        if not isinstance(marks, list):
            _fail(f"ballot {i}: 'approve' must be a list of names, not {_show(marks)}")
        seen: set[int] = set()
        for name in marks:
            j = index.get(name) if isinstance(name, str) else None
            if j is None:
                _fail(f"ballot {i}: unknown candidate {_show(name)}")
            if j in seen:
                _fail(f"ballot {i}: candidate {_show(name)} is approved more than once")
            seen.add(j)
            totals[j] += w
        total += w
    winners, tiers, tied = _ranked_by_count(cands, totals, seats)
    details = {
        "candidates": cands,
        "ballots": len(ballots),
        "total_weight": total,
        "seats": seats,
        "approvals": dict(zip(cands, totals, strict=True)),
        "tied": [cands[x] for x in sorted(tied)],
    }
    return _result("approval", cands, winners, tiers, details)


def score(data: dict, seats: int = 1, rank_by: str = "sum") -> dict:
    """Score voting: each ballot gives candidates integer scores from 0 to 5.

    Candidates are ranked by the weighted sum of their scores (``rank_by="sum"``, the default;
    a candidate a ballot leaves out gets nothing from it) or by their mean over the ballots
    that scored them (``rank_by="mean"``; never-scored candidates come last). ``seats`` winners
    (default 1). Tie-break: none; candidates tied for the last seat are all winners and
    ``details["tied"]`` names them.
    """
    data = _require_data(data)
    cands, index = _candidates(data)
    seats = _seats(seats, len(cands))
    if rank_by not in ("sum", "mean"):
        _fail(f"rank_by must be 'sum' or 'mean', not {_show(rank_by)}")
    ballots = _ballot_list(data)
    sums = [0] * len(cands)
    raters = [0] * len(cands)
    total = 0
    for i, ballot in enumerate(ballots, 1):
        ballot = _ballot_dict(ballot, i, "scores")
        w = _weight(ballot, i)
        marks = ballot["scores"]
        if not isinstance(marks, dict):
            _fail(f"ballot {i}: 'scores' must be an object of name: score, not {_show(marks)}")
        for name, value in marks.items():
            j = index.get(name) if isinstance(name, str) else None
            if j is None:
                _fail(f"ballot {i}: unknown candidate {_show(name)}")
            if type(value) is not int or not SCORE_MIN <= value <= SCORE_MAX:
                _fail(
                    f"ballot {i}: score for {_show(name)} must be an integer from {SCORE_MIN} "
                    f"to {SCORE_MAX}, not {_show(value)}"
                )
            sums[j] += w * value
            raters[j] += w
        total += w
    means = [Fraction(sums[x], raters[x]) if raters[x] else None for x in range(len(cands))]
    if rank_by == "sum":
        keys: list[Any] = sums
    else:
        keys = [m if m is not None else Fraction(-1) for m in means]
    winners, tiers, tied = _ranked_by_count(cands, keys, seats)
    details = {
        "candidates": cands,
        "ballots": len(ballots),
        "total_weight": total,
        "seats": seats,
        "rank_by": rank_by,
        "sums": dict(zip(cands, sums, strict=True)),
        "scored_by": dict(zip(cands, raters, strict=True)),
        "means": {c: (None if m is None else float(m)) for c, m in zip(cands, means, strict=True)},
        "tied": [cands[x] for x in sorted(tied)],
    }
    return _result("score", cands, winners, tiers, details)


def plurality(data: dict) -> dict:
    """Plurality: the candidate(s) with most votes win.

    Ballots are ``{"choice": name}`` (``null`` is blank) or ranked ballots, whose first
    preference counts (a first group of k equal ranks gives each 1/k). The format is taken from
    the first ballot. Tie-break: none; every candidate with the top count is a winner.
    """
    data = _require_data(data)
    ballots = data.get("ballots")
    first = ballots[0] if isinstance(ballots, list) and ballots else None
    if isinstance(first, dict) and "ranking" in first:
        profile = _parse_ranked(data)
        scale = _irv_scale(profile)
        state = profile.bits.irv_start() if profile.bits is not None else None
        counts, _ = _irv_count(profile, state, [False] * profile.C, scale)
        totals = [Fraction(c, scale) for c in counts]
        winners, tiers, _ = _ranked_by_count(profile.cands, totals, 1)
        details = profile.summary()
        details["counts"] = {c: _number(v) for c, v in zip(profile.cands, totals, strict=True)}
        return _result("plurality", profile.cands, winners, tiers, details)
    cands, index = _candidates(data)
    ballots = _ballot_list(data)
    totals_i = [0] * len(cands)
    blank = total = 0
    for i, ballot in enumerate(ballots, 1):
        ballot = _ballot_dict(ballot, i, "choice")
        w = _weight(ballot, i)
        choice = ballot["choice"]
        total += w
        if choice is None:
            blank += w
            continue
        j = index.get(choice) if isinstance(choice, str) else None
        if j is None:
            _fail(f"ballot {i}: unknown candidate {_show(choice)}")
        totals_i[j] += w
    winners, tiers, _ = _ranked_by_count(cands, totals_i, 1)
    details = {
        "candidates": cands,
        "ballots": len(ballots),
        "total_weight": total,
        "blank": blank,
        "counts": dict(zip(cands, totals_i, strict=True)),
    }
    return _result("plurality", cands, winners, tiers, details)


# --------------------------------------------------------------------------------------------
# decisions on a single proposal

_NAMED_THRESHOLDS = {
    "majority": (Fraction(1, 2), True),  # strictly more than half
    "two-thirds": (Fraction(2, 3), False),
    "unanimity": (Fraction(1), False),
}


def _fraction(value: Any, what: str) -> Fraction:
    """A number in (0, 1] from an int, float, Fraction or a string like '0.75', '3/4', '75%'."""
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str):
            text = value.strip()
            q = Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
        elif isinstance(value, (int, float, Fraction)):
            q = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError, OverflowError):
        _fail(f"{what} must be a number in (0, 1], not {_show(value)}")
    if not 0 < q <= 1:
        _fail(f"{what} must be a number in (0, 1], not {_show(value)}")
    return q


def _threshold(value: Any) -> tuple[str, Fraction, bool]:
    """(label, share, strict): passes when support > share (strict) or >= share."""
    if isinstance(value, str):
        key = value.strip().lower().replace("_", "-").replace(" ", "-")
        key = {"two-third": "two-thirds", "2/3-majority": "two-thirds"}.get(key, key)
        if key in _NAMED_THRESHOLDS:
            share, strict = _NAMED_THRESHOLDS[key]
            return key, share, strict
    q = _fraction(value, "threshold")
    return str(q), q, False


def _choices(data: Any, allowed: tuple[str, ...]) -> tuple[dict[str, int], int, int]:
    data = _require_data(data)
    ballots = _ballot_list(data)
    counts = dict.fromkeys(allowed, 0)
    total = 0
    for i, ballot in enumerate(ballots, 1):
        ballot = _ballot_dict(ballot, i, "choice")
        w = _weight(ballot, i)
        choice = ballot["choice"]
        if not isinstance(choice, str) or choice not in counts:
            _fail(f"ballot {i}: choice must be one of {', '.join(allowed)}, not {_show(choice)}")
        counts[choice] += w
        total += w
    return counts, len(ballots), total


def _quorum(total: int, electorate: Any, quorum: Any) -> dict[str, Any] | None:
    if electorate is None:
        if quorum is not None:
            _fail("a quorum needs the electorate size (option electorate)")
        return None
    if type(electorate) is not int or electorate < 1:
        _fail(f"electorate must be a positive integer, not {_show(electorate)}")
    if total > electorate:
        _fail(f"{total} ballots (by weight) exceed the electorate of {electorate}")
    info: dict[str, Any] = {
        "electorate": electorate,
        "turnout": total,
        "turnout_share": total / electorate,
    }
    if quorum is not None:
        q = _fraction(quorum, "quorum")
        info["quorum"] = str(q)
        info["quorum_met"] = total >= q * electorate
    return info


def _decide(
    method: str,
    labels: tuple[str, str],
    tallied: tuple[dict[str, int], int, int],
    support: int,
    against: int,
    *,
    threshold: Any,
    electorate: Any,
    quorum: Any,
    blocked: bool | None = None,
) -> dict:
    """The outcome of a single proposal; ``labels`` are the (pass, fail) winner names."""
    label, share, strict = _threshold(threshold)
    counts, nballots, total = tallied
    q = _quorum(total, electorate, quorum)
    decided = support + against
    if decided == 0:
        reached = False
    elif strict:
        reached = support > share * decided
    else:
        reached = support >= share * decided
    quorum_ok = q is None or q.get("quorum_met", True)
    passed = reached and quorum_ok and not blocked
    if passed:
        reason = "passed"
    elif not quorum_ok:
        reason = "quorum not met"
    elif blocked:
        reason = "blocked"
    elif decided == 0:
        reason = f"no {labels[0]} or {labels[1]} votes"
    else:
        reason = "threshold not reached"
    details: dict[str, Any] = {
        "ballots": nballots,
        "total_weight": total,
        "counts": counts,
        "threshold": label,
        "support_share": (support / decided) if decided else None,
        "passed": passed,
        "reason": reason,
    }
    if blocked is not None:
        details["blocked"] = blocked
    if q is not None:
        details["quorum"] = q
    first, second = labels if passed else labels[::-1]
    return {
        "method": method,
        "winners": [first],
        "ranking": [[first], [second]],
        "details": details,
    }


def consensus(
    data: dict, threshold: Any = 0.75, electorate: int | None = None, quorum: Any = None
) -> dict:
    """Consensus decision: ballots choose agree, abstain, disagree or block.

    Passes when no ballot blocks (with weight > 0) and agree / (agree + disagree) reaches the
    threshold (default 0.75; ``"majority"``, ``"two-thirds"``, ``"unanimity"`` or a number in
    (0, 1]); abstentions count for neither side, and with no agree or disagree vote it fails.
    With ``electorate`` and ``quorum`` (fraction of the electorate that must cast a ballot,
    abstentions included) a missed quorum fails. There is no tie to break: ``winners`` is
    ``["agree"]`` when it passes, else ``["disagree"]``; ``details["passed"]`` and
    ``details["reason"]`` say why.
    """
    tallied = _choices(data, ("agree", "abstain", "disagree", "block"))
    counts = tallied[0]
    return _decide(
        "consensus",
        ("agree", "disagree"),
        tallied,
        counts["agree"],
        counts["disagree"],
        threshold=threshold,
        electorate=electorate,
        quorum=quorum,
        blocked=counts["block"] > 0,
    )


def yes_no(
    data: dict, threshold: Any = "majority", electorate: int | None = None, quorum: Any = None
) -> dict:
    """Yes-no vote: ballots choose yes, no or abstain.

    Passes when yes / (yes + no) meets the threshold: ``"majority"`` (default, more than
    half), ``"two-thirds"`` (at least 2/3), ``"unanimity"`` (at least one yes and no no), or a
    number q in (0, 1] (at least q). Abstentions count for neither side; with no yes or no vote
    it fails. With ``electorate`` and ``quorum`` (fraction of the electorate that must cast a
    ballot, abstentions included) a missed quorum fails. There is no tie to break (an exact
    half is not a majority): ``winners`` is ``["yes"]`` when it passes, else ``["no"]``.
    """
    tallied = _choices(data, ("yes", "no", "abstain"))
    counts = tallied[0]
    return _decide(
        "yes_no",
        ("yes", "no"),
        tallied,
        counts["yes"],
        counts["no"],
        threshold=threshold,
        electorate=electorate,
        quorum=quorum,
    )


# --------------------------------------------------------------------------------------------
# entry point

METHODS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "schulze": (schulze, ()),
    "ranked_pairs": (ranked_pairs, ()),
    "irv": (irv, ()),
    "approval": (approval, ("seats",)),
    "score": (score, ("seats", "rank_by")),
    "plurality": (plurality, ()),
    "consensus": (consensus, ("threshold", "electorate", "quorum")),
    "yes_no": (yes_no, ("threshold", "electorate", "quorum")),
}
_ALIASES = {"instant_runoff": "irv", "tideman": "ranked_pairs", "yesno": "yes_no"}


def tally(method: str, data: dict, **options: Any) -> dict:
    """Tally ``data`` with ``method`` (see the module docstring for formats and tie-breaks).

    ``method`` is one of ``METHODS`` (hyphens are accepted for underscores, so ``ranked-pairs``
    and ``yes-no`` work too). Options set to None are ignored; an option the method does not
    take raises :class:`TallyError`, like every invalid input.
    """
    if not isinstance(method, str):
        _fail(f"method must be a name, not {_show(method)}")
    key = method.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in METHODS:
        known = ", ".join(name.replace("_", "-") for name in METHODS)
        _fail(f"unknown method {_show(method)} (known: {known})")
    func, allowed = METHODS[key]
    given = {k: v for k, v in options.items() if v is not None}
    for name in given:
        if name not in allowed:
            takes = ", ".join(allowed) if allowed else "no options"
            _fail(f"method {key!r} does not take option {_show(name)} (it takes {takes})")
    return func(data, **given)
