"""The sentence-embedding model: WordLlama's `l2_supercat` (256 dimensions), loaded from the
weights and tokenizer that ship inside the `wordllama` wheel.

Nothing is downloaded, ever: WordLlama 0.4.0.post1's own resolver looks for the tokenizer in a
folder the wheel does not have (`wordllama/tokenizer/`, the wheel ships `tokenizers/`) and would
fall back to fetching it from the Hugging Face hub; pointing its cache folder at the package
itself makes both files resolve locally, and `disable_download=True` turns any miss into an
error instead of a network call. No torch: token embeddings are averaged with numpy.

The model is loaded once per process, on first use (about 0.3 s, 33 MB of memory).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np

MODEL_NAME = "wordllama-0.4.0.post1/l2_supercat_256"
DIMENSIONS = 256
MAX_CHARS = 5000  # per text: a bound on the tokens of one row
_lock = threading.Lock()
_model = None


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
