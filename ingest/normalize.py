"""Column keys, typed values and entity keys for extracted rows.

Every value is brought to one JSON form per field type, so equal facts give equal JSON:

- integer: `int` from a JSON number or a string such as "18520", "18,520", "18 520" or
  "1.2e3" (only when integral, within 64 bits); "about 392000" and "1,5" are refused.
- float: `float` from a JSON number or a string such as "1,234.5"; percentages are refused.
- boolean: `bool` from true/false/yes/no/1/0, any case.
- date: "YYYY-MM-DD" from "2009-03-14", "2009/03/14", "14 March 2009" or "March 14, 2009"
  (English month names); "03/04/2009" is ambiguous and refused.
- datetime: ISO 8601 in UTC with "Z", from any ISO 8601 date and time; a naive value is taken
  as UTC. A date without a time of day is refused.
- time (of day, no date): "HH:MM:SS" from "14:05", "14:05:30", "2:05 pm" or "12:00 am";
  hours past 23 or minutes past 59 are refused.
- list: a JSON list, or a string split on ";"; items are trimmed, empty ones dropped, each
  normalised as the field's `items` type. Source order is kept.
- string: stripped, Unicode NFC; a JSON number becomes its text. text: the same with "\\n"
  line endings.
- `allowed`: a case-insensitive match gives the canonical allowed spelling; others are refused.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from pydantic import JsonValue

from graph.errors import NormalizationError
from graph.schemas import FieldSpec, FieldType, TableSchema

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}([, \u00a0\u202f])\d{3}(?:\1\d{3})*(?:\.\d+)?")
_HAS_TIME = re.compile(r"\d[Tt ]\d")
_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?")
_INT64 = 2**63
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y")


def column_key(header: str) -> str:
    """A source column header as a snake_case ASCII key: 'Revenue (MUSD)' -> 'revenue_musd'.

    camelCase is split ('orgId' -> 'org_id'); accents are dropped ('Gdańsk' -> 'gdansk').
    """
    split = _CAMEL.sub("_", unicodedata.normalize("NFKD", header))
    folded = split.casefold().encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub("_", folded).strip("_")


def is_empty(value: JsonValue) -> bool:
    """Whether a value means "unknown": None, a blank string or an empty list."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def normalize_value(field: str, spec: FieldSpec, raw: JsonValue) -> JsonValue:
    """`raw` in the normal form of `spec` (see the module docstring).

    Raises `NormalizationError(field, raw, expected, reason)` when it cannot be read so.
    """
    if spec.type is FieldType.LIST:
        return _read_list(field, spec, raw)
    return _read_scalar(field, spec.type, spec.allowed, raw)


@dataclass(frozen=True)
class NormalizedRow:
    """A row's normalised values by field name, and the problems of the values left out."""

    values: dict[str, JsonValue]
    problems: list[NormalizationError]


def normalize_row(
    table: TableSchema, values: Mapping[str, JsonValue], mapping: Mapping[str, str]
) -> NormalizedRow:
    """Normalise the mapped columns (source column -> field name) of one extracted row.

    Empty values are left out (unknown, never stored as None). A value that cannot be read,
    or breaks `allowed`, is left out and reported in `problems`, as is a missing required
    field; nothing raises. `RowNormalizer` does the same for the many rows of one file.
    """
    return RowNormalizer(table, mapping)(values)


MEMO_LIMIT = 65_536
"""Distinct raw values a `RowNormalizer` remembers the reading of (per file)."""


class RowNormalizer:
    """`normalize_row` for the rows of one file: the table's fields looked up once, and the
    reading of each distinct scalar raw value remembered, since columns such as a country,
    a unit or a date repeat (a remembered value costs a dict look-up, not a parse)."""

    def __init__(self, table: TableSchema, mapping: Mapping[str, str]) -> None:
        self._columns = [(column, name, table.fields[name]) for column, name in mapping.items()]
        self._required = [
            (name, spec.type.value) for name, spec in table.fields.items() if spec.required
        ]
        self._read: dict[tuple[str, type, JsonValue], JsonValue | NormalizationError] = {}

    def __call__(self, values: Mapping[str, JsonValue]) -> NormalizedRow:
        """The normalised row (see `normalize_row`)."""
        normalized: dict[str, JsonValue] = {}
        problems: list[NormalizationError] = []
        for column, name, spec in self._columns:
            raw = values.get(column)
            if is_empty(raw):
                continue
            value = self._value(name, spec, raw)
            if isinstance(value, NormalizationError):
                problems.append(value)
            elif not is_empty(value):
                normalized[name] = value
        if self._required:
            reported = {problem.field for problem in problems} | normalized.keys()
            problems += [
                NormalizationError(name, None, expected, "the field is required")
                for name, expected in self._required
                if name not in reported
            ]
        return NormalizedRow(normalized, problems)

    def _value(self, name: str, spec: FieldSpec, raw: JsonValue) -> JsonValue | NormalizationError:
        """The reading of one raw value, or the error saying why it has none."""
        if isinstance(raw, list | dict):
            return _read_or_error(name, spec, raw)
        key = (name, type(raw), raw)  # the type too: 1, 1.0 and True are equal keys
        known = self._read.get(key, _UNREAD)
        if known is not _UNREAD:
            return known  # type: ignore[return-value]
        value = _read_or_error(name, spec, raw)
        if len(self._read) < MEMO_LIMIT and not isinstance(value, list):
            self._read[key] = value
        return value


