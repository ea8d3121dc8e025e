"""all-MiniLM-L6-v2 through ONNX Runtime, its graph built here from the bundled weights.

No torch and no export step: `bert_graph` writes the encoder that `MiniLmEmbedder` computes
in numpy (embeddings, 6 post-LayerNorm attention layers with exact-erf GELU) as an ONNX
graph with the `onnx` package's helpers, straight from the safetensors, and ONNX Runtime
runs it. `quantized` stores the weights of every dense layer as 7-bit int8 (per output
channel, `WEIGHT_LEVELS`) for ONNX Runtime's `DynamicQuantizeMatMul`, which quantizes each
activation on the fly;
the model's outlier feature is scaled down before its int8 products and its weight rows
up by as much (`SMOOTHING`), so that it shares the int8 range with the rest, and the few
FFN channels that write it stay fp32 (`outlier_channels`).
Tokenising, length-sorted batching and mean pooling are `MiniLmEmbedder`'s own; the
batches run one per core at once, each on one thread.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trust.embedding import (
    MODEL_NAME,
    EmbedderUnavailableError,
    Layer,
    MiniLmEmbedder,
    Vectors,
    batched_encode,
    mean_pooled,
    padded,
)

OPSET = 20
"""Gelu is an operator from opset 20 on."""
MICROSOFT = "com.microsoft"
"""ONNX Runtime's own operators: `DynamicQuantizeMatMul`."""
NONE = np.array([], dtype=np.int64)
"""No channels, no dimensions."""
OUTLIER_RATIO = 4.0
"""An FFN channel whose output-projection row is this many times longer than the layer's
median row is an outlier channel (see `outlier_channels`)."""
SMOOTHING = 4.0
"""The outlier dimensions of the FFN's input (`outlier_dimensions`) are divided by this
before its int8 product and their weight rows multiplied by it: the same product, but
they no longer set the int8 range of the whole activation alone. Lowest cosine to numpy
on the bench's 300 held-out sentences (and of the empty text) by this factor: 1 0.9914
(0.9824), 2 0.9932 (0.9883), 3 0.9941 (0.9873), 4 0.9949 (0.9913), 6 0.9941 (0.9856).
Taking those dimensions apart in an fp32 side product instead, as before: 0.9948 (0.9863)
for ~7% more CPU; smoothing the outlier channels too, instead of keeping them fp32,
saved ~2% more CPU but gave 0.9925 (0.9798)."""
WEIGHT_LEVELS = 63
"""Int8 weights use -63..63, 7 bits: on x86 CPUs without VNNI (AVX2 alone), ONNX Runtime
multiplies uint8 activations by int8 weights with `vpmaddubsw`, whose sum of two products
saturates at 32,767; with weights up to 127 (255 x 127 x 2) the products clipped and the
lowest cosine to numpy fell to 0.949 on an AVX2-only EPYC, against 0.9920 with 7 bits
(0.9949 with 8 bits where VNNI adds in 32 bits; the `SMOOTHING` figures were measured
there). 7 bits everywhere: one graph, the same vectors on every CPU."""
MAX_BATCH = 16
MAX_BATCH_TOKENS = 256
"""ONNX Runtime's batches: small ones keep the int8 products' operands in the caches (~10%
less CPU per sentence than numpy's 64 texts / 1,024 tokens)."""
SLOW_FUSIONS = ("SkipLayerNormFusion",)
"""ONNX Runtime optimisations left off: its CPU `SkipLayerNormalization` (a residual Add
and the LayerNormalization after it, fused) took 460 us where the two took 70 us apart
(a batch of 9 x 25 tokens, one thread, onnxruntime 1.32): 15% of the int8 model's CPU."""


def _onnx() -> Any:
    try:
        return importlib.import_module("onnx")
    except ImportError as error:
        raise EmbedderUnavailableError(
            "onnx", str(error), "pip install onnx onnxruntime"
        ) from error


