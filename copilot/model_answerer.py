"""Free questions answered by a model (issue 17, items 1-4): the grounded prompt, the
generated Cypher run through the guard for the caller, one repair round when it fails or is
refused, every call counted against the budgets, in the metrics and in an OpenTelemetry span."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from opentelemetry import trace

from copilot.answers import Answer, Mode, Usage, cannot_answer, summarise
from copilot.budget import TokenBudget
from copilot.curated import Matcher
from copilot.errors import CopilotError, CypherFailedError, CypherRefusedError, ProviderError
from copilot.grounding import GraphSchema, cypher_in, prompt, repair
from copilot.metrics import CopilotMetrics
from copilot.provider import Completion, Message, Provider
from copilot.runner import RunLimits, run_generated
from copilot.visibility import View
from graph.graph import Graph

tracer = trace.get_tracer("grace.copilot")
EXAMPLES = 3


@dataclass(frozen=True)
class Progress:
    """A piece of a streamed answer: what the co-pilot is doing, or text of the model."""

    kind: str  # "status" or "model"
    text: str


class ModelAnswerer:
    """Asks the configured model for Cypher and runs it for the caller."""

    def __init__(
        self,
        graph: Graph,
        provider: Provider,
        matcher: Matcher,
        metrics: CopilotMetrics,
        budget: TokenBudget | None,
        limits: RunLimits,
    ) -> None:
        self.graph = graph
        self.provider = provider
        self.matcher = matcher
        self.metrics = metrics
        self.budget = budget
        self.limits = limits

    async def messages(self, question: str, view: View) -> list[Message]:
        """The grounded prompt for the caller's view."""
        schema = await GraphSchema.load(self.graph, view.readable)
        examples = self.matcher.nearest(question, EXAMPLES)
        return prompt(question, schema, examples, self.graph)

    async def answer(self, question: str, view: View, user: str) -> Answer:
        """The model's answer, or "I could not answer" with the reason."""
        messages = await self.messages(question, view)
        completion = await self.call(messages, user)
        return await self.finish(question, view, user, messages, completion)

    async def stream(
        self, question: str, view: View, user: str
    ) -> AsyncIterator[Progress | Answer]:
        """`answer`, the model's reply streamed as it comes."""
        messages = await self.messages(question, view)
        yield Progress("status", f"asking {self.provider.name}")
        if self.budget is not None:
            await self.budget.check(user)
        pieces: list[str] = []
        usage = Usage()
        with tracer.start_as_current_span("copilot.model_call") as span:
            span.set_attribute("copilot.model", self.provider.name)
            async for piece in self.provider.stream(messages):
                usage = usage + piece.usage
                if piece.text:
                    pieces.append(piece.text)
                    yield Progress("model", piece.text)
            span.set_attribute("copilot.tokens", usage.tokens)
        await self.spent("ok", usage, user)
        yield await self.finish(question, view, user, messages, Completion("".join(pieces), usage))

    async def finish(
        self,
        question: str,
        view: View,
        user: str,
        messages: Sequence[Message],
        completion: Completion,
    ) -> Answer:
        """Run the generated query, with one repair round when it fails or is refused."""
        usage = completion.usage
        cypher = cypher_in(completion.text)
        if cypher is None:
            return cannot_answer(question, Mode.MODEL, "the model found no query", usage=usage)
        try:
            return await self.run(question, cypher, view, usage)
        except (CypherFailedError, CypherRefusedError) as error:
            self.refused(error)
            repaired = await self.call(repair(messages, cypher, str(error)), user)
            usage = usage + repaired.usage
            second = cypher_in(repaired.text)
            if second is None:
                return cannot_answer(question, Mode.MODEL, str(error), cypher=cypher, usage=usage)
            try:
                return await self.run(question, second, view, usage)
            except (CypherFailedError, CypherRefusedError) as again:
                self.refused(again)
                return cannot_answer(question, Mode.MODEL, str(again), cypher=second, usage=usage)

    async def run(self, question: str, cypher: str, view: View, usage: Usage) -> Answer:
        """The answer from one generated query."""
        visible = await run_generated(self.graph, cypher, {"tables": sorted(view.readable)},
                                      view, self.limits)  # fmt: skip
        columns = list(visible.keys)
        note = (
            f" ({visible.dropped} result(s) outside your access left out)"
            if visible.dropped
            else ""
        )
        return Answer(
            question,
            True,
            summarise("Answer", columns, visible.rows) + note,
            Mode.MODEL,
            cypher=cypher,
            parameters={},
            columns=columns,
            rows=visible.rows,
            links=visible.links,
            redacted=visible.redacted,
            confidence=1.0 if visible.rows else 0.5,
            usage=usage,
        )

    async def call(self, messages: Sequence[Message], user: str) -> Completion:
        """One model call within the budgets, counted and traced."""
        if self.budget is not None:
            try:
                await self.budget.check(user)
            except CopilotError:
                self.metrics.refusals.labels("budget").inc()
                raise
        started = time.perf_counter()
        with tracer.start_as_current_span("copilot.model_call") as span:
            span.set_attribute("copilot.model", self.provider.name)
            try:
                completion = await self.provider.complete(messages)
            except ProviderError:
                self.metrics.model_call("failed", Usage())
                raise
            span.set_attribute("copilot.tokens", completion.usage.tokens)
            span.set_attribute("copilot.seconds", time.perf_counter() - started)
        await self.spent("ok", completion.usage, user)
        return completion

    async def spent(self, outcome: str, usage: Usage, user: str) -> None:
        """Record a finished call in the metrics and the budget."""
        self.metrics.model_call(outcome, usage)
        if self.budget is not None:
            await self.budget.spend(user, usage.tokens)

    def refused(self, error: CopilotError) -> None:
        """Count a refused or failed generated query by its reason."""
        reason = error.rule if isinstance(error, CypherRefusedError) else "query_failed"
        self.metrics.refusals.labels(reason).inc()
