"""Label/value tables ("Key facts", infoboxes): two columns that describe one record.

A table is read as one record `{label: value, ...}` instead of rows when it has two columns,
its header names a label and a value (`Field | Value`, `Key | Value`, `Property | Value`,
`Attribute | Value` ..., or two empty header cells), and its labels are distinct and not
empty. Any other table, two-column data tables included, stays rows keyed by its header.
Schema matching then treats the labels as the record's columns, as for any other row.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import JsonValue

from ingest.extract.model import ExtractedRow

LABEL_WORDS = frozenset(
    {"field", "key", "property", "attribute", "name", "label", "item", "parameter", "fact"}
)
VALUE_WORDS = frozenset({"value", "values"})


def is_pair_header(header: Sequence[str]) -> bool:
    """Whether a table header names a label column and a value column (or is blank)."""
    if len(header) != 2:
        return False
    label, value = (cell.strip().casefold() for cell in header)
    return (label, value) == ("", "") or (label in LABEL_WORDS and value in VALUE_WORDS)


def pair_record(
    header: Sequence[str], body: Sequence[Sequence[str]], locator: str
) -> ExtractedRow | None:
    """The one record of a label/value table, or None when it is not one.

    `body` holds the table's rows of cells (after the header); rows with no cells filled are
    ignored. None when the header is not a label/value header, a row does not have two
    cells, or a label is empty or repeated.
    """
    if not is_pair_header(header):
        return None
    values: dict[str, JsonValue] = {}
    for cells in body:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != 2:
            return None
        label, value = cells[0].strip(), cells[1].strip()
        if not label or label in values:
            return None
        values[label] = value
    return ExtractedRow(values=values, locator=locator) if values else None
