"""The arq worker: thin tasks over `IngestionService`, the deliveries of notifications
(`ingest.deliveries`), and the notification router (`governance.notification_router`)
running beside them.

Run with `grace worker`. Jobs are JSON, not
pickle. Transient failures (Neo4j unavailable, a version written concurrently) are retried
with exponential backoff; a bad file is recorded as a failed run and not retried. A job
whose worker dies mid-run is picked up again once its in-progress mark expires, and the
idempotent writes make the second run converge on the same graph.

The worker outlives Redis and Neo4j restarts: when Redis goes away (or Neo4j is down at
start), `run_worker` lets the jobs in flight finish, closes that arq worker, waits with
capped exponential backoff until Redis answers again and starts a new one. A job running at
the moment Redis went away finishes its graph writes, but its result cannot be recorded:
it stays queued with its in-progress mark, and runs again (converging on the same graph)
once that mark expires, if Redis kept its data (the AOF of `grace up`).

A worker process has two lanes (`Lanes`), two arq workers over one set of services: the
ingest lane takes files, deliveries and scheduled jobs `worker_max_jobs` at a time; the pass
lane takes documents' after-ingest passes from a queue of their own, one at a time (concurrent
passes deadlock on the nodes they share). A queued pass thus neither holds a slot files need
nor spends its job time waiting for another pass. Both lanes share one interpreter, so a
pass's Python work still delays the files beside it: `grace worker --lane ingest` and
`grace worker --lane passes` run each lane in a process of its own (the ingest lane's
process alone routes notifications and runs the schedule; the pass process lowers its own
CPU priority by `worker_pass_niceness`, so files are not kept waiting by the passes of earlier
ones).

The pass lane coalesces: a `resume_pass` job reads the passes queued behind its own
(`waiting_passes`) and runs one pass over as many as `worker_pass_batch_documents` and
`worker_pass_batch_rows` allow (`AfterIngest.resume`); their own jobs find them done and end
at once. A burst of files thus costs a few passes rather than one each.

An after-ingest pass cut short (the worker killed, the job's time run out) is owed again
(`ingest.pass_state`): the re-run of the file's job runs it, and so does the recovery sweep
`resume_passes`, queued when a worker starts and run on its schedule (every minute in the
shipped profiles, so a dead worker's pass resumes within a minute of its lease running out).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from arq import ArqRedis, Retry
from arq.connections import create_pool
from arq.worker import Worker
from opentelemetry.trace import SpanKind, Tracer, get_tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from redis.exceptions import RedisError

from governance.notification_router import NotificationRouter
from graph.errors import GraphUnavailableError
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings, load_settings
from graph.tracing import install as install_tracing
from ingest.after_ingest import OWING, AfterIngest
from ingest.assembly import IngestServices
from ingest.deliveries import deliver_notification, send_digests, worker_channels
from ingest.lane import Lane
from ingest.maintenance import MAINTENANCE_TASKS
from ingest.metrics import WORKER, measured, serve
from ingest.pass_state import OwedPass, PassLedger
from ingest.prompt_worker import PromptWorker
from ingest.queue import (
    AFTER_INGEST_QUEUE_NAME,
    QUEUE_NAME,
    QueuedFile,
    deserialize,
    enqueue_all,
    enqueue_job,
    enqueue_pass,
    redis_settings,
    serialize,
    waiting_passes,
)
from ingest.scan import scan
from ingest.schedules import cron_jobs
from ingest.service import (
    ConcurrentVersionError,
    IngestionService,
    IngestOutcome,
    OutcomeStatus,
)

log = logging.getLogger(__name__)

CONNECT_ATTEMPTS = 30
MAX_BACKOFF_SECONDS = 60
RECONNECT_FIRST_SECONDS = 0.25
RECONNECT_MAX_SECONDS = 2.0
"""Capped low: a restarted Redis is found again within this long of answering."""
KEEP_RESULT_SECONDS = 10
"""Short, so that a file changed back to an earlier content can be queued again soon."""
INGEST_SHARE = 0.9
"""The part of arq's job timeout a job spends ingesting before it stops (and requeues)."""


