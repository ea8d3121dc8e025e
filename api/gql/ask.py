"""The co-pilot in GraphQL: `ask` answers a question, `askStream` streams the same answer
(issue 17, item 4). Both answer for the caller's readable tables only (`api.copilot_view`),
and audit every answer (`api.copilot_audit`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import cast

import strawberry
from strawberry.scalars import JSON

from api.copilot_audit import audit_answer
from api.copilot_view import view_of
from api.gql.arguments import checked_text
from api.gql.context import GraceInfo
from api.gql.permissions import anywhere, requires
from copilot.answers import Answer
from governance.rbac import Action

MAX_QUESTION = 2000
"""Longer questions are refused before any work."""


@strawberry.type(description="Tokens and cost of the model calls behind an answer.")
class AskUsage:
    prompt_tokens: int
    completion_tokens: int
    cost: float


@strawberry.type(description="The co-pilot's answer to one question.")
class AskAnswer:
    question: str
    answered: bool = strawberry.field(description='False: "I could not answer", and why.')
    text: str = strawberry.field(description="The answer in words.")
    mode: str = strawberry.field(
        description="`curated` (a curated question, no model) or `model` (generated Cypher)."
    )
    cypher: str = strawberry.field(description="The Cypher that produced the rows.")
    parameters: JSON
    columns: list[str]
    rows: JSON = strawberry.field(description="The result rows, one list per row.")
    links: list[strawberry.ID] = strawberry.field(
        description="Ids of the rows, conflicts, entities and sources the answer rests on."
    )
    redacted: list[str] = strawberry.field(description="Personal fields hidden from you.")
    confidence: float
    matched: str | None = strawberry.field(description="The curated question used.")
    usage: AskUsage

    @classmethod
    def of(cls, answer: Answer) -> AskAnswer:
        """The GraphQL view of an answer."""
        return cls(
            question=answer.question,
            answered=answer.answered,
            text=answer.text,
            mode=str(answer.mode),
            cypher=answer.cypher,
            parameters=cast(JSON, answer.parameters),
            columns=answer.columns,
            rows=cast(JSON, answer.rows),
            links=[strawberry.ID(link) for link in answer.links],
            redacted=answer.redacted,
            confidence=answer.confidence,
            matched=answer.matched,
            usage=AskUsage(
                prompt_tokens=answer.usage.prompt_tokens,
                completion_tokens=answer.usage.completion_tokens,
                cost=answer.usage.cost,
            ),
        )


@strawberry.type(description="One step of a streamed answer; the last one carries it.")
class AskEvent:
    kind: str = strawberry.field(description="`status`, `model` (model text) or `answer`.")
    text: str
    answer: AskAnswer | None = None


@strawberry.type
class AskQuery:
    """The co-pilot's question field."""

    @strawberry.field(
        description="Answer a question about the graph from the tables you may read: a "
        "curated question without a model, or Cypher the configured model writes, checked "
        "and run read-only. Carries the Cypher and the rows as provenance links.",
        extensions=requires(Action.READ, on=anywhere),
    )
    async def ask(self, info: GraceInfo, question: str) -> AskAnswer:
        context = info.context
        copilot = await context.services.copilot.get()
        view = await view_of(context.access)
        actor = context.access.caller().actor
        answer = await copilot.ask(_checked(question), view, actor)
        services = context.services
        await audit_answer(services.audit, services.settings, actor, "graphql", answer)
        return AskAnswer.of(answer)


@strawberry.type
class AskSubscription:
    """The co-pilot's streamed answer."""

    @strawberry.subscription(
        description="`ask`, streamed: what the co-pilot does and the model's text as they "
        "come, then the answer.",
        extensions=requires(Action.READ, on=anywhere),
    )
    async def ask_stream(self, info: GraceInfo, question: str) -> AsyncGenerator[AskEvent, None]:
        context = info.context
        copilot = await context.services.copilot.get()
        view = await view_of(context.access)
        actor = context.access.caller().actor
        async for event in copilot.ask_stream(_checked(question), view, actor):
            if isinstance(event, Answer):
                services = context.services
                await audit_answer(services.audit, services.settings, actor, "graphql", event)
                yield AskEvent(kind="answer", text=event.text, answer=AskAnswer.of(event))
            else:
                yield AskEvent(kind=event.kind, text=event.text)


def _checked(question: str) -> str:
    return checked_text("question", question, MAX_QUESTION, required=True).strip()