def outlier_channels(down_w: Vectors) -> NDArray[np.int64]:
    """The FFN channels of one layer whose output-projection row (`down_w` is (1536, 384))
    is over `OUTLIER_RATIO` times the median row's length: one or two in each of the first
    four layers, none in the last two. They write the residual stream's outlier features,
    so their GELU outputs reach 14 to 25 where the others stay under 7 (measured on 600
    sentences): in one int8 range with the rest, they cost the others their precision."""
    norms = np.linalg.norm(down_w, axis=1)
    return np.flatnonzero(norms > OUTLIER_RATIO * np.median(norms))


def outlier_dimensions(model: MiniLmEmbedder) -> NDArray[np.int64]:
    """The hidden dimensions that the outlier channels write (each channel's largest output
    weight): dimension 99 alone for this model, which reaches 28 where the median
    dimension stays under 2 (and 0.4 for the empty text, whose vector int8 then blurs)."""
    written = [
        int(np.argmax(np.abs(layer.down_w[channel])))
        for layer in model.layers
        for channel in outlier_channels(layer.down_w)
    ]
    return np.unique(np.array(written, dtype=np.int64))


def bert_graph(model: MiniLmEmbedder, *, quantized: bool = False) -> Any:
    """The encoder of `model` as an ONNX `ModelProto`: inputs `input_ids` (batch, length)
    int64, `position_ids` (1, length) int64 and `attention_bias` (batch, 1, 1, length)
    float32 (0 for a token, the float32 minimum for padding); output `hidden` (batch,
    length, 384). With `quantized`, dense layers have int8 weights (see the module)."""
    onnx = _onnx()
    build = _Builder(onnx, model, quantized)
    word = build.node("Gather", [build.const("word", model.word), "input_ids"], "word_embedded")
    position = build.const("position", model.position)
    x = build.node("Add", [word, build.node("Gather", [position, "position_ids"], "positioned")])
    x = build.node("Add", [x, build.const("segment", model.segment)], "segmented")
    x = build.norm(x, "x0", model.norm_w, model.norm_b)
    for index, layer in enumerate(model.layers):
        x = build.layer(f"l{index}_", layer, x)
    build.node("Identity", [x], "hidden")
    helper, float_type, int_type = onnx.helper, onnx.TensorProto.FLOAT, onnx.TensorProto.INT64
    graph = helper.make_graph(
        build.nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", int_type, ["batch", "length"]),
            helper.make_tensor_value_info("position_ids", int_type, [1, "length"]),
            helper.make_tensor_value_info("attention_bias", float_type, ["batch", 1, 1, "length"]),
        ],
        [
            helper.make_tensor_value_info(
                "hidden", float_type, ["batch", "length", model.dimensions]
            )
        ],
        initializer=build.weights,
    )
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid(MICROSOFT, 1)]
    return helper.make_model(graph, opset_imports=opsets)


@dataclass(frozen=True)
class Quantized:
    """An activation quantized once (`DynamicQuantizeLinear`) for several int8 products:
    the names of its uint8 values, its scale and its zero point."""

    values: str
    scale: str
    zero_point: str


