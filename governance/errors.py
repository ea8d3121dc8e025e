"""Governance errors: access, accounts, keys, policies, approvals, audit, secrets.

Each carries its fields; only `api/` turns them into HTTP or GraphQL errors.
Add new classes at the end (several modules share this file).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from graph.errors import GraceError, NotAllowedError


class AccessDeniedError(NotAllowedError):
    """`Authorizer.require` refused: the principal may not do `action` on `resource`."""

    code = "access_denied"

    def __init__(self, actor: str, action: str, resource: str, reason: str) -> None:
        self.actor = actor
        self.action = action
        self.resource = resource
        self.reason = reason
        self.kind = "action"
        self.value = action
        GraceError.__init__(self, f"{actor} may not {action} on {resource}: {reason}")


class SecretStoreError(GraceError):
    """The secret store failed; the message never holds a secret value."""

    code = "secret_store"


class InvalidSecretNameError(SecretStoreError):
    """A secret name outside `segment(/segment)*` of `[a-z0-9][a-z0-9_.-]*`."""

    code = "invalid_secret_name"

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"invalid secret name {name!r}: use lowercase segments of [a-z0-9_.-] joined by '/'"
        )


class SecretVersionConflictError(SecretStoreError):
    """A check-and-set write expected another current version (0: the secret must not exist)."""

    code = "secret_version_conflict"

    def __init__(self, name: str, expected: int, current: int | None) -> None:
        self.name = name
        self.expected = expected
        self.current = current
        now = "unknown" if current is None else str(current)
        super().__init__(
            f"secret {name!r}: check-and-set expected version {expected}, current is {now}"
        )


class SecretStoreCorruptError(SecretStoreError):
    """A stored secret cannot be read back: a wrong master key, or the file was altered."""

    code = "secret_store_corrupt"

    def __init__(self, name: str, location: str, reason: str) -> None:
        self.name = name
        self.location = location
        self.reason = reason
        super().__init__(f"secret {name!r} at {location} cannot be read: {reason}")


class SecretBackendError(SecretStoreError):
    """The secret backend (Vault) refused or could not be reached."""

    code = "secret_backend"

    def __init__(self, backend: str, operation: str, reason: str) -> None:
        self.backend = backend
        self.operation = operation
        self.reason = reason
        super().__init__(f"{backend}: {operation} failed: {reason}")


class FieldDecryptionError(GraceError):
    """An encrypted field value is malformed, altered, or read under the wrong context."""

    code = "field_decryption"

    def __init__(self, context: str, reason: str) -> None:
        self.context = context
        self.reason = reason
        super().__init__(f"cannot decrypt a value of {context!r}: {reason}")


class KeyVersionError(GraceError):
    """A key-encryption-key version that is unknown, retired, or may not be retired."""

    code = "key_version"

    def __init__(self, version: int, reason: str) -> None:
        self.version = version
        self.reason = reason
        super().__init__(f"key version {version}: {reason}")


class KeyVersionInUseError(KeyVersionError):
    """Retiring a key version that stored values still reference; rewrap them first."""

    code = "key_version_in_use"

    def __init__(self, version: int, references: int) -> None:
        self.references = references
        super().__init__(
            version, f"{references} stored value(s) still use it; run a rewrap before retiring"
        )


class PolicyError(GraceError):
    """A policy cannot be stored, activated or evaluated."""

    code = "policy"


class PolicyVersionNotFoundError(PolicyError):
    """No stored `Policy` node has this name and version."""

    code = "policy_version_not_found"

    def __init__(self, name: str, version: int) -> None:
        self.name = name
        self.version = version
        super().__init__(f"no stored version {version} of policy {name!r}")


class PolicyNotActiveError(PolicyError):
    """Rules were evaluated against the graph that no active `Policy` version holds."""

    code = "policy_not_active"

    def __init__(self, names: list[str]) -> None:
        self.names = tuple(names)
        listing = ", ".join(self.names)
        super().__init__(
            f"policies {listing} differ from their active versions: run `grace policy sync` "
            "and approve the proposed versions, or evaluate the active set"
        )


class AccountError(GraceError):
    """A user, workspace, membership or API key cannot be created, found or changed."""

    code = "account"


class InvalidIdError(AccountError):
    """An id that is not a slug (lowercase letters, digits, '-' and '_'; at most 63)."""

    code = "invalid_id"

    def __init__(self, kind: str, value: str) -> None:
        self.kind = kind
        self.value = value
        super().__init__(
            f"invalid {kind} id {value!r}: use 1-63 lowercase letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )


class InvalidAccountFieldError(AccountError):
    """A field of a user, workspace or key that is empty or malformed."""

    code = "invalid_account_field"

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class AlreadyExistsError(AccountError):
    """A user or workspace with this id (or a user with this email) exists already."""

    code = "already_exists"

    def __init__(self, kind: str, field: str, value: str) -> None:
        self.kind = kind
        self.field = field
        self.value = value
        super().__init__(f"a {kind} with {field} {value!r} exists already")


class NotFoundError(AccountError):
    """No user, workspace, table, membership or API key with this id."""

    code = "not_found"

    def __init__(self, kind: str, value: str) -> None:
        self.kind = kind
        self.value = value
        super().__init__(f"no {kind} {value!r}")


class LastAdminError(AccountError):
    """Removing or demoting this member would leave the workspace without a full admin."""

    code = "last_admin"

    def __init__(self, workspace: str, user: str) -> None:
        self.workspace = workspace
        self.user = user
        super().__init__(
            f"{user} is the last admin of workspace {workspace}: make another member admin first"
        )


class KeyNotUsableError(AccountError):
    """An API key that is revoked or expired cannot be rotated; create a new one."""

    code = "key_not_usable"

    def __init__(self, key_id: str, state: str) -> None:
        self.key_id = key_id
        self.state = state
        super().__init__(f"API key {key_id} is {state}: create a new key instead")


class InvalidCredentialsError(GraceError):
    """An API key or bearer token was refused. Deliberately says nothing about why."""

    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("invalid or expired credentials")


class CheckpointFileError(GraceError):
    """An exported audit checkpoint file cannot be read or is not a checkpoint."""

    code = "checkpoint_file"

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"checkpoint file {path}: {reason}")


class CheckpointKeyError(GraceError):
    """The audit checkpoint signing key in the secret store is malformed (value not shown)."""

    code = "checkpoint_key"

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"secret {name!r}: {reason}")


class AuditChainTamperedError(GraceError):
    """The audit chain failed verification, so it will not be checkpointed."""

    code = "audit_chain_tampered"

    def __init__(self, chain: str, problems: int) -> None:
        self.chain = chain
        self.problems = problems
        super().__init__(
            f"audit chain {chain!r} has {problems} problem(s); run `grace audit verify`"
        )


class FieldEncryptionError(GraceError):
    """A value cannot be encrypted: it is not JSON (NaN, infinity, another type)."""

    code = "field_encryption"

    def __init__(self, context: str, reason: str) -> None:
        self.context = context
        self.reason = reason
        super().__init__(f"cannot encrypt a value of {context!r}: {reason}")


class ChangeRequestError(GraceError):
    """A change request cannot be opened, found, decided or applied."""

    code = "change_request"


class ChangeRequestNotFoundError(ChangeRequestError):
    """No `ChangeRequest` with this id."""

    code = "change_request_not_found"

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(f"no change request {request_id!r}")


class ChangeRequestNotOpenError(ChangeRequestError):
    """Only an open request can be approved or rejected."""

    code = "change_request_not_open"

    def __init__(self, request_id: str, status: str) -> None:
        self.request_id = request_id
        self.status = status
        super().__init__(
            f"change request {request_id!r} is {status}, not open: "
            "it can no longer be approved or rejected"
        )


class ChangeRequestExpiredError(ChangeRequestNotOpenError):
    """The request passed its expiry before this decision; it is now marked expired."""

    code = "change_request_expired"

    def __init__(self, request_id: str, expires_at: datetime) -> None:
        self.request_id = request_id
        self.status = "expired"
        self.expires_at = expires_at
        ChangeRequestError.__init__(
            self,
            f"change request {request_id!r} expired at {expires_at.isoformat()}: "
            "it is now marked expired; open a new request",
        )


class SelfApprovalError(AccessDeniedError):
    """The person who requested a change cannot approve it."""

    code = "self_approval"

    def __init__(self, request_id: str, user_id: str) -> None:
        self.request_id = request_id
        self.user_id = user_id
        super().__init__(
            f"user:{user_id}",
            "approve",
            f"change request {request_id}",
            "the requester cannot approve their own request",
        )


class InsufficientRoleError(AccessDeniedError):
    """The user's membership in the request's workspace does not reach the rule's role."""

    code = "insufficient_role"

    def __init__(self, request_id: str, user_id: str, action: str, reason: str) -> None:
        self.request_id = request_id
        self.user_id = user_id
        super().__init__(f"user:{user_id}", action, f"change request {request_id}", reason)


