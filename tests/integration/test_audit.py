from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr
from typer.testing import CliRunner

from cli.audit import audit_app
from governance.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditLog,
    AuditRecord,
    canonical_json,
    chain_records,
    digest,
)
from governance.audit_check import ProblemKind
from governance.audit_processes import SegmentProcesses
from governance.audit_verify import (
    VerifyReport,
    checkpoint_chain,
    checkpoint_with_store,
    verify,
)
from governance.checkpoint import (
    Checkpoint,
    Trust,
    drop_anchor,
    latest_checkpoint,
    public_key_hex,
    read_trust,
    sign_checkpoint,
)
from governance.errors import (
    AuditChainTamperedError,
    AuditReaderError,
    MalformedAuditEventError,
)
from governance.local_secrets import LocalSecretStore
from graph.cypher_registry import CypherRegistry
from graph.graph import Graph
from graph.settings import Settings

pytestmark = pytest.mark.integration

AT = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


@pytest.fixture
async def audit(graph: Graph, unique: str) -> AsyncIterator[AuditLog]:
    """An audit log on a chain of its own, removed afterwards."""
    log = AuditLog(graph, chain=f"test-{unique}")
    yield log
    await graph.write("testing/audit_delete_chain", {"chain": log.chain})


NO_TRUST = Trust(frozenset())
"""No checkpoint key exists: no checkpoint is genuine."""


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def trust(key: Ed25519PrivateKey) -> Trust:
    """Trust checkpoints signed by `key`."""
    return Trust(frozenset({public_key_hex(key.public_key())}))


@pytest.fixture
def store(tmp_path: Path) -> LocalSecretStore:
    """A secret store of the test's own (real encrypted files)."""
    return LocalSecretStore(tmp_path / "secrets", bytes(range(32)))


def entry(number: int) -> AuditEntry:
    return AuditEntry(
        actor=f"user:u{number}",
        action="row.quarantine",
        target=f"row:r{number}",
        before={"status": "active", "n": number},
        after={"status": "quarantined", "n": number},
    )


async def append_events(log: AuditLog, count: int) -> list[AuditRecord]:
    """`count` events: one single append, then appends of two."""
    records = await log.append([entry(1)])
    while len(records) < count:
        size = min(2, count - len(records))
        start = len(records) + 1
        records += await log.append([entry(start + i) for i in range(size)])
    return records


def kinds(report: VerifyReport) -> set[tuple[ProblemKind, int]]:
    return {(problem.kind, problem.seq) for problem in report.problems}


async def rewrite_consistently(log: AuditLog, records: list[AuditRecord]) -> None:
    """Change the actor of event 2 and re-hash the whole chain after it, head included."""
    previous = GENESIS_HASH
    rewritten = []
    for record in records:
        changed = record.model_copy(update={"prev_hash": previous})
        if record.seq == 2:
            changed = changed.model_copy(update={"actor": "user:mallory"})
        changed = changed.model_copy(update={"hash": changed.computed_hash()})
        previous = changed.hash
        rewritten.append(changed.properties())
    await log.graph.write(
        "testing/audit_overwrite_events", {"chain": log.chain, "events": rewritten}
    )
    await log.graph.write(
        "testing/audit_set_head", {"chain": log.chain, "seq": records[-1].seq, "hash": previous}
    )


async def test_appended_events_read_back_in_order_and_verify(audit: AuditLog) -> None:
    appended = await append_events(audit, 5)
    events = await audit.events()
    assert events == appended
    assert [event.seq for event in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in pairwise(events))
    assert events[2].before_digest == digest({"status": "active", "n": 3})
    edges = await audit.graph.read("testing/audit_next_edges", {"chain": audit.chain})
    assert [(edge["from"], edge["to"]) for edge in edges] == [(1, 2), (2, 3), (3, 4), (4, 5)]
    head = await audit.head()
    assert (head.seq, head.hash) == (5, events[-1].hash)
    report = await verify(audit, NO_TRUST)
    assert report.ok, report.problems
    assert (report.events, report.last_seq) == (5, 5)


async def test_events_pages_after_a_seq_and_up_to_a_limit(audit: AuditLog) -> None:
    await append_events(audit, 7)
    assert [event.seq for event in await audit.events(after_seq=4)] == [5, 6, 7]
    assert [event.seq for event in await audit.events(after_seq=1, limit=2)] == [2, 3]
    assert await audit.events(limit=0) == []
    streamed = [event.seq async for event in audit.pages(page_size=3)]
    assert streamed == [1, 2, 3, 4, 5, 6, 7]


