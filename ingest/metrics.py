"""Prometheus metrics of the worker and the watcher, each process serving its own on a port
of its own (`worker_metrics_port`, `watcher_metrics_port`): Prometheus scrapes every
process, so no pushgateway is needed and a process that dies is seen as `up == 0`.

Labels are bounded: `task` by the registered tasks, `outcome`, `status` and `reason` by the
enums below, `step` by the declared pipeline. Each registry also holds the process
collectors (memory, CPU, open file descriptors) and Python's garbage-collector figures.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ParamSpec, TypeVar

from arq import Retry
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    start_http_server,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

JOB_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)


class JobOutcome(StrEnum):
    """How a job ended, as the worker saw it."""

    SUCCEEDED = "succeeded"
    RETRIED = "retried"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SkipReason(StrEnum):
    """Why the watcher did not queue a file it saw."""

    IGNORED = "ignored"
    """Hidden or temporary (an ignore pattern)."""
    UNCHANGED = "unchanged"
    """This content of the file was queued already."""
    GONE = "gone"
    UNREADABLE = "unreadable"
    CHANGING = "changing"
    """It changed while it was hashed: its next event or rescan offers it again."""
    SUBMIT_FAILED = "submit_failed"


def process_registry() -> CollectorRegistry:
    """A registry holding the process's own figures: memory, CPU, open fds, GC, Python."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


class WorkerMetrics:
    """What the worker counts: jobs, their time in the queue and at work, files and rows
    ingested, and the after-ingest pass's steps."""

    def __init__(self) -> None:
        self.registry = process_registry()
        self.jobs = Counter(
            "grace_worker_jobs",
            "Jobs the worker ran, by task and outcome.",
            ["task", "outcome"],
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "grace_worker_job_seconds",
            "Time a job ran, by task.",
            ["task"],
            buckets=JOB_BUCKETS,
            registry=self.registry,
        )
        self.queue_wait = Histogram(
            "grace_worker_queue_wait_seconds",
            "Time from a job's enqueueing to its start, by task.",
            ["task"],
            buckets=WAIT_BUCKETS,
            registry=self.registry,
        )
        self.retries = Counter(
            "grace_worker_job_retries",
            "Job attempts after the first, by task.",
            ["task"],
            registry=self.registry,
        )
        self.files = Counter(
            "grace_ingest_files",
            "Files the worker ingested, by outcome (ingested, unchanged, failed ...).",
            ["status"],
            registry=self.registry,
        )
        self.failures = Counter(
            "grace_ingest_failures",
            "Files whose ingestion failed, by error code (`graph.errors`: a fixed set).",
            ["code"],
            registry=self.registry,
        )
        self.rows = Counter(
            "grace_ingest_rows_written",
            "Rows written by ingestion (rate() gives rows per second).",
            registry=self.registry,
        )
        self.steps = Histogram(
            "grace_pipeline_step_seconds",
            "After-ingest pass steps: time from first attempt to the end, by step and status.",
            ["step", "status"],
            buckets=JOB_BUCKETS,
            registry=self.registry,
        )

        self.audit_ok = Gauge(
            "grace_audit_chain_ok",
            "1 when the worker's last verification of the audit chain found nothing, 0 when "
            "it found tampering (NaN until this process verified it).",
            registry=self.registry,
        )
        self.audit_ok.set(float("nan"))
        self.audit_verified = Gauge(
            "grace_audit_chain_verified_timestamp_seconds",
            "When this worker last verified the audit chain (0: not yet).",
            registry=self.registry,
        )

    def count_files(self, result: object) -> None:
        """Count the outcomes in a task's result: one outcome record or a list of them."""
        records = result if isinstance(result, list) else [result]
        for record in records:
            if isinstance(record, dict) and isinstance(record.get("status"), str):
                self.files.labels(record["status"]).inc()
                if record.get("code"):
                    self.failures.labels(str(record["code"])).inc()
                self.rows.inc(int(record.get("rows") or 0))


class WatcherMetrics:
    """What the watcher counts: files seen, queued and skipped, and rescans."""

    def __init__(self) -> None:
        self.registry = process_registry()
        self.seen = Counter(
            "grace_watcher_files_seen",
            "File events and rescan findings the watcher considered, by how it saw them.",
            ["via"],
            registry=self.registry,
        )
        self.queued = Counter(
            "grace_watcher_files_queued", "Files the watcher queued.", registry=self.registry
        )
        self.jobs = Counter(
            "grace_watcher_jobs_queued",
            "Jobs the watcher queued (files arriving together share a batch job).",
            registry=self.registry,
        )
        self.skipped = Counter(
            "grace_watcher_files_skipped",
            "Files the watcher saw but did not queue, by reason.",
            ["reason"],
            registry=self.registry,
        )
        for reason in SkipReason:
            self.skipped.labels(reason.value)
        self.rescans = Counter(
            "grace_watcher_rescans", "Walks of the watched folders.", registry=self.registry
        )
        self.waiting = Gauge(
            "grace_watcher_files_waiting",
            "Files the watcher holds: settling, or not yet queued (Redis away).",
            registry=self.registry,
        )


WORKER = WorkerMetrics()
"""The process's worker metrics (served by `grace worker`)."""
WATCHER = WatcherMetrics()
"""The process's watcher metrics (served by `grace watch`)."""


def measured(task: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """`task` (an arq task: its first argument is the job context) counted and timed into
    `WORKER`; arq knows it by the same name."""
    name = task.__name__

    @functools.wraps(task)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        ctx: dict[str, Any] = args[0] if args and isinstance(args[0], dict) else {}
        enqueued = ctx.get("enqueue_time")
        if isinstance(enqueued, datetime):
            waited = (datetime.now(UTC) - enqueued).total_seconds()
            WORKER.queue_wait.labels(name).observe(max(waited, 0.0))
        if int(ctx.get("job_try") or 1) > 1:
            WORKER.retries.labels(name).inc()
        started = time.perf_counter()
        outcome = JobOutcome.FAILED
        try:
            result = await task(*args, **kwargs)
            outcome = JobOutcome.SUCCEEDED
        except Retry:
            outcome = JobOutcome.RETRIED
            raise
        except asyncio.CancelledError:
            outcome = JobOutcome.CANCELLED
            raise
        finally:
            WORKER.jobs.labels(name, outcome.value).inc()
            WORKER.job_seconds.labels(name).observe(time.perf_counter() - started)
        WORKER.count_files(result)
        return result

    return run


def serve(registry: CollectorRegistry, host: str, port: int | None, process: str) -> bool:
    """Serve `registry` at http://host:port/metrics in a thread; False (and a warning) when
    the port is taken, so a second process on one machine runs on without its metrics."""
    if port is None:
        return False
    try:
        start_http_server(port, addr=host, registry=registry)
    except OSError as error:
        log.warning("%s metrics not served: port %s: %s", process, port, error)
        return False
    log.info("%s metrics at http://%s:%s/metrics", process, host, port)
    return True
