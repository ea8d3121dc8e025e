"""What a caller sees of the values a conflict or a fact holds: decrypted for callers who may
read the personal data of its table, redacted for the others, exactly as rows' values are.

Personal fields are compared by their keyed hashes (`kh:v1:`), so a conflict's suggestion,
its competing values, its resolution and a fact's value hold hashes where a row holds an
`enc:v1:` token. The plaintext is in the rows behind each value: a value is shown through
`RowValues` from the token of the first of its rows that has one. Neither a hash nor a token
ever reaches a caller: a sealed value with no token behind it is redacted. Used by GraphQL
and by `grace conflicts list` and `show` (`readable_conflicts`, `readable_conflict`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import JsonValue

from api.gql.access import Access
from api.row_values import RowValues
from governance.encryption import HASH_PREFIX, FieldCipher
from governance.rbac import Authorizer, Principal
from graph.graph import Graph


@dataclass(frozen=True)
class ShownValue:
    """A value as one caller sees it: null and `redacted` when they may not."""

    value: JsonValue
    redacted: bool


def sealed(value: JsonValue) -> bool:
    """Whether a stored value is a keyed hash or a token, never to be shown as it is."""
    return FieldCipher.is_encrypted(value) or (
        isinstance(value, str) and value.startswith(HASH_PREFIX)
    )


class SealedValues:
    """Shows the values of conflicts and facts of rows to one caller, given the stored values
    (tokens included) of the rows behind them."""

    def __init__(self, view: RowValues, rows: Mapping[str, Mapping[str, JsonValue]]) -> None:
        self._view = view
        self._rows = rows

    def shown(
        self, table: str | None, attribute: str | None, value: JsonValue, rows: Sequence[str]
    ) -> ShownValue:
        """`value` of `table`.`attribute`, asserted by `rows` (this may decrypt: call off the
        event loop, or use `show`)."""
        if table is None or attribute is None:  # versions of a file or table: no field
            return ShownValue(None, True) if sealed(value) else ShownValue(value, False)
        row = ""
        if isinstance(value, str) and value.startswith(HASH_PREFIX):
            row, token = self._token(attribute, rows)
            if token is None:
                return ShownValue(None, True)
            value = token
        visible = self._view.visible(table, {attribute: value}, row=row)
        return ShownValue(visible.values[attribute], attribute in visible.redacted)

    async def show(
        self, table: str | None, attribute: str | None, value: JsonValue, rows: Sequence[str]
    ) -> ShownValue:
        """`shown`, decrypting in a worker thread."""
        if sealed(value):
            return await asyncio.to_thread(self.shown, table, attribute, value, rows)
        return self.shown(table, attribute, value, rows)

    async def show_claims(
        self, table: str | None, attribute: str | None, claims: JsonValue
    ) -> JsonValue:
        """A value conflict's stored claims (each `{value, confidence, rows, sources}`) with
        their values shown, each with `value_redacted`; other evidence as it is."""
        if not isinstance(claims, list):
            return claims
        shown: list[JsonValue] = []
        for claim in claims:
            if isinstance(claim, dict) and "value" in claim:
                value = await self.show(
                    table, attribute, claim["value"], _strings(claim.get("rows"))
                )
                claim = {**claim, "value": value.value, "value_redacted": value.redacted}
            shown.append(claim)
        return shown

    async def show_resolution(
        self, table: str | None, attribute: str | None, resolution: JsonValue
    ) -> JsonValue:
        """A stored resolution with its kept value shown, with `value_redacted`."""
        if not isinstance(resolution, dict) or "value" not in resolution:
            return resolution
        rows = _strings(resolution.get("rows"))
        shown = await self.show(table, attribute, resolution["value"], rows)
        return {**resolution, "value": shown.value, "value_redacted": shown.redacted}

    def _token(self, attribute: str, rows: Sequence[str]) -> tuple[str, JsonValue]:
        for row in rows:
            stored = self._rows.get(row, {}).get(attribute)
            if FieldCipher.is_encrypted(stored):
                return row, stored
        return "", None


def claimed_rows(claims: JsonValue) -> list[str]:
    """Every row a value conflict's stored claims name."""
    if not isinstance(claims, list):
        return []
    return [
        row for claim in claims if isinstance(claim, dict) for row in _strings(claim.get("rows"))
    ]


def kept_rows(resolution: JsonValue) -> list[str]:
    """The rows whose value a stored resolution kept."""
    return _strings(resolution.get("rows")) if isinstance(resolution, dict) else []


@dataclass(frozen=True)
class ConflictView:
    """One conflict as a reader sees it: as stored (`conflicts/get`) with the values of its
    claims and resolution shown; its suggestion apart (parsed, `value` shown, with
    `value_redacted`); its rows with `values` as a JSON object of what the reader may see
    (`redacted` names the fields hidden)."""

    conflict: dict[str, Any]
    suggestion: dict[str, JsonValue] | None
    rows: list[dict[str, Any]]


