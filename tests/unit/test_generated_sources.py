"""The generated sources the larger-graph benches ingest: deterministic, every table told by
every folder, the copier repeating its original, the careful folder mostly right."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench.generated_sources import KEYS, TELLERS, write_generated_sources


def _read(path: Path) -> dict[str, dict[str, str]]:
    table = path.stem
    with path.open(encoding="utf-8", newline="") as file:
        return {record[KEYS[table]]: record for record in csv.DictReader(file)}


def test_same_seed_same_files(tmp_path: Path) -> None:
    first = write_generated_sources(tmp_path / "a", cities=200)
    second = write_generated_sources(tmp_path / "b", cities=200)
    assert first == second
    for teller in TELLERS:
        for table in KEYS:
            path = f"{teller.folder}/{table}.csv"
            assert (tmp_path / "a" / path).read_text() == (tmp_path / "b" / path).read_text()


def test_every_folder_tells_every_table(tmp_path: Path) -> None:
    written = write_generated_sources(tmp_path, cities=200)
    assert set(written) == set(KEYS)
    for teller in TELLERS:
        for table in KEYS:
            assert _read(tmp_path / teller.folder / f"{table}.csv")


def test_the_copier_repeats_its_original_where_both_know_an_entity(tmp_path: Path) -> None:
    write_generated_sources(tmp_path, cities=500)
    copier = next(t for t in TELLERS if t.copies)
    assert copier.copies is not None
    original = _read(tmp_path / copier.copies / "cities.csv")
    copied = _read(tmp_path / copier.folder / "cities.csv")
    shared = original.keys() & copied.keys()
    assert shared
    assert all(copied[key] == original[key] for key in shared)


def test_the_careful_folder_agrees_with_most_others_and_the_careless_one_less(
    tmp_path: Path,
) -> None:
    write_generated_sources(tmp_path, cities=1000)
    careful = min(TELLERS, key=lambda t: t.error_rate)
    careless = max(TELLERS, key=lambda t: t.error_rate)
    reference = next(t for t in TELLERS if t not in (careful, careless) and not t.copies)

    def agreement(teller_folder: str) -> float:
        theirs = _read(tmp_path / teller_folder / "cities.csv")
        ours = _read(tmp_path / reference.folder / "cities.csv")
        shared = theirs.keys() & ours.keys()
        same = sum(theirs[k]["population"] == ours[k]["population"] for k in shared)
        return same / len(shared)

    assert agreement(careful.folder) > agreement(careless.folder)


def test_too_few_cities_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 10"):
        write_generated_sources(tmp_path, cities=3)
