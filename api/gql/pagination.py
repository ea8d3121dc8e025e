"""Keyset pagination shared by every list of the API, and the one shape of a page.

A page is asked for with `first` (capped at `MAX_PAGE_SIZE`) and `after`, an opaque cursor
holding the sort key of the last item already seen. Queries resume with `WHERE key > $after`
(never `SKIP`), so page 1,000 costs what page 1 costs and items inserted meanwhile neither
repeat nor vanish.

Every paged list answers a `Connection` (`XConnection` in the schema): `nodes`, `pageInfo {
hasNextPage endCursor }` and `totalCount`, counted only when asked and null for lists whose
count would read every candidate to filter it by the caller's rights. `connection` builds one.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

import strawberry
from pydantic import JsonValue

from graph.errors import GraceError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

T = TypeVar("T")


class PageSizeError(GraceError):
    """`first` outside 1..MAX_PAGE_SIZE."""

    code = "page_size"

    def __init__(self, first: int) -> None:
        self.first = first
        super().__init__(f"first must be between 1 and {MAX_PAGE_SIZE}, got {first}")


class InvalidCursorError(GraceError):
    """An `after` cursor this API did not make (or one altered on the way)."""

    code = "invalid_cursor"

    def __init__(self) -> None:
        super().__init__("invalid cursor: pass an endCursor returned by a previous page")


def page_size(first: int | None) -> int:
    """The number of items to return: `DEFAULT_PAGE_SIZE` when not asked, refused past the cap."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 1 or first > MAX_PAGE_SIZE:
        raise PageSizeError(first)
    return first


def encode_cursor(position: list[JsonValue]) -> str:
    """An opaque cursor for the sort key `position` of the last item of a page."""
    text = json.dumps(position, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> list[JsonValue]:
    """The sort key an `encode_cursor` cursor holds; `InvalidCursorError` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError):
        raise InvalidCursorError from None
    if not isinstance(position, list) or not position:
        raise InvalidCursorError
    result: list[JsonValue] = position
    return result


@strawberry.type(description="Where a page ends and whether more follow.")
class PageInfo:
    """Where a page ends: pass `end_cursor` as `after` to read the next one."""

    has_next_page: bool
    end_cursor: str | None


def cut_page(
    items: Sequence[T], size: int, position: Callable[[T], list[JsonValue]]
) -> tuple[list[T], PageInfo]:
    """The first `size` of `items` (fetched with `LIMIT size + 1`) and where the page ends."""
    page = list(items[:size])
    end = encode_cursor(position(page[-1])) if page else None
    return page, PageInfo(has_next_page=len(items) > size, end_cursor=end)


Counter = Callable[[], Awaitable[int]]
"""Counts every item of a list over all its pages (run only when `totalCount` is asked)."""


@strawberry.type(description="One page of a list, where it ends, and how many items in all.")
class Connection(Generic[T]):
    """The page shape of every list: `nodes`, `page_info`, `total_count`."""

    nodes: list[T]
    page_info: PageInfo
    count: strawberry.Private[Counter | None] = None

    @strawberry.field(
        description="How many items match over all pages; null where counting is not cheap."
    )
    async def total_count(self) -> int | None:
        return None if self.count is None else await self.count()


def connection(
    items: Sequence[T],
    size: int,
    position: Callable[[T], list[JsonValue]],
    count: Counter | None = None,
) -> Connection[T]:
    """The page of `items` (fetched with `LIMIT size + 1`, see `cut_page`) as a connection."""
    nodes, page_info = cut_page(items, size, position)
    return Connection(nodes=nodes, page_info=page_info, count=count)


class Identified(Protocol):
    """Anything listed by id."""

    @property
    def id(self) -> str:
        """Its id, the sort key of lists by id."""
        ...


def id_position(item: Identified) -> list[JsonValue]:
    """The sort key of an item of a list sorted by id (read back by `after_id`)."""
    return [str(item.id)]


def after_id(after: str | None) -> str:
    """The id an `after` cursor of a list sorted by id holds ("" before the first page)."""
    if after is None:
        return ""
    position = decode_cursor(after)
    if len(position) != 1 or not isinstance(position[0], str):
        raise InvalidCursorError
    return position[0]


def time_position(at: datetime | None, item_id: str) -> list[JsonValue]:
    """The sort key of an item of a list sorted by a time, then id (read back by
    `after_time`); an item without its time sorts as the earliest."""
    return [(at or datetime.min.replace(tzinfo=UTC)).isoformat(), item_id]


def after_time(after: str | None) -> tuple[datetime, str] | None:
    """The (time, id) an `after` cursor of a list sorted by time then id holds (None before
    the first page)."""
    if after is None:
        return None
    match decode_cursor(after):
        case [str(at), str(item_id)]:
            try:
                return datetime.fromisoformat(at), item_id
            except ValueError:
                raise InvalidCursorError from None
        case _:
            raise InvalidCursorError


def trust_position(trust: float | None, item_id: str) -> list[JsonValue]:
    """The sort key of an item of a list sorted by trust, then id (read back by
    `after_trust`)."""
    return [trust, item_id]


def trust_page(after: str | None) -> dict[str, JsonValue]:
    """The parameters `after_trust` and `after_id` of a query sorted by trust then id that
    resume after the cursor `after` (null and "" before the first page)."""
    cursor = after_trust(after)
    return {
        "after_trust": None if cursor is None else cursor[0],
        "after_id": "" if cursor is None else cursor[1],
    }


class Trusted(Identified, Protocol):
    """Anything listed by trust, then id."""

    @property
    def trust(self) -> float | None:
        """Its trust, the first sort key."""
        ...


def trust_or_id_position(by_trust: bool) -> Callable[[Trusted], list[JsonValue]]:
    """The sort key of an item of a list sorted by trust then id, or by id."""
    if by_trust:
        return lambda item: trust_position(item.trust, str(item.id))
    return id_position


def after_trust(after: str | None) -> tuple[float, str] | None:
    """The (trust, id) an `after` cursor of a list sorted by trust then id holds (None
    before the first page)."""
    if after is None:
        return None
    match decode_cursor(after):
        case [int(trust) | float(trust), str(item_id)] if not isinstance(trust, bool):
            return float(trust), item_id
        case _:
            raise InvalidCursorError
