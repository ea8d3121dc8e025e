"""Putting files on the arq queue: job ids that collapse duplicates, priorities, batches.

A job's id is derived from the file's path and content hash, so the same content enqueued
twice (by the watcher, a rescan and a person at once) runs once. A lone file is urgent: its
score is moved a day back so it is picked before any bulk load already queued. Many files
arriving together are grouped into batch jobs of small files. Documents' after-ingest passes
have a queue of their own, a `resume_pass` job per document (`enqueue_pass`), which the pass
lane reads to coalesce the passes waiting behind the one it takes (`waiting_passes`).

Every job is queued through `enqueue_job`, which also publishes on the queue's wake channel
when the job is due now: the queue's idle workers (`ingest.prompt_worker.PromptWorker`) take
it at once instead of at their next poll. The wake-up is best effort; the poll is the
guarantee.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from arq.connections import ArqRedis, RedisSettings
from arq.constants import job_key_prefix
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from redis.asyncio import Redis
from redis.exceptions import RedisError

from graph.settings import Settings
from ingest import identity
from ingest.pass_state import OwedPass

log = logging.getLogger(__name__)

QUEUE_NAME = "grace:ingest"
AFTER_INGEST_QUEUE_NAME = "grace:passes"
"""The queue of documents' after-ingest passes, the worker's pass lane (`ingest.worker`)."""
URGENT_HEAD_START = timedelta(days=1)
JOB_EXPIRY = timedelta(days=2)
SMALL_FILE_BYTES = 256 * 1024
BATCH_FILES = 50
BACKLOG_JOBS_READ = 1000
"""`backlog` reads the payloads of at most this many queued jobs (the next to run)."""


class Priority(StrEnum):
    """Where a job goes in the queue."""

    URGENT = "urgent"
    BULK = "bulk"


@dataclass(frozen=True)
class QueuedFile:
    """A file ready to ingest, as the watcher or a rescan found it; `root` is the watched
    folder it belongs to."""

    path: Path
    root: Path
    sha256: str
    size: int

    @property
    def job_id(self) -> str:
        """Its ingestion job's id: one job per content of one file, however often queued."""
        return identity.job_id(str(self.path.resolve()), self.sha256)

    def job_id_after(self, cause: str) -> str:
        """Its job's id when queued again because of `cause` (an approved change request):
        arq refuses an id while it keeps the result of the job that had it, so the file's
        first job may still block `job_id`."""
        return f"{self.job_id}:{cause}"


def redis_settings(settings: Settings) -> RedisSettings:
    """arq's connection settings for the configured Redis."""
    redis = RedisSettings.from_dsn(settings.redis_url)
    redis.password = settings.redis_secret
    return redis


def serialize(data: dict[str, Any]) -> bytes:
    """arq's job serializer: JSON, never pickle."""
    return json.dumps(data, default=str).encode("utf-8")


def deserialize(payload: bytes) -> dict[str, Any]:
    """arq's job deserializer."""
    data: dict[str, Any] = json.loads(payload)
    return data


def wake_channel(queue_name: str) -> str:
    """The pub/sub channel on which a queue's workers are told of a job queued due now."""
    return f"{queue_name}:wake"


async def enqueue_job(
    redis: ArqRedis, function: str, *args: Any, _queue_name: str, **options: Any
) -> bool:
    """Queue a job with arq's options and, when it is due now (not deferred to later), wake
    the queue's idle workers; False when a job of that id is already queued (or its result
    kept). A failed wake-up is only logged: the job waits for the next poll instead."""
    job = await redis.enqueue_job(function, *args, _queue_name=_queue_name, **options)
    if job is None:
        return False
    if _due_now(options):
        try:
            await redis.publish(wake_channel(_queue_name), function)
        except (RedisError, OSError) as error:
            log.info("queued %s without waking the workers: %s", function, error)
    return True


def _due_now(options: Mapping[str, Any]) -> bool:
    deferred_by = options.get("_defer_by")
    if deferred_by:
        return False
    until = options.get("_defer_until")
    return until is None or until <= datetime.now(UTC)


def _placement(priority: Priority) -> dict[str, Any]:
    if priority is Priority.URGENT:
        return {"_defer_until": datetime.now(UTC) - URGENT_HEAD_START, "_expires": JOB_EXPIRY}
    return {"_expires": JOB_EXPIRY}


def trace_context() -> dict[str, Any]:
    """The active span's W3C trace context as the job's `trace` argument (nothing when no
    span is active), so the worker's span of the job continues the enqueuer's trace."""
    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return {"trace": carrier} if carrier else {}