def backoff_seconds(job_try: int) -> int:
    """Exponential backoff for transient failures: 1, 2, 4 ... 60 s."""
    return int(min(2 ** (job_try - 1), MAX_BACKOFF_SECONDS))


def outcome_record(outcome: IngestOutcome) -> dict[str, Any]:
    """An outcome as the JSON result of a job."""
    return {**asdict(outcome), "status": outcome.status.value}


@contextmanager
def _job_span(ctx: dict[str, Any], name: str, carrier: dict[str, str] | None) -> Iterator[None]:
    """The job's span, a child of the span that enqueued it when the job carries its trace
    context (see `ingest.queue`); a no-op unless the process installed a tracer provider."""
    tracer: Tracer = ctx["tracer"]
    parent = TraceContextTextMapPropagator().extract(carrier or {})
    attributes = {"messaging.message.id": str(ctx.get("job_id", ""))}
    with tracer.start_as_current_span(
        f"job {name}", context=parent, kind=SpanKind.CONSUMER, attributes=attributes
    ):
        yield


async def _ingest(ctx: dict[str, Any], path: str, root: str, seconds: float) -> IngestOutcome:
    """One file within `seconds`; raises `Retry` on a transient failure, `TimeoutError`
    when the time is up (the file's loading version is resumed by the next attempt)."""
    service: IngestionService = ctx["service"]
    job = str(ctx.get("job_id", ""))
    try:
        async with asyncio.timeout(seconds):
            return await service.ingest_file(Path(path), Path(root), job=job)
    except (GraphUnavailableError, ConcurrentVersionError) as error:
        delay = backoff_seconds(int(ctx.get("job_try", 1)))
        log.warning("transient failure on %s, retry in %s s: %s", path, delay, error)
        raise Retry(defer=delay) from error


def _budget(ctx: dict[str, Any]) -> float:
    """The seconds a job may spend ingesting, leaving the rest of arq's job timeout for
    recording a time-out and queueing the after-ingest pass."""
    settings: Settings = ctx["settings"]
    return settings.worker_job_timeout_seconds * INGEST_SHARE


async def ingest_file(
    ctx: dict[str, Any], path: str, root: str, trace: dict[str, str] | None = None
) -> dict[str, Any]:
    """Ingest one file, then queue its after-ingest pass as a job of its own; a file that
    takes longer than its budget is recorded as failed (`timeout`)."""
    service: IngestionService = ctx["service"]
    job = str(ctx.get("job_id", ""))
    with _job_span(ctx, "ingest_file", trace):
        seconds = _budget(ctx)
        try:
            outcome = await _ingest(ctx, path, root, seconds)
        except TimeoutError:
            outcome = await service.record_timeout(Path(path), Path(root), seconds, job=job)
        except asyncio.CancelledError:
            # arq's job timeout (not retried) or the worker stopping (run again, which
            # overwrites this record): either way the file does not end without a run.
            await service.record_timeout(Path(path), Path(root), seconds, job=job)
            raise
        await _queue_pass(ctx, outcome)
        return outcome_record(outcome)


