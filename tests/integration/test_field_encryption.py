"""Field encryption on the real graph: rotate, rewrap every row, retire the old key version.

Each test has its own secret store (so its own key versions) and its own table. The
shared database may hold other tests' tokens; rewrapping and usage counts are scoped to
the test's table, and the tests of the unscoped paths (`rotate_field_key`, the CLI) start
from a high key version nobody else reaches.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import JsonValue
from typer.testing import CliRunner

from cli.secrets import secrets_app
from governance.audit import AuditLog
from governance.encrypted_rows import (
    GraphKeyUsage,
    decrypt_row_values,
    encrypt_rows,
    retire_key_version,
    rewrap_all,
    rotate_field_key,
)
from governance.encryption import FieldCipher, open_field_cipher, token_key_version
from governance.errors import KeyVersionInUseError
from governance.secrets import open_secret_store
from graph.graph import Graph
from graph.schemas import TableSchema
from graph.settings import Settings, load_settings
from ingest.identity import canonical_json

pytestmark = pytest.mark.integration

PII = ("email", "phones")


def secret_settings(settings: Settings, folder: Path) -> Settings:
    return load_settings(
        "dev",
        neo4j_uri=settings.neo4j_uri,
        neo4j_password=settings.neo4j_password,
        redis_url=settings.redis_url,
        secrets_dir=folder,
        master_key_file=folder / "master.key",
    )


@pytest.fixture
def cipher_settings(settings: Settings, tmp_path: Path) -> Settings:
    return secret_settings(settings, tmp_path / "secrets")


@pytest.fixture
def cipher(cipher_settings: Settings) -> FieldCipher:
    return open_field_cipher(cipher_settings, open_secret_store(cipher_settings))


@pytest.fixture
async def people(graph: Graph, unique: str) -> AsyncIterator[TableSchema]:
    table = TableSchema.model_validate(
        {
            "name": f"enc_{unique}",
            "description": "People, for field encryption tests",
            "owner": "tests",
            "entity_key": ["id"],
            "fields": {
                "id": {"type": "string", "required": True},
                "email": {"type": "string", "pii": True},
                "phones": {"type": "list", "items": "string", "pii": True},
                "city": {"type": "string"},
            },
        }
    )
    yield table
    await graph.write("testing/field_rows_delete", {"table": table.name})


def person(n: int) -> dict[str, JsonValue]:
    return {
        "id": f"p{n:03}",
        "email": f"{n}@example.org",
        "phones": [f"+1 555 {n:04}"],
        "city": "Leeds",
    }


async def store_rows(
    graph: Graph, table: TableSchema, cipher: FieldCipher, plain: list[dict[str, JsonValue]]
) -> None:
    """Encrypted as ingestion would, in batches of 10 rows sharing a data key."""
    rows = []
    for start in range(0, len(plain), 10):
        for values in encrypt_rows(table, plain[start : start + 10], cipher):
            row_id = f"row:{table.name}:{values.values['id']}"
            rows.append(
                {"id": row_id, "table": table.name, "values": canonical_json(values.values)}
            )
    await graph.write("testing/field_rows_create", {"rows": rows})


async def stored_values(graph: Graph, table: TableSchema) -> dict[str, dict[str, JsonValue]]:
    records = await graph.read("testing/field_rows_read", {"table": table.name})
    return {record["id"]: json.loads(record["values"]) for record in records}


def start_at_a_high_version(cipher: FieldCipher) -> int:
    """Rotate to a version no other test's key ring reaches, and retire the ones before."""
    keyring = cipher.keyring
    for _ in range(random.randint(60, 90)):  # noqa: S311 - not cryptographic
        keyring.rotate()
    for version in keyring.versions()[:-1]:
        keyring.retire(version)
    return keyring.primary()


async def test_rotation_rewraps_every_row_and_then_the_old_version_retires(
    graph: Graph, cipher: FieldCipher, cipher_settings: Settings, people: TableSchema
) -> None:
    plain = [person(n) for n in range(25)]
    await store_rows(graph, people, cipher, plain)
    before = await stored_values(graph, people)
    usage = GraphKeyUsage(graph, tables=[people.name])
    assert await usage.references(1) == 25

    assert cipher.keyring.rotate() == 2
    with pytest.raises(KeyVersionInUseError) as refused:
        await retire_key_version(cipher.keyring, 1, usage)
    assert refused.value.references == 25
    assert cipher.keyring.versions() == [1, 2]

    seen: list[int] = []
    report = await rewrap_all(
        graph,
        cipher,
        lambda progress: seen.append(progress.rows_read),
        batch_size=7,
        tables=[people.name],
    )
    assert (report.primary, report.total, report.rows_rewrapped) == (2, 25, 25)
    assert (report.tokens, report.skipped, report.failed) == (50, 0, 0)
    assert seen == [7, 14, 21, 25]

    after = await stored_values(graph, people)
    fresh = open_field_cipher(cipher_settings, open_secret_store(cipher_settings))
    for row_id, values in after.items():
        for name in PII:
            token, old = values[name], before[row_id][name]
            assert isinstance(token, str)
            assert isinstance(old, str)
            assert token_key_version(token) == 2
            assert token.split(":")[4:] == old.split(":")[4:]  # ciphertext untouched
        assert values["city"] == "Leeds"
    decrypted = sorted(
        (decrypt_row_values(people.name, values, fresh) for values in after.values()),
        key=lambda values: str(values["id"]),
    )
    assert decrypted == plain

    assert await usage.references(1) == 0
    assert await usage.references(2) == 25
    await retire_key_version(cipher.keyring, 1, usage)
    assert cipher.keyring.versions() == [2]
    again = await rewrap_all(graph, cipher, tables=[people.name])
    assert (again.total, again.rows_read) == (0, 0)


