"""Field encryption with the local key ring: tokens, tampering, keyed hashes, rotation."""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import pytest
from pydantic import JsonValue

from governance.encrypted_rows import (
    decrypt_row_values,
    encrypt_row_values,
    encrypt_rows,
    retire_key_version,
)
from governance.encryption import FieldCipher, open_field_cipher, token_key_version
from governance.errors import (
    FieldDecryptionError,
    FieldEncryptionError,
    KeyVersionError,
    KeyVersionInUseError,
)
from governance.keys import LocalKeyRing
from governance.local_secrets import LocalSecretStore
from graph.schemas import TableSchema
from graph.settings import Settings, load_settings

CONTEXT = "people/email"
SECRET = "ada.lovelace@example.org"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings("dev", secrets_dir=tmp_path, master_key_file=tmp_path / "master.key")


@pytest.fixture
def store(tmp_path: Path) -> LocalSecretStore:
    return LocalSecretStore(tmp_path, os.urandom(32))


@pytest.fixture
def cipher(settings: Settings, store: LocalSecretStore) -> FieldCipher:
    return open_field_cipher(settings, store)


def reopened(settings: Settings, store: LocalSecretStore) -> FieldCipher:
    """A cipher as another process would open it (no cached keys)."""
    return open_field_cipher(settings, store)


