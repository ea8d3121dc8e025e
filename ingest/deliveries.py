"""The worker's side of notification channels: deliveries queued by id, each sent by the
`deliver_notification` job and retried with exponential backoff (arq's `Retry`) until it
succeeds or `settings.delivery_max_tries` attempts have failed (`governance.channels`); the
scheduled `send_digests` job gathers digest notifications into one e-mail each
(`governance.digests`), queued the same way."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from arq import ArqRedis, Retry

from governance.channels import Channels, DeliveryError
from governance.digests import Digests
from governance.notifications import Notifier
from graph.graph import Graph
from graph.settings import Settings
from ingest.queue import QUEUE_NAME, enqueue_job


async def enqueue_deliveries(
    redis: ArqRedis, delivery_ids: Sequence[str], *, queue_name: str = QUEUE_NAME
) -> None:
    """Queue one `deliver_notification` job per delivery (its id is the job's id)."""
    for delivery_id in delivery_ids:
        await enqueue_job(
            redis, "deliver_notification", delivery_id, _job_id=delivery_id, _queue_name=queue_name
        )


def worker_channels(graph: Graph, settings: Settings, redis: ArqRedis | None) -> Channels:
    """The channels of a worker process, queueing on its own Redis pool."""
    enqueue = partial(enqueue_deliveries, redis) if redis is not None else None
    return Channels(graph, settings, enqueue)


def backoff(settings: Settings, attempt: int) -> float:
    """Seconds before the attempt after `attempt`: the first delay, doubled each time."""
    return float(settings.delivery_backoff_seconds * 2 ** (attempt - 1))


async def deliver_notification(ctx: dict[str, Any], delivery_id: str) -> str:
    """Send one delivery; a failed attempt is retried later, the last one marks it failed."""
    settings: Settings = ctx["settings"]
    channels = worker_channels(ctx["graph"], settings, ctx.get("redis"))
    attempt = int(ctx.get("job_try", 1))
    try:
        delivered = await channels.send(delivery_id, attempt)
    except DeliveryError as error:
        if attempt >= settings.delivery_max_tries:
            await channels.give_up(delivery_id, attempt, error)
            return "failed"
        raise Retry(defer=backoff(settings, attempt)) from error
    return "succeeded" if delivered else "dropped"


async def send_digests(ctx: dict[str, Any]) -> dict[str, int]:
    """Gather each person's digest notifications into one queued e-mail."""
    graph: Graph = ctx["graph"]
    channels = worker_channels(graph, ctx["settings"], ctx.get("redis"))
    queued = await Digests(graph, Notifier(graph, ctx["bus"]), channels).gather()
    return {"digests": len(queued)}
