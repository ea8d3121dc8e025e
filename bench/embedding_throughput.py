"""Sentences per second of the MiniLM embedders: ONNX Runtime (fp32 and int8) and numpy.

The corpus is real English sentences of mixed lengths: the docstrings of Python's standard
library, split into sentences (no download, same text on every machine with the same
Python); the first 1,000 of them are timed (2,000 outlived a 25-minute limit on a loaded
machine). Baselines, in the same run: the numpy embedder batched, and called once per
sentence (on 200). Each figure is the best of two runs, with the CPU seconds the process
spent (all its threads: the load-independent figure) and the load average. Each ONNX
model's agreement with numpy (the reference, equal to sentence-transformers to 1e-4) is the
lowest cosine over 300 held-out sentences (the 2,001st to 2,300th). Where the int8 model's
time goes: ONNX Runtime's profiler, each operator's share of the kernel time over the timed
sentences. The sentence-transformers backend is timed too where torch is installed.
Runs in-process, no services: `python -c "from bench import embedding_throughput as b; b.run()"`.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.api_support import machine_load
from trust.embedding import (
    EmbedderUnavailableError,
    MiniLmEmbedder,
    SentenceTransformerEmbedder,
    Vectors,
)
from trust.onnx_embedding import OnnxMiniLmEmbedder, bert_graph, open_session, session_options

COUNT = 2000
"""The held-out sentences come after this many."""
HELD_OUT = 300
TIMED = 1000
ONE_AT_A_TIME = 200
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


@dataclass(frozen=True)
class Rate:
    """Sentences per second of wall time and per CPU second of this process, and the load."""

    wall: float
    cpu: float
    load: str

    def __str__(self) -> str:
        return f"{self.wall:7.1f} sentences/s ({self.cpu:6.1f} per CPU second; {self.load})"


def _rate(encode: Callable[[list[str]], Vectors], texts: list[str], repeats: int) -> Rate:
    """The best of `repeats` runs."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        encode(texts)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return Rate(len(texts) / wall, len(texts) / cpu, machine_load())


def _one_at_a_time(embedder: MiniLmEmbedder) -> Callable[[list[str]], Vectors]:
    def encode(texts: list[str]) -> Vectors:
        return np.concatenate([embedder.encode([text]) for text in texts])

    return encode


def _onnx_lines(embedder: MiniLmEmbedder, texts: list[str], numpy_rate: Rate) -> list[str]:
    """Each ONNX model's rate against numpy's and its worst cosine to numpy, held out."""
    held_out = sentences(COUNT + HELD_OUT)[COUNT:]
    reference = embedder.encode(held_out)
    lines = []
    for quantized in (False, True):
        start = time.perf_counter()
        model = OnnxMiniLmEmbedder.load(quantized=quantized)
        loaded = time.perf_counter() - start
        model.encode(texts[:64])
        rate = _rate(model.encode, texts, repeats=2)
        agreement = float((model.encode(held_out) * reference).sum(axis=1).min())
        lines.append(
            f"ONNX Runtime {model.backend:9}: {rate} = {rate.wall / numpy_rate.wall:.2f}x "
            f"numpy, {rate.cpu / numpy_rate.cpu:.2f}x per CPU second; lowest cosine to numpy "
            f"over {len(held_out)} held-out sentences {agreement:.4f}; built and loaded in "
            f"{loaded:.1f} s; {model.workers} batches at once"
        )
    return lines


def _where_the_time_goes(embedder: MiniLmEmbedder, texts: list[str]) -> str:
    """The int8 model's kernel time by operator, from ONNX Runtime's profiler."""
    runtime = importlib.import_module("onnxruntime")
    with tempfile.TemporaryDirectory() as folder:
        options = session_options(runtime)
        options.enable_profiling = True
        options.profile_file_prefix = str(Path(folder) / "embedding")
        session = open_session(runtime, bert_graph(embedder, quantized=True), options)
        OnnxMiniLmEmbedder(embedder, session, "onnx-int8").encode(texts)
        events = json.loads(Path(session.end_profiling()).read_text(encoding="utf-8"))
    spent: Counter[str] = Counter()
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            spent[event["args"]["op_name"]] += event["dur"]
    total = sum(spent.values())
    shares = ", ".join(f"{op} {100 * time / total:.1f}%" for op, time in spent.most_common(8))
    return f"onnx-int8 kernel time by operator (ONNX Runtime's profiler): {shares}"


def run() -> list[str]:
    """Throughput lines: ONNX, numpy batched and one at a time, and sentence-transformers."""
    texts = sentences(TIMED)
    embedder = MiniLmEmbedder.load()
    lengths = [len(ids) for ids in embedder.tokenize(texts)]
    embedder.encode(texts[:64])  # warm up BLAS threads and caches
    batched = _rate(embedder.encode, texts, repeats=2)
    single = _rate(_one_at_a_time(embedder), texts[:ONE_AT_A_TIME], repeats=1)
    lines = [
        f"{len(texts)} sentences, {np.mean(lengths):.1f} tokens on average "
        f"(median {np.median(lengths):.0f}, max {max(lengths)})",
        f"numpy MiniLM, sorted and batched: {batched} (baseline)",
        f"numpy MiniLM, one at a time ({ONE_AT_A_TIME}): {single} (baseline)",
        f"batching ratio: {batched.wall / single.wall:.2f}x",
        *_onnx_lines(embedder, texts, batched),
        _where_the_time_goes(embedder, texts),
    ]
    try:
        reference = SentenceTransformerEmbedder.load()
    except EmbedderUnavailableError as error:
        return [*lines, f"sentence-transformers: not measured ({error.install})"]
    reference.encode(texts[:64])
    torch_rate = _rate(reference.encode, texts, repeats=2)
    gap = np.abs(embedder.encode(texts) - reference.encode(texts)).max()
    return [
        *lines,
        f"sentence-transformers (torch, CPU): {torch_rate}; "
        f"numpy/torch {batched.wall / torch_rate.wall:.2f}x; largest difference {gap:.1e}",
    ]
