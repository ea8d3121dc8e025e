"""Evaluating policies, without any I/O: files before ingestion, rows once stored.

`check_file` answers whether a file may enter and which of its fields must be encrypted;
`check_rows` lists what stored rows of one table break. Row checks are planned once per
table (rules chosen, regexes compiled, allowed sets built) and then run per value.
Violation details never quote a personal-data value.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import Any

from pydantic import JsonValue

from governance.policy import PolicySet
from governance.policy_pii import DEFAULT_SCANNER, PiiScanner, scanner
from governance.policy_rules import ComplianceRules, IngestionRules, PiiAction
from graph.schemas import TableSchema

ENCRYPTED_PREFIX = "enc:v1:"
"""A stored value starting with this is encrypted (governance field encryption)."""
MAX_LISTED = 5
JSON_PAIR = re.compile(r'"((?:[^"\\]|\\.)+)"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)')


class Rule:
    """The rule names a violation carries."""

    SOURCE_NOT_ALLOWED = "source_not_allowed"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    TOO_LARGE = "too_large"
    PERSONAL_DATA = "personal_data"
    ALLOWED_VALUES = "allowed_values"
    PATTERN = "pattern"
    PII_UNENCRYPTED = "pii_unencrypted"
    PII_NO_RETENTION = "pii_no_retention"
    RETENTION_EXCEEDED = "retention_exceeded"
    PII_UNDECLARED = "pii_undeclared"


@dataclass(frozen=True)
class Violation:
    """One rule of one policy that a file or a row breaks."""

    policy: str
    rule: str
    detail: str
    field: str | None = None
    row_id: str | None = None

    @property
    def key(self) -> str:
        """What identifies the violation on its row: `rule` or `rule:field`."""
        return f"{self.rule}:{self.field}" if self.field else self.rule


@dataclass(frozen=True)
class FileVerdict:
    """Whether a file may be ingested, and how."""

    allowed: bool
    violations: tuple[Violation, ...]
    encrypt_fields: frozenset[str]
    """Fields (as the file names them: CSV columns, JSON keys) to store encrypted."""
    high_risk: tuple[str, ...] = ()
    """Why an admin must approve the file before it is ingested (empty: no approval needed)."""


@dataclass(frozen=True)
class RowView:
    """What row checks read of a stored row."""

    id: str
    table: str
    key: str
    values: Mapping[str, JsonValue]
    ingested_at: datetime | None = None


def check_file(
    policies: PolicySet,
    *,
    source: str,
    path: str,
    mime: str,
    size: int,
    sample_text: str,
    records: Sequence[Mapping[str, JsonValue]] | None = None,
) -> FileVerdict:
    """Evaluate every ingestion policy on one file; all of them must allow it.

    `sample_text` is the start of the file as text (CSV and JSON samples are read as
    records, so personal data is found per field; other text as a whole). `records`, when
    given, are the file's records already parsed, and are scanned instead.
    """
    violations: list[Violation] = []
    encrypt: set[str] = set()
    risks: list[str] = []
    media = mime.split(";", 1)[0].strip().lower()
    suffix = PurePosixPath(path).suffix.lower()
    sample = _Sample(sample_text, media, suffix, records)
    for name, rules in policies.ingestion_rules():
        violations += _file_rules(name, rules, source, media, suffix, size)
        if rules.high_risk:
            if _any_match(source, rules.high_risk.sources):
                risks.append(f"{name}: source {source} is high-risk")
            if rules.high_risk.above_bytes is not None and size > rules.high_risk.above_bytes:
                risks.append(f"{name}: {size} bytes is above {rules.high_risk.above_bytes}")
        found = _personal_data(name, rules, source, sample)
        if found is not None:
            violations += found.violations
            encrypt |= found.fields
            risks += found.risks
    return FileVerdict(
        allowed=not violations,
        violations=tuple(violations),
        encrypt_fields=frozenset(encrypt),
        high_risk=tuple(risks),
    )


def detect_personal_data(
    values: Mapping[str, JsonValue], pii: PiiScanner = DEFAULT_SCANNER
) -> set[str]:
    """The names of the fields whose values hold personal data (every built-in detector)."""
    return pii.fields(values)


def check_rows(
    policies: PolicySet,
    table: TableSchema,
    rows: Sequence[RowView],
    now: datetime | None = None,
) -> list[Violation]:
    """Every compliance violation of `rows` (all of `table`), in row order."""
    plan = _plan(policies, table)
    if not plan:
        return []
    moment = now or datetime.now(UTC)
    violations: list[Violation] = []
    for row in rows:
        values = row.values
        for name, checks in plan:
            value = values.get(name)
            if value is None or value == "" or value == []:
                continue
            for check in checks:
                found = check.test(value, row, moment)
                if found is not None:
                    violations.append(
                        Violation(check.policy, check.rule, found, name, row_id=row.id)
                    )
    return violations


def is_encrypted(value: JsonValue) -> bool:
    """An encrypted value: `enc:v1:...`, or a list of only such values."""
    if isinstance(value, str):
        return value.startswith(ENCRYPTED_PREFIX)
    if isinstance(value, list):
        return all(isinstance(item, str) and item.startswith(ENCRYPTED_PREFIX) for item in value)
    return False


# ---------------------------------------------------------------------------- files


def _file_rules(
    name: str, rules: IngestionRules, source: str, media: str, suffix: str, size: int
) -> list[Violation]:
    found = []
    if rules.sources is not None and not _any_match(source, rules.sources):
        found.append(Violation(name, Rule.SOURCE_NOT_ALLOWED, f"source {source} is not allowed"))
    elif _any_match(source, rules.deny_sources):
        found.append(Violation(name, Rule.SOURCE_NOT_ALLOWED, f"source {source} is denied"))
    if rules.types is not None and not any(_type_matches(t, media, suffix) for t in rules.types):
        kind = media or suffix or "unknown"
        found.append(Violation(name, Rule.TYPE_NOT_ALLOWED, f"type {kind} is not allowed"))
    limits = [
        limit
        for pattern, limit in rules.max_bytes_by_type.items()
        if _type_matches(pattern, media, suffix)
    ]
    if rules.max_bytes is not None:
        limits.append(rules.max_bytes)
    if limits and size > min(limits):
        detail = f"{size} bytes is over the limit of {min(limits)} bytes"
        found.append(Violation(name, Rule.TOO_LARGE, detail))
    return found


@dataclass
class _Found:
    violations: list[Violation] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    risks: list[str] = field(default_factory=list)


def _personal_data(name: str, rules: IngestionRules, source: str, sample: _Sample) -> _Found | None:
    rule = next(
        (r for r in rules.personal_data if r.sources is None or _any_match(source, r.sources)),
        None,
    )
    if rule is None:
        return None
    pii = scanner(rule.detect, rule.patterns)
    records = sample.records()
    if records is None:
        kinds = pii.kinds(sample.text)
        fields: set[str] = set()
    else:
        fields = set().union(*(pii.fields(record) for record in records))
        kinds = {"personal data"} if fields else set()
    if not kinds:
        return None
    found = _Found()
    what = ", ".join(sorted(fields)) if fields else "the text"
    if rule.action is PiiAction.BLOCK:
        detail = f"personal data in {what} is not allowed from {source}"
        found.violations.append(Violation(name, Rule.PERSONAL_DATA, detail))
    elif records is None:
        detail = (
            f"personal data ({', '.join(sorted(kinds))}) in unstructured text cannot be "
            "encrypted field by field"
        )
        found.violations.append(Violation(name, Rule.PERSONAL_DATA, detail))
    else:
        found.fields = fields
    if rule.high_risk:
        found.risks.append(f"{name}: personal data in {what}")
    return found


class _Sample:
    """The start of a file, read as records where its type allows."""

    def __init__(
        self,
        text: str,
        media: str,
        suffix: str,
        records: Sequence[Mapping[str, JsonValue]] | None = None,
    ) -> None:
        self.text = text
        self._media = media
        self._suffix = suffix
        self._records = records

    def records(self) -> Sequence[Mapping[str, JsonValue]] | None:
        """The sample's records (CSV, TSV, JSON, JSON Lines), or None for other text."""
        if self._records is not None:
            return self._records
        if self._media in ("text/csv", "text/tab-separated-values") or self._suffix in (
            ".csv",
            ".tsv",
        ):
            return _delimited(self.text)
        if self._media in ("application/jsonl", "application/x-ndjson") or self._suffix in (
            ".jsonl",
            ".ndjson",
        ):
            return [r for line in self.text.splitlines() for r in _json_records(line)]
        if self._media == "application/json" or self._suffix == ".json":
            return _json_records(self.text)
        return None


