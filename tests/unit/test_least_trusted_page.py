"""A page of least trusted rows from the list the passes keep: the same page the sort gives
whenever the list can tell (it holds the page, or the whole table, or reaches past the
page's upper bound), else none (the caller sorts)."""

from __future__ import annotations

from typing import Any

from api.gql.least_trusted import TrustWindow, page_of_list

TABLE = [(0.1, "row:a"), (0.2, "row:b"), (0.2, "row:c"), (0.35, "row:d"), (0.5, "row:e")]
"""Every active scored row of a table, in (trust, id) order."""


def rows(pairs: list[tuple[float, str]]) -> list[dict[str, Any]]:
    return [{"id": row_id, "trust": trust} for trust, row_id in pairs]


def sorted_page(window: TrustWindow) -> list[str]:
    """What sorting the whole table gives."""
    return [r for t, r in TABLE if window.holds(t, r)][: window.limit]


WINDOWS = [
    TrustWindow(2),
    TrustWindow(3, after=(0.2, "row:b")),
    TrustWindow(2, min_trust=0.2),
    TrustWindow(4, max_trust=0.2),
    TrustWindow(9),
    TrustWindow(2, after=(0.1, "row:a"), min_trust=0.15, max_trust=0.4),
]


def test_any_prefix_gives_the_sorted_page_or_says_it_cannot() -> None:
    for size in range(len(TABLE) + 1):
        prefix = list(reversed(TABLE[:size]))  # stored order does not matter
        whole = size == len(TABLE)
        for window in WINDOWS:
            page = page_of_list(rows(prefix), whole, window)
            if page is not None:
                assert [row["id"] for row in page] == sorted_page(window), (size, window)


def test_a_list_that_holds_the_page_answers_it() -> None:
    assert page_of_list(rows(TABLE[:3]), False, TrustWindow(2)) is not None
    assert page_of_list(rows(TABLE[:3]), False, TrustWindow(4)) is None
    assert page_of_list(rows(TABLE), True, TrustWindow(9)) is not None


def test_a_list_past_the_upper_bound_answers_a_short_page() -> None:
    """Only rows up to 0.2 qualify: a list reaching 0.35 holds all of them."""
    page = page_of_list(rows(TABLE[:4]), False, TrustWindow(9, max_trust=0.2))
    assert page is not None
    assert [row["id"] for row in page] == ["row:a", "row:b", "row:c"]
    assert page_of_list(rows(TABLE[:3]), False, TrustWindow(9, max_trust=0.2)) is None
