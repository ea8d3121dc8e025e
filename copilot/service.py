"""`Copilot`: the one owner of the co-pilot in a process (the API, `grace ask`, the MCP
server). A question is answered from the curated set when it matches one (no model), else by
the configured model, else "I could not answer"."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from functools import partial

from prometheus_client import CollectorRegistry
from pydantic import JsonValue
from redis.asyncio import Redis

from copilot.answers import Answer
from copilot.budget import TokenBudget
from copilot.curated import Matcher, load_curated
from copilot.curated_answerer import CuratedAnswerer
from copilot.metrics import CopilotMetrics
from copilot.model_answerer import ModelAnswerer, Progress
from copilot.provider import OpenAICompatibleProvider, Pricing, Provider
from copilot.runner import RunLimits, run_generated
from copilot.schema_suggestion import SchemaSuggestion, suggest_table
from copilot.visibility import View, Visible
from graph.graph import Graph
from graph.schemas import TableSchema
from graph.settings import Settings
from trust.embedding import Embedder, load_embedder


class Copilot:
    """Answers questions and runs read-only Cypher for one caller's view at a time."""

    def __init__(
        self,
        graph: Graph,
        embedder: Embedder,
        *,
        provider: Provider | None = None,
        budget: TokenBudget | None = None,
        metrics: CopilotMetrics | None = None,
        limits: RunLimits = RunLimits(),  # noqa: B008 - frozen, shared safely
    ) -> None:
        self.graph = graph
        self.metrics = metrics or CopilotMetrics()
        self.limits = limits
        self.matcher = Matcher(embedder, load_curated())
        self.curated = CuratedAnswerer(graph, self.matcher)
        self.provider = provider
        self.model = (
            ModelAnswerer(graph, provider, self.matcher, self.metrics, budget, limits)
            if provider is not None
            else None
        )

    async def close(self) -> None:
        """Close the model's HTTP client."""
        if self.provider is not None:
            await self.provider.aclose()

    @classmethod
    async def open(
        cls,
        settings: Settings,
        graph: Graph,
        redis: Redis | None = None,
        registry: CollectorRegistry | None = None,
    ) -> Copilot:
        """The co-pilot of `settings`: the embedder (loaded off the event loop), the model
        when `llm_url` is set, budgets in `redis` when given."""
        backend = "numpy" if settings.embedding_backend == "off" else settings.embedding_backend
        embedder = await asyncio.to_thread(load_embedder, backend)
        return cls(
            graph,
            embedder,
            provider=provider_of(settings),
            budget=TokenBudget(
                redis,
                per_user=settings.llm_user_daily_tokens,
                overall=settings.llm_global_daily_tokens,
            )
            if redis is not None
            else None,
            metrics=CopilotMetrics(registry),
            limits=RunLimits(settings.copilot_max_rows, settings.copilot_query_timeout_seconds),
        )

    async def ask(self, question: str, view: View, user: str) -> Answer:
        """The answer to `question` for the caller of `view`."""
        started = time.perf_counter()
        answer = await self.curated.answer(question, view)
        if not answer.answered and self.model is not None:
            answer = await self.model.answer(question, view, user)
        self.metrics.answered(answer, time.perf_counter() - started)
        return answer

    async def ask_stream(
        self, question: str, view: View, user: str
    ) -> AsyncIterator[Progress | Answer]:
        """`ask`, with what happens streamed before the answer."""
        started = time.perf_counter()
        yield Progress("status", "matching the curated questions")
        answer = await self.curated.answer(question, view)
        if not answer.answered and self.model is not None:
            async for event in self.model.stream(question, view, user):
                if isinstance(event, Answer):
                    answer = event
                else:
                    yield event
        self.metrics.answered(answer, time.perf_counter() - started)
        yield answer

    async def suggest_table(
        self, inferred: TableSchema, rows: Sequence[Mapping[str, JsonValue]], user: str
    ) -> SchemaSuggestion:
        """A definition for a file's `rows`: `inferred` (Grace's own inference), refined by
        the model when one is configured (within `user`'s budget)."""
        model = self.model
        call = None if model is None else partial(model.call, user=user)
        return await suggest_table(inferred, rows, call)

    async def run_cypher(
        self, cypher: str, view: View, params: dict[str, JsonValue] | None = None
    ) -> Visible:
        """Run read-only Cypher written by someone (an MCP client) for the caller of `view`:
        the same guard and filter as generated Cypher; `$tables` is always the caller's."""
        return await run_generated(
            self.graph,
            cypher,
            {**(params or {}), "tables": sorted(view.readable)},
            view,
            self.limits,
        )


class LazyCopilot:
    """The process's `Copilot`, opened on the first question (loading the embedding model
    takes seconds a process that never asks should not pay)."""

    def __init__(
        self, settings: Settings, graph: Graph, registry: CollectorRegistry | None = None
    ) -> None:
        self._settings = settings
        self._graph = graph
        self._registry = registry
        self._copilot: Copilot | None = None
        self._redis: Redis | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> Copilot:
        """The co-pilot, opened once."""
        async with self._lock:
            if self._copilot is None:
                settings = self._settings
                self._redis = Redis.from_url(settings.redis_url, password=settings.redis_secret)
                self._copilot = await Copilot.open(
                    settings, self._graph, self._redis, self._registry
                )
            return self._copilot

    async def close(self) -> None:
        """Close the model client and the budget's Redis connection, if opened."""
        if self._copilot is not None:
            await self._copilot.close()
        if self._redis is not None:
            await self._redis.aclose()


def provider_of(settings: Settings) -> Provider | None:
    """The OpenAI-compatible provider of `settings.llm_url`, None when unset."""
    if not settings.llm_url:
        return None
    return OpenAICompatibleProvider(
        settings.llm_url,
        settings.llm_model,
        key=settings.llm_api_key,
        timeout=settings.llm_timeout_seconds,
        retries=settings.llm_retries,
        max_tokens=settings.llm_max_completion_tokens,
        pricing=Pricing(settings.llm_prompt_cost_per_1k, settings.llm_completion_cost_per_1k),
    )
