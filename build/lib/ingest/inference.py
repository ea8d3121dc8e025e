"""Propose a table definition for rows that no declared table fits.

Each column's field name is its `column_key`, so `match_table` maps the same columns back to
the proposal. A column whose key is not a valid field name (empty, starting with a digit,
longer than 63 characters, or the same as an earlier column's) is left out of the proposal;
matching then lists it as unmatched.

Types, over a column's non-empty values: a JSON list anywhere -> list; a value with a line
break or over 200 characters -> text; then the first of boolean (true/false/yes/no words or
JSON booleans), integer, float, date, datetime that reads every value; then list when some
value contains ";" and every ";"-separated part is non-empty and short (at most 40
characters, so prose with semicolons stays a string); else string. A leading "+" or "0" (phone
numbers, postal codes) keeps a value from counting as a number. A list's item type is
inferred the same way from its items.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from pydantic import JsonValue

from graph.errors import NormalizationError
from graph.schemas import NUMERIC, FieldSpec, FieldType, TableSchema
from ingest.normalize import column_key, is_empty, normalize_value

_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
_LONG_TEXT = 200
_LIST_ITEM = 40
_BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no"})
_CODE_LIKE = re.compile(r"\s*(?:\+|0\d)")
_FRACTION = re.compile(r"[.eE]")
_KEY_SUFFIXES = frozenset({"id", "key", "code"})
_KEY_TYPES = frozenset({FieldType.STRING, FieldType.INTEGER, FieldType.DATE, FieldType.DATETIME})
_SCALARS = (
    FieldType.BOOLEAN,
    FieldType.INTEGER,
    FieldType.FLOAT,
    FieldType.DATE,
    FieldType.DATETIME,
)
_SPECS = {kind: FieldSpec(type=kind) for kind in _SCALARS}

Rows = Sequence[Mapping[str, JsonValue]]


def infer_table(name: str, rows: Rows, owner: str) -> TableSchema:
    """A proposed table named after `name` (a file stem) that fits `rows`.

    The entity key is the first column that is non-empty and unique in every row, preferring
    a name ending in `id`, `key` or `code`; it is marked required. Raises ValueError when
    `rows` is empty or no column qualifies as a key.
    """
    if not rows:
        raise ValueError(f"cannot infer a table for {name!r} from no rows")
    columns = _columns(rows)
    fields = {field: _infer_field([row.get(column) for row in rows]) for field, column in columns}
    key = _entity_key(columns, fields, rows)
    fields[key] = fields[key].model_copy(update={"required": True})
    return TableSchema(
        name=_table_name(name),
        description=f"Inferred from {len(rows)} rows of {name!r}; review before use.",
        owner=owner,
        fields=fields,
        entity_key=[key],
    )


def _table_name(stem: str) -> str:
    key = column_key(stem) or "table"
    if not key[0].isalpha():
        key = f"t_{key}"
    return key[:63].rstrip("_")


def _columns(rows: Rows) -> list[tuple[str, str]]:
    """(field name, source column) for each usable column, in first-seen order."""
    columns: dict[str, str] = {}
    for row in rows:
        for column in row:
            field = column_key(column)
            if _NAME.fullmatch(field) and field not in columns:
                columns[field] = column
    return list(columns.items())


def _infer_field(values: list[JsonValue]) -> FieldSpec:
    present = [value for value in values if not is_empty(value)]
    if any(isinstance(value, list) for value in present):
        return FieldSpec(type=FieldType.LIST, items=_scalar_type(_items(present)))
    kind = _scalar_type(present)
    if kind is FieldType.STRING and _semicolon_separated(present):
        return FieldSpec(type=FieldType.LIST, items=_scalar_type(_items(present)))
    return FieldSpec(type=kind)


def _items(values: list[JsonValue]) -> list[JsonValue]:
    items: list[JsonValue] = []
    for value in values:
        items += value if isinstance(value, list) else str(value).split(";")
    return [item for item in items if not is_empty(item)]


def _scalar_type(values: list[JsonValue]) -> FieldType:
    if any(isinstance(value, str) and _is_long(value) for value in values):
        return FieldType.TEXT
    for kind in _SCALARS:
        if values and all(_fits(kind, value) for value in values):
            return kind
    return FieldType.STRING


def _is_long(value: str) -> bool:
    return "\n" in value or "\r" in value or len(value) > _LONG_TEXT


def _fits(kind: FieldType, value: JsonValue) -> bool:
    if kind is FieldType.BOOLEAN:
        return isinstance(value, bool) or (
            isinstance(value, str) and value.strip().lower() in _BOOLEAN_WORDS
        )
    if isinstance(value, str) and _CODE_LIKE.match(value) and kind in NUMERIC:
        return False
    if kind is FieldType.INTEGER and (
        isinstance(value, float) or (isinstance(value, str) and _FRACTION.search(value))
    ):
        return False
    try:
        normalize_value("value", _SPECS[kind], value)
    except NormalizationError:
        return False
    return True


def _semicolon_separated(values: list[JsonValue]) -> bool:
    texts = [value for value in values if isinstance(value, str)]
    parts = [part.strip() for text in texts if ";" in text for part in text.split(";")]
    return bool(parts) and all(0 < len(part) <= _LIST_ITEM for part in parts)


def _entity_key(columns: list[tuple[str, str]], fields: dict[str, FieldSpec], rows: Rows) -> str:
    candidates = [field for field, column in columns if _is_key(column, fields[field], rows)]
    preferred = [field for field in candidates if field.rsplit("_", 1)[-1] in _KEY_SUFFIXES]
    chosen = preferred or candidates
    if not chosen:
        raise ValueError("no column is non-empty and unique in every row, so none can be the key")
    return chosen[0]


def _is_key(column: str, spec: FieldSpec, rows: Rows) -> bool:
    if spec.type not in _KEY_TYPES:
        return False
    seen: set[str] = set()
    for row in rows:
        raw = row.get(column)
        if is_empty(raw):
            return False
        try:
            value = json.dumps(normalize_value(column, spec, raw))
        except NormalizationError:
            return False
        if value in seen:
            return False
        seen.add(value)
    return True
