"""The co-pilot's errors, each with its code (`graph.errors.GraceError`)."""

from __future__ import annotations

from graph.errors import GraceError


class CopilotError(GraceError):
    """The root of the co-pilot's errors."""

    code = "copilot"


class CypherRefusedError(CopilotError):
    """Generated Cypher that Grace will not run: `reason` says which rule it broke."""

    code = "cypher_refused"

    def __init__(self, rule: str, detail: str) -> None:
        self.rule = rule
        self.detail = detail
        super().__init__(f"refused Cypher ({rule}): {detail}")


class CypherFailedError(CopilotError):
    """Checked Cypher that Neo4j could not plan or run (the message goes to a repair round)."""

    code = "cypher_failed"

    def __init__(self, message: str) -> None:
        self.detail = message
        super().__init__(f"the query failed: {message}")


class ProviderError(CopilotError):
    """The model endpoint failed (after retries), timed out or answered nonsense."""

    code = "llm_provider"

    def __init__(self, endpoint: str, reason: str) -> None:
        self.endpoint = endpoint
        self.reason = reason
        super().__init__(f"the model at {endpoint} failed: {reason}")


class BudgetExhaustedError(CopilotError):
    """A per-user or global daily token budget is spent."""

    code = "llm_budget_exhausted"

    def __init__(self, scope: str, limit: int) -> None:
        self.scope = scope
        self.limit = limit
        super().__init__(
            f"the {scope} co-pilot budget of {limit} tokens for today is spent; "
            "it renews at midnight UTC (questions of the curated set still work)"
        )


class SchemaSuggestionInvalidError(CopilotError):
    """The model's table definition is not a valid schema for the file: nothing is proposed."""

    code = "schema_suggestion_invalid"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"the model's table definition is refused: {reason}")
