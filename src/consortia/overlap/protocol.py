"""The private set intersection: ECDH in the ristretto255 group, hashed with libsodium.

Each side of a run draws two fresh secret scalars that never leave its machine: `m` (matching)
and `r` (records). For a population's normalized keys x:

1. **Blind** (its own machine): H(x) = ristretto255_from_hash(SHA-512(DST ‖ x)) with libsodium,
   where the domain-separation tag DST names the protocol and the run's id, so values of one run
   say nothing about another. It uploads H(x)^m, sorted by value (a canonical order that is
   random with respect to its rows). A population shared at record level also uploads a
   **payload table**: for each key, tag = BLAKE2b(H(x)^r) and its shared fields sealed
   (XSalsa20-Poly1305) under key = BLAKE2b(H(x)^r), padded to one fixed size.
2. **Double-blind** (each side, on the other's blinded values v = H(y)^m'): uploads v^m for
   each of the other's populations, **sorted by value** — the server intersects these shuffled
   double-blinded sets to count every cell of the matrix, and nothing ties a match to a row.
   A side with populations at record level also returns v^r **in the other's order** (an
   oblivious evaluation of its record key on the other's elements).
3. **Open** (the receiving side): it removes its own blinding, (H(y)^(m'r))^(1/m') = H(y)^r,
   and looks the tag up in the other's payload tables: only its keys that are in the other's
   population find a payload, and only those payloads can be opened.

**How the exponentiations are computed.** The group is ristretto255's (prime order L), but an
element travels as the x-coordinate u of its point on Curve25519 and every exponentiation is
X25519 (RFC 7748; OpenSSL's Montgomery ladder through `cryptography`, 1.5x faster here than
libsodium's ristretto255 scalar multiplication; libsodium.js's X25519 in the browser gives the
same bytes):
- a ristretto255 encoding s decodes to an Edwards point with y = (1 - s²)/(1 + s²), whose
  Montgomery u = (1 + y)/(1 - y) is 1/s²; adding the 2-torsion point (0, 0) turns u into 1/u,
  so **u = s² (mod 2^255 - 19)** is a point of the same coset modulo torsion, with no inversion;
- X25519 clamps its scalar to a multiple of 8, which removes that torsion: X25519(k, s²) is the
  x-coordinate of H(x)^k in the prime-order group, the same whichever representative s stood
  for. x-coordinates identify an element up to sign, which commutes with exponentiation
  (`tests/overlap/test_protocol.py` checks the ladder against libsodium's ristretto255);
- the opening step needs 1/m mod L as a clamped scalar: the matching scalar is drawn again
  until its inverse has that form (half of all scalars do).

The server sees blinded and double-blinded elements, tags and sealed payloads: never a key nor
an unblinded hash. What each side learns is bounded by the other's levels (see README).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

import pysodium
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

# The protocol's version: a run records the version its clients speak (v1 was ristretto255
# scalar multiplication, v2 X25519 on u = s²); the server relays only this one.
PROTOCOL = 2
VERSION = b"consortia-overlap-v%d" % PROTOCOL
FIELD = 2**255 - 19  # Curve25519's prime
ORDER = 2**252 + 27742317777372353535851937790883648493  # L, the order of ristretto255
POINT = 32
TAG = 16
PLAIN = 256  # padded plaintext of one record's fields
SEALED = PLAIN + pysodium.crypto_secretbox_MACBYTES
STRIDE = TAG + SEALED  # one row of a payload table
ZERO_NONCE = bytes(pysodium.crypto_secretbox_NONCEBYTES)  # each record key is used once
TAG_KEY = VERSION + b" tag"
SEAL_KEY = VERSION + b" key"
PARALLEL_FROM = 4096  # smaller sets are blinded in-process: a pool costs more than it saves

Progress = Callable[[str, int, int], None]


class ProtocolError(ValueError):
    """The other side's data is malformed (not group elements, wrong sizes)."""


def dst(run_id: str) -> bytes:
    return VERSION + b"|run=" + str(run_id).encode("ascii") + b"|"


def hash_to_ristretto(tag: bytes, key: str) -> bytes:
    """The key's ristretto255 element, as libsodium encodes it."""
    return pysodium.crypto_core_ristretto255_from_hash(hashlib.sha512(tag + key.encode()).digest())


