"""Checks on the free-text and id arguments of mutations: bounded, and free of NUL."""

from __future__ import annotations

from graph.errors import GraceError

MAX_ID_CHARS = 512
"""Ids Grace makes are far shorter; a longer one names nothing."""
MAX_NOTE_CHARS = 2_000
"""Notes on decisions and reasons for quarantine."""


class InvalidArgumentError(GraceError):
    """An argument a mutation cannot take: too long, blank where it is required, or with NUL."""

    code = "invalid_argument"

    def __init__(self, argument: str, problem: str) -> None:
        self.argument = argument
        self.problem = problem
        super().__init__(f"argument {argument!r} {problem}")


def checked_id(argument: str, value: str) -> str:
    """`value` if it can be an id at all."""
    if len(value) > MAX_ID_CHARS:
        raise InvalidArgumentError(argument, f"is longer than {MAX_ID_CHARS} characters")
    return value


def checked_text(argument: str, value: str, limit: int, *, required: bool = False) -> str:
    """`value` if it is at most `limit` characters, has no NUL and (if required) is not blank."""
    if len(value) > limit:
        raise InvalidArgumentError(argument, f"is longer than {limit} characters")
    if "\x00" in value:
        raise InvalidArgumentError(argument, "contains a NUL character")
    if required and not value.strip():
        raise InvalidArgumentError(argument, "is blank")
    return value
