"""A table definition for a file (issue 17, item 5): Grace's own inference, refined by the
model when one is configured. The model's reply is checked like any input: one JSON table
definition that validates as a `TableSchema` and declares exactly the file's columns; anything
else is refused (`SchemaSuggestionInvalidError`). Proposing it is the caller's job (a change
request, never applied here)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import JsonValue, ValidationError

from copilot.answers import Usage
from copilot.errors import SchemaSuggestionInvalidError
from copilot.provider import Completion, Message
from graph.schemas import FieldType, TableSchema

SAMPLE_ROWS = 20
"""Rows of the file shown to the model."""
_FENCED = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
SYSTEM = (
    "You improve table definitions for Grace, a knowledge graph. Reply with ONE JSON object, "
    "the improved definition, in the same shape as the one given: keep every field name, "
    f"choose each field's type among {', '.join(FieldType)}, "
    "mark personal fields `pii: true`, write a one-sentence description, and choose the "
    "fields that identify an entity as `entity_key`. No other text."
)
Call = Callable[[Sequence[Message]], Awaitable[Completion]]


@dataclass(frozen=True)
class SchemaSuggestion:
    """A suggested definition, how it was made (`inferred` or `model`) and the model's usage."""

    table: TableSchema
    mode: str
    usage: Usage


def prompt(inferred: TableSchema, rows: Sequence[Mapping[str, JsonValue]]) -> list[Message]:
    """The messages asking the model to improve `inferred` for the file's first rows."""
    sample = json.dumps(list(rows[:SAMPLE_ROWS]), default=str)
    definition = json.dumps(inferred.model_dump(mode="json", exclude_none=True))
    return [
        Message("system", SYSTEM),
        Message("user", f"Definition inferred by Grace:\n{definition}\n\nFirst rows:\n{sample}"),
    ]


async def suggest_table(
    inferred: TableSchema, rows: Sequence[Mapping[str, JsonValue]], call: Call | None
) -> SchemaSuggestion:
    """`inferred` as it is without a model (`call` None), else the model's checked refinement."""
    if call is None:
        return SchemaSuggestion(inferred, "inferred", Usage())
    completion = await call(prompt(inferred, rows))
    return SchemaSuggestion(checked_reply(completion.text, inferred), "model", completion.usage)


def checked_reply(text: str, inferred: TableSchema) -> TableSchema:
    """The model's definition, named and owned as `inferred`; refused unless it is one valid
    definition declaring exactly the inferred fields."""
    fenced = _FENCED.search(text)
    try:
        reply = json.loads(fenced.group(1) if fenced else text)
    except json.JSONDecodeError as error:
        raise SchemaSuggestionInvalidError(f"not JSON ({error.msg})") from error
    if not isinstance(reply, dict):
        raise SchemaSuggestionInvalidError("not a JSON object")
    reply.update(name=inferred.name, owner=inferred.owner)
    try:
        table = TableSchema.model_validate(reply)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()[:5]
        )
        raise SchemaSuggestionInvalidError(f"not a table definition ({problems})") from error
    if set(table.fields) != set(inferred.fields):
        missing = sorted(set(inferred.fields) - set(table.fields))
        invented = sorted(set(table.fields) - set(inferred.fields))
        raise SchemaSuggestionInvalidError(
            f"fields differ from the file's columns (missing {missing}, not in the file {invented})"
        )
    return table
