"""What a caller sees of a row's values: personal fields decrypted, redacted or, when a token
is damaged, redacted and logged without the value."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from pydantic import JsonValue

from api.row_values import RowValues
from governance.encryption import FieldCipher, open_field_cipher
from governance.local_secrets import LocalSecretStore
from graph.settings import load_settings

EMAIL = "ada@acme.example"


@pytest.fixture
def cipher(tmp_path: Path) -> FieldCipher:
    settings = load_settings("dev", secrets_dir=tmp_path, master_key_file=tmp_path / "m.key")
    return open_field_cipher(settings, LocalSecretStore(tmp_path, os.urandom(32)))


def stored(cipher: FieldCipher) -> dict[str, JsonValue]:
    """A people row as ingestion stores it: `email` encrypted, `born` personal but plain (a
    file ingested before encryption), `note` encrypted by a policy, `name` plain."""
    return {
        "name": "Ada",
        "email": cipher.encrypt(EMAIL, context="people/email"),
        "born": "1980-02-03",
        "note": cipher.encrypt("private", context="people/note"),
    }


def view(cipher: FieldCipher, *, pii: bool) -> RowValues:
    readable = frozenset({"people"}) if pii else frozenset()
    return RowValues(cipher, {"people": frozenset({"email", "born"})}, readable)


def test_a_caller_without_read_pii_gets_personal_and_encrypted_fields_as_null(
    cipher: FieldCipher,
) -> None:
    shown = view(cipher, pii=False).visible("people", stored(cipher))
    assert shown.values == {"name": "Ada", "email": None, "born": None, "note": None}
    assert sorted(shown.redacted) == ["born", "email", "note"]


def test_a_caller_with_read_pii_gets_the_decrypted_values(cipher: FieldCipher) -> None:
    shown = view(cipher, pii=True).visible("people", stored(cipher))
    assert shown.values == {
        "name": "Ada",
        "email": EMAIL,
        "born": "1980-02-03",
        "note": "private",
    }
    assert shown.redacted == []


def test_a_table_without_personal_fields_is_shown_as_stored(cipher: FieldCipher) -> None:
    values: dict[str, JsonValue] = {"city_id": "lyon-fr", "population": 522250, "mayor": None}
    shown = view(cipher, pii=False).visible("cities", values)
    assert (shown.values, shown.redacted) == (values, [])


def test_a_damaged_token_is_redacted_and_logged_without_its_value(
    cipher: FieldCipher, caplog: pytest.LogCaptureFixture
) -> None:
    values = stored(cipher)
    moved = cipher.encrypt(EMAIL, context="people/name")  # a token of another field
    values["email"] = moved
    with caplog.at_level(logging.WARNING, logger="api.row_values"):
        shown = view(cipher, pii=True).visible("people", values, row="row-1")
    assert shown.values["email"] is None
    assert shown.redacted == ["email"]
    assert shown.values["note"] == "private"
    assert "people/email" in caplog.text
    assert "row-1" in caplog.text
    assert EMAIL not in caplog.text
    assert moved not in caplog.text


async def test_visible_many_keeps_the_order_of_the_rows(cipher: FieldCipher) -> None:
    rows: list[tuple[str, str, dict[str, JsonValue]]] = [
        ("people", "r1", stored(cipher)),
        ("cities", "r2", {"city_id": "graz-at"}),
        ("people", "r3", {"name": "Bo", "email": None}),
    ]
    shown = await view(cipher, pii=True).visible_many(rows)
    assert [s.values.get("email", "-") for s in shown] == [EMAIL, "-", None]
    hidden = await view(cipher, pii=False).visible_many(rows)
    assert [s.redacted for s in hidden] == [["email", "born", "note"], [], ["email"]]