_UNREAD = object()


def _read_or_error(name: str, spec: FieldSpec, raw: JsonValue) -> JsonValue | NormalizationError:
    try:
        return normalize_value(name, spec, raw)
    except NormalizationError as error:
        return error


def entity_key(table: TableSchema, values: Mapping[str, JsonValue]) -> str | None:
    """The row's key from its normalised values: the entity-key fields joined with '|'.

    None when any of them is missing or empty. Non-string values appear as JSON text.
    """
    parts: list[str] = []
    for name in table.entity_key:
        value = values.get(name)
        if is_empty(value):
            return None
        parts.append(value if isinstance(value, str) else json.dumps(value))
    return "|".join(parts)


def _read_list(field: str, spec: FieldSpec, raw: JsonValue) -> list[JsonValue]:
    item_type = spec.items or FieldType.STRING
    expected = f"list of {item_type.value}"
    if isinstance(raw, str):
        items: list[JsonValue] = list(raw.split(";"))
    elif isinstance(raw, list):
        items = raw
    else:
        raise NormalizationError(field, raw, expected, f"it is {_kind(raw)}")
    try:
        return [_read(item_type, spec.allowed, item) for item in items if not is_empty(item)]
    except ValueError as error:
        raise NormalizationError(field, raw, expected, f"an item {error}") from None


def _read_scalar(
    field: str, value_type: FieldType, allowed: list[str] | None, raw: JsonValue
) -> JsonValue:
    try:
        return _read(value_type, allowed, raw)
    except ValueError as error:
        raise NormalizationError(field, raw, value_type.value, str(error)) from None


def _read(value_type: FieldType, allowed: list[str] | None, raw: JsonValue) -> JsonValue:
    """One scalar (never a list: FieldSpec refuses lists of lists); ValueError says why not."""
    value = _READERS[value_type](raw)
    if allowed is not None and isinstance(value, str):
        return _choose(value, allowed)
    return value


def _choose(value: str, allowed: list[str]) -> str:
    for option in allowed:
        if option.casefold() == value.casefold():
            return option
    raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")


def _kind(raw: JsonValue) -> str:
    if isinstance(raw, bool):
        return "a boolean"
    if isinstance(raw, int | float):
        return "a number"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, dict):
        return "an object"
    return "null" if raw is None else "a string"


def _string(raw: JsonValue) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"it is {_kind(raw)}")
    return raw.strip()


def _decimal(raw: JsonValue) -> Decimal:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not math.isfinite(raw):
            raise ValueError("it is not finite")
        return Decimal(raw)
    text = _string(raw)
    if _GROUPED.fullmatch(text):
        text = re.sub(r"[, \u00a0\u202f]", "", text)
    if not _NUMBER.fullmatch(text):
        raise ValueError("it is not a number")
    return Decimal(text)


def _read_integer(raw: JsonValue) -> int:
    number = _decimal(raw)
    if number.copy_abs() >= _INT64:
        raise ValueError("it is outside the 64-bit integer range")
    if number != number.to_integral_value():
        raise ValueError("it has a fractional part")
    return int(number)


def _read_float(raw: JsonValue) -> float:
    number = float(_decimal(raw))
    if not math.isfinite(number):
        raise ValueError("it is too large")
    return number


def _read_boolean(raw: JsonValue) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in _BOOLEANS:
        return _BOOLEANS[raw.strip().lower()]
    raise ValueError("it is not one of true, false, yes, no, 1, 0")


def _read_date(raw: JsonValue) -> str:
    text = _string(raw)
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    raise ValueError("it is not a date such as 2009-03-14, 2009/03/14 or 14 March 2009")


def _read_datetime(raw: JsonValue) -> str:
    text = _string(raw)
    if not _HAS_TIME.search(text):
        raise ValueError("it has no time of day")
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError("it is not an ISO 8601 date and time") from None
    precision = "microseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=precision) + "Z"


def _read_time(raw: JsonValue) -> str:
    match = _TIME_OF_DAY.fullmatch(_string(raw).strip().lower())
    if match is None:
        raise ValueError("it is not a time of day such as 14:05, 14:05:30 or 2:05 pm")
    hour, minute, second = (int(part or 0) for part in match.group(1, 2, 3))
    if match.group(4):
        if not 1 <= hour <= 12:
            raise ValueError("it has a 12-hour clock time with an hour outside 1-12")
        hour = hour % 12 + (12 if match.group(4) == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError("it is not a time of day (hours 0-23, minutes and seconds 0-59)")
    return f"{hour:02d}:{minute:02d}:{second:02d}"


def _read_string(raw: JsonValue) -> str:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    return unicodedata.normalize("NFC", _string(raw))


def _read_text(raw: JsonValue) -> str:
    return _read_string(raw).replace("\r\n", "\n").replace("\r", "\n")


_READERS: dict[FieldType, Callable[[JsonValue], JsonValue]] = {
    FieldType.STRING: _read_string,
    FieldType.TEXT: _read_text,
    FieldType.INTEGER: _read_integer,
    FieldType.FLOAT: _read_float,
    FieldType.BOOLEAN: _read_boolean,
    FieldType.DATE: _read_date,
    FieldType.DATETIME: _read_datetime,
    FieldType.TIME: _read_time,
}