async def test_an_edited_event_is_named(audit: AuditLog) -> None:
    await append_events(audit, 5)
    await audit.graph.write(
        "testing/audit_edit_actor", {"chain": audit.chain, "seq": 3, "actor": "user:mallory"}
    )
    report = await verify(audit, NO_TRUST)
    assert kinds(report) == {(ProblemKind.EDITED, 3)}


async def test_an_edited_and_rehashed_event_is_named(audit: AuditLog) -> None:
    records = await append_events(audit, 5)
    changed = records[2].model_copy(update={"actor": "user:mallory"})
    changed = changed.model_copy(update={"hash": changed.computed_hash()})
    await audit.graph.write(
        "testing/audit_overwrite_events", {"chain": audit.chain, "events": [changed.properties()]}
    )
    report = await verify(audit, NO_TRUST)
    assert kinds(report) == {(ProblemKind.EDITED, 3)}


async def test_an_event_of_the_wrong_shape_is_named_edited(audit: AuditLog) -> None:
    await append_events(audit, 4)
    await audit.graph.write(
        "testing/audit_break_at", {"chain": audit.chain, "seq": 2, "text": "yesterday"}
    )
    report = await verify(audit, NO_TRUST)
    assert kinds(report) == {(ProblemKind.EDITED, 2)}
    with pytest.raises(MalformedAuditEventError):
        await audit.events()


async def test_a_deleted_middle_event_is_named_even_when_next_is_relinked(
    audit: AuditLog,
) -> None:
    await append_events(audit, 6)
    await audit.graph.write("testing/audit_delete_relink", {"chain": audit.chain, "seq": 3})
    report = await verify(audit, NO_TRUST)
    assert kinds(report) == {(ProblemKind.DELETED, 3)}


@pytest.mark.parametrize("deleted", [3, 4, 6])
async def test_a_deleted_event_at_a_range_edge_is_named_with_ranges_read_ahead(
    audit: AuditLog, deleted: int
) -> None:
    # Ranges of 3 events, several read at once: 3 and 6 end a range, 4 starts one.
    await append_events(audit, 7)
    await audit.graph.write("testing/audit_delete_relink", {"chain": audit.chain, "seq": deleted})
    report = await verify(audit, NO_TRUST, page_size=3)
    assert kinds(report) == {(ProblemKind.DELETED, deleted)}


async def test_a_range_with_more_events_than_its_span_is_read_whole(audit: AuditLog) -> None:
    # An event whose seq is stored as a float sits between two integer seqs: the range
    # holds span + 1 events, read in two pages; the float is named and nothing is skipped.
    await append_events(audit, 6)
    await audit.graph.write(
        "testing/audit_add_event", {"chain": audit.chain, "seq": 2.5, "hash": "x"}
    )
    seqs = [row[0] for rows in [r async for r in audit.range_pages(6, span=3)] for row in rows]
    assert seqs == [1, 2, 2.5, 3, 4, 5, 6]
    report = await verify(audit, NO_TRUST, page_size=3)
    assert report.events == 7
    assert ProblemKind.DELETED not in {kind for kind, _ in kinds(report)}
    assert ProblemKind.REORDERED in {kind for kind, _ in kinds(report)}


async def test_swapped_events_are_named_reordered(audit: AuditLog) -> None:
    await append_events(audit, 6)
    await audit.graph.write("testing/audit_swap_seq", {"chain": audit.chain, "seq": 3})
    report = await verify(audit, NO_TRUST)
    assert {kind for kind, _ in kinds(report)} == {ProblemKind.REORDERED}
    assert {3, 4} <= {seq for _, seq in kinds(report)}


async def test_a_deleted_tail_is_named_truncated(audit: AuditLog) -> None:
    await append_events(audit, 6)
    await audit.graph.write("testing/audit_delete_after", {"chain": audit.chain, "keep": 4})
    report = await verify(audit, NO_TRUST)
    assert kinds(report) == {(ProblemKind.TRUNCATED, 5)}


