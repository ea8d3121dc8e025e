"""Label/value tables ("Key facts", infoboxes): two columns that describe one record.

A table is read as one record `{label: value, ...}` instead of rows when it has two columns,
its header names a label and a value (`Field | Value`, `Key | Value`, `Property | Value`,
`Attribute | Value`, the same words in a few European languages, or two empty header
cells), and its labels are distinct and not empty. Any other table, two-column data tables
included, stays rows keyed by its header. Schema matching then treats the labels as the
record's columns, as for any other row.

The header decides, not the schemas: a two-column table whose first column happens to list
field names is just as often a data dictionary (`Field | Description`), and reading its
descriptions as values would invent an entity.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from pydantic import JsonValue

from ingest.extract.model import ExtractedRow

LABEL_WORDS = frozenset(
    {
        # English
        "field", "key", "property", "attribute", "name", "label", "item", "parameter", "fact",
        # German, French, Spanish, Italian, Portuguese, Dutch
        "feld", "schlussel", "eigenschaft", "merkmal", "attribut", "bezeichnung",
        "champ", "cle", "propriete", "nom", "libelle",
        "campo", "clave", "propiedad", "atributo", "nombre",
        "chiave", "proprieta", "attributo", "nome",
        "chave", "propriedade",
        "veld", "sleutel", "eigenschap", "kenmerk", "naam",
    }
)  # fmt: skip
VALUE_WORDS = frozenset(
    {"value", "values", "wert", "werte", "valeur", "valeurs", "valor", "valores", "valore",
     "valori", "waarde", "waarden"}
)  # fmt: skip


def is_pair_header(header: Sequence[str]) -> bool:
    """Whether a table header names a label column and a value column (or is blank)."""
    if len(header) != 2:
        return False
    label, value = (_word(cell) for cell in header)
    return (label, value) == ("", "") or (label in LABEL_WORDS and value in VALUE_WORDS)


def _word(cell: str) -> str:
    """A header cell compared without case or accents ('Clé' -> 'cle')."""
    decomposed = unicodedata.normalize("NFKD", cell.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


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