class TokenUsage:
    """Key usage over tokens held in memory (the graph's version is tested in integration)."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens

    async def references(self, version: int) -> int:
        return sum(token_key_version(token) == version for token in self.tokens)


def tamper(token: str, part: int) -> str:
    parts = token.split(":")
    text = parts[part]
    middle = len(text) // 2
    parts[part] = text[:middle] + ("A" if text[middle] != "A" else "B") + text[middle + 1 :]
    return ":".join(parts)


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -17,
        2**64 + 1,
        3.25,
        -1e-300,
        "",
        SECRET,
        "unicode: äöü 漢字 😀 \x00 \n",
        [],
        [1, "two", None, 3.5, [True]],
        {},
        {"nested": {"list": [1, {"deep": "x"}], "null": None}, "b": False},
    ],
)
def test_every_json_value_round_trips(cipher: FieldCipher, value: JsonValue) -> None:
    token = cipher.encrypt(value, context=CONTEXT)
    assert cipher.is_encrypted(token)
    assert cipher.decrypt(token, context=CONTEXT) == value
    assert type(cipher.decrypt(token, context=CONTEXT)) is type(value)


def test_a_token_describes_itself_and_hides_the_value(cipher: FieldCipher) -> None:
    token = cipher.encrypt(SECRET, context=CONTEXT)
    prefix, version, kek, wrapped, nonce, sealed = token.split(":")
    assert (prefix, version, kek) == ("enc", "v1", "1")
    assert all((wrapped, nonce, sealed))
    assert SECRET not in token
    assert token_key_version(token) == 1
    assert cipher.encrypt(SECRET, context=CONTEXT) != token  # fresh data key and nonce


@pytest.mark.parametrize("value", ["plain", "enc:v1:oops", "enc:v2:1:a:b:c", 42, None, ["enc:"]])
def test_is_encrypted_only_for_tokens(value: JsonValue) -> None:
    assert not FieldCipher.is_encrypted(value)


def test_a_batch_shares_one_data_key_with_distinct_nonces(cipher: FieldCipher) -> None:
    tokens = cipher.encrypt_many([(SECRET, CONTEXT), (SECRET, CONTEXT), ("x", "people/phone")])
    assert len({token.split(":")[3] for token in tokens}) == 1
    assert len({token.split(":")[4] for token in tokens}) == 3
    assert cipher.decrypt(tokens[2], context="people/phone") == "x"
    assert cipher.encrypt_many([]) == []


# ------------------------------------------------------------------ refusals


def test_another_context_is_refused(cipher: FieldCipher) -> None:
    token = cipher.encrypt(SECRET, context=CONTEXT)
    with pytest.raises(FieldDecryptionError, match="another field") as refused:
        cipher.decrypt(token, context="people/phone")
    assert refused.value.context == "people/phone"


@pytest.mark.parametrize(("part", "why"), [(3, "data key"), (4, "altered"), (5, "altered")])
def test_tampered_tokens_are_refused(
    settings: Settings, store: LocalSecretStore, part: int, why: str
) -> None:
    cipher = reopened(settings, store)
    token = cipher.encrypt(SECRET, context=CONTEXT)
    with pytest.raises(FieldDecryptionError, match=why) as refused:
        reopened(settings, store).decrypt(tamper(token, part), context=CONTEXT)
    assert SECRET not in str(refused.value)


def test_a_token_claiming_another_key_version_is_refused(cipher: FieldCipher) -> None:
    token = cipher.encrypt(SECRET, context=CONTEXT)
    cipher.keyring.rotate()
    claimed = token.replace("enc:v1:1:", "enc:v1:2:", 1)
    with pytest.raises(FieldDecryptionError, match="altered"):
        cipher.decrypt(claimed, context=CONTEXT)
    with pytest.raises(KeyVersionError, match="unknown or retired"):
        cipher.decrypt(token.replace("enc:v1:1:", "enc:v1:9:", 1), context=CONTEXT)


@pytest.mark.parametrize(
    "token", ["not a token", "enc:v1:x:a:b:c", "enc:v1:1:!!:b:c", "enc:v1:1:AAAA:AAAA:AAAA"]
)
def test_malformed_tokens_are_refused(cipher: FieldCipher, token: str) -> None:
    with pytest.raises(FieldDecryptionError):
        cipher.decrypt(token, context=CONTEXT)


@pytest.mark.parametrize("value", [math.nan, math.inf, {"when": object()}])
def test_values_that_are_not_json_are_refused(cipher: FieldCipher, value: JsonValue) -> None:
    with pytest.raises(FieldEncryptionError, match="not a JSON value"):
        cipher.encrypt(value, context=CONTEXT)


# ------------------------------------------------------------------ keyed hashes


def test_keyed_hash_is_stable_canonical_and_key_dependent(
    settings: Settings, store: LocalSecretStore, tmp_path: Path
) -> None:
    cipher = reopened(settings, store)
    digest = cipher.keyed_hash({"a": 1, "b": [2, 3]}, context=CONTEXT)
    assert digest.startswith("kh:v1:")
    assert len(digest) == len("kh:v1:") + 64
    assert cipher.keyed_hash({"b": [2, 3], "a": 1}, context=CONTEXT) == digest
    assert reopened(settings, store).keyed_hash({"a": 1, "b": [2, 3]}, context=CONTEXT) == digest
    assert cipher.keyed_hash({"a": 1, "b": [3, 2]}, context=CONTEXT) != digest
    assert cipher.keyed_hash({"a": 1, "b": [2, 3]}, context="people/phone") != digest
    assert cipher.keyed_hash("1", context=CONTEXT) != cipher.keyed_hash(1, context=CONTEXT)
    other_store = LocalSecretStore(tmp_path / "other", os.urandom(32))
    other = open_field_cipher(settings, other_store)
    assert other.keyed_hash({"a": 1, "b": [2, 3]}, context=CONTEXT) != digest


def test_keyed_hash_survives_key_rotation(cipher: FieldCipher) -> None:
    before = cipher.keyed_hash(SECRET, context=CONTEXT)
    cipher.keyring.rotate()
    assert cipher.keyed_hash(SECRET, context=CONTEXT) == before


# ------------------------------------------------------------------ rotation, rewrap, retire


def test_rotate_then_rewrap_keeps_the_ciphertext_and_the_value(
    settings: Settings, store: LocalSecretStore, cipher: FieldCipher
) -> None:
    old = cipher.encrypt(SECRET, context=CONTEXT)
    assert cipher.keyring.rotate() == 2
    assert cipher.keyring.versions() == [1, 2]
    assert token_key_version(cipher.encrypt(SECRET, context=CONTEXT)) == 2
    new = cipher.rewrap(old)
    assert token_key_version(new) == 2
    assert new.split(":")[4:] == old.split(":")[4:]  # same nonce and ciphertext
    assert new.split(":")[3] != old.split(":")[3]  # the data key wrapped anew
    assert reopened(settings, store).decrypt(new, context=CONTEXT) == SECRET
    assert cipher.rewrap(new) == new


def test_rewrap_many_moves_a_shared_data_key_once(cipher: FieldCipher) -> None:
    tokens = cipher.encrypt_many([(n, CONTEXT) for n in range(5)])
    cipher.keyring.rotate()
    moved = cipher.rewrap_many(tokens)
    assert len({token.split(":")[3] for token in moved}) == 1
    assert [cipher.decrypt(token, context=CONTEXT) for token in moved] == list(range(5))


async def test_retire_is_refused_while_values_use_the_version(
    settings: Settings, store: LocalSecretStore, cipher: FieldCipher
) -> None:
    stored = [cipher.encrypt(n, context=CONTEXT) for n in range(3)]
    cipher.keyring.rotate()
    usage = TokenUsage(stored)
    with pytest.raises(KeyVersionInUseError, match="3 stored value") as refused:
        await retire_key_version(cipher.keyring, 1, usage)
    assert (refused.value.version, refused.value.references) == (1, 3)
    assert cipher.keyring.versions() == [1, 2]
    usage.tokens = cipher.rewrap_many(stored)
    await retire_key_version(cipher.keyring, 1, usage)
    assert cipher.keyring.versions() == [2]
    fresh = reopened(settings, store)
    assert [fresh.decrypt(token, context=CONTEXT) for token in usage.tokens] == [0, 1, 2]
    with pytest.raises(KeyVersionError, match="retired"):
        fresh.decrypt(stored[0], context=CONTEXT)


def test_the_primary_and_unknown_versions_cannot_be_retired(cipher: FieldCipher) -> None:
    keyring = cipher.keyring
    with pytest.raises(KeyVersionError, match="primary version: rotate first"):
        keyring.retire(1)
    keyring.rotate()
    keyring.retire(1)
    with pytest.raises(KeyVersionError, match="already retired"):
        keyring.retire(1)
    with pytest.raises(KeyVersionError, match="unknown"):
        keyring.retire(7)


def test_two_rotations_from_the_same_version_do_not_both_land(store: LocalSecretStore) -> None:
    first, second = LocalKeyRing(store), LocalKeyRing(store)
    first.versions()
    assert first.rotate() == 2
    assert second.rotate() == 3  # reads the current version, so it rotates past 2
    assert first.versions() == [1, 2, 3]


# ------------------------------------------------------------------ rows


TABLE = TableSchema.model_validate(
    {
        "name": "people",
        "description": "People",
        "owner": "hr",
        "entity_key": ["id"],
        "fields": {
            "id": {"type": "string", "required": True},
            "email": {"type": "string", "pii": True},
            "phones": {"type": "list", "items": "string", "pii": True},
            "city": {"type": "string"},
            "note": {"type": "text"},
        },
    }
)


def test_rows_encrypt_their_pii_fields_and_hash_them(cipher: FieldCipher) -> None:
    values: dict[str, JsonValue] = {
        "id": "p1",
        "email": SECRET,
        "phones": ["+44 20 7946 0000"],
        "city": "London",
        "note": "call after 5",
    }
    encrypted = encrypt_row_values(TABLE, values, cipher, also={"note"})
    assert {k for k, v in encrypted.values.items() if FieldCipher.is_encrypted(v)} == {
        "email",
        "phones",
        "note",
    }
    assert (encrypted.values["id"], encrypted.values["city"]) == ("p1", "London")
    assert set(encrypted.hashes) == {"email", "phones", "note"}
    assert encrypted.hashes["email"] == cipher.keyed_hash(SECRET, context="people/email")
    assert decrypt_row_values("people", encrypted.values, cipher) == values
    with pytest.raises(FieldDecryptionError):
        decrypt_row_values("staff", encrypted.values, cipher)


def test_nulls_and_tokens_are_left_as_they_are(cipher: FieldCipher) -> None:
    token = cipher.encrypt(SECRET, context="people/email")
    encrypted = encrypt_row_values(TABLE, {"id": "p2", "email": token, "phones": None}, cipher)
    assert encrypted.values == {"id": "p2", "email": token, "phones": None}
    assert encrypted.hashes == {}


def test_a_batch_of_rows_shares_one_data_key(cipher: FieldCipher) -> None:
    rows: list[dict[str, JsonValue]] = [{"id": f"p{n}", "email": f"{n}@x.org"} for n in range(4)]
    encrypted = encrypt_rows(TABLE, rows, cipher)
    assert len({row.values["email"].split(":")[3] for row in encrypted}) == 1  # type: ignore[union-attr]
    assert [decrypt_row_values("people", row.values, cipher) for row in encrypted] == rows


# ------------------------------------------------------------------ nothing leaks


def test_no_plaintext_in_logs_or_repr(
    cipher: FieldCipher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = cipher.encrypt(SECRET, context=CONTEXT)
    cipher.decrypt(token, context=CONTEXT)
    data_key = cipher.keyring.generate()
    texts = [repr(cipher), repr(cipher.keyring), repr(data_key), cipher.keyring.describe()]
    assert data_key.plaintext.hex() not in " ".join(texts)
    assert SECRET not in caplog.text + " ".join(texts)
