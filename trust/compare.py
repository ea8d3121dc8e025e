"""Tolerance-aware comparison of normalised values (see `ingest.normalize` for the forms).

Two values *agree* when they may state the same fact:

- integer, float: `|a - b| <= relative * max(|a|, |b|)` or `|a - b| <= absolute`; without a
  tolerance they must be equal. A relative slack of 1e-9 absorbs float rounding at the edge.
- datetime ("...Z"): at most `seconds` apart (0 without a tolerance).
- time of day ("HH:MM:SS"): at most `seconds` apart around the clock, so 23:59 and 00:01
  are two minutes apart.
- date ("YYYY-MM-DD"): at most `days` apart (0 without a tolerance).
- string, text: equal after Unicode NFKC, case folding and collapsing whitespace; accents
  are kept ("Gdańsk" is not "Gdansk").
- boolean: equal.
- list (not multi-valued): element-wise, in any order unless `ordered`. String items are
  compared as person names: "Smith, J." == "J. Smith" == "j smith" == "John Smith" (the
  "Last, First" form is turned around and given names are cut to initials), and an item
  naming several people ("Ann Lee, Bo Chan", "Lee, Ann / Chan, Bo", "Ann Lee and Bo Chan")
  counts as each of them (`person_names`). This is the right key for author lists, the only
  string lists in `schemas/` that are not multi-valued.
- multi-valued list (phones): never compared as a whole. Several values can all be true, so
  the truth engine makes each element its own claim; `values_agree` then takes `a` and `b`
  as two elements of the `items` type.

Values of different kinds never agree.

Values that do not agree can still be *similar* (`value_similarity`, 0 to 1), and support
each other in proportion (`trust.truth`): numbers, datetimes, times and dates from 1 at their
tolerance down to 0 at SIMILAR_REACH times it (nothing without a tolerance); lists of names
by the share of names they have in common (Jaccard), so an author list that names only the
first author backs the full list a little. Strings and the rest: 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import TypeGuard

from pydantic import JsonValue

from graph.schemas import NUMERIC, FieldSpec, FieldType, Tolerance

_SLACK = 1e-9
_DAY = 86_400
_SPACES = re.compile(r"\s+")
_NAME_PARTS = re.compile(r"[\s.]+")
_PEOPLE = re.compile(r"\s*(?:;|/|&|\band\b)\s*", re.IGNORECASE)
SIMILAR_REACH = 1.5
"""Numbers and moments this many tolerances apart or more are not similar at all."""


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


def value_similarity(spec: FieldSpec, a: JsonValue, b: JsonValue) -> float:
    """How similar two values that may not agree are, from 0 to 1 (the module docstring)."""
    if spec.type is FieldType.LIST and not spec.multi_valued:
        return _names_overlap(a, b) if (spec.items or FieldType.STRING) is FieldType.STRING else 0.0
    gap = _gap_in_tolerances(spec.items or spec.type, spec.tolerance or Tolerance(), a, b)
    if gap is None:
        return 0.0
    return float(min(1.0, max(0.0, (SIMILAR_REACH - gap) / (SIMILAR_REACH - 1))))


def person_names(text: str) -> list[str]:
    """The people one string names: split on ";", "/", "&" and "and", and on commas when
    every part has two words or more ("Ann Lee, Bo Chan"; "Lee, Ann" is one person)."""
    names: list[str] = []
    for part in _PEOPLE.split(text):
        pieces = [piece.strip() for piece in part.split(",") if piece.strip()]
        if len(pieces) > 1 and all(len(piece.split()) > 1 for piece in pieces):
            names += pieces
        elif part.strip():
            names.append(part.strip())
    return names


def _name_keys(values: list[JsonValue]) -> list[str]:
    return [name_key(name) for value in values for name in person_names(str(value))]


def _names_overlap(a: JsonValue, b: JsonValue) -> float:
    if not isinstance(a, list) or not isinstance(b, list):
        return 0.0
    left, right = set(_name_keys(a)), set(_name_keys(b))
    return len(left & right) / len(left | right) if left | right else 0.0


def _gap_in_tolerances(
    kind: FieldType, tolerance: Tolerance, a: JsonValue, b: JsonValue
) -> float | None:
    """How many tolerances apart two numbers, moments or dates are (None: not comparable)."""
    try:
        if kind in NUMERIC and _is_number(a) and _is_number(b):
            slack = max(
                (tolerance.relative or 0.0) * max(abs(a), abs(b)), tolerance.absolute or 0.0
            )
            return float(abs(a - b)) / slack if slack > 0 else None
        if kind is FieldType.DATETIME and isinstance(a, str) and isinstance(b, str):
            seconds = abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds())
            return seconds / tolerance.seconds if tolerance.seconds else None
        if kind is FieldType.TIME and isinstance(a, str) and isinstance(b, str):
            return _clock_gap(a, b) / tolerance.seconds if tolerance.seconds else None
        if kind is FieldType.DATE and isinstance(a, str) and isinstance(b, str):
            days = abs((date.fromisoformat(a) - date.fromisoformat(b)).days)
            return days / tolerance.days if tolerance.days else None
    except ValueError:
        return None
    return None


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
    if not isinstance(a, list) or not isinstance(b, list):
        return False
    item_type = spec.items or FieldType.STRING
    if item_type in (FieldType.STRING, FieldType.TEXT):
        if not all(isinstance(x, str) for x in [*a, *b]):
            return False
        a, b = list[JsonValue](_name_keys(a)), list[JsonValue](_name_keys(b))
    if len(a) != len(b):
        return False
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
        if kind is FieldType.TIME:
            return _clock_gap(a, b) <= (tolerance.seconds or 0.0)
    except ValueError:
        return False
    return a == b


def _clock_gap(a: str, b: str) -> float:
    """Seconds between two times of day the short way round the clock (ValueError if one
    is not "HH:MM:SS")."""
    gap = abs(_seconds_of_day(a) - _seconds_of_day(b))
    return float(min(gap, _DAY - gap))


def _seconds_of_day(text: str) -> int:
    moment = time.fromisoformat(text)
    return moment.hour * 3600 + moment.minute * 60 + moment.second


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
