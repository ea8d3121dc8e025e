"""Which root `grace ingest` gives each file it is handed."""

from __future__ import annotations

from pathlib import Path

from ingest.once import expand
from ingest.sources import locate


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    watched, elsewhere = tmp_path / "inbox", tmp_path / "elsewhere"
    (watched / "supplier").mkdir(parents=True)
    elsewhere.mkdir()
    inside = watched / "supplier" / "products.csv"
    outside = elsewhere / "products.csv"
    for file in (inside, outside):
        file.write_text("sku,price\nA,1\n")
    return watched, inside, outside


def test_a_source_folder_below_a_watched_folder_keeps_the_watchers_root(tmp_path: Path) -> None:
    watched, inside, _ = _files(tmp_path)
    assert expand([inside.parent], [watched]) == [(inside, watched)]
    source, path = locate(inside, watched)
    assert (source.id, path) == ("folder:supplier", "supplier/products.csv")


def test_a_lone_file_below_a_watched_folder_keeps_the_watchers_root(tmp_path: Path) -> None:
    watched, inside, _ = _files(tmp_path)
    assert expand([inside], [watched]) == [(inside, watched)]


def test_the_watched_folder_itself_is_its_own_root(tmp_path: Path) -> None:
    watched, inside, _ = _files(tmp_path)
    assert expand([watched], [watched]) == [(inside, watched)]


def test_outside_every_watched_folder_a_folder_is_its_own_root(tmp_path: Path) -> None:
    watched, _, outside = _files(tmp_path)
    assert expand([outside.parent], [watched]) == [(outside, outside.parent)]
    assert expand([outside], [watched]) == [(outside, outside.parent)]
