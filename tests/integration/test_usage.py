"""Usage counting on the real Redis and Neo4j: reads counted by the API reach `Row.reads`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from typing import cast

import pytest
from redis.asyncio import Redis

from graph.graph import Graph
from graph.settings import Settings
from trust.usage import APPLYING_PREFIX, USAGE_KEY, UsageRecorder, apply_usage

pytestmark = pytest.mark.integration


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def row_ids(graph: Graph, unique: str) -> AsyncIterator[list[str]]:
    ids = [f"usage-{unique}-{n}" for n in range(3)]
    await graph.write("testing/usage_rows", {"ids": ids})
    yield ids
    await graph.write("testing/usage_rows_delete", {"ids": ids})


async def counted(redis: Redis, row_id: str) -> int:
    """The reads of one row waiting in Redis."""
    value = await cast(Awaitable[bytes | None], redis.hget(USAGE_KEY, row_id))
    return int(value or 0)


async def reads(graph: Graph, ids: list[str]) -> list[int]:
    return [int(r["reads"]) for r in await graph.read("testing/usage_rows_reads", {"ids": ids})]


async def test_counted_reads_reach_the_rows_once(
    graph: Graph, redis: Redis, settings: Settings, row_ids: list[str]
) -> None:
    recorder = UsageRecorder(Redis.from_url(settings.redis_url), flush_every_seconds=3600)
    recorder.record(row_ids)
    recorder.record(row_ids[:1])
    assert await counted(redis, row_ids[0]) == 0  # nothing leaves before a flush
    await recorder.close()  # flushes what is pending
    assert await counted(redis, row_ids[0]) >= 2

    report = await apply_usage(graph, redis)
    assert report.rows >= 3
    assert await reads(graph, row_ids) == [2, 1, 1]
    assert not await redis.exists(USAGE_KEY)
    assert [key async for key in redis.scan_iter(match=APPLYING_PREFIX + "*")] == []

    await apply_usage(graph, redis)
    assert await reads(graph, row_ids) == [2, 1, 1]


async def test_a_flush_starts_in_the_background_when_due(
    redis: Redis, settings: Settings, row_ids: list[str]
) -> None:
    recorder = UsageRecorder(Redis.from_url(settings.redis_url), flush_every_seconds=0)
    recorder.record(row_ids)
    await recorder.close()
    assert recorder.pending == 0
    assert await counted(redis, row_ids[2]) >= 1
    await cast(Awaitable[int], redis.hdel(USAGE_KEY, *row_ids))


async def test_counts_set_aside_by_a_crash_are_applied_by_the_next_run(
    graph: Graph, redis: Redis, row_ids: list[str], unique: str
) -> None:
    await cast(Awaitable[int], redis.hset(APPLYING_PREFIX + unique, mapping={row_ids[1]: 5}))
    await apply_usage(graph, redis)
    assert await reads(graph, row_ids) == [0, 5, 0]
    assert not await redis.exists(APPLYING_PREFIX + unique)


async def test_reads_wait_in_memory_while_redis_is_down(row_ids: list[str]) -> None:
    recorder = UsageRecorder(Redis.from_url("redis://127.0.0.1:1/0"), flush_every_seconds=3600)
    recorder.record(row_ids)
    assert await recorder.flush() == 0
    assert recorder.pending == 3


async def test_beyond_the_cap_waiting_reads_are_dropped(row_ids: list[str]) -> None:
    recorder = UsageRecorder(
        Redis.from_url("redis://127.0.0.1:1/0"), flush_every_seconds=3600, max_pending=2
    )
    recorder.record(row_ids)
    assert await recorder.flush() == 0
    assert recorder.pending == 0
