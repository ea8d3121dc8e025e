"""Sentences per second of the MiniLM embedders: ONNX Runtime (fp32 and int8) and numpy.

The corpus is ~2,000 real English sentences of mixed lengths: the docstrings of Python's
standard library, split into sentences (no download, same text on every machine with the
same Python). Baselines, in the same run: the numpy embedder batched, and called once per
sentence. Each ONNX model's agreement with numpy (the reference, equal to
sentence-transformers to 1e-4) is the lowest cosine over 300 held-out sentences (the next
ones of the same docstrings). The sentence-transformers backend is timed too where torch
is installed.
Runs in-process, no services: `python -c "from bench import embedding_throughput as b; b.run()"`.
"""

from __future__ import annotations

import importlib
import inspect
import re
import time
from collections.abc import Callable

import numpy as np

from trust.embedding import (
    EmbedderUnavailableError,
    MiniLmEmbedder,
    SentenceTransformerEmbedder,
    Vectors,
)
from trust.onnx_embedding import OnnxMiniLmEmbedder

COUNT = 2000
HELD_OUT = 300
MODULES = (
    "argparse",
    "asyncio.events",
    "asyncio.tasks",
    "bisect",
    "calendar",
    "collections",
    "concurrent.futures._base",
    "configparser",
    "contextlib",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "email.message",
    "enum",
    "fractions",
    "functools",
    "gettext",
    "glob",
    "graphlib",
    "gzip",
    "hashlib",
    "heapq",
    "http.client",
    "http.cookiejar",
    "http.server",
    "imaplib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "locale",
    "logging",
    "mailbox",
    "mimetypes",
    "multiprocessing.pool",
    "netrc",
    "numbers",
    "operator",
    "optparse",
    "os",
    "pathlib",
    "pickle",
    "pkgutil",
    "platform",
    "pprint",
    "queue",
    "random",
    "re",
    "sched",
    "secrets",
    "selectors",
    "shlex",
    "shutil",
    "smtplib",
    "socket",
    "socketserver",
    "sqlite3",
    "ssl",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "timeit",
    "tokenize",
    "traceback",
    "typing",
    "unittest.case",
    "urllib.parse",
    "urllib.request",
    "uuid",
    "warnings",
    "weakref",
    "xml.dom.minidom",
    "zipfile",
    "zoneinfo",
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(count: int = COUNT) -> list[str]:
    """Up to `count` distinct sentences of 20 to 600 characters from stdlib docstrings."""
    found: dict[str, None] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        members = [
            member
            for _, member in inspect.getmembers(module)
            if inspect.isfunction(member) or inspect.isclass(member)
        ]
        for doc in [module.__doc__ or "", *(inspect.getdoc(member) or "" for member in members)]:
            for sentence in SENTENCE_END.split(" ".join(doc.split())):
                if 20 <= len(sentence) <= 600 and sentence[:1].isupper():
                    found[sentence] = None
                if len(found) == count:
                    return list(found)
    return list(found)


def _rate(encode: Callable[[list[str]], Vectors], texts: list[str], repeats: int) -> float:
    """Best sentences per second over `repeats` runs."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        encode(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def _one_at_a_time(embedder: MiniLmEmbedder) -> Callable[[list[str]], Vectors]:
    def encode(texts: list[str]) -> Vectors:
        return np.concatenate([embedder.encode([text]) for text in texts])

    return encode


def _onnx_lines(embedder: MiniLmEmbedder, texts: list[str], numpy_rate: float) -> list[str]:
    """Each ONNX model's rate against numpy's and its worst cosine to numpy, held out."""
    held_out = sentences(COUNT + HELD_OUT)[len(texts) :]
    reference = embedder.encode(held_out)
    lines = []
    for quantized in (False, True):
        start = time.perf_counter()
        model = OnnxMiniLmEmbedder.load(quantized=quantized)
        loaded = time.perf_counter() - start
        model.encode(texts[:64])
        rate = _rate(model.encode, texts, repeats=3)
        agreement = float((model.encode(held_out) * reference).sum(axis=1).min())
        lines.append(
            f"ONNX Runtime {model.backend:9}: {rate:7.1f} sentences/s = "
            f"{rate / numpy_rate:.2f}x numpy; lowest cosine to numpy over {len(held_out)} "
            f"held-out sentences {agreement:.4f}; built and loaded in {loaded:.1f} s"
        )
    return lines


def run() -> list[str]:
    """Throughput lines: ONNX, numpy batched and one at a time, and sentence-transformers."""
    texts = sentences()
    embedder = MiniLmEmbedder.load()
    lengths = [len(ids) for ids in embedder.tokenize(texts)]
    embedder.encode(texts[:64])  # warm up BLAS threads and caches
    batched = _rate(embedder.encode, texts, repeats=3)
    single = _rate(_one_at_a_time(embedder), texts, repeats=1)
    lines = [
        f"{len(texts)} sentences, {np.mean(lengths):.1f} tokens on average "
        f"(median {np.median(lengths):.0f}, max {max(lengths)})",
        f"numpy MiniLM, sorted and batched: {batched:7.1f} sentences/s (baseline)",
        f"numpy MiniLM, one at a time:      {single:7.1f} sentences/s (baseline)",
        f"batching ratio: {batched / single:.2f}x",
        *_onnx_lines(embedder, texts, batched),
    ]
    try:
        reference = SentenceTransformerEmbedder.load()
    except EmbedderUnavailableError as error:
        return [*lines, f"sentence-transformers: not measured ({error.install})"]
    reference.encode(texts[:64])
    torch_rate = _rate(reference.encode, texts, repeats=3)
    gap = np.abs(embedder.encode(texts) - reference.encode(texts)).max()
    return [
        *lines,
        f"sentence-transformers (torch, CPU): {torch_rate:7.1f} sentences/s; "
        f"numpy/torch {batched / torch_rate:.2f}x; largest difference {gap:.1e}",
    ]