class _Builder:
    """The nodes and weights of `bert_graph`, added one encoder part at a time."""

    def __init__(self, onnx: Any, model: MiniLmEmbedder, quantized: bool) -> None:
        self.helper, self.numpy_helper = onnx.helper, onnx.numpy_helper
        self.model, self.quantized = model, quantized
        self.weights: list[Any] = []
        self.nodes: list[Any] = []
        self.dimensions = outlier_dimensions(model) if quantized else NONE
        heads, hidden = model.heads, model.dimensions
        self.split_shape = self.const(
            "split_shape", np.array([0, 0, heads, hidden // heads], dtype=np.int64)
        )
        self.merge_shape = self.const("merge_shape", np.array([0, 0, hidden], dtype=np.int64))
        self.scale = self.const("scale", np.array(1 / np.sqrt(hidden // heads), np.float32))

    def const(self, name: str, array: NDArray[Any]) -> str:
        self.weights.append(self.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op: str, inputs: list[str], name: str = "", **attributes: Any) -> str:
        name = name or f"{op.lower()}_{len(self.nodes)}"
        self.nodes.append(self.helper.make_node(op, inputs, [name], name=name, **attributes))
        return name

    def norm(self, source: str, name: str, w: NDArray[Any], b: NDArray[Any]) -> str:
        inputs = [source, self.const(name + "_w", w), self.const(name + "_b", b)]
        return self.node("LayerNormalization", inputs, name, axis=-1, epsilon=self.model.eps)

    def quantize(self, source: str) -> Quantized:
        """`source` quantized to uint8 once, for several int8 products."""
        names = Quantized(source + "_u8", source + "_u8_scale", source + "_u8_zero")
        outputs = [names.values, names.scale, names.zero_point]
        self.nodes.append(
            self.helper.make_node("DynamicQuantizeLinear", [source], outputs, name=names.values)
        )
        return names

    def dense(
        self,
        name: str,
        source: str | Quantized,
        w: NDArray[Any],
        b: NDArray[Any],
        smoothed: NDArray[np.int64] = NONE,
    ) -> str:
        """`source @ w + b`; when quantized, with int8 weights (per output channel) and the
        `smoothed` features of `source` divided by `SMOOTHING`, their rows of `w` multiplied
        by it. A `Quantized` source is multiplied as it is."""
        if isinstance(source, Quantized):
            q, scale = self.int8_weights(name, w)
            bias = self.const(name + "_b", b)
            inputs = [source.values, q, source.scale, scale, source.zero_point, "", bias]
            return self.node("MatMulIntegerToFloat", inputs, name, domain=MICROSOFT)
        if not self.quantized:
            return self.product(name, source, w, b)
        if len(smoothed):
            factor = np.ones(w.shape[0], dtype=np.float32)
            factor[smoothed] = SMOOTHING
            source = self.node("Mul", [source, self.const(name + "_smooth", 1 / factor)])
            w = w * factor[:, None]
        inputs = [source, *self.int8_weights(name, w), "", self.const(name + "_b", b)]
        return self.node("DynamicQuantizeMatMul", inputs, name, domain=MICROSOFT)

    def int8_weights(self, name: str, w: NDArray[Any]) -> tuple[str, str]:
        """`w` as int8 (within +-`WEIGHT_LEVELS`) with a scale per output column: the names
        of both."""
        scale = np.maximum(np.abs(w).max(axis=0), np.float32(1e-12)) / np.float32(WEIGHT_LEVELS)
        q = np.clip(np.rint(w / scale), -WEIGHT_LEVELS, WEIGHT_LEVELS).astype(np.int8)
        return self.const(name + "_q", q), self.const(name + "_s", scale)

    def product(
        self, name: str, source: str, w: NDArray[Any], b: NDArray[Any] | None = None
    ) -> str:
        """`source @ w + b` in fp32 (no `b`: none added)."""
        product = self.node("MatMul", [source, self.const(name + "_w", w)], name + "_mm")
        return product if b is None else self.node("Add", [product, self.const(name + "_b", b)])

    def layer(self, p: str, layer: Layer, x: str) -> str:
        """One encoder layer on `x`: self-attention, then the FFN, each with its LayerNorm."""
        x = self.norm(
            self.node("Add", [self.attention(p, layer, x), x]),
            p + "x1",
            layer.norm1_w,
            layer.norm1_b,
        )
        return self.norm(
            self.node("Add", [self.ffn(p, layer, x), x]), p + "x2", layer.norm2_w, layer.norm2_b
        )

    def attention(self, p: str, layer: Layer, x: str) -> str:
        """Self-attention on `x`; quantized, `x` is quantized once for Q, K and V (~3% less
        CPU than three `DynamicQuantizeMatMul`s, each quantizing it again)."""
        hidden, parts = self.model.dimensions, []
        source = self.quantize(x) if self.quantized else x
        for part, perm in enumerate(([0, 2, 1, 3], [0, 2, 3, 1], [0, 2, 1, 3])):
            columns = slice(part * hidden, (part + 1) * hidden)
            projected = self.dense(
                p + "qkv"[part], source, layer.qkv_w[:, columns], layer.qkv_b[columns]
            )
            split = self.node("Reshape", [projected, self.split_shape])
            parts.append(self.node("Transpose", [split], perm=perm))
        scores = self.node("MatMul", [self.node("Mul", [parts[0], self.scale]), parts[1]])
        scores = self.node("Add", [scores, "attention_bias"])
        weights = self.node("Softmax", [scores], p + "attention", axis=-1)
        context = self.node(
            "Transpose", [self.node("MatMul", [weights, parts[2]])], perm=[0, 2, 1, 3]
        )
        context = self.node("Reshape", [context, self.merge_shape])
        return self.dense(p + "out", context, layer.out_w, layer.out_b)

    def ffn(self, p: str, layer: Layer, x: str) -> str:
        """GELU(x @ up + b) @ down + b. Quantized: int8 with the outlier dimensions of `x`
        smoothed (`outlier_dimensions`), but for the outlier channels (`outlier_channels`),
        which an fp32 side product adds."""
        outliers = outlier_channels(layer.down_w) if self.quantized else NONE
        kept = np.setdiff1d(np.arange(layer.down_w.shape[0]), outliers)
        inner = self.dense(p + "up", x, layer.up_w[:, kept], layer.up_b[kept], self.dimensions)
        activated = self.node("Gelu", [inner], p + "gelu")
        out = self.dense(p + "down", activated, layer.down_w[kept], layer.down_b)
        if not len(outliers):
            return out
        side = self.product(p + "outlier_up", x, layer.up_w[:, outliers], layer.up_b[outliers])
        side = self.product(p + "outlier_down", self.node("Gelu", [side]), layer.down_w[outliers])
        return self.node("Add", [out, side])


def session_options(runtime: Any) -> Any:
    """ONNX Runtime's options: every graph optimisation (but `SLOW_FUSIONS`), and one thread
    per session run: `OnnxMiniLmEmbedder` runs a batch per core at once instead (one
    thread per batch spent ~10% less CPU than two threads on each batch, which wait for
    each other at every one of its ~100 operators)."""
    options = runtime.SessionOptions()
    options.graph_optimization_level = runtime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return options


def open_session(runtime: Any, graph: Any, options: Any = None) -> Any:
    """An ONNX Runtime session on the CPU for `graph` (a `ModelProto`), with `options`
    (default `session_options`) and without `SLOW_FUSIONS`."""
    return runtime.InferenceSession(
        graph.SerializeToString(),
        options or session_options(runtime),
        providers=["CPUExecutionProvider"],
        disabled_optimizers=list(SLOW_FUSIONS),
    )


class OnnxMiniLmEmbedder:
    """all-MiniLM-L6-v2 on ONNX Runtime (fp32, or int8 weights with `quantized`). One
    thread per core this process may use runs batches; an ONNX Runtime session and the
    pool may serve several callers at once, so `encode` is thread-safe."""

    name = MODEL_NAME

    def __init__(self, model: MiniLmEmbedder, session: Any, backend: str) -> None:
        self._model = model
        self._session = session
        self.backend = backend
        self.dimensions = model.dimensions
        self.workers = len(os.sched_getaffinity(0))
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="onnx-embedding")

    @classmethod
    def load(cls, *, quantized: bool = False) -> OnnxMiniLmEmbedder:
        """Build the graph from the bundled model and open a session on it."""
        backend = "onnx-int8" if quantized else "onnx"
        try:
            runtime = importlib.import_module("onnxruntime")
        except ImportError as error:
            raise EmbedderUnavailableError(
                backend, str(error), "pip install onnxruntime"
            ) from error
        model = MiniLmEmbedder.load()
        session = open_session(runtime, bert_graph(model, quantized=quantized))
        return cls(model, session, backend)

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of `texts`, shape (len(texts), 384), in the order given."""
        return batched_encode(
            self._model, texts, self.forward, MAX_BATCH, MAX_BATCH_TOKENS, self._pool.map
        )

    def forward(self, ids: Sequence[Sequence[int]]) -> Vectors:
        """Embed one non-empty batch of token id lists, padded here to the longest."""
        tokens, mask = padded(ids)
        length = tokens.shape[1]
        bias = np.where(mask, np.float32(0), np.finfo(np.float32).min).astype(np.float32)
        [hidden] = self._session.run(
            ["hidden"],
            {
                "input_ids": tokens,
                "position_ids": np.arange(length, dtype=np.int64)[None, :],
                "attention_bias": bias[:, None, None, :],
            },
        )
        return mean_pooled(np.asarray(hidden, dtype=np.float32), mask)