async def test_a_deleted_tail_with_a_moved_head_fails_against_the_stored_checkpoint(
    audit: AuditLog, key: Ed25519PrivateKey
) -> None:
    records = await append_events(audit, 6)
    checkpoint = await checkpoint_chain(audit, key, NO_TRUST)
    assert checkpoint.seq == 6
    assert (await verify(audit, trust(key))).ok
    await audit.graph.write("testing/audit_delete_after", {"chain": audit.chain, "keep": 4})
    await audit.graph.write(
        "testing/audit_set_head", {"chain": audit.chain, "seq": 4, "hash": records[3].hash}
    )
    report = await verify(audit, trust(key))
    assert kinds(report) == {(ProblemKind.TRUNCATED, 5)}


async def test_a_cut_chain_fails_against_the_anchor_when_checkpoints_are_deleted(
    audit: AuditLog, store: LocalSecretStore
) -> None:
    records = await append_events(audit, 6)
    checkpoint = await checkpoint_with_store(audit, store)
    assert read_trust(store, audit.chain).anchors == (checkpoint,)
    await audit.graph.write("testing/audit_delete_after", {"chain": audit.chain, "keep": 4})
    await audit.graph.write(
        "testing/audit_set_head", {"chain": audit.chain, "seq": 4, "hash": records[3].hash}
    )
    await audit.graph.write("testing/audit_delete_checkpoints", {"chain": audit.chain})
    assert await latest_checkpoint(audit.graph, audit.chain) is None
    report = await verify(audit, read_trust(store, audit.chain))
    assert kinds(report) == {(ProblemKind.TRUNCATED, 5)}


async def test_the_anchor_moves_forward_only(audit: AuditLog, store: LocalSecretStore) -> None:
    await append_events(audit, 3)
    first = await checkpoint_with_store(audit, store)
    await append_events(audit, 2)
    second = await checkpoint_with_store(audit, store)
    assert (first.seq, second.seq) == (3, 5)
    assert read_trust(store, audit.chain).anchors == (second,)
    assert (await verify(audit, read_trust(store, audit.chain))).ok


async def test_a_chain_started_again_needs_its_anchor_dropped(
    audit: AuditLog, store: LocalSecretStore
) -> None:
    await append_events(audit, 4)
    await checkpoint_with_store(audit, store)
    await audit.graph.write("testing/audit_delete_chain", {"chain": audit.chain})
    await append_events(audit, 2)
    with pytest.raises(AuditChainTamperedError):
        await checkpoint_with_store(audit, store)
    assert drop_anchor(store, audit.chain) is not None
    assert drop_anchor(store, audit.chain) is None
    assert (await checkpoint_with_store(audit, store)).seq == 2
    assert read_trust(store, audit.chain).anchors[0].seq == 2


async def test_cli_drop_anchor_needs_yes(audit: AuditLog, cli_env: dict[str, str]) -> None:
    await append_events(audit, 2)
    made = await asyncio.to_thread(
        CliRunner().invoke, audit_app, ["checkpoint", "--chain", audit.chain]
    )
    assert made.exit_code == 0, made.output
    args = ["drop-anchor", "--chain", audit.chain]
    refused = await asyncio.to_thread(CliRunner().invoke, audit_app, args)
    assert refused.exit_code == 2
    dropped = await asyncio.to_thread(CliRunner().invoke, audit_app, [*args, "--yes"])
    assert dropped.exit_code == 0, dropped.output
    assert "at seq 2 dropped" in dropped.output
    again = await asyncio.to_thread(CliRunner().invoke, audit_app, [*args, "--yes"])
    assert "has no anchor" in again.output


async def test_events_past_the_head_are_named(audit: AuditLog) -> None:
    records = await append_events(audit, 5)
    await audit.graph.write(
        "testing/audit_set_head", {"chain": audit.chain, "seq": 3, "hash": records[2].hash}
    )
    report = await verify(audit, NO_TRUST)
    assert kinds(report) == {(ProblemKind.REWRITTEN, 4)}


async def test_a_consistently_rehashed_chain_fails_against_the_stored_checkpoint(
    audit: AuditLog, key: Ed25519PrivateKey
) -> None:
    records = await append_events(audit, 7)
    checkpoint = await checkpoint_chain(audit, key, NO_TRUST)
    assert (await verify(audit, trust(key), [checkpoint])).ok
    await rewrite_consistently(audit, records)
    assert (await audit.events())[1].actor == "user:mallory"
    assert kinds(await verify(audit, trust(key))) == {(ProblemKind.REWRITTEN, 7)}
    report = await verify(audit, trust(key), [checkpoint])
    assert kinds(report) == {(ProblemKind.REWRITTEN, 7)}


