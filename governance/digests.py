"""Digests: the notifications of people who chose `digest` delivery and e-mail, gathered into
one message each.

`Digests.gather` (the worker's scheduled `send_digests` job) reads every person's
notifications not yet gathered, keeps those they may still read (`Notifier.may_read`: a
person whose rights were narrowed or who was deactivated since is told nothing more), records
one e-mail `Delivery` per person through `governance.channels`, marks the notifications
gathered in the same statement, and queues the deliveries for `deliver_notification` (sent
and retried like any other). A digest's id derives from the notifications it gathers, so a
job run twice, or stopped between recording and queueing, sends each digest once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from governance.channels import Channels
from governance.notifications import Notifier, Recipient, Subject
from graph.graph import Graph

MAX_DIGEST_ITEMS = 200
"""The most notifications one digest lists; the rest go in the next one."""


def subject_of(item: Mapping[str, Any]) -> Subject:
    """What one gathered notification is about."""
    return Subject(item["subject"], item["subject_kind"], item["workspace"], item["table"])


class Digests:
    """Gathers digest notifications into one e-mail per person."""

    def __init__(self, graph: Graph, notifier: Notifier, channels: Channels) -> None:
        self._graph = graph
        self._notifier = notifier
        self._channels = channels

    async def gather(self) -> list[str]:
        """Record and queue one digest per person with notifications waiting; returns the
        ids of the deliveries queued."""
        pending = await self._graph.read("collab/digest_pending", {"limit": MAX_DIGEST_ITEMS})
        if not pending:
            return []
        recipients = {
            r.principal.id: r
            for r in await self._notifier.recipients(str(p["user"]) for p in pending)
        }
        queued = []
        for record in pending:
            recipient = recipients.get(str(record["user"]))
            if recipient is None:
                continue
            delivery = await self._record(recipient, record["items"])
            if delivery is not None:
                queued.append(delivery)
        await self._channels.enqueue(queued)
        return queued

    async def _record(self, recipient: Recipient, items: list[dict[str, Any]]) -> str | None:
        """Record `recipient`'s digest of the `items` they may still read; None when there is
        nothing to send (those they may not read are marked gathered all the same)."""
        shown = [item for item in items if self._notifier.may_read(recipient, subject_of(item))]
        row = None
        if shown and recipient.email:
            row = self._channels.digest_row(recipient.email, shown)
            if row is None:
                return None  # no e-mail configured: the notifications wait for it
        ids = [item["id"] for item in items]
        params = {"delivery": row, "ids": ids, "at": datetime.now(UTC)}
        await self._graph.write("collab/digest_record", params)
        return None if row is None else str(row["id"])
