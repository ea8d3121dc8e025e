from __future__ import annotations

from datetime import UTC, datetime

from trust.rows import parse_rows


def test_rows_are_parsed_from_their_list_form() -> None:
    ms = 1_790_000_000_000
    first, second, bare = parse_rows(
        [
            [
                "r1",
                "cities",
                "lyon",
                '{"population": 5}',
                3,
                "d1",
                "s1",
                ms,
                ["name"],
                0.7,
                True,
                None,
                2,
                "4:db:1",
                [0.5, 0.5, 0.5, 1.0, 0.7, 0.6, 1.0, 730.0, 0.0],
            ],
            [
                "r2",
                "cities",
                "lyon",
                '{"name": "Lyon"}',
                0,
                "d1",
                "s1",
                ms,
                [],
                None,
                None,
                None,
                0,
                "4:db:2",
                None,
            ],
            [
                "r3",
                "cities",
                "nice",
                None,
                0,
                "d2",
                "s2",
                None,
                [],
                0.4,
                False,
                None,
                None,
                "4:db:3",
                None,
            ],
        ]
    )
    assert (first.id, first.values, first.reads, first.rejected) == (
        "r1",
        {"population": 5},
        3,
        frozenset({"name"}),
    )
    assert first.ingested_at == datetime.fromtimestamp(ms / 1000, UTC)
    assert (first.trust, first.trust_current, first.violations) == (0.7, True, 2)
    assert [row.node for row in (first, second, bare)] == ["4:db:1", "4:db:2", "4:db:3"]
    assert first.features == (0.5, 0.5, 0.5, 1.0, 0.7, 0.6, 1.0, 730.0, 0.0)
    assert (second.trust, second.trust_current, second.features) == (None, False, None)
    assert (bare.values, bare.ingested_at, bare.trust_current) == ({}, None, False)


def test_encrypted_values_are_read_as_their_keyed_hashes() -> None:
    [row] = parse_rows(
        [
            [
                "r1",
                "people",
                "p1",
                '{"email": "enc:v1:1:aa:bb:cc", "title": "Analyst"}',
                0,
                "d1",
                "s1",
                None,
                [],
                None,
                False,
                '{"email": "kh:v1:0f"}',
                0,
                "4:db:1",
                None,
            ]
        ]
    )
    assert row.values == {"email": "kh:v1:0f", "title": "Analyst"}