async def enqueue_file(
    redis: ArqRedis, item: QueuedFile, priority: Priority, *, cause: str | None = None
) -> bool:
    """Queue one file; False when the same content of the same file is already queued (with
    `cause`, queued again for that cause: see `QueuedFile.job_id_after`)."""
    return await enqueue_job(
        redis,
        "ingest_file",
        str(item.path),
        str(item.root),
        _job_id=item.job_id if cause is None else item.job_id_after(cause),
        _queue_name=QUEUE_NAME,
        **_placement(priority),
        **trace_context(),
    )


async def enqueue_again(redis: ArqRedis, items: Sequence[QueuedFile], cause: str) -> int:
    """Queue files again because of `cause`, each as its own job (urgent when alone); the
    same cause queues a file once. Returns how many jobs were queued."""
    priority = Priority.URGENT if len(items) == 1 else Priority.BULK
    queued = 0
    for item in items:
        queued += await enqueue_file(redis, item, priority, cause=cause)
    return queued


async def enqueue_batch(redis: ArqRedis, items: Sequence[QueuedFile]) -> bool:
    """Queue several small files as one bulk job."""
    keys = sorted(f"{item.path.resolve()}@{item.sha256}" for item in items)
    return await enqueue_job(
        redis,
        "ingest_batch",
        [[str(item.path), str(item.root)] for item in items],
        _job_id=f"ingest-batch:{identity.digest(*keys)}",
        _queue_name=QUEUE_NAME,
        **_placement(Priority.BULK),
        **trace_context(),
    )


async def enqueue_all(redis: ArqRedis, items: Sequence[QueuedFile]) -> int:
    """Queue what arrived together: a lone file is urgent; small files go in batches,
    large ones alone, all as bulk. Returns how many jobs were queued."""
    if len(items) == 1:
        return int(await enqueue_file(redis, items[0], Priority.URGENT))
    small = [item for item in items if item.size <= SMALL_FILE_BYTES]
    large = [item for item in items if item.size > SMALL_FILE_BYTES]
    queued = 0
    for start in range(0, len(small), BATCH_FILES):
        queued += await enqueue_batch(redis, small[start : start + BATCH_FILES])
    for item in large:
        queued += await enqueue_file(redis, item, Priority.BULK)
    return queued


RESUME_JOB = "resume_pass"
"""The pass lane's task: one document's after-ingest pass (`ingest.worker.resume_pass`)."""


async def enqueue_pass(redis: ArqRedis, owed: OwedPass) -> bool:
    """Queue one document's pass (not when its job is already queued)."""
    return await enqueue_job(
        redis,
        RESUME_JOB,
        owed.document_id,
        owed.path,
        owed.table,
        owed.rows,
        _job_id=f"pass:{owed.document_id}",
        _queue_name=AFTER_INGEST_QUEUE_NAME,
        **trace_context(),  # the pass continues the trace of the file's job
    )


async def waiting_passes(redis: Redis, limit: int) -> list[OwedPass]:
    """The passes of up to `limit` jobs first in the pass queue, oldest first (a job under
    way stays queued until it ends: its document is among them)."""
    ids = await redis.zrange(AFTER_INGEST_QUEUE_NAME, 0, limit - 1)
    payloads = await redis.mget([job_key_prefix + _text(job) for job in ids]) if ids else []
    return [owed for payload in payloads if (owed := _owed_of(payload)) is not None]


def _owed_of(payload: bytes | str | None) -> OwedPass | None:
    """The pass a queued job runs (None for a job gone since, or of another task)."""
    if payload is None:
        return None
    try:
        job = json.loads(payload)
        if job.get("f") != RESUME_JOB:
            return None
        document_id, path, table, rows = job["a"][:4]
        return OwedPass(str(document_id), str(path), table, int(rows or 0))
    except (ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class Backlog:
    """What waits in the ingestion queue: jobs, and the files of those read (`files` counts
    the files of the first `BACKLOG_JOBS_READ` jobs only; `exact` says whether that is all)."""

    jobs: int
    files: int
    exact: bool


async def backlog(redis: Redis) -> Backlog:
    """The queue's jobs and files waiting (running jobs stay queued until they finish)."""
    jobs = int(await redis.zcard(QUEUE_NAME))
    ids = await redis.zrange(QUEUE_NAME, 0, BACKLOG_JOBS_READ - 1)
    payloads = await redis.mget([job_key_prefix + _text(job) for job in ids]) if ids else []
    files = sum(_files_of(payload) for payload in payloads if payload is not None)
    return Backlog(jobs=jobs, files=files, exact=jobs <= BACKLOG_JOBS_READ)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _files_of(payload: bytes | str) -> int:
    """How many files a queued job ingests: a batch's list, one for `ingest_file`."""
    try:
        job = json.loads(payload)
    except ValueError:
        return 0
    if job.get("f") == "ingest_file":
        return 1
    if job.get("f") == "ingest_batch" and job.get("a"):
        return len(job["a"][0])
    return 0