def montgomery(element: bytes) -> bytes:
    """A ristretto255 encoding s as the X25519 input u = s² (see the module's docstring)."""
    s = int.from_bytes(element, "little")
    return (s * s % FIELD).to_bytes(POINT, "little")


def hash_to_group(tag: bytes, key: str) -> bytes:
    """The unblinded element of a key: never leaves the machine that computed it."""
    return montgomery(hash_to_ristretto(tag, key))


def _clamped(scalar: bytes) -> int:
    """The integer X25519 multiplies by (RFC 7748's decodeScalar25519)."""
    k = bytearray(scalar)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    return int.from_bytes(k, "little")


def inverse(scalar: bytes) -> bytes | None:
    """A scalar whose clamped value is the inverse of `scalar`'s modulo L, or None when the
    inverse has no clamped form (2^254 + 8t with t < 2^251)."""
    c = pow(_clamped(scalar), -1, ORDER)
    t = (c - 2**254) * pow(8, -1, ORDER) % ORDER
    if t >= 2**251:
        return None
    return (2**254 + 8 * t).to_bytes(POINT, "little")


def new_scalar() -> bytes:
    return pysodium.randombytes(POINT)


def new_invertible_scalar() -> bytes:
    while True:
        scalar = new_scalar()
        if inverse(scalar) is not None:
            return scalar


def all_canonical(blob: bytes) -> bool:
    """Whether every 32-byte value of `blob` is a canonical coordinate (u < 2^255 - 19): what
    the server can check of an upload without any secret (small orders are for the receiver)."""
    if len(blob) % POINT:
        return False
    if not blob or max(blob[POINT - 1 :: POINT]) < 0x7F:  # the usual case: no value near p
        return True
    return all(
        int.from_bytes(blob[i : i + POINT], "little") < FIELD
        for i in range(0, len(blob), POINT)
        if blob[i + POINT - 1] >= 0x7F
    )


def _multiplier(scalar: bytes):
    """u ↦ X25519(scalar, u), refusing what is not a canonical element of the group."""
    exchange = X25519PrivateKey.from_private_bytes(scalar).exchange
    public = X25519PublicKey.from_public_bytes

    def mult(u: bytes) -> bytes:
        if u[31] >= 0x7F and int.from_bytes(u, "little") >= FIELD:
            raise ProtocolError("a value is not a canonical group element")
        try:
            return exchange(public(u))
        except ValueError:  # a point of small order: the result would be the identity
            raise ProtocolError("a value is not a valid group element") from None

    return mult


def split(blob: bytes, size: int = POINT) -> list[bytes]:
    if len(blob) % size:
        raise ProtocolError(f"a list of {size}-byte values has {len(blob)} bytes")
    return [blob[i : i + size] for i in range(0, len(blob), size)]


# Work done in worker processes (module level, so it pickles) ---------------------------------


def _blind(tag: bytes, scalar: bytes, keys: list[str]) -> bytes:
    mult = _multiplier(scalar)
    return b"".join(mult(hash_to_group(tag, key)) for key in keys)


def _blind_twice(tag: bytes, first: bytes, second: bytes, keys: list[str]) -> tuple[bytes, bytes]:
    """H(x)^first and H(x)^second for each key (one hash-to-group for both)."""
    one, two = _multiplier(first), _multiplier(second)
    a, b = [], []
    for key in keys:
        point = hash_to_group(tag, key)
        a.append(one(point))
        b.append(two(point))
    return b"".join(a), b"".join(b)


def _mult(scalar: bytes, blob: bytes) -> bytes:
    mult = _multiplier(scalar)
    return b"".join(mult(blob[i : i + POINT]) for i in range(0, len(blob), POINT))


