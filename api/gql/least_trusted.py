"""A table's least trusted active rows, a page at a time: from the list the trust passes keep
(`trust.lowest_rows`) when it holds the whole page, else by sorting the table's rows
(`api/catalog_rows_by_trust`), which gives the same page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.graph import Graph, Record


@dataclass(frozen=True)
class TrustWindow:
    """Which rows a page of least trusted rows may hold: after the cursor (trust, id), with
    trust within the bounds; `limit` of them at most."""

    limit: int
    after: tuple[float, str] | None = None
    min_trust: float | None = None
    max_trust: float | None = None

    def holds(self, trust: float, row_id: str) -> bool:
        """Whether a row with this trust and id belongs to the page's rows."""
        return (
            (self.after is None or (trust, row_id) > self.after)
            and (self.min_trust is None or trust >= self.min_trust)
            and (self.max_trust is None or trust <= self.max_trust)
        )

    def params(self) -> dict[str, Any]:
        """The window as `api/catalog_rows_by_trust` takes it (active rows only)."""
        return {
            "status": "active",
            "key": None,
            "quarantined": None,
            "min_trust": self.min_trust,
            "max_trust": self.max_trust,
            "after_trust": None if self.after is None else self.after[0],
            "after_id": "" if self.after is None else self.after[1],
            "limit": self.limit,
        }


def page_of_list(
    rows: Sequence[dict[str, Any]], whole: bool, window: TrustWindow
) -> list[dict[str, Any]] | None:
    """The page `window` asks for, from a kept list (`rows`, a prefix in (trust, id) order of
    the table's active scored rows; `whole`: all of them), or None when the list cannot tell:
    it holds fewer than the page's rows, is not the whole table, and does not reach past the
    window's upper bound."""
    ordered = sorted(rows, key=lambda row: (row["trust"], row["id"]))
    page = [row for row in ordered if window.holds(row["trust"], row["id"])]
    beyond = (
        window.max_trust is not None and bool(ordered) and ordered[-1]["trust"] > window.max_trust
    )
    if len(page) >= window.limit or whole or beyond:
        return page[: window.limit]
    return None


async def least_trusted(graph: Graph, table: str, window: TrustWindow) -> list[Record]:
    """The page of `table`'s least trusted active rows (`{"row": ...}` as
    `api/catalog_rows_by_trust` gives them) that `window` asks for."""
    [kept] = await graph.read("api/rows_least_trusted", {"table": table})
    if kept["listed"]:
        page = page_of_list(kept["rows"], kept["whole"], window)
        if page is not None:
            return [{"row": row} for row in page]
    return await graph.read("api/catalog_rows_by_trust", {"table": table, **window.params()})
