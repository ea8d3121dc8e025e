"""Ids as people type them: whole, or a unique prefix; refused when unknown or ambiguous."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from graph.errors import AmbiguousIdError, UnknownIdError
from graph.graph import Graph
from graph.ids import IdKind, resolve_id, resolve_ids

pytestmark = pytest.mark.integration


@pytest.fixture
async def conflicts(graph: Graph, unique: str) -> AsyncIterator[list[str]]:
    ids = [f"conflict:{unique}:ab", f"conflict:{unique}:abc", f"conflict:{unique}:xyz"]
    entity = f"entity:{unique}"
    await graph.write("testing/conflicts_with_ids", {"ids": ids, "entity": entity})
    yield ids
    await graph.write("testing/delete_conflicts", {"entities": [entity]})


async def test_a_unique_prefix_names_its_id(graph: Graph, conflicts: list[str]) -> None:
    assert await resolve_id(graph, IdKind.CONFLICT, conflicts[2][:-2]) == conflicts[2]


async def test_a_whole_id_wins_over_longer_ids_it_starts(
    graph: Graph, conflicts: list[str]
) -> None:
    assert await resolve_id(graph, IdKind.CONFLICT, conflicts[0]) == conflicts[0]
    assert await resolve_ids(graph, IdKind.CONFLICT, conflicts) == conflicts


async def test_an_ambiguous_prefix_is_refused_naming_candidates(
    graph: Graph, conflicts: list[str]
) -> None:
    prefix = conflicts[0][:-1]
    with pytest.raises(AmbiguousIdError) as refused:
        await resolve_id(graph, IdKind.CONFLICT, prefix)
    assert refused.value.code == "ambiguous_id"
    assert refused.value.candidates == conflicts[:2]


async def test_an_unknown_id_is_refused(graph: Graph, conflicts: list[str]) -> None:
    with pytest.raises(UnknownIdError) as refused:
        await resolve_id(graph, IdKind.CONFLICT, conflicts[0] + "-nope")
    assert refused.value.code == "not_found"
    with pytest.raises(UnknownIdError):
        await resolve_id(graph, IdKind.ROW, conflicts[0])


@pytest.fixture
async def sources(graph: Graph, unique: str) -> AsyncIterator[list[str]]:
    ids = [f"folder:{unique}-ops", f"folder:{unique}-ops-2", f"folder:{unique}-lab"]
    await graph.write("testing/named_sources", {"ids": ids})
    yield ids
    for source in ids:
        await graph.write("testing/delete_source", {"source": source})


async def test_a_source_is_named_by_its_id_or_its_name_or_their_start(
    graph: Graph, sources: list[str], unique: str
) -> None:
    assert await resolve_id(graph, IdKind.SOURCE, sources[2]) == sources[2]
    assert await resolve_id(graph, IdKind.SOURCE, f"{unique}-lab") == sources[2]
    assert await resolve_id(graph, IdKind.SOURCE, f"{unique}-l") == sources[2]
    assert await resolve_id(graph, IdKind.SOURCE, f"folder:{unique}-l") == sources[2]
    assert await resolve_id(graph, IdKind.SOURCE, f"{unique}-ops") == sources[0]  # whole name
    with pytest.raises(AmbiguousIdError) as refused:
        await resolve_id(graph, IdKind.SOURCE, f"{unique}-o")
    assert refused.value.candidates == sources[:2]
    with pytest.raises(UnknownIdError):
        await resolve_id(graph, IdKind.SOURCE, f"{unique}-nope")