def _delimited(text: str) -> list[dict[str, JsonValue]]:
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[dict[str, JsonValue]] = []
    try:
        names = next(reader, [])
        for line in reader:
            records.append({name: value for name, value in zip(names, line, strict=False) if value})
    except csv.Error:
        pass  # the sample is checked up to its bad line; extraction names the line
    return records


def _json_records(text: str) -> list[dict[str, JsonValue]]:
    """Objects of a JSON text; a truncated sample falls back to its `"key": value` pairs."""
    try:
        document: Any = json.loads(text)
    except RecursionError:
        return []  # nested too deeply to check; extraction refuses it as `too_deep`
    except ValueError:
        pairs: dict[str, JsonValue] = {}
        for key, raw in JSON_PAIR.findall(text):
            value = _json_scalar(raw)
            if value is not None:
                existing = pairs.get(key)
                pairs[key] = [*existing, value] if isinstance(existing, list) else [value]
        return [pairs] if pairs else []
    return list(_objects(document))


def _json_scalar(raw: str) -> JsonValue:
    try:
        value: JsonValue = json.loads(raw)
    except ValueError:
        return None
    return value


def _objects(document: Any) -> Iterator[dict[str, JsonValue]]:
    """The objects of a document and of its arrays, at any depth, in order."""
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            yield item
        elif isinstance(item, list):
            pending += reversed(item)


def _any_match(source: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(source, pattern) for pattern in patterns)