async def ingest_batch(
    ctx: dict[str, Any], files: list[list[str]], trace: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Ingest several small files in one job, one after the other, queueing the after-ingest
    pass of each. Each file ends alone: one that fails transiently is queued again by itself,
    and when the job's time runs out (or the job is cancelled) the file under way and every
    later one are queued as jobs of their own."""
    records = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _budget(ctx)
    with _job_span(ctx, "ingest_batch", trace):
        for index, (path, root) in enumerate(files):
            try:
                outcome = await _ingest(ctx, path, root, deadline - loop.time())
            except TimeoutError:
                await _requeue(ctx, files[index:], defer=0)
                break
            except asyncio.CancelledError:  # arq's job timeout, or the worker stopping
                await _requeue(ctx, files[index:], defer=0)
                raise
            except Retry as retry:
                await _requeue(ctx, [[path, root]], defer=retry.defer_score or 0)
                continue
            await _queue_pass(ctx, outcome)
            records.append(outcome_record(outcome))
    return records


async def _queue_pass(ctx: dict[str, Any], outcome: IngestOutcome) -> None:
    """Queue the pass of a newly ingested document, or of an unchanged one whose pass is
    still owed, as a `resume_pass` job: the pass gets a job timeout of its own rather than
    what the file's ingestion left. Should Redis fail here, the pass stays owed in the
    graph and the recovery sweep queues it."""
    if outcome.status not in OWING or outcome.document_id is None:
        return
    owed = OwedPass(outcome.document_id, outcome.path, outcome.table, outcome.rows)
    if outcome.status is OutcomeStatus.UNCHANGED:
        owed_still = await PassLedger(ctx["graph"]).owes(outcome.document_id)
        if owed_still is None:
            return
        owed = owed_still
    await enqueue_pass(ctx["redis"], owed)


async def _requeue(ctx: dict[str, Any], files: list[list[str]], *, defer: float) -> None:
    """Queue files of a batch again, each as its own `ingest_file` job."""
    redis: ArqRedis = ctx["redis"]
    batch = str(ctx.get("job_id", ""))
    for path, root in files:
        await enqueue_job(
            redis,
            "ingest_file",
            path,
            root,
            _job_id=f"{batch}:{path}",
            _queue_name=QUEUE_NAME,
            _defer_by=timedelta(milliseconds=defer),
        )
    log.warning("%d file(s) of batch %s queued again as jobs of their own", len(files), batch)


SWEEP_LIMIT = 500
"""Passes a sweep queues at most; the next sweep queues the rest."""


async def resume_passes(ctx: dict[str, Any]) -> int:
    """The recovery sweep: queue a `resume_pass` job for each document whose after-ingest
    pass is owed (pending, failed with attempts left, or its worker died); returns how many
    were queued (a document's job already queued is not queued twice)."""
    redis: ArqRedis = ctx["redis"]
    queued = 0
    for owed in await PassLedger(ctx["graph"]).owed(SWEEP_LIMIT):
        queued += await enqueue_pass(redis, owed)
    if queued:
        log.warning("recovery sweep: %d after-ingest pass(es) owed, queued again", queued)
    return queued


async def resume_pass(
    ctx: dict[str, Any],
    document_id: str,
    path: str,
    table: str | None,
    rows: int,
    trace: dict[str, str] | None = None,
) -> str | None:
    """Run one document's owed pass (see `resume_passes`), with the passes queued behind it
    that its batch takes (`AfterIngest.resume`); its pipeline status, or None when it was no
    longer owed (a pass before it took it, or it runs elsewhere)."""
    after_ingest: AfterIngest = ctx["after_ingest"]
    owed = OwedPass(document_id, path, table, rows)
    with _job_span(ctx, "resume_pass", trace):
        waiting = []
        if after_ingest.batch.documents > 1:
            # its own job is among them while it runs: `resume` leaves it out
            waiting = await waiting_passes(ctx["redis"], after_ingest.batch.documents + 1)
        run = await after_ingest.resume(owed, waiting)
    return None if run is None else run.status.value


async def rescan(ctx: dict[str, Any]) -> int:
    """Queue every file of the watched folders (unchanged content is a no-op downstream)."""
    settings: Settings = ctx["settings"]
    found: list[QueuedFile] = []
    for root in settings.watch_dirs:
        found += await asyncio.to_thread(scan, root)
    return await enqueue_all(ctx["redis"], found)


async def _connect(settings: Settings) -> Graph:
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            return await Graph.connect(settings)
        except GraphUnavailableError as error:
            if attempt == CONNECT_ATTEMPTS:
                raise
            log.warning("waiting for Neo4j (%s/%s): %s", attempt, CONNECT_ATTEMPTS, error)
            await asyncio.sleep(1)
    raise AssertionError("unreachable")


async def open_services(ctx: dict[str, Any]) -> None:
    """Open the one driver and Redis pool of this worker process, and its services: the
    tables, policies, trust tools and models load here, so arq takes the first job only once
    they are ready."""
    settings = load_settings()
    graph = await _connect(settings)
    bus = EventBus.from_settings(settings)
    ctx["settings"] = settings
    ctx["tracer"] = get_tracer(__name__)
    ctx["graph"] = graph
    ctx["bus"] = bus
    services = await IngestServices.open(graph, bus, settings, ctx.get("redis"))
    ctx["trust"] = services.trust
    ctx["after_ingest"] = services.after_ingest
    ctx["service"] = services.ingestion


async def startup(ctx: dict[str, Any]) -> None:
    """The ingest lane's start-up: the process's services (`open_services`), then what runs
    once per deployment's ingest lanes: the notification router and the recovery sweep."""
    await open_services(ctx)
    channels = worker_channels(ctx["graph"], ctx["settings"], ctx.get("redis"))
    router = NotificationRouter(ctx["graph"], ctx["bus"], channels, ctx["settings"].source_owners)
    ctx["notifications"] = asyncio.create_task(router.run(ctx["bus"]))
    # the recovery sweep at start; the schedule's catches passes whose lease runs out later
    await enqueue_job(ctx["redis"], "resume_passes", _queue_name=QUEUE_NAME)


async def shutdown(ctx: dict[str, Any]) -> None:
    """Close what `startup` opened."""
    if "notifications" in ctx:
        ctx["notifications"].cancel()
        await asyncio.gather(ctx["notifications"], return_exceptions=True)
    if "bus" in ctx:
        await ctx["bus"].close()
    if "graph" in ctx:
        await ctx["graph"].close()


SCHEDULED_TASKS = {
    "rescan": rescan,
    "resume_passes": resume_passes,
    "send_digests": send_digests,
    **MAINTENANCE_TASKS,
}
INGEST_LANE_TASKS: list[Callable[..., Awaitable[Any]]] = [
    ingest_file,
    ingest_batch,
    deliver_notification,
    *SCHEDULED_TASKS.values(),
]
PASS_LANE_TASKS: list[Callable[..., Awaitable[Any]]] = [resume_pass]


def _lane(settings: Settings) -> dict[str, Any]:
    """arq options both lanes share."""
    return {
        "redis_settings": redis_settings(settings),
        "job_serializer": serialize,
        "job_deserializer": deserialize,
        "job_timeout": settings.worker_job_timeout_seconds,
        "max_tries": settings.worker_max_tries,
        "poll_delay": settings.worker_poll_delay_seconds,
        "keep_result": KEEP_RESULT_SECONDS,
    }


def worker_settings(settings: Settings) -> dict[str, Any]:
    """arq options of the ingest lane, whose start-up opens the process's services."""
    return {
        **_lane(settings),
        "functions": [measured(task) for task in INGEST_LANE_TASKS],
        "cron_jobs": cron_jobs(
            settings.schedules, {name: measured(task) for name, task in SCHEDULED_TASKS.items()}
        ),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "queue_name": QUEUE_NAME,
        "max_jobs": settings.worker_max_jobs,
        "handle_signals": True,
    }


def pass_lane_settings(settings: Settings) -> dict[str, Any]:
    """arq options of the pass lane: one pass at a time, signals left to the ingest lane."""
    return {
        **_lane(settings),
        "functions": [measured(task) for task in PASS_LANE_TASKS],
        "queue_name": AFTER_INGEST_QUEUE_NAME,
        "max_jobs": 1,
        "handle_signals": False,
    }


class Lanes:
    """The arq workers of one worker process: both lanes by default, where the pass lane
    starts taking passes once the ingest lane's start-up has opened the services they share,
    and stops with it; or one lane alone (`only`), with services of its own."""

    def __init__(
        self, settings: Settings, *, burst: bool = False, only: Lane | None = None
    ) -> None:
        self.burst = burst
        self._ready = asyncio.Event()
        signals = {"handle_signals": False, "burst": True} if burst else {}
        self.ingest: Worker | None = None
        self.passes: Worker | None = None
        if only is not Lane.PASSES:
            opens = {"on_startup": self._open}
            self.ingest = PromptWorker(**{**worker_settings(settings), **opens, **signals})
        if only is Lane.PASSES:
            alone = {"on_startup": open_services, "on_shutdown": shutdown, "handle_signals": True}
            self.passes = PromptWorker(**{**pass_lane_settings(settings), **alone, **signals})
        elif only is None:
            shared = {"on_startup": self._share}
            self.passes = PromptWorker(**{**pass_lane_settings(settings), **shared, **signals})

    @property
    def workers(self) -> list[Worker]:
        """The lanes this process runs; the first one's start-up opens the services and its
        signals stop them all."""
        return [lane for lane in (self.ingest, self.passes) if lane is not None]

    async def _open(self, ctx: dict[str, Any]) -> None:
        await startup(ctx)
        self._ready.set()

    async def _share(self, ctx: dict[str, Any]) -> None:
        await self._ready.wait()
        assert self.ingest is not None  # only shared when both lanes run here
        ctx.update({key: value for key, value in self.ingest.ctx.items() if key != "redis"})

    async def run(self) -> None:
        """The lanes, until a signal (`CancelledError`) or until one fails (its error); in
        burst mode until the first lane's queue is empty, then the next one's."""
        if self.burst:
            for lane in self.workers:
                await lane.main()
            return
        others = self.workers[1:]
        lanes = [asyncio.create_task(lane.async_run()) for lane in self.workers]
        await asyncio.wait(lanes, return_when=asyncio.FIRST_COMPLETED)
        if lanes[0].cancelled():  # a signal: as arq did for the first lane, cancel the others
            for lane in others:
                lane.handle_sig(signal.SIGTERM)
        for lane in self.workers:  # a lane failed: the other's jobs run on
            if lane.main_task is not None:
                lane.main_task.cancel()
        ended = await asyncio.gather(*lanes, return_exceptions=True)
        failure = next((e for e in ended if isinstance(e, Exception)), None)
        if failure is not None:
            raise failure
        raise asyncio.CancelledError

    async def close(self) -> None:
        """Let the jobs in flight end; close the lanes, the one that opened the services last
        (its shutdown closes the services all used)."""
        for lane in reversed(self.workers):
            await _close(lane)


async def run_worker(settings: Settings, only: Lane | None = None) -> None:
    """Run the worker's lanes (both, or `only` one) until SIGTERM/SIGINT (`grace worker`),
    starting them again each time Redis or Neo4j goes away; its jobs trace to the configured
    OTLP endpoint, continuing the traces of the requests that queued them."""
    if only is Lane.PASSES:
        os.nice(settings.worker_pass_niceness)  # passes wait; files' ingestion goes first
    tracing = install_tracing(settings)
    serve(WORKER.registry, settings.metrics_host, settings.worker_metrics_port, "worker")
    try:
        while not await _run_once(settings, only):
            if not await _until_redis_answers(settings):
                break
    finally:
        if tracing is not None:
            tracing.shutdown()


async def _run_once(settings: Settings, only: Lane | None) -> bool:
    """The lanes, until a signal (True) or until Redis or Neo4j fails them (False)."""
    lanes = Lanes(settings, only=only)
    try:
        await lanes.run()
    except asyncio.CancelledError:
        return True  # a signal: arq has stopped taking jobs and cancelled the current ones
    except (RedisError, OSError, GraphUnavailableError) as error:
        log.warning(
            "the worker lost Redis or Neo4j (%s: %s); reconnecting", type(error).__name__, error
        )
        return False
    finally:
        await lanes.close()
    return True


async def _close(worker: Worker) -> None:
    """Let the jobs in flight end, then close the worker; without Redis, what `close` could
    not reach (the health key, the pool) is given up and its shutdown is run here."""
    await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    try:
        await worker.close()
    except (RedisError, OSError) as error:
        log.info("closing the worker without Redis: %s", error)
        if worker.on_shutdown is not None:
            await worker.on_shutdown(worker.ctx)
        with contextlib.suppress(RedisError, OSError):
            await worker.pool.close(close_connection_pool=True)


async def _until_redis_answers(settings: Settings) -> bool:
    """Wait, with capped exponential backoff, until Redis answers a ping (True), or until
    SIGTERM/SIGINT (False: arq's own handlers went with the closed worker)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    connection = redis_settings(settings)
    delay = RECONNECT_FIRST_SECONDS
    attempt = 0
    while not stop.is_set():
        attempt += 1
        try:  # retry=conn_retries: one attempt here, the backoff is this loop's
            pool = await create_pool(connection, retry=connection.conn_retries)
        except (RedisError, OSError) as error:
            log.info("Redis does not answer yet (attempt %d): %s", attempt, error)
        else:
            await pool.aclose()
            log.warning("Redis answers again (attempt %d); starting the worker", attempt)
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, RECONNECT_MAX_SECONDS)
    return False
