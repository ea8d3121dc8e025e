"""A source's trust split by table: the parts add up to its trust."""

from __future__ import annotations

import math

import pytest
from pydantic import JsonValue

from graph.schemas import TableSchema
from trust.claims import RowRecord, build_claims
from trust.engine import source_parts
from trust.truth import discover


def table(name: str, key: str, field: str) -> TableSchema:
    return TableSchema.model_validate(
        {
            "name": name,
            "description": "d",
            "owner": "o",
            "entity_key": [key],
            "fields": {key: {"type": "string"}, field: {"type": "integer"}},
        }
    )


TABLES = {
    "cities": table("cities", "city_id", "population"),
    "organizations": table("organizations", "org_id", "employees"),
}


def row(row_id: str, name: str, key: str, source: str, **values: JsonValue) -> RowRecord:
    key_field = "city_id" if name == "cities" else "org_id"
    return RowRecord(row_id, name, key, {key_field: key, **values}, source, f"doc-{source}")


def test_each_sources_parts_by_table_add_up_to_its_trust() -> None:
    rows = [
        row("c1a", "cities", "lyon", "a", population=500),
        row("c1b", "cities", "lyon", "b", population=500),
        row("c1c", "cities", "lyon", "c", population=900),
        row("c2a", "cities", "nice", "a", population=300),
        row("c2c", "cities", "nice", "c", population=300),
        row("o1a", "organizations", "acme", "a", employees=10),
        row("o1b", "organizations", "acme", "b", employees=12),
        row("o1c", "organizations", "acme", "c", employees=12),
    ]
    index = build_claims(rows, TABLES)
    result = discover(index.claims)
    parts = source_parts(index, result)
    by_source = dict(zip(index.sources, parts, strict=True))
    assert set(by_source["a"]) == {"cities", "organizations"}
    for position, source in enumerate(index.sources):
        total = math.fsum(by_source[source].values())
        assert total == pytest.approx(float(result.source_trust[position]), abs=1e-3), source
    assert by_source["c"]["cities"] < by_source["a"]["cities"]  # c was wrong about lyon