def _type_matches(pattern: str, media: str, suffix: str) -> bool:
    if pattern.startswith("."):
        return suffix == pattern.lower()
    if pattern.endswith("/*"):
        return media.startswith(pattern[:-1])
    return media == pattern


# ---------------------------------------------------------------------------- rows

Test = Callable[[JsonValue, RowView, datetime], str | None]


@dataclass(frozen=True)
class _Check:
    policy: str
    rule: str
    test: Test


def _plan(policies: PolicySet, table: TableSchema) -> list[tuple[str, list[_Check]]]:
    """Per field, the checks every value of that field passes (built once per call)."""
    checks: dict[str, list[_Check]] = {}
    for name, rules in policies.compliance_rules(table.name):
        for field_name, check in _table_checks(name, rules, table):
            checks.setdefault(field_name, []).append(check)
    return [(name, found) for name, found in checks.items() if found]


def _table_checks(
    policy: str, rules: ComplianceRules, table: TableSchema
) -> Iterator[tuple[str, _Check]]:
    pii_fields = {name for name, spec in table.fields.items() if spec.pii}
    allowed: dict[str, frozenset[str]] = {}
    if rules.schema_allowed_values:
        allowed |= {n: frozenset(s.allowed) for n, s in table.fields.items() if s.allowed}
    allowed |= {n: frozenset(v) for n, v in rules.allowed_values.get(table.name, {}).items()}
    for name, values in allowed.items():
        yield (
            name,
            _Check(policy, Rule.ALLOWED_VALUES, _allowed_test(name, values, name in pii_fields)),
        )
    for name, pattern in rules.patterns.get(table.name, {}).items():
        regex = re.compile(pattern)
        yield name, _Check(policy, Rule.PATTERN, _pattern_test(name, regex, name in pii_fields))
    personal = rules.personal_data
    if personal is None:
        return
    if personal.encrypted:
        for name in sorted(pii_fields):
            yield name, _Check(policy, Rule.PII_UNENCRYPTED, _unencrypted_test(name))
    days = personal.retention_days.get(table.name, personal.default_retention_days)
    for name in sorted(pii_fields):
        if days is None:
            yield name, _Check(policy, Rule.PII_NO_RETENTION, _no_retention_test(name, table.name))
        else:
            yield name, _Check(policy, Rule.RETENTION_EXCEEDED, _retention_test(name, days))
    if personal.undeclared:
        for name in sorted(set(table.fields) - pii_fields):
            yield name, _Check(policy, Rule.PII_UNDECLARED, _undeclared_test(name, DEFAULT_SCANNER))


def _allowed_test(name: str, values: frozenset[str], pii: bool) -> Test:
    shown = ", ".join(sorted(values)[:MAX_LISTED]) + (", ..." if len(values) > MAX_LISTED else "")

    def test(value: JsonValue, row: RowView, now: datetime) -> str | None:
        if isinstance(value, str):
            if value in values or value.startswith(ENCRYPTED_PREFIX):
                return None
            outside = value
        else:
            items = value if isinstance(value, list) else [value]
            texts = [_text(v) for v in items if not is_encrypted(v)]
            first = next((text for text in texts if text not in values), None)
            if first is None:
                return None
            outside = first
        what = "a value" if pii else repr(outside)
        return f"{name}: {what} is not one of {shown}"

    return test


def _pattern_test(name: str, regex: re.Pattern[str], pii: bool) -> Test:
    def test(value: JsonValue, row: RowView, now: datetime) -> str | None:
        items = value if isinstance(value, list) else [value]
        for item in items:
            text = _text(item)
            if not text.startswith(ENCRYPTED_PREFIX) and regex.fullmatch(text) is None:
                what = "a value" if pii else repr(text)
                return f"{name}: {what} does not match {regex.pattern}"
        return None

    return test


def _unencrypted_test(name: str) -> Test:
    def test(value: JsonValue, row: RowView, now: datetime) -> str | None:
        return None if is_encrypted(value) else f"{name} holds personal data in clear"

    return test


def _no_retention_test(name: str, table: str) -> Test:
    detail = f"{name} holds personal data but no retention period is set for {table}"

    def test(value: JsonValue, row: RowView, now: datetime) -> str | None:
        return detail

    return test


def _retention_test(name: str, days: int) -> Test:
    period = timedelta(days=days)

    def test(value: JsonValue, row: RowView, now: datetime) -> str | None:
        if row.ingested_at is None or now - row.ingested_at <= period:
            return None
        return f"{name}: personal data kept past its retention of {days} days"

    return test


def _undeclared_test(name: str, pii: PiiScanner) -> Test:
    detail = f"{name} holds personal data but the schema does not mark it pii"
    found, holds = pii.found, pii.holds

    def test(value: JsonValue, row: RowView, now: datetime) -> str | None:
        if isinstance(value, str):
            clean = value.startswith(ENCRYPTED_PREFIX) or not found(value)
        else:
            clean = is_encrypted(value) or not holds(value)
        return None if clean else detail

    return test


def _text(value: JsonValue) -> str:
    return value if isinstance(value, str) else json.dumps(value)
