"""Whole answers to the queries that read only what the process already holds.

A query whose every root field is in `HELD_FIELDS` (the trust dashboard, itself held per
table by `api.gql.dashboard_cache`) is answered the same way for every request of the same
caller, document and variables until something it read moves. Executing it again costs more
than everything else such a request does (about 200 fields resolved and completed), so its
result is held (`api.held_values`) under the caller's rights, the document and the variables:
- the caller is named by everything that decides what it may see (id, kind, memberships,
  scopes, expiry), so two callers share an answer only when they have the same rights, and a
  changed membership is a different caller;
- it is forgotten whole on every event that forgets a dashboard or a caller
  (`dashboard_cache.FOLLOWED`, `access.changed`), never older than the callers' max age
  (`Settings.auth_cache_seconds`), and nothing is held while those events are not heard;
- only a result without errors is held.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api.gql.dashboard_cache import FOLLOWED as DASHBOARD_FOLLOWED
from api.held_values import HeldValues, every_key
from api.limits import parsed
from governance.rbac import Principal
from graph.events import EventType

HELD_FIELDS = frozenset({"trustDashboard", "__typename"})
"""The root fields whose answers only depend on what the process holds (and the caller)."""
FOLLOWED = (*DASHBOARD_FOLLOWED, EventType.ACCESS_CHANGED)


class HeldAnswerError(Exception):
    """An answer with errors: returned to its caller, never held."""

    def __init__(self, result: ExecutionResult) -> None:
        super().__init__("an answer with errors is not held")
        self.result = result


class HeldAnswers:
    """The held answers of one API process (see the module docstring), aged by `clock`."""

    def __init__(self, max_age: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.held: HeldValues[ExecutionResult] = HeldValues(
            FOLLOWED, every_key, max_age, clock, name="held answers"
        )
        """What is held; follow the bus to hold anything."""

    async def answer(
        self,
        principal: Principal,
        request: GraphQLRequestData,
        execute: Callable[[], Awaitable[ExecutionResult]],
    ) -> ExecutionResult:
        """The answer to `request` (an operation of `held_operation`) for `principal`: the
        one held, else from `execute` (held when it has no errors)."""

        async def execute_held() -> ExecutionResult:
            result = await execute()
            if result.errors:
                raise HeldAnswerError(result)
            return result

        try:
            return await self.held.get_or_read(_answer_key(principal, request), execute_held)
        except HeldAnswerError as refused:
            return refused.result


def held_operation(request: GraphQLRequestData) -> OperationDefinitionNode | None:
    """The operation `request` runs when its answer may be held: a query whose root
    selections are all fields of `HELD_FIELDS` (no fragments), the only definition of a
    document that parses; else None (the request is executed as usual)."""
    if not isinstance(request.query, str):
        return None
    try:
        document = parsed(request.query)
    except GraphQLError:
        return None
    if len(document.definitions) != 1:
        return None
    [operation] = document.definitions
    if not isinstance(operation, OperationDefinitionNode):
        return None
    named = operation.name.value if operation.name else None
    if request.operation_name is not None and request.operation_name != named:
        return None
    held = operation.operation is OperationType.QUERY and all(
        isinstance(selection, FieldNode) and selection.name.value in HELD_FIELDS
        for selection in operation.selection_set.selections
    )
    return operation if held else None


def _answer_key(principal: Principal, request: GraphQLRequestData) -> str:
    """What the answer to `request` for `principal` is held under."""
    return json.dumps(
        [_rights(principal), request.query, request.operation_name, request.variables or {}],
        separators=(",", ":"),
        sort_keys=True,
        default=str,
    )


def _rights(principal: Principal) -> list[Any]:
    """Everything of `principal` that decides what it may see, as JSON values."""
    memberships = sorted(
        [
            name,
            member.workspace,
            member.role,
            sorted(member.tables) if member.tables is not None else None,
            member.pii,
        ]
        for name, member in principal.memberships.items()
    )
    scopes = sorted(principal.scopes) if principal.scopes is not None else None
    expires = principal.expires_at.isoformat() if principal.expires_at is not None else None
    return [principal.id, principal.kind, principal.user_id, memberships, scopes, expires]
