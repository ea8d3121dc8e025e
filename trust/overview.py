"""What the graph holds at a glance: the open conflicts by attribute and the sources ranked
by trust (the summary `grace up` and `grace ingest` print)."""

from __future__ import annotations

from dataclasses import dataclass

from graph.graph import Graph


@dataclass(frozen=True)
class ConflictGroup:
    """Open conflicts of one kind on one attribute of a table (no table: between texts)."""

    table: str | None
    kind: str
    attribute: str | None
    conflicts: int
    example: str | None
    """One entity these conflicts are about (none for conflicts between documents)."""


@dataclass(frozen=True)
class SourceTrust:
    """A scored source and how many documents it holds."""

    id: str
    trust: float
    documents: int
    estimated: bool
    """Whether a full pass estimated the trust (else it is the starting trust)."""


@dataclass(frozen=True)
class Overview:
    """Open conflicts, most numerous first, and sources, least trusted first."""

    conflicts: list[ConflictGroup]
    sources: list[SourceTrust]

    @property
    def open_conflicts(self) -> int:
        """All open conflicts."""
        return sum(group.conflicts for group in self.conflicts)


async def read_overview(graph: Graph) -> Overview:
    """The open conflicts and the scored sources now."""
    groups = await graph.read("admin/open_conflicts_by_attribute")
    sources = await graph.read("admin/sources_by_trust")  # with documents only
    return Overview(
        conflicts=[
            ConflictGroup(g["table"], g["kind"], g["attribute"], g["conflicts"], g["example"])
            for g in groups
        ],
        sources=[SourceTrust(s["id"], s["trust"], s["documents"], s["estimated"]) for s in sources],
    )
