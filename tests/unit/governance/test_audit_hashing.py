from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from governance.audit import (
    EVENT_PROPERTIES,
    GENESIS_HASH,
    HASH_VERSION,
    PAGE_COLUMNS,
    AuditEntry,
    AuditRecord,
    CheckedEvent,
    StoredEvent,
    canonical_json,
    chain_records,
    digest,
    event_hash,
    timestamp_text,
)

AT = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
ENTRIES = [
    AuditEntry("user:ann", "row.quarantine", "row:1", {"status": "active"}, {"status": "q"}),
    AuditEntry("system:trust", "policy.activate", "policy:trust@2"),
    AuditEntry("key:k1", "access.grant", "user:bob", None, {"role": "editor"}),
]


def test_canonical_json_sorts_keys_and_drops_whitespace() -> None:
    assert canonical_json({"b": [1, 2], "a": {"d": None, "c": "é"}}) == (
        '{"a":{"c":"é","d":null},"b":[1,2]}'.encode()
    )


def test_digest_of_none_is_the_digest_of_null() -> None:
    assert digest(None) == hashlib.sha256(b"null").hexdigest()


def test_digest_ignores_key_order() -> None:
    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1})
    assert digest({"a": 1}) != digest({"a": 2})


def test_first_event_chains_to_64_zeros_and_each_to_its_predecessor() -> None:
    records = chain_records("main", ENTRIES, 0, GENESIS_HASH, AT)
    assert [record.seq for record in records] == [1, 2, 3]
    assert records[0].prev_hash == "0" * 64
    assert records[1].prev_hash == records[0].hash
    assert records[2].prev_hash == records[1].hash
    assert all(record.computed_hash() == record.hash for record in records)


def test_appending_continues_from_the_head() -> None:
    first = chain_records("main", ENTRIES[:1], 0, GENESIS_HASH, AT)
    rest = chain_records("main", ENTRIES[1:], first[-1].seq, first[-1].hash, AT)
    assert [record.seq for record in rest] == [2, 3]
    assert rest[0].prev_hash == first[0].hash


