"""The deterministic answerer (issue 17, item 6): a question matched to a curated one by
embedding similarity, its parameters filled from the question, its named statement run
with the caller's readable tables. Works offline, without a model; labelled `curated`."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from copilot.answers import Answer, Mode, cannot_answer, links_of, summarise
from copilot.curated import CuratedQuestion, Match, Matcher
from copilot.question_parameters import (
    NamedEntity,
    Vocabulary,
    attribute_in,
    days_in,
    entity_in,
    limit_in,
    source_in,
    table_in,
    words,
)
from copilot.visibility import View
from graph.graph import Graph

THRESHOLD = 0.6
"""Below this cosine similarity a question is not taken for a curated one."""
EXAMPLE_ENTITY = "Lyon"
"""The entity the curated wordings use most: named entities are replaced by it to match."""


class CuratedAnswerer:
    """Answers the curated questions for one caller's view."""

    def __init__(self, graph: Graph, matcher: Matcher) -> None:
        self.graph = graph
        self.matcher = matcher

    async def match(self, question: str) -> Match:
        """The nearest curated question (the embedding runs off the event loop)."""
        matches = await asyncio.to_thread(self.matcher.nearest, question)
        return matches[0]

    async def answer(self, question: str, view: View) -> Answer:
        """The curated answer, or "I could not answer" saying what was missing.

        An entity the question names is replaced by the curated set's example entity before
        matching, so an unfamiliar key does not move the match."""
        said = words(question)
        table = table_in(said, view.readable)
        entity = await entity_in(self.graph, said, view.readable, table)
        masked = question
        if entity is not None:
            masked = re.sub(re.escape(entity.word), EXAMPLE_ENTITY, question, flags=re.I)
        best = await self.match(masked)
        if best.similarity < THRESHOLD:
            return cannot_answer(
                question,
                Mode.CURATED,
                "this is not one of the questions Grace answers without a model (closest: "
                f"{best.question.questions[0]!r}); configure a model for free questions",
            )
        parameters = await self.parameters(question, view, table, entity)
        missing = sorted(p for p in best.question.required if parameters.get(p) is None)
        if missing:
            return cannot_answer(
                question, Mode.CURATED, _missing_text(missing, view, best.question)
            )
        return await self.run(question, best, parameters)

    async def run(self, question: str, match: Match, parameters: dict[str, Any]) -> Answer:
        """Run the matched statement and shape the answer."""
        entry = match.question
        records = await self.graph.read(entry.statement, parameters)
        columns = list(records[0].keys()) if records else []
        rows = [[record[c] for c in columns] for record in records]
        shown = {k: v for k, v in parameters.items() if k not in ("tables", "personal")}
        return Answer(
            question,
            True,
            summarise(entry.title, columns, rows),
            Mode.CURATED,
            cypher=self.graph.registry[entry.statement],
            parameters=shown,
            columns=columns,
            rows=rows,
            links=links_of(columns, rows),
            confidence=round(match.similarity, 3),
            matched=entry.id,
        )

    async def parameters(
        self, question: str, view: View, table: str | None, entity: NamedEntity | None
    ) -> dict[str, Any]:
        """Every parameter a curated statement may use, filled from the question."""
        vocabulary = await Vocabulary.load(self.graph, view.readable)
        said = words(question)
        if entity is not None:
            table = entity.table
        fields = vocabulary.fields.get(table or "", frozenset())
        return {
            "tables": sorted(view.readable),
            "table": table,
            "entity": entity.id if entity is not None else None,
            "attribute": attribute_in(said, fields),
            "source": source_in(said, vocabulary.sources),
            "limit": limit_in(question),
            "days": days_in(question),
            "personal": sorted(_hidden_personal(view)),
            "whole_workspace": view.whole_workspace,
        }


def _hidden_personal(view: View) -> set[str]:
    """Personal fields of the tables whose personal fields the caller may not read."""
    return {
        name
        for table, names in view.personal.items()
        if table not in view.readable_pii
        for name in names
    }


def _missing_text(missing: list[str], view: View, entry: CuratedQuestion) -> str:
    hints = {
        "table": f"name a table you can read ({', '.join(sorted(view.readable)) or 'none'})",
        "entity": "name an entity by its key (such as lyon-fr) in a table you can read",
        "attribute": "name a field of the table",
        "source": "name a source (such as registry)",
    }
    return f"{entry.title.lower()} needs more: " + "; ".join(hints[m] for m in missing)
