"""The `grace` command as a person runs it, against the test services."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graph.graph import Graph
from graph.settings import Settings

pytestmark = pytest.mark.integration

GRACE = str(Path(sys.executable).parent / "grace")


def grace(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "REDIS_URL": settings.redis_url,
        "COLUMNS": "200",
        **env,
    }
    return subprocess.run(
        [GRACE, *args], capture_output=True, text=True, env=environment, timeout=120, check=False
    )


def test_status_reports_both_stores_and_counts(settings: Settings) -> None:
    result = grace(settings, "status")
    assert result.returncode == 0, result.stderr
    assert (
        f"Neo4j {settings.neo4j_uri}: up (Neo4j 5.26.30 community, APOC 5.26.19, GDS 2.13.9)"
        in (result.stdout)
    )
    assert "SchemaVersion" in result.stdout


def test_status_fails_when_neo4j_is_down(settings: Settings) -> None:
    result = grace(settings, "status", NEO4J_URI="bolt://127.0.0.1:1")
    assert result.returncode == 1
    assert "Neo4j bolt://127.0.0.1:1: down" in result.stdout


def test_migrate_twice_applies_nothing_the_second_time(settings: Settings) -> None:
    grace(settings, "migrate")
    result = grace(settings, "migrate")
    assert result.returncode == 0, result.stderr
    assert "migrations applied: 0" in result.stdout
    assert "schemas: unchanged" in result.stdout


def test_schemas_sync_refuses_a_bad_folder_with_file_and_line(
    settings: Settings, tmp_path: Path
) -> None:
    bad = tmp_path / "widgets.yaml"
    bad.write_text("name: widgets\ndescription: d\nowner: o\nentity_key: [id]\nfields: {}\n")
    result = grace(settings, "schemas", "sync", GRACE_SCHEMAS_DIR=str(tmp_path))
    assert result.returncode == 1
    assert f"{bad}:5: fields:" in result.stderr
    assert "nothing written" in result.stderr


def test_prod_profile_refuses_default_secrets(settings: Settings) -> None:
    result = grace(settings, "status", "--profile", "prod", NEO4J_PASSWORD="")
    assert result.returncode == 1
    assert "refuses default or empty secrets" in result.stderr


async def test_ingest_runs_the_after_ingest_pass_and_lists_its_failed_runs(
    settings: Settings, graph: Graph, tmp_path: Path, unique: str
) -> None:
    """`grace ingest` finds conflicts as the worker does, says how many rows it skipped, and
    `grace runs list --failed` shows the failed file with its code."""
    key = f"cli-1-{unique}"
    first, second = tmp_path / f"cli_{unique}", tmp_path / f"cli2_{unique}"
    first.mkdir()
    second.mkdir()
    (first / "cities.csv").write_text(
        f"city_id,name,population\n{key},One,1000\ncli-3-{unique},Three,3\n"
        f"cli-4-{unique},Four,4\n,Keyless,5\n"
    )
    (first / "broken.json").write_text('[{"city_id": "cli-2-xx", "na')
    (second / "cities.csv").write_text(f"city_id,name,population\n{key},One,2000\n")
    conflict = f"conflict:value:cities:{key}:population"
    try:
        result = grace(settings, "ingest", str(tmp_path))
        assert result.returncode == 1, result.stderr
        assert "ingested: 2" in result.stdout
        assert "failed: 1" in result.stdout
        assert "after-ingest pass: 2 document(s)" in result.stdout
        assert "ingested, 1 row skipped" in result.stdout
        assert "malformed_file" in result.stdout
        assert "open conflict(s)" in result.stdout
        assert await graph.read("testing/conflicts_by_id", {"ids": [conflict]})
        runs = grace(settings, "runs", "list", "--failed", "--source", f"folder:cli_{unique}")
        assert runs.returncode == 0, runs.stderr
        assert "broken.json" in runs.stdout
        assert "malformed_file" in runs.stdout
        assert "cities.csv" not in runs.stdout
        again = grace(settings, "ingest", str(tmp_path))
        assert "unchanged: 2" in again.stdout
    finally:
        await graph.write("testing/delete_source", {"source": f"folder:cli_{unique}"})
        await graph.write("testing/delete_source", {"source": f"folder:cli2_{unique}"})
        await graph.write("testing/delete_conflicts", {"entities": [f"cities:{key}"]})


async def test_ingest_of_a_source_folder_below_a_watched_folder_names_files_as_the_watcher(
    settings: Settings, graph: Graph, tmp_path: Path, unique: str
) -> None:
    """`grace ingest inbox/supplier` and `grace ingest inbox` make one document of a file, the
    one the watcher makes (`supplier/cities.csv`), not two with different paths."""
    source = f"cli_watched_{unique}"
    folder = tmp_path / source
    folder.mkdir()
    (folder / "cities.csv").write_text(f"city_id,name\ncli-w-{unique},Watched\n")
    watched = {"GRACE_WATCH_DIRS": json.dumps([str(tmp_path)])}
    try:
        first = grace(settings, "ingest", str(folder), **watched)
        assert first.returncode == 0, first.stderr
        runs = grace(settings, "runs", "list", "--source", f"folder:{source}")
        assert f"folder:{source}:{source}/cities.csv" in runs.stdout
        again = grace(settings, "ingest", str(tmp_path), **watched)
        assert "ingested: 0, unchanged: 1" in again.stdout
        lone = grace(settings, "ingest", str(folder / "cities.csv"), **watched)
        assert "ingested: 0, unchanged: 1" in lone.stdout
    finally:
        await graph.write("testing/delete_source", {"source": f"folder:{source}"})


async def test_the_pass_of_a_plain_text_document_finishes(
    settings: Settings, graph: Graph, tmp_path: Path, unique: str
) -> None:
    """A text file has no rows: its after-ingest pass reads none and finishes."""
    source = f"cli_text_{unique}"
    (tmp_path / source).mkdir()
    (tmp_path / source / "memo.txt").write_text(f"Memo {unique}: the office moved in May.\n")
    try:
        result = grace(settings, "ingest", str(tmp_path))
        assert result.returncode == 0, result.stderr
        assert "after-ingest pass: 1 document(s)\n" in result.stdout
        assert "failed" not in result.stderr
    finally:
        await graph.write("testing/delete_source", {"source": f"folder:{source}"})


async def test_trust_recompute_then_facts_export_as_csv_and_jsonl(
    settings: Settings, graph: Graph, tmp_path: Path, unique: str
) -> None:
    key, split = f"cli-{unique}-xx", f"cli-{unique}-yy"
    for source, population, other in (
        ("one", 1000, 2000),
        ("two", 1000, 9000),
        ("three", 5000, None),
    ):
        folder = tmp_path / f"{source}_{unique}"
        folder.mkdir()
        lines = f"city_id,name,population\n{key},Clitown,{population}\n"
        lines += f"{split},Splitville,{other}\n" if other else ""
        (folder / "cities.csv").write_text(lines)
    try:
        assert grace(settings, "ingest", str(tmp_path)).returncode == 0
        recomputed = grace(settings, "trust", "recompute")
        assert recomputed.returncode == 0, recomputed.stderr
        assert "converged" in recomputed.stdout
        output = tmp_path / "facts.jsonl"
        exported = grace(
            settings,
            "facts",
            "export",
            "--table",
            "cities",
            "--format",
            "jsonl",
            "--output",
            str(output),
        )
        assert exported.returncode == 0, exported.stderr
        facts = [json.loads(line) for line in output.read_text().splitlines()]
        [population] = [f for f in facts if f["key"] == key and f["attribute"] == "population"]
        assert population["value"] == 1000
        assert population["status"] == "active"
        assert (population["supporting"], population["contradicting"]) == (2, 1)
        assert len(population["supporting_sources"]) == 2
        [against] = population["contradicting_sources"]
        assert f"three_{unique}" in against
        as_csv = grace(settings, "facts", "export", "--table", "cities")
        rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
        assert {"key": key, "attribute": "name", "value": "Clitown"}.items() <= next(
            r for r in rows if r["key"] == key and r["attribute"] == "name"
        ).items()
        assert (
            f"three_{unique}"
            in next(r for r in rows if r["key"] == key and r["attribute"] == "population")[
                "contradicting_sources"
            ]
        )

        def populations(*options: str) -> dict[str, dict[str, Any]]:
            result = grace(
                settings, "facts", "export", "--table", "cities", "--format", "jsonl", *options
            )
            assert result.returncode == 0, result.stderr
            lines = [json.loads(line) for line in result.stdout.splitlines()]
            return {
                f["key"]: f
                for f in lines
                if f["key"] in (key, split) and f["attribute"] == "population"
            }

        every = populations("--status", "all")
        assert set(every) == {key, split}
        # one source against one: a coin flip at best (calibrated, the truth may be neither)
        assert 0.0 < every[split]["confidence"] <= 0.5
        for status in ("active", "candidate"):  # whatever the policy in force, a partition
            chosen = populations("--status", status)
            assert {k for k, f in every.items() if f["status"] == status} == set(chosen)
        assert set(populations("--status", "all", "--min-confidence", "0.9")) == {key}
        refused = grace(settings, "facts", "export", "--table", "cities", "--min-confidence", "1.5")
        assert refused.returncode != 0
        assert "min-confidence" in refused.stderr + refused.stdout
    finally:
        for source in ("one", "two", "three"):
            await graph.write("testing/delete_source", {"source": f"folder:{source}_{unique}"})