class DuplicateApproverError(ChangeRequestError):
    """A user approves a request they have approved already: approvers must be distinct."""

    code = "duplicate_approver"

    def __init__(self, request_id: str, user_id: str) -> None:
        self.request_id = request_id
        self.user_id = user_id
        super().__init__(
            f"user {user_id!r} has already approved change request {request_id!r}: "
            "each approval must come from a different person"
        )


class ChangeRequestTargetNotFoundError(ChangeRequestError):
    """A request names a target node that does not exist; nothing was opened."""

    code = "change_request_target_not_found"

    def __init__(self, target_id: str) -> None:
        self.target_id = target_id
        super().__init__(f"no node {target_id!r} for a change request to target")


class ApplyError(ChangeRequestError):
    """An approved change cannot be applied: no applier for its kind, or a bad payload."""

    code = "apply_failed"

    def __init__(self, kind: str, reason: str) -> None:
        self.kind = kind
        self.reason = reason
        super().__init__(f"cannot apply a {kind!r} change: {reason}")


class MalformedAuditEventError(GraceError):
    """A stored audit event's properties are not those of an event (it was tampered with)."""

    code = "malformed_audit_event"

    def __init__(self, chain: str, seq: int) -> None:
        self.chain = chain
        self.seq = seq
        super().__init__(
            f"audit event {seq} of chain {chain!r} is malformed; run `grace audit verify`"
        )


class CheckpointAnchorError(GraceError):
    """The latest audit checkpoint kept in the secret store cannot be read or written."""

    code = "checkpoint_anchor"

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"secret {name!r}: {reason}")


class AuditReaderError(GraceError):
    """A worker process reading and checking audit ranges failed (it could not reach
    Neo4j, a read failed, or the process died)."""

    code = "audit_reader_failed"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"an audit verification worker failed: {reason}")

    def __reduce__(self) -> tuple[type[AuditReaderError], tuple[str]]:
        """Raised in a worker process, re-raised in the one that asked: pickled by reason."""
        return (type(self), (self.reason,))
