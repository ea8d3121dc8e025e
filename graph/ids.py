"""Ids as people type them: a whole id, or any prefix of exactly one id of its kind."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from graph.errors import AmbiguousIdError, UnknownIdError

if TYPE_CHECKING:
    from graph.graph import Graph


class IdKind(StrEnum):
    """The kinds of node people name by id; each has its statement in `cypher/ids/`."""

    CONFLICT = "conflict"
    ROW = "row"
    CHANGE_REQUEST = "change_request"
    API_KEY = "api_key"
    SOURCE = "source"

    @property
    def words(self) -> str:
        """How a message names the kind."""
        return "API key" if self is IdKind.API_KEY else self.value.replace("_", " ")


async def resolve_id(graph: Graph, kind: IdKind, given: str) -> str:
    """The id `given` names: itself when it exists, else the one id it starts (a source
    is also named by its name, or the start of it).

    Raises `UnknownIdError` when none matches and `AmbiguousIdError` when several do.
    """
    records = await graph.read(f"ids/{kind.value}", {"prefix": given})
    ids = [record["id"] for record in records]
    if not ids:
        raise UnknownIdError(kind.words, given)
    if records[0]["exact"] or len(ids) == 1:
        return str(ids[0])
    raise AmbiguousIdError(kind.words, given, ids)


async def resolve_ids(graph: Graph, kind: IdKind, given: list[str]) -> list[str]:
    """`resolve_id` of each, in order."""
    return [await resolve_id(graph, kind, one) for one in given]
