"""Hostile files for the ingestion tests: each one broke a job or aborted `grace ingest` once
(issue 20). `write_hostile(folder)` writes them all and returns their names."""

from __future__ import annotations

import gzip
import os
import random
from pathlib import Path

GOOD_CSV = "city_id,name,population\n" + "".join(
    f"h{i}-xx,City {i},{1000 + i}\n" for i in range(20)
)


def _deep_json(levels: int) -> bytes:
    return ("[" * levels + "]" * levels).encode()


def _deep_value(levels: int) -> bytes:
    value = "[" * levels + "1" + "]" * levels
    return f'[{{"city_id":"deep-1","name":"Deep","population":{value}}}]'.encode()


def _fuzzed(data: bytes, seed: int, flips: int) -> bytes:
    """`data` with `flips` bytes replaced by random ones (the same for the same seed)."""
    rng = random.Random(seed)  # noqa: S311 - repeatable, not cryptographic
    mutable = bytearray(data)
    for _ in range(flips):
        mutable[rng.randrange(len(mutable))] = rng.randrange(256)
    return bytes(mutable)


def hostile_files() -> dict[str, bytes]:
    """File name -> content, for every hostile case."""
    rng = random.Random(20)  # noqa: S311 - repeatable, not cryptographic
    files = {
        "deep_array.json": _deep_json(100_000),
        "deep_value.json": _deep_value(900),
        "deep_value_shallow.json": _deep_value(200),
        "lone_surrogate.json": b'[{"city_id":"x","name":"\\ud800x"}]',
        "huge_number.json": b'[{"city_id":"n1","name":"N","population":' + b"1" * 100_000 + b"}]",
        "gzip_data.csv": gzip.compress(GOOD_CSV.encode() * 20),
        "empty.csv": b"",
        "binary.csv": bytes(rng.randrange(256) for _ in range(4096)),
        "deep.yaml": b"- " + b"[" * 50_000 + b"]" * 50_000 + b"\n",
        "deep_value.yaml": b"- city_id: y1\n  name: " + b"[" * 500 + b"]" * 500 + b"\n",
        "huge_number.yaml": b"- city_id: y2\n  population: " + b"7" * 100_000 + b"\n",
        "bad_utf8.csv": b"city_id,name\nb1,\xff\xfe\xfa\x80\x81\n",
        "bad_utf16.json": b"\xff\xfe" + b"\x00\xd8" * 10,
        "carriage_returns.csv": b'city_id,name\nc1,a\rb\r\nc2,"x\ry"\n',
        "name\nwith newline.csv": GOOD_CSV.encode(),
        os.fsdecode(b"bad\xffname.csv"): GOOD_CSV.encode(),
        "good.csv": GOOD_CSV.encode(),
    }
    for seed in range(6):
        files[f"fuzzed_{seed}.csv"] = _fuzzed(GOOD_CSV.encode(), seed, 40)
        files[f"fuzzed_{seed}.json"] = _fuzzed(
            b'[{"city_id":"f1","name":"F","population":1}]' * 1, seed, 6
        )
    return files


def write_hostile(folder: Path) -> list[str]:
    """Write every hostile file into `folder`; returns their names (in `os.fsdecode` form)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in hostile_files().items():
        (folder / name).write_bytes(data)
    return sorted(hostile_files())
