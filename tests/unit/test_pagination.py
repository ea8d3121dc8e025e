"""Keyset pagination: page sizes, opaque cursors, cutting a fetched page."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from pydantic import JsonValue

from api.gql.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    InvalidCursorError,
    PageSizeError,
    after_id,
    after_time,
    connection,
    cut_page,
    decode_cursor,
    encode_cursor,
    page_size,
    time_position,
)


def test_page_size_defaults_and_accepts_the_cap() -> None:
    assert page_size(None) == DEFAULT_PAGE_SIZE == 50
    assert page_size(1) == 1
    assert page_size(MAX_PAGE_SIZE) == 500


@pytest.mark.parametrize("first", [0, -1, MAX_PAGE_SIZE + 1, 10**9])
def test_page_size_outside_the_range_is_refused_naming_the_cap(first: int) -> None:
    with pytest.raises(PageSizeError) as raised:
        page_size(first)
    assert raised.value.code == "page_size"
    assert "500" in str(raised.value)


@pytest.mark.parametrize(
    "position",
    [["row-1"], ["lyon-fr", 0.75], ["ünïcode ✓", None, 3], [{"nested": [1, 2]}]],
)
def test_a_cursor_round_trips_and_is_url_safe(position: list[JsonValue]) -> None:
    cursor = encode_cursor(position)
    assert decode_cursor(cursor) == position
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    ["", "!!!!", "not base64 at all", _b64("{not json"), _b64('{"a": 1}'), _b64("[]"), "\xff"],
)
def test_a_malformed_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursorError) as raised:
        decode_cursor(cursor)
    assert raised.value.code == "invalid_cursor"


def test_after_id_reads_an_id_cursor_and_refuses_other_shapes() -> None:
    assert after_id(None) == ""
    assert after_id(encode_cursor(["row-9"])) == "row-9"
    shapes: list[list[JsonValue]] = [[1], ["a", "b"]]
    for position in shapes:
        with pytest.raises(InvalidCursorError):
            after_id(encode_cursor(position))


def test_cut_page_keeps_the_page_and_says_whether_more_follow() -> None:
    fetched = ["a", "b", "c"]
    page, info = cut_page(fetched, 2, lambda item: [item])
    assert page == ["a", "b"]
    assert info.has_next_page is True
    assert info.end_cursor is not None
    assert decode_cursor(info.end_cursor) == ["b"]
    last, end = cut_page(fetched, 3, lambda item: [item])
    assert (last, end.has_next_page) == (fetched, False)
    nothing_fetched: list[str] = []
    empty, nothing = cut_page(nothing_fetched, 3, lambda item: [item])
    assert (empty, nothing.has_next_page, nothing.end_cursor) == ([], False, None)


def test_a_time_cursor_round_trips_and_refuses_other_shapes() -> None:
    at = datetime(2026, 12, 6, 18, 0, 1, 250_000, tzinfo=UTC)
    assert after_time(None) is None
    assert after_time(encode_cursor(time_position(at, "run-1"))) == (at, "run-1")
    shapes: list[list[JsonValue]] = [["run-1"], ["not a time", "run-1"], [1, "run-1"]]
    for position in shapes:
        with pytest.raises(InvalidCursorError):
            after_time(encode_cursor(position))


async def test_a_connection_counts_only_when_asked_and_says_null_without_a_counter() -> None:
    asked: list[int] = []

    async def count() -> int:
        asked.append(1)
        return 42

    page = connection(["a", "b", "c"], 2, lambda item: [item], count)
    assert (page.nodes, page.page_info.has_next_page, asked) == (["a", "b"], True, [])
    assert await page.total_count() == 42
    assert asked == [1]
    assert await connection(["a"], 2, lambda item: [item]).total_count() is None