def test_event_hash_covers_every_field_but_hash() -> None:
    [record] = chain_records("main", ENTRIES[:1], 0, GENESIS_HASH, AT)
    fields = record.hashed_fields()
    assert set(fields) == set(record.model_dump()) - {"hash"}
    expected = hashlib.sha256(
        json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert record.hash == expected == event_hash(fields)
    for name, value in [
        ("actor", "user:eve"),
        ("seq", 7),
        ("chain", "other"),
        ("prev_hash", "1" * 64),
        ("after_digest", digest("x")),
    ]:
        assert record.model_copy(update={name: value}).computed_hash() != record.hash


def test_states_are_stored_only_as_digests() -> None:
    [record] = chain_records("main", ENTRIES[:1], 0, GENESIS_HASH, AT)
    assert record.before_digest == digest({"status": "active"})
    assert record.after_digest == digest({"status": "q"})
    assert "active" not in record.model_dump_json()


def test_timestamps_hash_in_utc_with_microseconds() -> None:
    plus_two = AT.astimezone(timezone(timedelta(hours=2)))
    assert timestamp_text(plus_two) == timestamp_text(AT) == "2026-03-01T12:30:15.123456+00:00"
    assert timestamp_text(AT.replace(microsecond=0)).endswith(".000000+00:00")


def test_an_exported_document_lets_anyone_recompute_the_hash() -> None:
    for record in chain_records("main", ENTRIES, 0, GENESIS_HASH, AT):
        document = json.loads(canonical_json(record.document()))
        stored = document.pop("hash")
        assert hashlib.sha256(canonical_json(document)).hexdigest() == stored == record.hash


def test_new_events_carry_hash_version_2_and_hash_it() -> None:
    [record] = chain_records("main", ENTRIES[:1], 0, GENESIS_HASH, AT)
    assert record.hash_version == HASH_VERSION == 2
    assert record.properties()["hash_version"] == 2
    assert record.hashed_fields()["hash_version"] == 2
    assert record.model_copy(update={"hash_version": None}).computed_hash() != record.hash


def test_a_legacy_event_hashes_by_the_old_rule_and_stores_no_version() -> None:
    [record] = chain_records("main", ENTRIES[:1], 0, GENESIS_HASH, AT)
    old = record.model_copy(update={"hash_version": None})
    assert old.legacy
    assert not record.legacy
    assert "hash_version" not in old.properties()
    old_rule = dict(record.hashed_fields())
    del old_rule["hash_version"]
    assert old.computed_hash() == event_hash(old_rule)


def test_an_event_has_no_property_but_its_own() -> None:
    [record] = chain_records("main", ENTRIES[:1], 0, GENESIS_HASH, AT)
    with pytest.raises(ValidationError):
        AuditRecord.model_validate({**record.properties(), "note": "x"})
    with pytest.raises(ValidationError):
        AuditRecord.model_validate({**record.properties(), "hash_version": 3})


def page_row(record: AuditRecord, unexpected: list[str] | None) -> list[object]:
    """`record` as one event list of `audit/events_page`."""
    values = {**record.properties(), "at_seconds": int(AT.timestamp()), "at_micros": 123456}
    return [*(values.get(name) for name in PAGE_COLUMNS), unexpected, []]


def test_a_page_row_parses_back_to_the_record() -> None:
    [record] = chain_records("main", ENTRIES[:1], 0, GENESIS_HASH, AT)
    assert set(EVENT_PROPERTIES) == set(record.properties())
    no_other: list[list[str] | None] = [[], None]  # the statement gives null for none
    for unexpected in no_other:
        stored = StoredEvent.parse("main", page_row(record, unexpected))
        assert stored.record == record
        assert stored.problem == ""


def test_a_page_row_with_unexpected_properties_is_no_event() -> None:
    [record] = chain_records("main", ENTRIES[:1], 0, GENESIS_HASH, AT)
    stored = StoredEvent.parse("main", page_row(record, ["zeta", "alpha"]))
    assert stored.record is None
    assert stored.problem == "unexpected properties: alpha, zeta"
    missing = page_row(record, [])
    missing[PAGE_COLUMNS.index("actor")] = None
    assert StoredEvent.parse("main", missing).problem.startswith("actor:")


ODD_TEXTS = [
    'quote " and \\ backslash',
    "tab\tnew\nline \x01 control",
    "é ü 漢字 emoji 🙂",
    "</script>",
]


def _slow(row: list[object], chain: str = "main") -> CheckedEvent:
    """What the full parse makes of a page row of `chain`."""
    stored = StoredEvent.parse(chain, row)
    record = stored.record
    if record is None:
        return CheckedEvent(stored.seq, stored.linked_from, "", "", "", False, stored.problem)
    hashes = (record.hash, record.prev_hash, record.computed_hash())
    return CheckedEvent(stored.seq, stored.linked_from, *hashes, record.legacy)


@pytest.mark.parametrize("legacy", [False, True])
def test_checking_a_page_row_gives_the_hash_the_record_computes(legacy: bool) -> None:
    entries = [AuditEntry(text, text, text, {"v": text}) for text in ODD_TEXTS]
    records = chain_records(ODD_TEXTS[2], entries, 41, "ab" * 32, AT)
    for record in records:
        if legacy:
            record = record.model_copy(update={"hash_version": None})
        row = page_row(record, [])
        checked = CheckedEvent.of_row(record.chain, row)
        assert checked == _slow(row, record.chain)
        assert checked.computed == record.computed_hash()
        assert checked.legacy is legacy
        # the chain is hashed though the row does not hold it: under another name the
        # event's properties do not give its hash
        assert CheckedEvent.of_row("main", row).computed != record.hash


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", None),
        ("actor", 7),
        ("seq", 1.0),
        ("seq", True),
        ("hash_version", 3),
        ("hash_version", True),
        ("at_micros", 1_000_000),
        ("at_seconds", None),
        ("hash", b"00"),
    ],
)
def test_a_page_row_of_wrong_types_is_checked_as_the_full_parse_does(
    column: str, value: object
) -> None:
    [record] = chain_records("main", ENTRIES[:1], 0, GENESIS_HASH, AT)
    row = page_row(record, [])
    row[PAGE_COLUMNS.index(column)] = value
    checked = CheckedEvent.of_row("main", row)
    assert checked == _slow(row)
    assert checked.computed == ""
    assert checked.problem


def test_a_page_row_with_unexpected_properties_is_checked_as_no_event() -> None:
    [record] = chain_records("main", ENTRIES[:1], 0, GENESIS_HASH, AT)
    checked = CheckedEvent.of_row("main", page_row(record, ["note"]))
    assert (checked.computed, checked.problem) == ("", "unexpected properties: note")
