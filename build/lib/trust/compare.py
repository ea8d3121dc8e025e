"""Tolerance-aware comparison of normalised values (see `ingest.normalize` for the forms).

Two values *agree* when they may state the same fact:

- integer, float: `|a - b| <= relative * max(|a|, |b|)` or `|a - b| <= absolute`; without a
  tolerance they must be equal. A relative slack of 1e-9 absorbs float rounding at the edge.
- datetime ("...Z"): at most `seconds` apart (0 without a tolerance).
- date ("YYYY-MM-DD"): at most `days` apart (0 without a tolerance).
- string, text: equal after Unicode NFKC, case folding and collapsing whitespace; accents
  are kept ("Gdańsk" is not "Gdansk").
- boolean: equal.
- list (not multi-valued): element-wise, in any order unless `ordered`. String items are
  compared as person names: "Smith, J." == "J. Smith" == "j smith" == "John Smith" (the
  "Last, First" form is turned around and given names are cut to initials). This is the
  right key for author lists, the only string lists in `schemas/` that are not multi-valued.
- multi-valued list (phones): never compared as a whole. Several values can all be true, so
  the truth engine makes each element its own claim; `values_agree` then takes `a` and `b`
  as two elements of the `items` type.

Values of different kinds never agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import TypeGuard

from pydantic import JsonValue

from graph.schemas import NUMERIC, FieldSpec, FieldType, Tolerance

_SLACK = 1e-9
_SPACES = re.compile(r"\s+")
_NAME_PARTS = re.compile(r"[\s.]+")


def values_agree(spec: FieldSpec, a: JsonValue, b: JsonValue) -> bool:
    """Whether `a` and `b` may state the same fact under `spec` (see the module docstring)."""
    if spec.type is FieldType.LIST and not spec.multi_valued:
        return _lists_agree(spec, a, b)
    return _scalars_agree(spec.items or spec.type, spec.tolerance, a, b)


def agrees_with_itself(spec: FieldSpec, value: JsonValue) -> bool:
    """`values_agree(spec, value, value)` without comparing: false only for a NaN, a
    non-number in a numeric field, a non-string in a string or text field, or a list holding
    one of those (a string always agrees with itself)."""
    if spec.type is FieldType.LIST and not spec.multi_valued:
        return _lists_agree(spec, value, value)
    if isinstance(value, str):
        return True
    kind = spec.items or spec.type
    if kind in NUMERIC:
        return _is_number(value) and value == value
    if kind in (FieldType.STRING, FieldType.TEXT):
        return False
    return value == value


def cluster_values(spec: FieldSpec, values: Sequence[JsonValue]) -> list[int]:
    """A cluster number per value: values in one cluster agree with its representative.

    Greedy and deterministic: values are taken in order; each joins the first cluster whose
    representative (its first value) it agrees with, or founds a new cluster. Clusters are
    numbered 0, 1, ... in the order they are founded. Agreement is not transitive (tolerances
    chain), so clustering is around representatives, not a transitive closure.
    """
    representatives: list[JsonValue] = []
    labels: list[int] = []
    for value in values:
        for label, representative in enumerate(representatives):
            if values_agree(spec, representative, value):
                labels.append(label)
                break
        else:
            labels.append(len(representatives))
            representatives.append(value)
    return labels


def name_key(name: str) -> str:
    """A person name as "initials last": "Smith, John" and "J. Smith" both give "j smith"."""
    text = _fold(name)
    if "," in text:
        last, _, first = text.partition(",")
        text = f"{first} {last}"
    parts = [part for part in _NAME_PARTS.split(text) if part]
    if not parts:
        return ""
    return " ".join([part[0] for part in parts[:-1]] + [parts[-1]])


def _fold(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _lists_agree(spec: FieldSpec, a: JsonValue, b: JsonValue) -> bool:
    if not isinstance(a, list) or not isinstance(b, list) or len(a) != len(b):
        return False
    item_type = spec.items or FieldType.STRING
    if item_type in (FieldType.STRING, FieldType.TEXT):
        if not all(isinstance(x, str) for x in [*a, *b]):
            return False
        a = [name_key(str(x)) for x in a]
        b = [name_key(str(x)) for x in b]
    if not spec.ordered:
        a, b = sorted(a, key=_sort_key), sorted(b, key=_sort_key)
    return all(_scalars_agree(item_type, spec.tolerance, x, y) for x, y in zip(a, b, strict=True))


def _sort_key(value: JsonValue) -> tuple[int, float, str]:
    if _is_number(value):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def _scalars_agree(
    kind: FieldType, tolerance: Tolerance | None, a: JsonValue, b: JsonValue
) -> bool:
    tolerance = tolerance or Tolerance()
    if isinstance(a, str) and a == b:  # also keyed hashes of encrypted values, of any type
        return True
    if kind in NUMERIC:
        return _numbers_agree(tolerance, a, b)
    if kind in (FieldType.STRING, FieldType.TEXT):
        return isinstance(a, str) and isinstance(b, str) and _fold(a) == _fold(b)
    if not isinstance(a, str) or not isinstance(b, str):
        return type(a) is type(b) and a == b  # booleans
    try:
        if kind is FieldType.DATETIME:
            gap = abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds())
            return gap <= (tolerance.seconds or 0.0)
        if kind is FieldType.DATE:
            return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= (
                tolerance.days or 0
            )
    except ValueError:
        return False
    return a == b


def _numbers_agree(tolerance: Tolerance, a: JsonValue, b: JsonValue) -> bool:
    if not _is_number(a) or not _is_number(b):
        return False
    if a == b:
        return True
    gap = float(abs(a - b))  # exact for ints before the conversion
    if tolerance.absolute is not None and gap <= tolerance.absolute * (1 + _SLACK):
        return True
    if tolerance.relative is None:
        return False
    return gap <= tolerance.relative * max(abs(a), abs(b)) * (1 + _SLACK)


def _is_number(value: JsonValue) -> TypeGuard[int | float]:
    return type(value) is int or type(value) is float  # not bool, a subclass of int
