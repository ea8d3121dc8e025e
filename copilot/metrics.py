"""Prometheus counters of the co-pilot (issue 17, item 8), registered in the registry of the
process that serves it (the API's own: `api.metrics.ApiMetrics`)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from copilot.answers import Answer, Usage


class CopilotMetrics:
    """Questions, model calls, tokens, cost, latency and refusals by reason."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry or CollectorRegistry()
        self.questions = Counter(
            "grace_copilot_questions",
            "Questions asked, by mode (curated, model) and whether they were answered.",
            ["mode", "answered"],
            registry=registry,
        )
        self.model_calls = Counter(
            "grace_copilot_model_calls", "Calls to the model, by outcome.", ["outcome"],
            registry=registry,
        )  # fmt: skip
        self.tokens = Counter(
            "grace_copilot_tokens", "Model tokens, by kind (prompt, completion).", ["kind"],
            registry=registry,
        )  # fmt: skip
        self.cost = Counter("grace_copilot_cost", "Model cost in the configured unit.",
                            registry=registry)  # fmt: skip
        self.latency = Histogram(
            "grace_copilot_answer_seconds", "Time to answer a question, by mode.", ["mode"],
            registry=registry,
        )  # fmt: skip
        self.refusals = Counter(
            "grace_copilot_refusals",
            "Generated queries refused and budgets spent, by reason (the guard's rule).",
            ["reason"],
            registry=registry,
        )

    def answered(self, answer: Answer, seconds: float) -> None:
        """Count one answer."""
        self.questions.labels(str(answer.mode), str(answer.answered).lower()).inc()
        self.latency.labels(str(answer.mode)).observe(seconds)

    def model_call(self, outcome: str, usage: Usage) -> None:
        """Count one model call and what it used."""
        self.model_calls.labels(outcome).inc()
        self.tokens.labels("prompt").inc(usage.prompt_tokens)
        self.tokens.labels("completion").inc(usage.completion_tokens)
        self.cost.inc(usage.cost)
