from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from governance.checkpoint import (
    Checkpoint,
    key_from_secret,
    new_key_text,
    public_key_hex,
    sign_checkpoint,
)
from governance.errors import CheckpointFileError, CheckpointKeyError

ROOT = "ab" * 32
AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_signed_checkpoint_verifies() -> None:
    key = Ed25519PrivateKey.generate()
    checkpoint = sign_checkpoint("main", 42, ROOT, key, AT)
    assert checkpoint.signature_valid()
    assert checkpoint.public_key == public_key_hex(key.public_key())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("chain", "other"),
        ("seq", 43),
        ("root", "cd" * 32),
        ("at", datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_changing_any_signed_field_breaks_the_signature(field: str, value: object) -> None:
    checkpoint = sign_checkpoint("main", 42, ROOT, Ed25519PrivateKey.generate(), AT)
    assert not checkpoint.model_copy(update={field: value}).signature_valid()


def test_another_key_or_garbage_does_not_verify() -> None:
    checkpoint = sign_checkpoint("main", 42, ROOT, Ed25519PrivateKey.generate(), AT)
    other = public_key_hex(Ed25519PrivateKey.generate().public_key())
    assert not checkpoint.model_copy(update={"public_key": other}).signature_valid()
    assert not checkpoint.model_copy(update={"signature": "zz"}).signature_valid()
    assert not checkpoint.model_copy(update={"public_key": "00"}).signature_valid()


def test_exported_file_round_trips(tmp_path: Path) -> None:
    checkpoint = sign_checkpoint("main", 42, ROOT, Ed25519PrivateKey.generate(), AT)
    path = tmp_path / "checkpoint.json"
    path.write_text(checkpoint.to_json(), encoding="utf-8")
    loaded = Checkpoint.from_file(path)
    assert loaded == checkpoint
    assert loaded.signature_valid()
    assert set(checkpoint.document()) == {"chain", "seq", "root", "at", "public_key", "signature"}


def test_a_file_that_is_not_a_checkpoint_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"chain": "main"}', encoding="utf-8")
    with pytest.raises(CheckpointFileError, match="seq"):
        Checkpoint.from_file(path)
    with pytest.raises(CheckpointFileError):
        Checkpoint.from_file(tmp_path / "missing.json")


def test_the_stored_key_text_round_trips_and_stays_secret() -> None:
    text = new_key_text()
    key = key_from_secret(SecretStr(text))
    assert key.private_bytes_raw().hex() == text
    with pytest.raises(CheckpointKeyError) as raised:
        key_from_secret(SecretStr("not-hex-secret-value"))
    assert "not-hex-secret-value" not in str(raised.value)