def _chunks(items, parts: int):
    size = max(1, -(-len(items) // parts))
    return [items[i : i + size] for i in range(0, len(items), size)]


@dataclass
class Engine:
    """Runs the per-element work on every core (a process pool) or in-process for small sets."""

    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    progress: Progress | None = None
    _pool: ProcessPoolExecutor | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _map(self, label: str, function, items, fixed: tuple, total: int) -> list:
        if self.workers <= 1 or total < PARALLEL_FROM:
            result = [function(*fixed, items)]
            self._tick(label, total, total)
            return result
        pool = self._executor()
        # Several chunks per worker: the progress bar moves, and a slow core does not hold up
        # the others at the end.
        chunks = _chunks(items, self.workers * 8)
        futures = [pool.submit(function, *fixed, chunk) for chunk in chunks]
        results, done = [], 0
        for future, chunk in zip(futures, chunks, strict=True):
            results.append(future.result())
            done += len(chunk) // (POINT if isinstance(chunk, bytes) else 1)
            self._tick(label, done, total)
        return results

    def _executor(self) -> ProcessPoolExecutor:
        """The process pool, started on first use (by one thread: two parties may share it)."""
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("fork"))
            return self._pool

    def _tick(self, label: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(label, done, total)

    def blind(self, tag: bytes, scalar: bytes, keys: list[str], label: str) -> bytes:
        return b"".join(self._map(label, _blind, keys, (tag, scalar), len(keys)))

    def blind_twice(self, tag, first, second, keys, label) -> tuple[bytes, bytes]:
        parts = self._map(label, _blind_twice, keys, (tag, first, second), len(keys))
        return b"".join(p[0] for p in parts), b"".join(p[1] for p in parts)

    def mult(self, scalar: bytes, blob: bytes, label: str) -> bytes:
        if len(blob) % POINT:
            raise ProtocolError(f"a list of points has {len(blob)} bytes")
        n = len(blob) // POINT
        if self.workers <= 1 or n < PARALLEL_FROM:
            return b"".join(self._map(label, _mult, blob, (scalar,), n))
        size = max(1, -(-n // (self.workers * 8))) * POINT
        pieces = [blob[i : i + size] for i in range(0, len(blob), size)]
        pool = self._executor()
        futures = [pool.submit(_mult, scalar, piece) for piece in pieces]
        out, done = [], 0
        for future, piece in zip(futures, pieces, strict=True):
            out.append(future.result())
            done += len(piece) // POINT
            self._tick(label, done, n)
        return b"".join(out)


# Record payloads --------------------------------------------------------------------------------


def record_tag(element: bytes) -> bytes:
    return pysodium.crypto_generichash(element, k=TAG_KEY, outlen=TAG)


def record_key(element: bytes) -> bytes:
    return pysodium.crypto_generichash(element, k=SEAL_KEY, outlen=32)


def pad(data: bytes, size: int = PLAIN) -> bytes:
    """ISO/IEC 7816-4 padding to exactly `size` bytes (libsodium's sodium_pad)."""
    if len(data) >= size:
        raise ValueError("too long to pad")
    return data + b"\x80" + bytes(size - len(data) - 1)


def unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise ProtocolError("bad padding")
    return end[:-1]


def encode_fields(fields: dict[str, str]) -> bytes:
    """The shared fields as compact JSON that fits one padded block (long values are cut)."""
    values = {k: v for k, v in sorted(fields.items()) if v}
    limit = 80
    while True:
        data = json.dumps(
            {k: v[:limit] for k, v in values.items()}, ensure_ascii=False, separators=(",", ":")
        ).encode()
        if len(data) < PLAIN:
            return data
        limit -= 8


def seal(element: bytes, fields: dict[str, str]) -> bytes:
    """One payload row: tag ‖ fields sealed under the key derived from H(x)^r."""
    box = pysodium.crypto_secretbox(pad(encode_fields(fields)), ZERO_NONCE, record_key(element))
    return record_tag(element) + box


def open_sealed(element: bytes, box: bytes) -> dict[str, str]:
    try:
        plain = pysodium.crypto_secretbox_open(box, ZERO_NONCE, record_key(element))
        data = json.loads(unpad(plain))
    except (ValueError, json.JSONDecodeError):
        raise ProtocolError("a payload could not be opened") from None
    if not isinstance(data, dict):
        raise ProtocolError("a payload is not a record")
    return {str(k): str(v) for k, v in data.items()}


def payload_index(blob: bytes) -> dict[bytes, bytes]:
    """tag → sealed fields, for a payload table."""
    if len(blob) % STRIDE:
        raise ProtocolError(f"a payload table has {len(blob)} bytes")
    return {blob[i : i + TAG]: blob[i + TAG : i + STRIDE] for i in range(0, len(blob), STRIDE)}


# The two sides ----------------------------------------------------------------------------------


@dataclass
class Mine:
    """One of my populations in a run: its blinded elements (as uploaded) → key."""

    keys: list[str]  # in upload order
    fields: dict[str, dict[str, str]]


@dataclass
class Party:
    """One side of a run, on its own machine. Its scalars live only in this object."""

    run_id: str
    engine: Engine = field(default_factory=Engine)
    match: bytes = field(default_factory=new_invertible_scalar)
    record: bytes = field(default_factory=new_scalar)
    mine: dict[str, Mine] = field(default_factory=dict)

    @property
    def tag(self) -> bytes:
        return dst(self.run_id)

    def blind(
        self, population: str, records: dict[str, dict[str, str]], *, share_fields: Iterable[str]
    ) -> tuple[bytes, bytes | None]:
        """Round 1 for one population: (blinded elements sorted by value, payload table or
        None). `share_fields` empty and not None means counts only (no payload table)."""
        keys = list(records)
        share = tuple(share_fields) if share_fields is not None else None
        if share is None:
            blinded = self.engine.blind(self.tag, self.match, keys, f"blinding {population}")
            payload = None
        else:
            blinded, oprf = self.engine.blind_twice(
                self.tag, self.match, self.record, keys, f"blinding {population}"
            )
            rows = sorted(
                seal(element, {k: records[key].get(k, "") for k in share})
                for key, element in zip(keys, split(oprf), strict=True)
            )
            payload = b"".join(rows)
        elements = split(blinded)
        order = sorted(range(len(keys)), key=elements.__getitem__)
        self.mine[population] = Mine(keys=[keys[i] for i in order], fields=records)
        return b"".join(elements[i] for i in order), payload

    def double_blind(self, blob: bytes, label: str = "double-blinding") -> bytes:
        """Round 2: the other's blinded elements raised to my matching scalar, sorted by value."""
        return b"".join(sorted(split(self.engine.mult(self.match, blob, label))))

    def evaluate(self, blob: bytes, label: str = "evaluating") -> bytes:
        """Round 2, when I share records: the other's blinded elements raised to my record
        scalar, in the other's order (so that it can find its own rows)."""
        return self.engine.mult(self.record, blob, label)

    def open(
        self, population: str, evaluated: bytes, tables: dict[str, bytes]
    ) -> list[tuple[str, str, dict[str, str]]]:
        """Round 3: (my key, their population, their fields) for each of my keys that is in one
        of their record-level populations."""
        mine = self.mine[population]
        if len(evaluated) != len(mine.keys) * POINT:
            raise ProtocolError("the evaluated list does not match the population's size")
        unblinded = split(self.engine.mult(inverse(self.match), evaluated, f"opening {population}"))
        indexes = {name: payload_index(blob) for name, blob in tables.items()}
        found = []
        for key, element in zip(mine.keys, unblinded, strict=True):
            tag = record_tag(element)
            for name, index in indexes.items():
                box = index.get(tag)
                if box is not None:
                    found.append((key, name, open_sealed(element, box)))
        return found


def matrix(left: dict[str, bytes], right: dict[str, bytes]) -> dict[tuple[str, str], int]:
    """The server's count for every cell: |left[p] ∩ right[q]| over double-blinded values."""
    right_sets = {name: set(split(blob)) for name, blob in right.items()}
    counts = {}
    for p, blob in left.items():
        values = set(split(blob))
        for q, others in right_sets.items():
            counts[(p, q)] = len(values & others) if values else 0
    return counts


def seal_result(data: dict) -> tuple[bytes, bytes]:
    """(key, nonce ‖ box) for the records a side received: stored by the server, opened only
    where the key is kept (the browser that ran it, or the CLI's key file)."""
    key = pysodium.randombytes(32)
    nonce = pysodium.randombytes(pysodium.crypto_secretbox_NONCEBYTES)
    plain = json.dumps(data, ensure_ascii=False).encode()
    return key, nonce + pysodium.crypto_secretbox(plain, nonce, key)


def open_result(key: bytes, blob: bytes) -> dict:
    size = pysodium.crypto_secretbox_NONCEBYTES
    try:
        plain = pysodium.crypto_secretbox_open(blob[size:], blob[:size], key)
        return json.loads(plain)
    except (ValueError, json.JSONDecodeError):
        raise ProtocolError("the stored result cannot be opened with this key") from None