async def test_a_row_that_cannot_be_rewrapped_is_reported_and_keeps_its_version_alive(
    graph: Graph, cipher: FieldCipher, settings: Settings, people: TableSchema, tmp_path: Path
) -> None:
    await store_rows(graph, people, cipher, [person(n) for n in range(3)])
    foreign_settings = secret_settings(settings, tmp_path / "foreign")
    foreign = open_field_cipher(foreign_settings, open_secret_store(foreign_settings))
    await store_rows(graph, people, foreign, [person(99)])  # another key ring's version 1
    cipher.keyring.rotate()

    report = await rewrap_all(graph, cipher, tables=[people.name])
    assert (report.rows_read, report.rows_rewrapped, report.failed) == (4, 3, 1)
    assert report.failed_ids == [f"row:{people.name}:p099"]
    with pytest.raises(KeyVersionInUseError) as refused:
        await retire_key_version(cipher.keyring, 1, GraphKeyUsage(graph, tables=[people.name]))
    assert refused.value.references == 1


async def test_rotate_field_key_rewraps_retires_and_audits_each_step(
    graph: Graph, cipher: FieldCipher, people: TableSchema, unique: str
) -> None:
    start = start_at_a_high_version(cipher)
    await store_rows(graph, people, cipher, [person(n) for n in range(12)])
    audit = AuditLog(graph, chain=f"test-{unique}")

    report = await rotate_field_key(graph, cipher, audit, actor="user:tester", batch_size=5)

    assert (report.previous, report.primary) == (start, start + 1)
    assert report.rewrap.rows_rewrapped == 12
    assert (report.retired, report.still_used) == ([start], {})
    assert cipher.keyring.versions() == [start + 1]
    values = await stored_values(graph, people)
    assert {token_key_version(str(row["email"])) for row in values.values()} == {start + 1}
    events = await audit.events()
    assert [(e.actor, e.action, e.target) for e in events] == [
        ("user:tester", "fields.key.rotate", f"field-key@{start + 1}"),
        ("user:tester", "fields.rewrap", f"field-key@{start + 1}"),
        ("user:tester", "fields.key.retire", f"field-key@{start}"),
    ]


async def test_the_cli_shows_status_without_values_and_rotates(
    graph: Graph, cipher: FieldCipher, cipher_settings: Settings, people: TableSchema
) -> None:
    start = start_at_a_high_version(cipher)
    await store_rows(graph, people, cipher, [person(n) for n in range(3)])
    env = {
        "GRACE_PROFILE": "dev",
        "NEO4J_URI": cipher_settings.neo4j_uri,
        "NEO4J_PASSWORD": cipher_settings.neo4j_password.get_secret_value(),
        "REDIS_URL": cipher_settings.redis_url,
        "GRACE_SECRETS_DIR": str(cipher_settings.secrets_dir),
        "GRACE_MASTER_KEY_FILE": str(cipher_settings.master_key_file),
        "GRACE_MASTER_KEY": None,
        "COLUMNS": "200",
    }
    runner = CliRunner()

    status = await asyncio.to_thread(runner.invoke, secrets_app, ["status", "--usage"], env=env)
    assert status.exit_code == 0, status.output
    assert "backend: local" in status.output
    assert f"version {start} (primary): " in status.output
    master_key = cipher_settings.master_key_file
    assert master_key is not None
    assert (await asyncio.to_thread(master_key.read_text)).strip() not in status.output

    rotated = await asyncio.to_thread(
        runner.invoke, secrets_app, ["rotate-field-key", "--batch-size", "2"], env=env
    )
    assert rotated.exit_code == 0, rotated.output
    assert f"field key rotated: version {start} -> {start + 1}" in rotated.output
    assert f"retired versions: {start}" in rotated.output
    assert "rewrapped 6 values in 3 rows" in rotated.output
    values = await stored_values(graph, people)
    assert {token_key_version(str(row["phones"])) for row in values.values()} == {start + 1}
