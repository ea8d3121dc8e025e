"""Which declared table a file's columns describe, and which column feeds which field.

A column maps to a field when their `column_key`s are equal, or else when they are equal
after dropping a leading word that abbreviates the table's singular name: for `cities`
("city") the column `City ID` -> `city_id` also matches a field `id`, and for
`organizations` ("organization") the column `Organization ID` matches the field `org_id`
(both become `id`). Such a leading word has at least three letters; a stripped form that two
fields share matches neither. Exact matches are taken first; a field takes one column only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.schemas import TableSchema
from ingest.normalize import column_key

_IRREGULAR_SINGULARS = {"people": "person"}
_MIN_PREFIX = 3
_COLUMN_WEIGHT = 0.7
_FIELD_WEIGHT = 0.2
_HINT_BONUS = 0.1


@dataclass(frozen=True)
class TableMatch:
    """A table chosen for a file, with source column -> field name, in source column order.

    `score` is in [0, 1]: 0.7 x the share of columns mapped + 0.2 x the share of the table's
    fields covered + 0.1 when the hint names the table. `unmatched` lists the source columns
    that feed no field.
    """

    table: TableSchema
    mapping: dict[str, str]
    score: float
    unmatched: list[str]


def match_table(
    columns: Sequence[str], tables: Sequence[TableSchema], hint: str | None = None
) -> TableMatch | None:
    """The best-scoring table for these columns, or None when no table fits.

    A table fits when every entity-key field is mapped and at least half of the columns map.
    `hint` (e.g. the file stem "cities") adds a bonus to the table it names (as a whole word
    of its key, plural or singular); ties go to the earlier table.
    """
    if not columns:
        return None
    matches = [_match(columns, table, hint) for table in tables]
    return max(
        (match for match in matches if match is not None),
        key=lambda match: match.score,
        default=None,
    )


def _match(columns: Sequence[str], table: TableSchema, hint: str | None) -> TableMatch | None:
    mapping = _map_columns(columns, table)
    if not set(table.entity_key) <= set(mapping.values()) or 2 * len(mapping) < len(columns):
        return None
    score = _COLUMN_WEIGHT * len(mapping) / len(columns)
    score += _FIELD_WEIGHT * len(mapping) / len(table.fields)
    if hint is not None and _names(hint, table):
        score += _HINT_BONUS
    unmatched = [column for column in columns if column not in mapping]
    return TableMatch(table, mapping, score, unmatched)


def _map_columns(columns: Sequence[str], table: TableSchema) -> dict[str, str]:
    keys = {column: column_key(column) for column in columns}
    singular = _singular(table.name)
    stripped_fields: dict[str, list[str]] = {}
    for name in table.fields:
        stripped_fields.setdefault(_strip(name, singular), []).append(name)
    found: dict[str, str] = {}
    for column in columns:
        if keys[column] in table.fields and keys[column] not in found.values():
            found[column] = keys[column]
    for column in columns:
        candidates = stripped_fields.get(_strip(keys[column], singular), [])
        if column not in found and len(candidates) == 1 and candidates[0] not in found.values():
            found[column] = candidates[0]
    return {column: found[column] for column in columns if column in found}


def _singular(name: str) -> str:
    if name in _IRREGULAR_SINGULARS:
        return _IRREGULAR_SINGULARS[name]
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def _strip(key: str, singular: str) -> str:
    """`key` without a leading word that abbreviates `singular` ('org_id' -> 'id')."""
    first, _, rest = key.partition("_")
    if rest and len(first) >= _MIN_PREFIX and singular.startswith(first):
        return rest
    return key


def _names(hint: str, table: TableSchema) -> bool:
    padded = f"_{column_key(hint)}_"
    return any(f"_{name}_" in padded for name in (table.name, _singular(table.name)))