async def test_a_checkpoint_covers_a_prefix_of_a_growing_chain(
    audit: AuditLog, key: Ed25519PrivateKey
) -> None:
    await append_events(audit, 4)
    await checkpoint_chain(audit, key, NO_TRUST)
    await append_events(audit, 3)
    report = await verify(audit, trust(key))
    assert report.ok, report.problems
    assert (report.checkpoints, report.checkpoint_seq) == (1, 4)
    await rewrite_consistently(audit, await audit.events())
    assert kinds(await verify(audit, trust(key))) == {(ProblemKind.REWRITTEN, 4)}


async def test_every_stored_checkpoint_is_checked(audit: AuditLog, key: Ed25519PrivateKey) -> None:
    await append_events(audit, 3)
    await checkpoint_chain(audit, key, NO_TRUST)
    await append_events(audit, 3)
    await checkpoint_chain(audit, key, NO_TRUST)
    report = await verify(audit, trust(key))
    assert report.ok, report.problems
    assert (report.checkpoints, report.checkpoint_seq) == (2, 6)
    await rewrite_consistently(audit, await audit.events())
    report = await verify(audit, trust(key))
    assert kinds(report) == {(ProblemKind.REWRITTEN, 3), (ProblemKind.REWRITTEN, 6)}


@pytest.mark.parametrize(
    ("changes", "problem_seq"),
    [
        ({"root": "ab" * 32}, 4),
        ({"seq": 2}, 2),
        ({"signature": "00" * 64}, 4),
        ({"at": "2020-01-01T00:00:00Z"}, 4),
        ({"note": "harmless"}, 4),
    ],
    ids=["root", "seq", "signature", "time-as-text", "extra-property"],
)
async def test_an_edited_stored_checkpoint_is_named(
    audit: AuditLog, key: Ed25519PrivateKey, changes: dict[str, object], problem_seq: int
) -> None:
    await append_events(audit, 4)
    await checkpoint_chain(audit, key, NO_TRUST)
    await audit.graph.write(
        "testing/audit_edit_checkpoint", {"chain": audit.chain, "seq": 4, "changes": changes}
    )
    report = await verify(audit, trust(key))
    assert kinds(report) == {(ProblemKind.BAD_SIGNATURE, problem_seq)}


async def test_a_stored_checkpoint_resigned_by_another_key_is_named(
    audit: AuditLog, key: Ed25519PrivateKey
) -> None:
    """Whoever writes Neo4j can rewrite the chain and sign its new root with a key of their
    own; only the trusted key's checkpoints count."""
    records = await append_events(audit, 5)
    genuine = await checkpoint_chain(audit, key, NO_TRUST)
    await rewrite_consistently(audit, records)
    root = (await verify(audit, NO_TRUST)).root
    assert root != genuine.root
    forged = sign_checkpoint(audit.chain, 5, root, Ed25519PrivateKey.generate(), genuine.at)
    changes = {"root": root, "public_key": forged.public_key, "signature": forged.signature}
    await audit.graph.write(
        "testing/audit_edit_checkpoint", {"chain": audit.chain, "seq": 5, "changes": changes}
    )
    report = await verify(audit, trust(key))
    assert kinds(report) == {(ProblemKind.BAD_SIGNATURE, 5)}
    assert "not Grace's checkpoint key" in report.problems[0].detail


async def test_a_checkpoint_without_any_trusted_key_is_not_genuine(
    audit: AuditLog, key: Ed25519PrivateKey
) -> None:
    await append_events(audit, 2)
    await checkpoint_chain(audit, key, NO_TRUST)
    assert kinds(await verify(audit, NO_TRUST)) == {(ProblemKind.BAD_SIGNATURE, 2)}


