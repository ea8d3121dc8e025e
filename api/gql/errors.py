"""How errors leave the API: every error Grace raises on purpose carries its `code` in the
GraphQL error's `extensions`, so clients branch on codes, never on messages.

In prod errors are masked: an error whose code is in `USER_ERROR_CODES` (the caller's own
doing: credentials, rights, bad input, a state the caller can act on) keeps its message and
code; every other one becomes `internal error` with code `internal`, so no Cypher, driver
message, path or stack trace reaches a client. Errors of the request itself (syntax,
validation, limits) are kept: they only describe the document the caller sent.

In the log (`log_errors`) a refusal (an error meant for the caller, or about the request) is
one line naming the operation and the code; only an internal error keeps its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import StreamExecutionResult
from strawberry.utils.logging import StrawberryLogger

from graph.errors import GraceError

log = logging.getLogger("grace.api")

INVALID_REQUEST = "invalid_request"
"""How the log names an error of the request itself (syntax, validation), which has no code."""

INTERNAL = "internal"
INTERNAL_MESSAGE = "internal error"

USER_ERROR_CODES = frozenset(
    {
        # who the caller is and what they may do
        "unauthenticated",
        "invalid_credentials",
        "key_not_usable",
        "access_denied",
        "insufficient_role",
        # what the caller sent
        "invalid_argument",
        "subscriptions_only",
        "invalid_id",
        "invalid_account_field",
        "invalid_cursor",
        "page_size",
        "unknown_table",
        "unknown_choice",
        "not_scored",
        "file_missing",
        "too_many_files",
        "file_too_large",
        "too_many_rows",
        "unsupported_format",
        "malformed_file",
        "unsafe_archive",
        "policy_refused",
        "ingestion_rejected",
        # the state of what the caller acts on
        "not_found",
        "already_exists",
        "last_admin",
        "conflict_state",
        "policy_version_not_found",
        "policy_not_active",
        "change_request_not_found",
        "change_request_not_open",
        "change_request_expired",
        "change_request_target_not_found",
        "self_approval",
        "duplicate_approver",
        "edit_window_closed",
        "comment_deleted",
        "invalid_assignee",
    }
)
"""Codes whose errors are meant for the caller; add a new user-facing code here."""


def error_code(error: GraphQLError) -> str | None:
    """The code of the Grace error behind `error`, `internal` for a crash, None for a
    GraphQL error of the request itself (syntax, validation)."""
    original = error.original_error
    if original is None:
        return None
    if isinstance(original, GraceError):
        return original.code
    return INTERNAL


def is_refusal(error: GraphQLError) -> bool:
    """Whether `error` refuses the caller's request (their doing) rather than reports a crash."""
    code = error_code(error)
    return code is None or code in USER_ERROR_CODES


def log_errors(errors: Sequence[GraphQLError], operation: str | None) -> None:
    """One line per refusal, `refused <operation>: <code> at <path>: <message>`; an internal
    error with its traceback."""
    for error in errors:
        if not is_refusal(error):
            StrawberryLogger.error(error)
            continue
        where = ".".join(str(part) for part in error.path or ()) or "-"
        message = " ".join(error.message.split())
        code = error_code(error) or INVALID_REQUEST
        log.info(
            "refused %s: %s at %s: %s", operation or "an unnamed operation", code, where, message
        )


def masked(error: GraphQLError) -> GraphQLError:
    """`error` as a client may see it in prod: unchanged when meant for users (or about the
    request itself), else an `internal error` that keeps only where it happened."""
    if is_refusal(error):
        return error
    return GraphQLError(
        INTERNAL_MESSAGE,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": INTERNAL},
    )


class ErrorCodes(SchemaExtension):
    """Adds `extensions.code` to every error raised by a resolver; with `mask`, hides every
    error not meant for users (see `masked`)."""

    def __init__(self, mask: bool = False) -> None:
        self.mask = mask

    def on_operation(self) -> Iterator[None]:
        yield
        self._process(self.execution_context.result)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        """The same for every event of a subscription."""
        self._process(result)
        yield

    def _process(self, result: object) -> None:
        errors: list[GraphQLError] | None = getattr(result, "errors", None)
        if not errors:
            return
        for error in errors:
            code = error_code(error)
            if code is not None:
                error.extensions = {**(error.extensions or {}), "code": code}
        if self.mask:
            result.errors = [masked(error) for error in errors]  # type: ignore[attr-defined]
