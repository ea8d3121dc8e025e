from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

from governance.audit import (
    GENESIS_HASH,
    AuditEntry,
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