async def test_bad_signatures_are_named(audit: AuditLog, key: Ed25519PrivateKey) -> None:
    await append_events(audit, 3)
    checkpoint = await checkpoint_chain(audit, key, NO_TRUST)
    flipped = ("0" if checkpoint.signature[0] != "0" else "1") + checkpoint.signature[1:]
    forged = checkpoint.model_copy(update={"signature": flipped})
    assert kinds(await verify(audit, trust(key), [forged])) == {(ProblemKind.BAD_SIGNATURE, 3)}
    assert (await verify(audit, trust(key), [checkpoint])).ok
    impostor = await checkpoint_chain(audit, Ed25519PrivateKey.generate(), trust(key))
    assert impostor.public_key == checkpoint.public_key  # the first checkpoint at seq 3 stays
    other_key = Ed25519PrivateKey.generate()
    resigned = Checkpoint.model_validate(
        {
            **checkpoint.model_dump(),
            "public_key": public_key_hex(other_key.public_key()),
            "signature": other_key.sign(checkpoint.signed_bytes()).hex(),
        }
    )
    assert resigned.signature_valid()
    report = await verify(audit, trust(key), [resigned])
    assert kinds(report) == {(ProblemKind.BAD_SIGNATURE, 3)}


@pytest.mark.parametrize(
    "properties",
    [
        {"note": "added later"},
        {"at_seconds": 0},
        {"hash_version": 3},
        {"seq_backup": 3, "comment": "two at once"},
        {"hash_version": 2.0},
        {"seq": 3.0},
    ],
    ids=["note", "shadowing-name", "unknown-hash-version", "two", "float-version", "float-seq"],
)
async def test_an_event_with_an_unexpected_property_is_named_edited(
    audit: AuditLog, properties: dict[str, object]
) -> None:
    await append_events(audit, 5)
    await audit.graph.write(
        "testing/audit_add_properties",
        {"chain": audit.chain, "seq": 3, "properties": properties},
    )
    report = await verify(audit, NO_TRUST)
    assert kinds(report) == {(ProblemKind.EDITED, 3)}
    extra = sorted(set(properties) - {"hash_version", "seq"})
    assert all(name in report.problems[0].detail for name in extra)


@pytest.mark.parametrize("removed", ["id", "actor", "hash_version"])
async def test_an_event_with_a_property_swapped_for_another_is_named_edited(
    audit: AuditLog, removed: str
) -> None:
    # As many properties as an event has, but not its own: the page names unexpected
    # properties only when their number is off, so this one must fail on the missing one.
    records = await append_events(audit, 4)
    properties = {**records[2].properties(), "note": "swapped in"}
    del properties[removed]
    await audit.graph.write(
        "testing/audit_replace_events", {"chain": audit.chain, "events": [properties]}
    )
    report = await verify(audit, NO_TRUST)
    assert kinds(report) == {(ProblemKind.EDITED, 3)}


def legacy(records: list[AuditRecord]) -> list[AuditRecord]:
    """`records` as events written before hash version 2 (no `hash_version`), re-chained."""
    previous, rewritten = GENESIS_HASH, []
    for record in records:
        old = record.model_copy(update={"hash_version": None, "prev_hash": previous})
        old = old.model_copy(update={"hash": old.computed_hash()})
        previous = old.hash
        rewritten.append(old)
    return rewritten


async def write_events(log: AuditLog, records: list[AuditRecord]) -> None:
    """Store `records` exactly (every property replaced) and point the head at the last."""
    events = [record.properties() for record in records]
    await log.graph.write("testing/audit_replace_events", {"chain": log.chain, "events": events})
    await log.graph.write(
        "testing/audit_set_head",
        {"chain": log.chain, "seq": records[-1].seq, "hash": records[-1].hash},
    )


async def test_legacy_events_still_verify_and_are_counted(audit: AuditLog) -> None:
    old = legacy(chain_records(audit.chain, [entry(n) for n in range(3)], 0, GENESIS_HASH, AT))
    assert all("hash_version" not in record.properties() for record in old)
    await write_events(audit, old)
    appended = await audit.append([entry(4), entry(5)])
    assert [record.hash_version for record in appended] == [2, 2]
    assert appended[0].prev_hash == old[-1].hash
    report = await verify(audit, NO_TRUST)
    assert report.ok, report.problems
    assert (report.events, report.legacy_events) == (5, 3)
    await audit.graph.write(
        "testing/audit_add_properties",
        {"chain": audit.chain, "seq": 2, "properties": {"note": "x"}},
    )
    assert kinds(await verify(audit, NO_TRUST)) == {(ProblemKind.EDITED, 2)}


