"""The prompt worker with the real Redis: a job queued due now is taken although the worker's
next poll is an hour away (the wake channel), a deferred job wakes nobody, the wake channel
is followed again after its connection is killed, and a wake-up that cannot be published
leaves the job queued for the next poll."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool

from graph.settings import Settings
from ingest.prompt_worker import PromptWorker
from ingest.queue import deserialize, enqueue_job, redis_settings, serialize, wake_channel

pytestmark = pytest.mark.integration

AN_HOUR = 3600.0
"""The workers' poll delay here: a job taken within a test's bounded waits was woken for."""
WAIT_SECONDS = 10.0


async def record(ctx: dict[str, Any], value: str) -> None:
    """The job: hand `value` to the test."""
    ctx["taken"].put_nowait(value)


@pytest.fixture
def queue_name() -> str:
    return f"test:prompt:{uuid.uuid4().hex}"


@asynccontextmanager
async def running(
    settings: Settings, queue_name: str, queue: ArqRedis
) -> AsyncIterator[asyncio.Queue[str]]:
    """A prompt worker polling `queue_name` once an hour, subscribed to its wake channel."""
    taken: asyncio.Queue[str] = asyncio.Queue()
    worker = PromptWorker(
        functions=[record],
        queue_name=queue_name,
        redis_settings=redis_settings(settings),
        job_serializer=serialize,
        job_deserializer=deserialize,
        poll_delay=AN_HOUR,
        handle_signals=False,
        ctx={"taken": taken},
    )
    task = asyncio.create_task(worker.async_run())
    try:
        await subscribed(queue, queue_name)
        yield taken
    finally:
        task.cancel()
        await asyncio.gather(task, *worker.tasks.values(), return_exceptions=True)
        await worker.close()


async def subscribed(queue: ArqRedis, queue_name: str) -> None:
    """Until one client follows the queue's wake channel."""
    channel = wake_channel(queue_name)
    async with asyncio.timeout(WAIT_SECONDS):
        while not await followers(queue, channel):  # noqa: ASYNC110 (Redis sends no notice)
            await asyncio.sleep(0.05)


async def followers(queue: ArqRedis, channel: str) -> int:
    """How many clients follow `channel`."""
    [(_, count)] = await queue.pubsub_numsub(channel)
    return int(count)


async def pubsub_clients(queue: ArqRedis) -> set[str]:
    """The ids of the Redis clients in pub/sub mode."""
    return {str(client["id"]) for client in await queue.client_list(_type="pubsub")}


async def taken_value(taken: asyncio.Queue[str]) -> str:
    async with asyncio.timeout(WAIT_SECONDS):
        return await taken.get()


async def test_a_job_queued_is_taken_without_waiting_for_the_next_poll(
    settings: Settings, queue_name: str, queue: ArqRedis
) -> None:
    async with running(settings, queue_name, queue) as taken:
        assert await enqueue_job(queue, "record", "first", _queue_name=queue_name)
        assert await taken_value(taken) == "first"
        assert await enqueue_job(queue, "record", "second", _queue_name=queue_name)
        assert await taken_value(taken) == "second"


async def test_only_a_job_due_now_wakes_the_workers(queue: ArqRedis, queue_name: str) -> None:
    pubsub = queue.pubsub()
    await pubsub.subscribe(wake_channel(queue_name))
    try:
        later = {"_defer_by": timedelta(hours=1)}
        assert await enqueue_job(queue, "deferred", _queue_name=queue_name, **later)
        assert await enqueue_job(queue, "due", _queue_name=queue_name)
        messages: list[bytes] = []
        async with asyncio.timeout(WAIT_SECONDS):
            while not messages:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is not None:
                    messages.append(message["data"])
        assert messages == [b"due"]  # the deferred job's wake-up would have come first
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]


async def test_a_job_queued_twice_is_refused_the_second_time(
    queue: ArqRedis, queue_name: str
) -> None:
    job = {"_queue_name": queue_name, "_job_id": f"{queue_name}:one"}
    assert await enqueue_job(queue, "record", "x", **job)
    assert not await enqueue_job(queue, "record", "x", **job)


async def test_the_wake_channel_is_followed_again_after_its_connection_is_killed(
    settings: Settings, queue_name: str, queue: ArqRedis
) -> None:
    others = await pubsub_clients(queue)
    async with running(settings, queue_name, queue) as taken:
        ours = await pubsub_clients(queue) - others
        assert ours
        for client in ours:
            await queue.client_kill_filter(_id=client)
        await subscribed(queue, queue_name)
        assert await pubsub_clients(queue) - others - ours  # a new connection follows it
        assert await enqueue_job(queue, "record", "after", _queue_name=queue_name)
        assert await taken_value(taken) == "after"


async def test_a_wake_up_that_cannot_be_published_leaves_the_job_queued(
    settings: Settings, queue_name: str, queue: ArqRedis, caplog: pytest.LogCaptureFixture
) -> None:
    user, password = f"nopublish-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    await queue.acl_setuser(
        user, enabled=True, passwords=[f"+{password}"], keys=["*"], commands=["+@all", "-publish"]
    )
    base = redis_settings(settings)
    limited = RedisSettings(
        host=base.host, port=base.port, database=base.database, username=user, password=password
    )
    refused = await create_pool(limited, job_serializer=serialize, job_deserializer=deserialize)
    try:
        with caplog.at_level(logging.INFO, logger="ingest.queue"):
            assert await enqueue_job(refused, "record", "unannounced", _queue_name=queue_name)
        assert "without waking the workers" in caplog.text
        assert await queue.zcard(queue_name) == 1
    finally:
        await refused.aclose()
        await queue.acl_deluser(user)
