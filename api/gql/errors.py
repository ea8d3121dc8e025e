"""How errors leave the API: every error Grace raises on purpose carries its `code` in the
GraphQL error's `extensions`, so clients branch on codes, never on messages."""

from __future__ import annotations

from collections.abc import Iterator

from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.errors import GraceError

INTERNAL = "internal"


def error_code(error: GraphQLError) -> str | None:
    """The code of the Grace error behind `error`, `internal` for a crash, None for a
    GraphQL error of the request itself (syntax, validation)."""
    original = error.original_error
    if original is None:
        return None
    if isinstance(original, GraceError):
        return original.code
    return INTERNAL


class ErrorCodes(SchemaExtension):
    """Adds `extensions.code` to every error raised by a resolver."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            code = error_code(error)
            if code is not None:
                error.extensions = {**(error.extensions or {}), "code": code}
