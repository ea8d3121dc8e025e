"""Field-level envelope encryption of JSON values, and keyed hashes to compare them.

A value is encrypted with AES-256-GCM under a fresh data key (one per value, or one per
`encrypt_many` batch), with its context (`"table/field"`) as associated data, so a token
moved to another field does not decrypt. The data key travels wrapped under a KEK version
of the `KeyRing`. A token describes itself:

    enc:v1:<kek version>:<b64 wrapped data key>:<b64 nonce>:<b64 ciphertext>

`rewrap` moves a token to the primary KEK version without touching its ciphertext.
`keyed_hash` is an HMAC-SHA256 of the value's canonical JSON under a key from the secret
store, so equal values can be found without decrypting them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import JsonValue, SecretStr

from governance.errors import FieldDecryptionError, FieldEncryptionError
from governance.keys import DataKey, KeyRing, open_keyring
from governance.secret_store import SecretStore
from graph.settings import Settings

TOKEN_PREFIX = "enc:v1:"  # noqa: S105 - a format marker, not a secret
HASH_PREFIX = "kh:v1:"
HASH_KEY_SECRET = "fields/hmac"  # noqa: S105 - a secret name, not a secret
_TOKEN_PARTS = 6
_NONCE_BYTES = 12


class FieldCipher:
    """Encrypts, decrypts, rewraps and hashes field values; see the module docstring."""

    def __init__(self, keyring: KeyRing, hash_key: SecretStr, *, cache_size: int = 1024) -> None:
        self.keyring = keyring
        self._hash_key = base64.b64decode(hash_key.get_secret_value())
        self._cache: OrderedDict[tuple[int, bytes], bytes] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FieldCipher(keyring={self.keyring!r})"

    def encrypt(self, value: JsonValue, *, context: str) -> str:
        """A token for `value` under a fresh data key."""
        [token] = self.encrypt_many([(value, context)])
        return token

    def encrypt_many(self, items: Sequence[tuple[JsonValue, str]]) -> list[str]:
        """Tokens for (value, context) pairs sharing one fresh data key (one KeyRing call)."""
        if not items:
            return []
        data_key = self.keyring.generate()
        aead = AESGCM(data_key.plaintext)
        return [self._seal(data_key, aead, value, context) for value, context in items]

    def decrypt(self, token: str, *, context: str) -> JsonValue:
        """The value of a token made for `context`; `FieldDecryptionError` if altered."""
        version, wrapped, nonce, sealed = _parse(token, context)
        try:
            plain = AESGCM(self._data_key(version, wrapped)).decrypt(
                nonce, sealed, _associated(context)
            )
        except FieldDecryptionError as error:
            raise FieldDecryptionError(context, error.reason) from None
        except InvalidTag:
            reason = "the ciphertext was altered, or the token belongs to another field"
            raise FieldDecryptionError(context, reason) from None
        value: JsonValue = json.loads(plain)
        return value

    @staticmethod
    def is_encrypted(value: object) -> bool:
        """True for a string shaped like a token."""
        return (
            isinstance(value, str)
            and value.startswith(TOKEN_PREFIX)
            and value.count(":") == _TOKEN_PARTS - 1
        )

    def rewrap(self, token: str) -> str:
        """The token with its data key wrapped under the primary version (same ciphertext)."""
        [rewrapped] = self.rewrap_many([token])
        return rewrapped

    def rewrap_many(self, tokens: Sequence[str]) -> list[str]:
        """`rewrap` for many tokens; tokens sharing a data key cost one KeyRing call."""
        parsed = [_parse(token, "rewrap") for token in tokens]
        moved: dict[tuple[int, bytes], tuple[int, bytes]] = {}
        for version, wrapped, _, _ in parsed:
            if (version, wrapped) not in moved:
                moved[version, wrapped] = self.keyring.rewrap(version, wrapped)
        return [
            _format(*moved[version, wrapped], nonce, sealed)
            for version, wrapped, nonce, sealed in parsed
        ]

    def keyed_hash(self, value: JsonValue, *, context: str) -> str:
        """`kh:v1:<hex>`: equal for equal values of the same context, useless without the key."""
        message = context.encode("utf-8") + b"\x1f" + _canonical(value, context)
        return HASH_PREFIX + hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()

    def _seal(self, data_key: DataKey, aead: AESGCM, value: JsonValue, context: str) -> str:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = aead.encrypt(nonce, _canonical(value, context), _associated(context))
        return _format(data_key.version, data_key.wrapped, nonce, sealed)

    def _data_key(self, version: int, wrapped: bytes) -> bytes:
        """Unwrapped data keys are kept in a small LRU: a batch shares one."""
        with self._lock:
            cached = self._cache.get((version, wrapped))
            if cached is not None:
                self._cache.move_to_end((version, wrapped))
                return cached
        plaintext = self.keyring.unwrap(version, wrapped)
        with self._lock:
            self._cache[(version, wrapped)] = plaintext
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return plaintext


def token_key_version(token: str) -> int:
    """The KEK version a token's data key is wrapped under."""
    return _parse(token, "token")[0]


def open_field_cipher(settings: Settings, store: SecretStore) -> FieldCipher:
    """The configured key ring and the hash key (`fields/hmac`, created on first use)."""
    hash_key = store.get_or_create(
        HASH_KEY_SECRET, lambda: base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    )
    return FieldCipher(open_keyring(settings, store), hash_key)


def _canonical(value: JsonValue, context: str) -> bytes:
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        reason = "not a JSON value (NaN, infinity or another type)"
        raise FieldEncryptionError(context, reason) from None
    return text.encode("utf-8")


def _associated(context: str) -> bytes:
    return b"grace-field/1\x1f" + context.encode("utf-8")


def _format(version: int, wrapped: bytes, nonce: bytes, sealed: bytes) -> str:
    parts = (_b64(wrapped), _b64(nonce), _b64(sealed))
    return f"{TOKEN_PREFIX}{version}:" + ":".join(parts)


def _parse(token: str, context: str) -> tuple[int, bytes, bytes, bytes]:
    if not FieldCipher.is_encrypted(token):
        raise FieldDecryptionError(context, "not an encrypted value (expected enc:v1:...)")
    _, _, version, wrapped, nonce, sealed = token.split(":")
    try:
        parsed = int(version), _unb64(wrapped), _unb64(nonce), _unb64(sealed)
    except (ValueError, binascii.Error):
        raise FieldDecryptionError(context, "malformed token") from None
    if len(parsed[2]) != _NONCE_BYTES:
        raise FieldDecryptionError(context, "malformed token")
    return parsed


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