async def test_a_legacy_hash_after_version_2_events_is_named(audit: AuditLog) -> None:
    records = await append_events(audit, 4)
    [downgraded] = legacy([records[3]])
    downgraded = downgraded.model_copy(update={"prev_hash": records[2].hash})
    downgraded = downgraded.model_copy(update={"hash": downgraded.computed_hash()})
    await write_events(audit, [downgraded])
    report = await verify(audit, NO_TRUST)
    assert kinds(report) == {(ProblemKind.EDITED, 4)}
    assert "legacy" in report.problems[0].detail


async def test_checkpoints_are_stored_and_refused_for_a_tampered_chain(
    audit: AuditLog, key: Ed25519PrivateKey
) -> None:
    assert await latest_checkpoint(audit.graph, audit.chain) is None
    await append_events(audit, 3)
    first = await checkpoint_chain(audit, key, NO_TRUST)
    await append_events(audit, 2)
    second = await checkpoint_chain(audit, key, NO_TRUST)
    assert (first.seq, second.seq) == (3, 5)
    assert await latest_checkpoint(audit.graph, audit.chain) == second
    await audit.graph.write(
        "testing/audit_edit_actor", {"chain": audit.chain, "seq": 2, "actor": "user:mallory"}
    )
    with pytest.raises(AuditChainTamperedError):
        await checkpoint_chain(audit, key, NO_TRUST)


async def test_concurrent_appends_from_two_processes_make_one_gapless_chain(
    audit: AuditLog, settings: Settings, registry: CypherRegistry
) -> None:
    other_graph = await Graph.connect(settings, registry)
    try:
        logs = [audit, AuditLog(other_graph, audit.chain)]

        async def writer(number: int) -> int:
            log = logs[number % 2]
            written = 0
            for round_ in range(6):
                size = 1 + (number + round_) % 3
                await log.append([entry(number * 100 + round_) for _ in range(size)])
                written += size
            return written

        written = sum(await asyncio.gather(*(writer(number) for number in range(8))))
    finally:
        await other_graph.close()
    events = await audit.events()
    assert [event.seq for event in events] == list(range(1, written + 1))
    report = await verify(audit, NO_TRUST)
    assert report.ok, report.problems


async def test_empty_appends_write_nothing(audit: AuditLog) -> None:
    assert await audit.append([]) == []
    assert await audit.events() == []
    assert (await verify(audit, NO_TRUST)).ok


