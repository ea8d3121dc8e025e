"""Parameters of a curated statement filled from the words of a question: the tables,
fields, sources and entities the caller may read, numbers and time spans."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from graph.graph import Graph

WORD = re.compile(r"[a-z0-9][a-z0-9_-]*")
NUMBER = re.compile(r"\b(\d{1,4})\b")
SPANS = {"today": 1, "yesterday": 2, "week": 7, "month": 30, "year": 365}
DEFAULT_LIMIT = 10
DEFAULT_DAYS = 7
STOP_WORDS = frozenset(
    {
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "and",
        "or",
        "to",
        "is",
        "are",
        "was",
        "were",
        "what",
        "which",
        "who",
        "how",
        "many",
        "much",
        "does",
        "do",
        "did",
        "about",
        "from",
        "for",
        "with",
        "this",
        "that",
        "there",
        "have",
        "has",
        "show",
        "me",
        "list",
        "tell",
        "give",
        "all",
        "any",
        "our",
        "their",
        "most",
        "least",
        "more",
        "less",
        "data",
        "rows",
        "row",
        "table",
        "tables",
        "value",
        "values",
        "where",
        "when",
        "why",
    }
)


@dataclass(frozen=True)
class Vocabulary:
    """What a question may name, limited to the caller's readable tables."""

    tables: frozenset[str]
    fields: Mapping[str, frozenset[str]]
    sources: Mapping[str, str]
    """Source name (and id) -> source id."""

    @classmethod
    async def load(cls, graph: Graph, tables: frozenset[str]) -> Vocabulary:
        """The vocabulary of `tables`, read from the table definitions and the sources."""
        fields: dict[str, set[str]] = {table: set() for table in tables}
        for record in await graph.read("api/catalog_pii_fields", {"tables": sorted(tables)}):
            fields[str(record["table"])].update(json.loads(record["fields"]))
        sources: dict[str, str] = {}
        for record in await graph.read("copilot/source_names", {}):
            sources[str(record["id"]).lower()] = str(record["id"])
            if record["name"]:
                sources[str(record["name"]).lower()] = str(record["id"])
        return cls(tables, {t: frozenset(f) for t, f in fields.items()}, sources)


def words(question: str) -> list[str]:
    """The lower-case words of a question."""
    return WORD.findall(question.lower())


def table_in(question_words: list[str], tables: frozenset[str]) -> str | None:
    """The first readable table the words name (singular and plural forms alike)."""
    for word in question_words:
        for table in sorted(tables):
            if word in _forms(table):
                return table
    return None


def _forms(table: str) -> set[str]:
    forms = {table, table.removesuffix("s")}
    if table.endswith("ies"):
        forms.add(table[:-3] + "y")
    if table == "people":
        forms.update({"person", "persons"})
    return forms


def attribute_in(question_words: list[str], fields: frozenset[str]) -> str | None:
    """The field the words name: its whole name or its first part (`area` for `area_km2`)."""
    for word in question_words:
        for name in sorted(fields):
            if word in {name, name.split("_")[0], name.removesuffix("s")} or (
                word.removesuffix("s") == name.removesuffix("s")
            ):
                return name
    return None


def source_in(question_words: list[str], sources: Mapping[str, str]) -> str | None:
    """The source the words name (by its name, such as `registry`)."""
    for word in question_words:
        if word in sources:
            return sources[word]
    return None


def days_in(question: str) -> int:
    """The time span of a question in days ("this week": 7; "last 30 days": 30)."""
    text = question.lower()
    number = NUMBER.search(text)
    if number is not None and "day" in text:
        return int(number.group(1))
    for word, days in SPANS.items():
        if word in text:
            return days
    return DEFAULT_DAYS


def limit_in(question: str) -> int:
    """The number of items asked for, or `DEFAULT_LIMIT`."""
    number = NUMBER.search(question)
    return min(int(number.group(1)), 100) if number is not None else DEFAULT_LIMIT


@dataclass(frozen=True)
class NamedEntity:
    """An entity a question names: its id, its table and the word that named it."""

    id: str
    table: str
    word: str


async def entity_in(
    graph: Graph, question_words: list[str], tables: frozenset[str], table: str | None
) -> NamedEntity | None:
    """The entity the words name (its key, or its key's first part: `lyon` for `lyon-fr`)
    in a readable table, preferring `table`."""
    candidates = [w for w in question_words if len(w) >= 3 and w not in STOP_WORDS]
    if not candidates:
        return None
    found = await graph.read(
        "copilot/entity_lookup", {"words": candidates, "tables": sorted(tables)}
    )
    ranked = sorted(
        found,
        key=lambda r: (r["table"] != table, candidates.index(str(r["word"])), str(r["entity"])),
    )
    if not ranked:
        return None
    best = ranked[0]
    return NamedEntity(str(best["entity"]), str(best["table"]), str(best["word"]))
