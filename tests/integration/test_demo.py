"""The demo data, ingested for real, does what its answer key (`examples/README.md`) says.

The expectations are read from the answer key itself (its tables, parsed by Grace's own
Markdown extractor), so the key and the demo cannot drift apart unnoticed.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import JsonValue

from governance.audit import AuditLog
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import PROJECT_ROOT
from ingest.demo import demo_sources
from ingest.extract import extract
from ingest.scan import walk
from ingest.service import IngestionService, IngestOutcome, OutcomeStatus
from trust.conflicts import ValueConflict
from trust.detector import ConflictDetector
from trust.engine import TrustEngine

pytestmark = pytest.mark.integration

ANSWER_KEY = PROJECT_ROOT / "examples" / "README.md"
CODE = re.compile(r"code `([a-z_]+)`")
LINE = re.compile(r"\bline (\d+)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Expected:
    """What the answer key promises for one file."""

    status: OutcomeStatus
    table: str | None = None
    rows: int = 0
    code: str | None = None
    lines: tuple[str, ...] = ()


def answer_key() -> dict[str, Expected]:
    """Expected outcome by path relative to the demo folder, from the key's two file tables."""
    rows = extract(ANSWER_KEY.read_bytes(), "README.md").rows
    expected: dict[str, Expected] = {}
    for row in rows:
        values = {name: str(value).strip("`") for name, value in row.values.items()}
        if "File" in values and values.get("Rows", "").isdigit():
            path = values["Source (folder)"] + values["File"]
            table = values["Table"].split()[0]
            expected[path] = Expected(OutcomeStatus.INGESTED, table, int(values["Rows"]))
        elif "File" in values and "Expected" in values:
            code = CODE.search(values["Expected"])
            assert code is not None, f"the key names no failure code for {values['File']}"
            lines = tuple(f"line {n}" for n in LINE.findall(values["Expected"]))
            expected[values["File"]] = Expected(OutcomeStatus.FAILED, code=code[1], lines=lines)
    return expected


@pytest.fixture
async def demo(graph: Graph, tmp_path: Path, unique: str) -> AsyncIterator[tuple[Path, str]]:
    """A copy of the demo sources with this test's suffix on every source folder."""
    root = tmp_path / "sources"
    for folder in sorted(demo_sources(PROJECT_ROOT).iterdir()):
        shutil.copytree(folder, root / f"{folder.name}_{unique}")
    yield root, unique
    for folder in root.iterdir():
        await graph.write("testing/delete_source", {"source": f"folder:{folder.name}"})


async def ingest_demo(
    service: IngestionService, root: Path, unique: str
) -> dict[str, IngestOutcome]:
    """Ingest every demo file; the outcomes by path as the answer key writes it."""
    outcomes = [await service.ingest_file(path, root) for path in walk(root)]
    return {outcome.path.replace(f"_{unique}/", "/"): outcome for outcome in outcomes}


def test_the_answer_key_is_not_among_the_demo_sources() -> None:
    sources = demo_sources(PROJECT_ROOT).resolve()
    files = list(walk(sources))
    assert files
    assert ANSWER_KEY.resolve() not in files
    assert all(path.parent.parent == sources for path in files)  # every file in a source


async def test_every_demo_file_ends_as_the_answer_key_says(
    service: IngestionService, demo: tuple[Path, str]
) -> None:
    expected = answer_key()
    outcomes = await ingest_demo(service, *demo)
    assert sorted(outcomes) == sorted(expected)
    for path, promise in expected.items():
        outcome = outcomes[path]
        assert outcome.status is promise.status, (path, outcome.error, outcome.warnings)
        if promise.status is OutcomeStatus.INGESTED:
            assert (outcome.table, outcome.rows) == (promise.table, promise.rows), path
            assert outcome.warnings == [], path
        else:
            assert outcome.code == promise.code, (path, outcome.error)
            assert outcome.error is not None
            for line in promise.lines:
                assert line in outcome.error, (path, line, outcome.error)


async def test_the_wiki_and_the_report_contradict_the_registry_where_the_key_says(
    graph: Graph, bus: EventBus, service: IngestionService, demo: tuple[Path, str]
) -> None:
    root, unique = demo
    outcomes = await ingest_demo(service, root, unique)
    assert outcomes["wiki/acme.md"].table == "organizations"
    engine = await TrustEngine.create(graph, bus)
    detector = ConflictDetector(graph, bus, AuditLog(graph, chain=f"test-{unique}"), engine.tables)
    found = await detector.findings(["organizations:acme"])
    ours = {conflict.item.attribute: claimed_by(conflict, unique) for conflict in found}
    disputed = {attribute: values for attribute, values in ours.items() if len(values) > 1}
    assert sorted(disputed) == ["ceo", "founded"]  # C1, C2; employees and revenue agree (N5, N6)
    assert disputed["ceo"] == {"Helena Marsh": ["registry", "reports"], "Tobias Wren": ["wiki"]}
    assert disputed["founded"] == {"2009-03-14": ["registry", "wiki"], "2011-03-14": ["reports"]}


def claimed_by(conflict: ValueConflict, unique: str) -> dict[JsonValue, list[str]]:
    """The demo sources (of this test only) behind each value of a conflict."""
    suffix = f"_{unique}"
    claims = {
        value.value: sorted(
            source.removeprefix("folder:").removesuffix(suffix)
            for source in value.sources
            if source.endswith(suffix)
        )
        for value in (conflict.winner, *conflict.losers)
    }
    return {value: sources for value, sources in claims.items() if sources}
