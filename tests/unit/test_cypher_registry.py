from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.cypher_registry import CypherRegistry
from graph.errors import CypherNotFoundError
from graph.settings import PROJECT_ROOT


def test_loads_statements_by_path_without_extension(tmp_path: Path) -> None:
    (tmp_path / "ingest").mkdir()
    (tmp_path / "ingest" / "upsert_rows.cypher").write_text("UNWIND $rows AS r RETURN r;\n")
    registry = CypherRegistry.load(tmp_path)
    assert list(registry) == ["ingest/upsert_rows"]
    assert registry["ingest/upsert_rows"] == "UNWIND $rows AS r RETURN r"


def test_unknown_name_names_the_expected_file() -> None:
    registry = CypherRegistry({})
    with pytest.raises(CypherNotFoundError, match=r"cypher/nope/missing\.cypher"):
        registry["nope/missing"]


def test_under_lists_a_folder_in_file_name_order() -> None:
    registry = CypherRegistry({"m/002_b": "x", "m/001_a": "y", "other/c": "z"})
    assert registry.under("m") == ["m/001_a", "m/002_b"]


def test_project_registry_holds_every_file() -> None:
    registry = CypherRegistry.load(PROJECT_ROOT / "cypher")
    files = list((PROJECT_ROOT / "cypher").rglob("*.cypher"))
    assert len(registry) == len(files) > 0


def test_project_statements_take_values_only_as_parameters() -> None:
    """No statement carries a Python format placeholder: values travel as $parameters."""
    registry = CypherRegistry.load(PROJECT_ROOT / "cypher")
    placeholder = re.compile(r"(?<![`\w])\{[a-z_]+\}|%s|%\(")
    offenders = [name for name, text in registry.items() if placeholder.search(text)]
    assert offenders == []
