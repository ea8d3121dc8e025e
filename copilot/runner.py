"""Runs generated Cypher for one caller: guard, Neo4j's plan, a READ transaction with limits,
and the caller's view of the result (issue 17, item 3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from copilot.errors import CypherFailedError
from copilot.guard import Plan, check, check_plan
from copilot.visibility import View, Visible, filter_result
from graph.errors import QueryFailedError
from graph.graph import Graph


@dataclass(frozen=True)
class RunLimits:
    """How much one generated query may return and for how long it may run."""

    max_rows: int = 200
    timeout_seconds: float = 5.0


async def run_generated(
    graph: Graph,
    text: str,
    params: Mapping[str, Any],
    view: View,
    limits: RunLimits = RunLimits(),
) -> Visible:
    """The caller's view of what `text` returns, or `CypherRefusedError` (the guard, the
    plan, or scalars for a restricted caller) or `CypherFailedError` (Neo4j's error)."""
    checked = check(text)
    missing = sorted(checked.parameters - params.keys())
    if missing:
        raise CypherFailedError(f"parameters without a value: {', '.join(missing)}")
    used = {name: params[name] for name in checked.parameters}
    try:
        plan = await graph.plan_checked(checked.text, used)
        check_plan(Plan(plan.query_type, plan.operators))
        result = await graph.read_checked(
            checked.text,
            used,
            seconds=limits.timeout_seconds,
            max_rows=limits.max_rows,
        )
    except QueryFailedError as error:
        raise CypherFailedError(error.args[0] if error.args else str(error)) from error
    return filter_result(result, view)