async def readable_conflict(
    graph: Graph, cipher: FieldCipher, conflict_id: str, reader: Principal | None
) -> ConflictView | None:
    """One conflict with its rows, values decrypted where `reader` may read the personal
    data of its table and redacted otherwise (no reader: redacted); None if it does not
    exist. Who may see the conflict at all is the caller's check."""
    records = await graph.read("conflicts/get", {"id": conflict_id})
    if not records:
        return None
    conflict: dict[str, Any] = dict(records[0]["conflict"])
    stored_rows: list[dict[str, Any]] = [dict(row) for row in records[0]["rows"]]
    table, attribute = conflict.get("table"), conflict.get("attribute")
    access = Access(graph, Authorizer(), reader)
    view = await RowValues.for_caller(access, graph, cipher, [table] if table else [])
    values = {row["id"]: json.loads(row["values"] or "{}") for row in stored_rows}
    sealed_values = SealedValues(view, values)
    suggestion = await _suggestion(
        sealed_values, table, attribute, conflict.pop("suggestion", None)
    )
    conflict["claims"] = await sealed_values.show_claims(
        table, attribute, _parsed(conflict.get("claims"))
    )
    conflict["resolution"] = await sealed_values.show_resolution(
        table, attribute, _parsed(conflict.get("resolution"))
    )
    shown = await view.visible_many(  # a value conflict's rows are all of its table
        [(table or "", row["id"], values[row["id"]]) for row in stored_rows]
    )
    rows = [
        {**row, "values": visible.values, "redacted": visible.redacted}
        for row, visible in zip(stored_rows, shown, strict=True)
    ]
    return ConflictView(conflict, suggestion, rows)


@dataclass(frozen=True)
class ListedConflict:
    """A conflict of a list as a reader sees it: its suggested value shown or redacted."""

    id: str
    kind: str
    status: str
    table: str | None
    attribute: str | None
    score: float | None
    suggested: ShownValue


TOKEN_ROWS = 3
"""Rows read per listed conflict to find a token behind a hashed suggestion (every row of
the winning value holds one; a few cover rows quarantined meanwhile)."""


async def readable_conflicts(
    graph: Graph,
    cipher: FieldCipher,
    reader: Principal | None,
    *,
    status: str | None = None,
    table: str | None = None,
    kind: str | None = None,
    limit: int = 50,
) -> list[ListedConflict]:
    """The conflicts `reader` may see by status, table and kind, most confident first, read
    with the statements of GraphQL's `conflicts` (`api/review_conflict_page`, then
    `api/review_conflicts`); each suggested value decrypted where `reader` may read the
    personal data of its table and redacted otherwise (no reader: nothing is visible)."""
    access = Access(graph, Authorizer(), reader)
    page = await graph.read(
        "api/review_conflict_page",
        {
            "status": status,
            "kind": kind,
            "table": table,
            "tables": sorted(await access.tables()),
            "documents": access.may_read_workspace(),
            "after_score": None,
            "after_id": None,
            "limit": limit,
        },
    )
    details = await graph.read("api/review_conflicts", {"ids": [r["id"] for r in page]})
    by_id = {record["conflict"]["id"]: dict(record["conflict"]) for record in details}
    records = [by_id[r["id"]] for r in page if r["id"] in by_id]
    suggestions = [_parsed(record["suggestion"]) or {} for record in records]
    tables = sorted({record["table"] for record in records if record["table"]})
    wanted = [
        row
        for suggestion in suggestions
        if sealed(suggestion.get("value"))
        for row in _strings(suggestion.get("supporting_rows"))[:TOKEN_ROWS]
    ]
    found = await graph.read("api/catalog_rows_by_id", {"ids": wanted, "tables": tables})
    rows = {record["row"]["id"]: json.loads(record["row"]["values"] or "{}") for record in found}
    values = SealedValues(await RowValues.for_caller(access, graph, cipher, tables), rows)
    return [
        ListedConflict(
            id=record["id"],
            kind=record["kind"],
            status=record["status"],
            table=record["table"],
            attribute=record["attribute"],
            score=record["score"],
            suggested=await values.show(
                record["table"],
                record["attribute"],
                suggestion.get("value"),
                _strings(suggestion.get("supporting_rows")),
            ),
        )
        for record, suggestion in zip(records, suggestions, strict=True)
    ]


async def _suggestion(
    values: SealedValues, table: str | None, attribute: str | None, stored: Any
) -> dict[str, JsonValue] | None:
    suggestion = _parsed(stored)
    if not isinstance(suggestion, dict) or not suggestion:
        return None
    rows = _strings(suggestion.get("supporting_rows"))
    shown = await values.show(table, attribute, suggestion.get("value"), rows)
    return {**suggestion, "value": shown.value, "value_redacted": shown.redacted}


def _parsed(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _strings(value: JsonValue) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []
