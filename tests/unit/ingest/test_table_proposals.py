"""Which open proposal a table inferred for a file joins (`same_shape`)."""

from __future__ import annotations

from pydantic import JsonValue

from graph.schemas import FieldSpec, FieldType, TableSchema
from ingest.table_proposals import same_shape


def inferred(name: str, key: str = "sku") -> TableSchema:
    return TableSchema(
        name=name,
        description=f"inferred from {name}.csv",
        owner="ingest",
        entity_key=[key],
        fields={key: FieldSpec(type=FieldType.STRING), "price": FieldSpec(type=FieldType.FLOAT)},
    )


def proposal(table: TableSchema, document: str | None = "doc:1") -> dict[str, JsonValue]:
    return {
        "table": table.name,
        "definition": table.model_dump(mode="json", exclude_none=True),
        "document": document,
    }


def test_a_table_of_the_same_fields_and_key_under_another_name_is_joined() -> None:
    products = inferred("products")
    assert same_shape(inferred("catalogue"), [proposal(products)]) == products


def test_another_key_or_the_same_name_or_a_proposal_for_no_file_is_not_joined() -> None:
    assert same_shape(inferred("catalogue", key="code"), [proposal(inferred("products"))]) is None
    assert same_shape(inferred("products"), [proposal(inferred("products"))]) is None
    assert same_shape(inferred("catalogue"), [proposal(inferred("products"), None)]) is None


def test_a_stored_definition_that_no_longer_validates_is_passed_over() -> None:
    stale: dict[str, JsonValue] = {"definition": {"name": "old", "unknown": 1}, "document": "d"}
    products = inferred("products")
    assert same_shape(inferred("catalogue"), [stale, proposal(products)]) == products
