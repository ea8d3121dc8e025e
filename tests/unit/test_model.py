from __future__ import annotations

from datetime import UTC, datetime

import neo4j.time
import pytest

from graph.errors import NotAllowedError
from graph.model import (
    NODE_MODELS,
    Document,
    DocumentStatus,
    Label,
    Rel,
    Row,
    allowed_label,
    allowed_rel,
)


def test_document_parses_driver_temporal_values() -> None:
    ingested = neo4j.time.DateTime(2026, 11, 24, 12, 30, 0, tzinfo=UTC)
    document = Document.from_node(
        {
            "id": "doc-1",
            "path": "registry/cities.csv",
            "sha256": "ab" * 32,
            "mime": "text/csv",
            "size": 120,
            "ingested_at": ingested,
            "unrelated": "ignored",
        }
    )
    assert document.ingested_at == datetime(2026, 11, 24, 12, 30, tzinfo=UTC)
    assert document.status is DocumentStatus.ACTIVE
    assert document.version == 1


def test_row_values_are_stored_as_json_text() -> None:
    row = Row.from_node(
        {
            "id": "r1",
            "table": "cities",
            "key": "lyon-fr",
            "values": '{"population": 522250}',
            "sha256": "00" * 32,
        }
    )
    assert row.values == {"population": 522250}


def test_trust_outside_the_unit_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="less than or equal to 1"):
        Row.from_node(
            {"id": "r", "table": "t", "key": "k", "values": {}, "sha256": "x", "trust": 1.5}
        )


@pytest.mark.parametrize("name", ["Row) DETACH DELETE n //", "row", "Admin", ""])
def test_labels_outside_the_allow_list_are_refused(name: str) -> None:
    with pytest.raises(NotAllowedError):
        allowed_label(name)


def test_relationship_types_outside_the_allow_list_are_refused() -> None:
    assert allowed_rel("SUPERSEDES") is Rel.SUPERSEDES
    with pytest.raises(NotAllowedError, match="relationship type 'OWNS]->"):
        allowed_rel("OWNS]->(x) DELETE x //")


def test_every_domain_label_has_a_model() -> None:
    assert set(NODE_MODELS) == set(Label) - {Label.MIGRATION}
    assert allowed_label("Row") is Label.ROW
