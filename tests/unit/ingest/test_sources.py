from __future__ import annotations

from pathlib import Path

import pytest

from ingest import identity
from ingest.sources import OutsideRootError, locate, root_of


def test_the_first_folder_below_the_root_is_the_source(tmp_path: Path) -> None:
    source, relative = locate(tmp_path / "registry" / "sub" / "cities.csv", tmp_path)
    assert source.id == "folder:registry"
    assert source.location == str(tmp_path.resolve() / "registry")
    assert relative == "registry/sub/cities.csv"


def test_a_file_directly_in_the_root_belongs_to_the_root(tmp_path: Path) -> None:
    source, relative = locate(tmp_path / "notes.md", tmp_path)
    assert source.id == f"folder:{tmp_path.name}"
    assert relative == "notes.md"


@pytest.mark.parametrize("file", ["registry/sub/cities.csv", "notes.md"])
def test_the_root_is_found_again_from_a_source_and_a_relative_path(
    tmp_path: Path, file: str
) -> None:
    source, relative = locate(tmp_path / file, tmp_path)
    assert root_of(source.location, relative) == tmp_path.resolve()


def test_a_path_outside_the_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutsideRootError):
        locate(tmp_path.parent / "elsewhere.csv", tmp_path)


def test_identities_are_stable_and_distinct() -> None:
    assert identity.row_id("s", "p", "t", "k", "v") == identity.row_id("s", "p", "t", "k", "v")
    assert identity.row_id("s", "p", "t", "k", "v") != identity.row_id("s", "p", "t", "k", "w")
    assert identity.document_id("s", "p", 1) != identity.document_id("s", "p", 2)
    # the separator keeps ("ab", "c") and ("a", "bc") apart
    assert identity.digest("ab", "c") != identity.digest("a", "bc")
    assert identity.canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