@pytest.fixture
def cli_env(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for the CLI: the test services and a private secret store."""
    monkeypatch.setenv("GRACE_SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.setenv("GRACE_MASTER_KEY_FILE", str(tmp_path / "secrets" / "master.key"))
    monkeypatch.setenv("NEO4J_URI", settings.neo4j_uri)
    monkeypatch.setenv("NEO4J_PASSWORD", settings.neo4j_password.get_secret_value())
    return {"profile": "dev"}


async def test_cli_export_writes_one_json_line_per_event(
    audit: AuditLog, cli_env: dict[str, str], tmp_path: Path
) -> None:
    records = await append_events(audit, 5)
    output = tmp_path / "audit.jsonl"
    args = ["export", "--chain", audit.chain, "--out", str(output), "--profile", "dev"]
    result = await asyncio.to_thread(CliRunner().invoke, audit_app, args)
    assert result.exit_code == 0, result.output
    lines = output.read_text(encoding="utf-8").splitlines()
    assert [AuditRecord.model_validate_json(line) for line in lines] == records
    previous = GENESIS_HASH
    for line in lines:  # an auditor recomputes every hash from the export alone
        event = json.loads(line)
        stored = event.pop("hash")
        assert event["prev_hash"] == previous
        assert hashlib.sha256(canonical_json(event)).hexdigest() == stored
        previous = stored
    args = ["export", "--chain", audit.chain, "--after-seq", "3", "--profile", "dev"]
    result = await asyncio.to_thread(CliRunner().invoke, audit_app, args)
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["seq"] for line in result.stdout.splitlines()] == [4, 5]


@pytest.mark.parametrize("workers", [["--workers", "0"], ["--workers", "2"], []])
async def test_cli_verify_exits_1_on_tampering(
    audit: AuditLog, cli_env: dict[str, str], workers: list[str]
) -> None:
    await append_events(audit, 4)
    args = ["verify", "--chain", audit.chain, "--profile", "dev", *workers]
    clean = await asyncio.to_thread(CliRunner().invoke, audit_app, args)
    assert clean.exit_code == 0, clean.output
    assert "OK" in clean.output
    await audit.graph.write(
        "testing/audit_edit_actor", {"chain": audit.chain, "seq": 2, "actor": "user:mallory"}
    )
    tampered = await asyncio.to_thread(CliRunner().invoke, audit_app, args)
    assert tampered.exit_code == 1
    assert "TAMPERED" in tampered.output
    assert "edited" in tampered.output


async def test_cli_checkpoint_then_verify_catches_a_rewrite(
    audit: AuditLog, cli_env: dict[str, str], tmp_path: Path
) -> None:
    records = await append_events(audit, 4)
    exported = tmp_path / "checkpoint.json"
    args = ["checkpoint", "--chain", audit.chain, "--out", str(exported), "--profile", "dev"]
    made = await asyncio.to_thread(CliRunner().invoke, audit_app, args)
    assert made.exit_code == 0, made.output
    checkpoint = Checkpoint.from_file(exported)
    assert (checkpoint.chain, checkpoint.seq) == (audit.chain, 4)
    plain_args = ["verify", "--chain", audit.chain]
    verify_args = [*plain_args, "--checkpoint", str(exported)]
    for args in (plain_args, verify_args):
        clean = await asyncio.to_thread(CliRunner().invoke, audit_app, args)
        assert clean.exit_code == 0, clean.output
        assert "checkpoint(s) up to seq 4" in clean.output
    await rewrite_consistently(audit, records)
    for args in (plain_args, verify_args):  # the stored checkpoint is checked by default
        rewritten = await asyncio.to_thread(CliRunner().invoke, audit_app, args)
        assert rewritten.exit_code == 1
        assert "rewritten" in rewritten.output


async def test_cli_verify_trusts_a_given_public_key_instead_of_the_store(
    audit: AuditLog, cli_env: dict[str, str], tmp_path: Path
) -> None:
    await append_events(audit, 3)
    exported = tmp_path / "checkpoint.json"
    args = ["checkpoint", "--chain", audit.chain, "--out", str(exported)]
    made = await asyncio.to_thread(CliRunner().invoke, audit_app, args)
    assert made.exit_code == 0, made.output
    genuine = Checkpoint.from_file(exported)
    for public_key, exit_code in [
        (genuine.public_key, 0),
        (public_key_hex(Ed25519PrivateKey.generate().public_key()), 1),
    ]:
        verify_args = ["verify", "--chain", audit.chain, "--public-key", public_key]
        result = await asyncio.to_thread(CliRunner().invoke, audit_app, verify_args)
        assert result.exit_code == exit_code, result.output


async def test_cli_verify_refuses_a_checkpoint_signed_by_another_key(
    audit: AuditLog, cli_env: dict[str, str], tmp_path: Path
) -> None:
    await append_events(audit, 3)
    exported = tmp_path / "checkpoint.json"
    args = ["checkpoint", "--chain", audit.chain, "--out", str(exported)]
    made = await asyncio.to_thread(CliRunner().invoke, audit_app, args)
    assert made.exit_code == 0, made.output
    genuine = Checkpoint.from_file(exported)
    other_key = Ed25519PrivateKey.generate()
    foreign = sign_checkpoint(genuine.chain, genuine.seq, genuine.root, other_key, genuine.at)
    assert foreign.signature_valid()
    forged = tmp_path / "forged.json"
    forged.write_text(foreign.to_json(), encoding="utf-8")
    verify_args = ["verify", "--chain", audit.chain, "--checkpoint", str(forged)]
    result = await asyncio.to_thread(CliRunner().invoke, audit_app, verify_args)
    assert result.exit_code == 1
    assert "bad_signature" in result.output


@pytest.fixture
def processes(settings: Settings) -> Iterator[SegmentProcesses]:
    """Two worker processes reading and checking ranges of 4 events."""
    pool = SegmentProcesses(settings, workers=2)
    yield pool
    pool.close()


WORKER_SPAN = 4
"""Ranges of 4 events: a chain of more than 8 goes to the two worker processes."""


async def test_worker_processes_verify_a_chain_as_this_process_does(
    audit: AuditLog, key: Ed25519PrivateKey, processes: SegmentProcesses
) -> None:
    await append_events(audit, 9)
    await checkpoint_chain(audit, key, NO_TRUST)
    await append_events(audit, 14)
    assert processes.worth(23, WORKER_SPAN)
    here = await verify(audit, trust(key), page_size=WORKER_SPAN)
    there = await verify(audit, trust(key), page_size=WORKER_SPAN, processes=processes)
    assert there.ok, there.problems
    assert (there.events, there.last_seq, there.checkpoint_seq) == (23, 23, 9)
    assert (there.root, there.last_hash) == (here.root, here.last_hash)


async def test_an_edited_event_in_a_range_a_worker_process_checks_is_named_with_its_seq(
    audit: AuditLog, processes: SegmentProcesses
) -> None:
    await append_events(audit, 20)
    await audit.graph.write(
        "testing/audit_edit_actor", {"chain": audit.chain, "seq": 14, "actor": "user:mallory"}
    )
    report = await verify(audit, NO_TRUST, page_size=WORKER_SPAN, processes=processes)
    assert kinds(report) == {(ProblemKind.EDITED, 14)}


@pytest.mark.parametrize("deleted", [8, 9, 10])
async def test_a_deleted_event_at_a_worker_range_edge_is_named(
    audit: AuditLog, processes: SegmentProcesses, deleted: int
) -> None:
    # 8 ends a range, 9 starts the next, 10 is inside it.
    await append_events(audit, 20)
    await audit.graph.write("testing/audit_delete_relink", {"chain": audit.chain, "seq": deleted})
    report = await verify(audit, NO_TRUST, page_size=WORKER_SPAN, processes=processes)
    assert kinds(report) == {(ProblemKind.DELETED, deleted)}


async def test_a_rewrite_is_found_against_a_checkpoint_inside_a_worker_range(
    audit: AuditLog, key: Ed25519PrivateKey, processes: SegmentProcesses
) -> None:
    # The checkpoint at 10 falls inside the range 9..12, whose tree was built apart.
    await append_events(audit, 10)
    await checkpoint_chain(audit, key, NO_TRUST)
    await append_events(audit, 10)
    await rewrite_consistently(audit, await audit.events())
    report = await verify(audit, trust(key), page_size=WORKER_SPAN, processes=processes)
    assert kinds(report) == {(ProblemKind.REWRITTEN, 10)}


async def test_legacy_events_after_version_2_events_of_an_earlier_worker_range_are_named(
    audit: AuditLog, processes: SegmentProcesses
) -> None:
    # Events 17..20, the last range, downgraded and re-chained: only the join knows that
    # version 2 events came before them.
    records = await append_events(audit, 20)
    previous, downgraded = records[15].hash, []
    for record in records[16:]:
        old = record.model_copy(update={"hash_version": None, "prev_hash": previous})
        old = old.model_copy(update={"hash": old.computed_hash()})
        previous = old.hash
        downgraded.append(old)
    await write_events(audit, downgraded)
    expected = {(ProblemKind.EDITED, seq) for seq in range(17, 21)}
    assert kinds(await verify(audit, NO_TRUST, page_size=WORKER_SPAN)) == expected
    report = await verify(audit, NO_TRUST, page_size=WORKER_SPAN, processes=processes)
    assert kinds(report) == expected


async def test_a_legacy_chain_verifies_in_worker_processes(
    audit: AuditLog, processes: SegmentProcesses
) -> None:
    old = legacy(chain_records(audit.chain, [entry(n) for n in range(20)], 0, GENESIS_HASH, AT))
    await write_events(audit, old)
    report = await verify(audit, NO_TRUST, page_size=WORKER_SPAN, processes=processes)
    assert report.ok, report.problems
    assert (report.events, report.legacy_events) == (20, 20)


async def test_a_worker_process_that_cannot_reach_neo4j_fails_verification_with_a_code(
    audit: AuditLog, settings: Settings
) -> None:
    await append_events(audit, 10)
    wrong = settings.model_copy(update={"neo4j_password": SecretStr("not-the-password")})
    processes = SegmentProcesses(wrong, workers=1)
    try:
        with pytest.raises(AuditReaderError) as raised:
            await verify(audit, NO_TRUST, page_size=WORKER_SPAN, processes=processes)
    finally:
        processes.close()
    assert raised.value.code == "audit_reader_failed"
    assert "graph_unavailable" in raised.value.reason
