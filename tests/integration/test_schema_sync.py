from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from api.prestart import sync_schemas
from governance.appliers import default_appliers
from governance.approvals import Approvals
from governance.audit import AuditLog
from graph.errors import InvalidDefinitionsError
from graph.events import EventBus
from graph.graph import Graph
from graph.model import ReviewStatus
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


async def test_a_changed_definition_is_proposed_and_approval_puts_it_in_force(
    graph: Graph, bus: EventBus, local: Settings, names: list[str], unique: str
) -> None:
    parts, _ = names
    await sync_schemas(graph, local)
    folder_with(local.schemas_dir, **{parts: "P, now with a better description"})
    created = await sync_schemas(graph, local)
    assert [(v.table, v.version, v.status) for v in created] == [(parts, 2, "proposed")]
    assert await sync_schemas(graph, local) == []  # proposed once
    history = await version_history(graph, parts)
    assert [(v.version, v.status, previous) for v, previous in history] == [
        (2, "proposed", 1),
        (1, "active", None),
    ]
    audit = AuditLog(graph)
    approvals = Approvals(graph, bus, audit, default_appliers(graph, audit))
    [request] = [
        r for r in await approvals.list(kind="schema", limit=1000) if r.payload["table"] == parts
    ]
    assert (request.required, request.role) == (2, "editor")  # policies/approvals.yaml
    users = [{"id": f"{n}-{unique}", "role": "editor", "tables": None} for n in ("ann", "bob")]
    await graph.write("testing/approvals_members", {"workspace": "default", "users": users})
    try:
        await approvals.approve(request.id, f"ann-{unique}")
        assert (await version_history(graph, parts))[0][0].status == "proposed"  # 1 of 2
        applied = await approvals.approve(request.id, f"bob-{unique}")
        assert applied.status is ReviewStatus.APPLIED
        history = await version_history(graph, parts)
        assert [(v.version, v.status) for v, _ in history] == [(2, "active"), (1, "superseded")]
    finally:
        await graph.write("testing/delete_users", {"users": [u["id"] for u in users]})


async def test_one_bad_file_writes_nothing(graph: Graph, local: Settings, names: list[str]) -> None:
    _, tools = names
    (local.schemas_dir / f"{tools}.yaml").write_text(
        TABLE.format(name=tools, description="T").replace("type: float", "type: money")
    )
    with pytest.raises(InvalidDefinitionsError, match=f"{tools}.yaml:9: fields.weight.type"):
        await sync_schemas(graph, local)
    assert await counts(graph, names) == {"schemas": 0, "versions": 0}
