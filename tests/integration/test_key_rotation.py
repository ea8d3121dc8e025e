"""Key rotation by policy on the real graph and a real secret store of each test's own.

A key is due when the policy's maximum age is below its age: each test makes one kind due
with a tiny maximum age and the others not. The field-key tests start from a high KEK
version no other test reaches (the shared database holds other tests' tokens).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import JsonValue, SecretStr

from governance.accounts import Accounts
from governance.api_keys import TOKEN_KEY_NAME, BearerTokens, TokenKeys
from governance.audit import AuditEntry, AuditLog
from governance.audit_check import ProblemKind
from governance.audit_verify import checkpoint_with_store, verify
from governance.checkpoint import (
    KEY_NAME,
    new_key_text,
    read_trust,
    sign_checkpoint,
    store_checkpoint,
)
from governance.encrypted_rows import RewrapProgress, RewrapReport, decrypt_row_values
from governance.encryption import open_field_cipher, token_key_version
from governance.errors import InvalidCredentialsError
from governance.key_rotation import (
    KeyKind,
    KeyRotation,
    RotationServices,
    rotate_due_keys,
)
from governance.rbac import Principal
from governance.secret_store import SecretStore
from governance.secrets import open_secret_store
from graph.graph import Graph
from graph.schemas import TableSchema
from graph.settings import KeyRotationPolicy, Settings
from tests.integration.test_field_encryption import (
    people,  # noqa: F401 - the fixture of a table with personal fields
    person,
    secret_settings,
    start_at_a_high_version,
    store_rows,
    stored_values,
)

pytestmark = pytest.mark.integration

NOT_DUE = KeyRotationPolicy()
TINY = 1e-9
"""A maximum age (days) every key has passed."""


@dataclass
class Rig:
    settings: Settings
    store: SecretStore
    services: RotationServices
    audit: AuditLog

    async def run(
        self,
        policy: KeyRotationPolicy,
        *,
        later: timedelta = timedelta(),
        batch_size: int = 500,
        progress: RewrapProgress | None = None,
    ) -> dict[KeyKind, KeyRotation]:
        """One run of the job, `later` than now."""
        now = datetime.now(UTC) + later
        done = await rotate_due_keys(
            self.services, policy, now, batch_size=batch_size, progress=progress
        )
        return {rotation.kind: rotation for rotation in done}

    def versions(self, name: str) -> list[int]:
        return [v.version for v in self.store.versions(name) if not v.destroyed]

    async def actions(self) -> list[tuple[str, str]]:
        return [(event.action, event.target) for event in await self.audit.events()]

    async def chain_verifies(self) -> bool:
        report = await verify(self.audit, read_trust(self.store, self.audit.chain))
        return report.ok


@pytest.fixture
def rig(settings: Settings, graph: Graph, tmp_path: Path, unique: str) -> Rig:
    own = secret_settings(settings, tmp_path / "secrets")
    store = open_secret_store(own)
    cipher = open_field_cipher(own, store)
    audit = AuditLog(graph, chain=f"test-rotation-{unique}")
    return Rig(own, store, RotationServices(graph, store, cipher, audit), audit)


@pytest.fixture
async def user(graph: Graph, unique: str) -> AsyncIterator[str]:
    user_id = f"rot-{unique}"
    await Accounts(graph, AuditLog(graph, chain=f"test-{unique}")).create_user(
        user_id, name="Rot", email=f"{user_id}@x", by=Principal.system("tests")
    )
    yield user_id
    await graph.write("testing/accounts_delete", {"marker": user_id})


async def test_a_due_key_rotates_and_keys_not_due_do_not(rig: Rig) -> None:
    first = await rig.run(NOT_DUE)
    assert [r.rotated for r in first.values()] == [False, False, False]
    primaries = {kind: rotation.primary for kind, rotation in first.items()}

    done = await rig.run(KeyRotationPolicy(api_token_max_age_days=TINY))

    assert done[KeyKind.API_TOKEN] == KeyRotation(KeyKind.API_TOKEN, True, 2, [], [1])
    assert not done[KeyKind.FIELD].rotated
    assert not done[KeyKind.AUDIT].rotated
    assert done[KeyKind.FIELD].primary == primaries[KeyKind.FIELD]
    assert rig.versions(KEY_NAME) == [primaries[KeyKind.AUDIT]]
    assert await rig.actions() == [("auth.token_key.rotate", "token-key@2")]
    assert await rig.chain_verifies()


async def test_tokens_of_the_previous_key_verify_until_it_is_retired_and_not_after(
    rig: Rig, graph: Graph, user: str
) -> None:
    tokens = BearerTokens(graph, TokenKeys(rig.store, refresh_seconds=0))
    before = await tokens.issue_token(user, timedelta(hours=1))

    await rig.run(KeyRotationPolicy(api_token_max_age_days=TINY))
    after = await tokens.issue_token(user, timedelta(hours=1))
    assert after.split(".")[2] != before.split(".")[2]
    assert (await tokens.verify_token(before)).user_id == user  # in its grace period

    kept = await rig.run(NOT_DUE, later=timedelta(hours=23))
    assert kept[KeyKind.API_TOKEN].kept == [1]
    assert (await tokens.verify_token(before)).user_id == user

    retired = await rig.run(NOT_DUE, later=timedelta(hours=25))
    assert retired[KeyKind.API_TOKEN] == KeyRotation(KeyKind.API_TOKEN, False, 2, [1], [])
    assert rig.versions(TOKEN_KEY_NAME) == [2]
    with pytest.raises(InvalidCredentialsError):
        await tokens.verify_token(before)
    assert (await tokens.verify_token(after)).user_id == user
    assert (await rig.actions())[-1] == ("auth.token_key.retire", "token-key@1")


@dataclass
class People:
    """Rows with encrypted fields under a KEK version no other test reaches."""

    table: TableSchema
    start: int
    plain: list[dict[str, JsonValue]]


@pytest.fixture
async def stored(rig: Rig, graph: Graph, people: TableSchema) -> People:  # noqa: F811
    start = start_at_a_high_version(rig.services.cipher)
    plain = [person(n) for n in range(12)]
    await store_rows(graph, people, rig.services.cipher, plain)
    return People(people, start, plain)


async def read_back(
    rig: Rig, graph: Graph, table: TableSchema
) -> tuple[list[int], list[dict[str, JsonValue]]]:
    """The key versions of the rows' tokens, and the rows as a fresh cipher decrypts them."""
    fresh = open_field_cipher(rig.settings, open_secret_store(rig.settings))
    values = await stored_values(graph, table)
    versions = sorted(token_key_version(str(row["email"])) for row in values.values())
    decrypted = [decrypt_row_values(table.name, row, fresh) for row in values.values()]
    return versions, sorted(decrypted, key=lambda row: str(row["id"]))


