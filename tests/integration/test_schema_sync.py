from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from api.prestart import sync_schemas
from graph.errors import InvalidDefinitionsError
from graph.graph import Graph
from graph.schema_store import active_versions, version_history
from graph.settings import Settings

pytestmark = pytest.mark.integration

TABLE = """\
name: {name}
description: {description}
owner: tests@grace.example
entity_key: [code]
fields:
  code:
    type: string
  weight:
    type: float
    tolerance: {{relative: 0.01}}
"""


@pytest.fixture
async def names(graph: Graph, unique: str) -> AsyncIterator[list[str]]:
    names = [f"parts_{unique}", f"tools_{unique}"]
    yield names
    await graph.write("testing/delete_tables", {"names": names})


def folder_with(tmp_path: Path, **tables: str) -> Path:
    for name, description in tables.items():
        (tmp_path / f"{name}.yaml").write_text(TABLE.format(name=name, description=description))
    return tmp_path


@pytest.fixture
def local(settings: Settings, names: list[str], tmp_path: Path) -> Settings:
    """Settings reading two good table files from a folder of the test's own."""
    parts, tools = names
    return settings.model_copy(
        update={"schemas_dir": folder_with(tmp_path, **{parts: "P", tools: "T"})}
    )


async def counts(graph: Graph, names: list[str]) -> dict[str, int]:
    [record] = await graph.read("testing/count_tables", {"names": names})
    return record


async def test_first_sync_writes_version_one(
    graph: Graph, local: Settings, names: list[str]
) -> None:
    parts, tools = names
    created = await sync_schemas(graph, local)
    assert sorted((v.table, v.version) for v in created) == [(parts, 1), (tools, 1)]
    active = {schema.name: version for schema, version in await active_versions(graph)}
    assert active[parts].entity_key == ["code"]
    assert active[parts].fields["weight"]["tolerance"] == {"relative": 0.01}


async def test_unchanged_definitions_write_nothing(
    graph: Graph, local: Settings, names: list[str]
) -> None:
    await sync_schemas(graph, local)
    assert await sync_schemas(graph, local) == []
    assert await counts(graph, names) == {"schemas": 2, "versions": 2}


async def test_a_changed_definition_becomes_a_new_version(
    graph: Graph, local: Settings, names: list[str]
) -> None:
    parts, _ = names
    await sync_schemas(graph, local)
    folder_with(local.schemas_dir, **{parts: "P, now with a better description"})
    created = await sync_schemas(graph, local)
    assert [(v.table, v.version) for v in created] == [(parts, 2)]
    history = await version_history(graph, parts)
    assert [(v.version, v.status, previous) for v, previous in history] == [
        (2, "active", 1),
        (1, "superseded", None),
    ]


async def test_one_bad_file_writes_nothing(graph: Graph, local: Settings, names: list[str]) -> None:
    _, tools = names
    (local.schemas_dir / f"{tools}.yaml").write_text(
        TABLE.format(name=tools, description="T").replace("type: float", "type: money")
    )
    with pytest.raises(InvalidDefinitionsError, match=f"{tools}.yaml:9: fields.weight.type"):
        await sync_schemas(graph, local)
    assert await counts(graph, names) == {"schemas": 0, "versions": 0}
