from __future__ import annotations

import numpy as np
from pydantic import JsonValue

from graph.schemas import FieldSpec, FieldType, TableSchema
from trust.claims import ClaimIndex, RowRecord, build_claims, value_clusters
from trust.compare import cluster_values

TABLE = TableSchema.model_validate(
    {
        "name": "cities",
        "description": "d",
        "owner": "o",
        "entity_key": ["city_id"],
        "source_field": "reported_by",
        "fields": {
            "city_id": {"type": "string"},
            "population": {"type": "integer", "tolerance": {"relative": 0.01}},
            "phones": {"type": "list", "items": "string", "multi_valued": True},
            "notes": {"type": "text"},
            "reported_by": {"type": "string"},
        },
    }
)


def row(row_id: str, source: str, **values: JsonValue) -> RowRecord:
    return RowRecord(row_id, "cities", "lyon", {"city_id": "lyon", **values}, source, "doc")


def test_agreeing_values_are_one_value_shown_by_their_most_common_form() -> None:
    index = build_claims(
        [
            row("r1", "a", population=10_150),
            row("r2", "b", population=10_100),
            row("r3", "c", population=10_100),
            row("r4", "d", population=20_000),
        ],
        {"cities": TABLE},
    )
    assert [(item.entity, item.attribute) for item in index.items] == [
        ("cities:lyon", "population")
    ]
    assert index.representatives == [10_100, 20_000]
    assert index.claims.value.tolist() == [0, 0, 0, 1]
    assert index.row_claims["r4"] == [3]


def test_keys_text_multi_valued_lists_and_the_source_column_are_not_compared() -> None:
    index = build_claims(
        [row("r1", "a", phones=["1"], notes="long text", reported_by="Agency")],
        {"cities": TABLE},
    )
    assert index.items == []


def test_a_row_can_name_its_own_source() -> None:
    index = build_claims(
        [
            row("r1", "feed", population=1, reported_by="Agency A"),
            row("r2", "feed", population=2, reported_by="Agency B"),
            row("r3", "feed", population=3),
        ],
        {"cities": TABLE},
    )
    assert index.sources == ["named:Agency A", "named:Agency B", "feed"]


def test_one_source_asserting_a_value_twice_makes_one_claim() -> None:
    index = build_claims(
        [row("r1", "a", population=5), row("r2", "a", population=5)], {"cities": TABLE}
    )
    assert len(index.claims.source) == 1
    assert index.rows_of_claims(np.arange(1)) == {0: ["r1", "r2"]}


def test_rows_of_unknown_tables_are_ignored() -> None:
    stray = RowRecord("r1", "elsewhere", "k", {"x": 1}, "a", "doc")
    assert build_claims([stray], {"cities": TABLE}).items == []


def _shape(index: ClaimIndex) -> tuple[object, ...]:
    return (
        index.sources,
        index.items,
        index.representatives,
        index.claims.source.tolist(),
        index.claims.value.tolist(),
        index.claims.item_of_value.tolist(),
        index.rows_of_claims(np.arange(len(index.claims.source))),
        index.row_claims,
    )


def test_claims_do_not_depend_on_the_order_rows_come_in() -> None:
    rows = [
        row(f"r{i}", source, population=value)
        for i, (source, value) in enumerate(
            [("a", 100), ("b", 101), ("c", 300), ("a", 301), ("d", 100), ("e", 200)]
        )
    ]
    expected = _shape(build_claims(rows, {"cities": TABLE}))
    rng = np.random.default_rng(0)
    for _ in range(10):
        shuffled = [rows[i] for i in rng.permutation(len(rows))]
        assert _shape(build_claims(shuffled, {"cities": TABLE})) == expected


def test_clustering_repeated_values_once_gives_the_clusters_of_every_value() -> None:
    spec = TABLE.fields["population"]
    cases: list[list[JsonValue]] = [
        [5, 5, 5],
        [100, 101, 100, 300, 101, 100, 302],
        [1.0, 1, True, 1.0, None, None],
        [float("nan"), float("nan"), 2.0],  # NaN agrees with nothing, not even itself
    ]
    for values in cases:
        clusters, shown = value_clusters(spec, values)
        assert clusters == cluster_values(spec, values)
        assert len(shown) == max(clusters) + 1
    when = FieldSpec(type=FieldType.DATETIME)
    # equal text always agrees (keyed hashes stand for encrypted values of any type)
    dates: list[JsonValue] = ["kh:v1:ab", "kh:v1:ab", "kh:v1:cd", "2026-01-01T00:00:00Z"]
    assert value_clusters(when, dates)[0] == cluster_values(when, dates) == [0, 0, 1, 2]