async def test_a_due_field_key_rotates_rows_still_decrypt_and_the_old_key_retires(
    rig: Rig, graph: Graph, stored: People
) -> None:
    start = stored.start
    done = await rig.run(KeyRotationPolicy(field_max_age_days=TINY), batch_size=5)

    assert done[KeyKind.FIELD] == KeyRotation(KeyKind.FIELD, True, start + 1, [start], [])
    assert rig.services.cipher.keyring.versions() == [start + 1]
    assert await read_back(rig, graph, stored.table) == ([start + 1] * 12, stored.plain)
    assert await rig.actions() == [
        ("fields.key.rotate", f"field-key@{start + 1}"),
        ("fields.rewrap", f"field-key@{start + 1}"),
        ("fields.key.retire", f"field-key@{start}"),
    ]
    assert await rig.chain_verifies()


async def test_a_rotation_cut_short_in_rewrap_leaves_rows_readable_and_the_next_run_ends_it(
    rig: Rig, graph: Graph, stored: People
) -> None:
    start = stored.start

    def crash(report: RewrapReport) -> None:
        raise RuntimeError(f"worker lost after {report.rows_read} rows")

    with pytest.raises(RuntimeError, match="after 5 rows"):
        await rig.run(KeyRotationPolicy(field_max_age_days=TINY), batch_size=5, progress=crash)

    assert rig.services.cipher.keyring.versions() == [start, start + 1]
    halfway = [start] * 7 + [start + 1] * 5  # the first page was rewrapped
    assert await read_back(rig, graph, stored.table) == (halfway, stored.plain)

    done = await rig.run(NOT_DUE, batch_size=5)

    assert done[KeyKind.FIELD] == KeyRotation(KeyKind.FIELD, False, start + 1, [start], [])
    assert await read_back(rig, graph, stored.table) == ([start + 1] * 12, stored.plain)
    assert [action for action, _ in await rig.actions()] == [
        "fields.key.rotate",
        "fields.rewrap",
        "fields.key.retire",
    ]
    assert await rig.chain_verifies()


async def test_a_due_audit_key_rotates_checkpoints_are_re_signed_and_the_chain_verifies(
    rig: Rig,
) -> None:
    await rig.audit.append([AuditEntry("user:tester", "row.edit", f"row:{n}") for n in range(3)])
    old = await checkpoint_with_store(rig.audit, rig.store)
    await rig.audit.append([AuditEntry("user:tester", "row.edit", "row:3")])

    done = await rig.run(KeyRotationPolicy(audit_max_age_days=TINY))

    assert done[KeyKind.AUDIT] == KeyRotation(KeyKind.AUDIT, True, 2, [1], [])
    assert rig.versions(KEY_NAME) == [2]
    trust = read_trust(rig.store, rig.audit.chain)
    assert old.public_key not in trust.keys
    report = await verify(rig.audit, trust)
    assert report.ok
    assert report.checkpoint_seq == old.seq  # the re-signed checkpoint (and anchor) count
    assert [anchor.public_key for anchor in trust.anchors] == sorted(trust.keys)
    assert (await rig.actions())[-2:] == [
        ("audit.key.rotate", "checkpoint-key@2"),
        ("audit.key.retire", "checkpoint-key@1"),
    ]


async def test_an_audit_rotation_cut_short_is_finished_and_a_forged_checkpoint_stays_untrusted(
    rig: Rig, graph: Graph
) -> None:
    await rig.audit.append([AuditEntry("user:tester", "row.edit", "row:0")])
    old = await checkpoint_with_store(rig.audit, rig.store)
    await rig.audit.append([AuditEntry("user:tester", "row.edit", "row:1")])
    forger = Ed25519PrivateKey.generate()  # a key outside the store: whoever can write Neo4j
    seq = (await rig.audit.events())[-1].seq
    forged = sign_checkpoint(rig.audit.chain, seq, "00" * 32, forger)
    await store_checkpoint(graph, forged)
    # a run that stopped right after storing the new key: nothing re-signed yet
    rig.store.put(KEY_NAME, SecretStr(new_key_text()), cas=1)
    assert (await verify(rig.audit, read_trust(rig.store, rig.audit.chain))).checkpoint_seq == (
        old.seq
    )

    done = await rig.run(NOT_DUE)

    assert done[KeyKind.AUDIT] == KeyRotation(KeyKind.AUDIT, False, 2, [1], [])
    report = await verify(rig.audit, read_trust(rig.store, rig.audit.chain))
    assert report.checkpoint_seq == old.seq  # the genuine one, re-signed
    assert [problem.kind for problem in report.problems] == [ProblemKind.BAD_SIGNATURE]
