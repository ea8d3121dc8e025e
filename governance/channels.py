"""Channels beyond the API: each notification also goes out by webhook and by e-mail,
recorded as a `Delivery` and sent from the worker's queue, never in the action that caused it.

- **Webhooks** (`settings.webhooks`, one list per deployment): every webhook of a subject's
  workspace receives one POST per happening, signed with HMAC-SHA256 of the body
  (`X-Grace-Signature: sha256=<hex>`, `X-Grace-Delivery: <id>`); `slack: true` sends Slack's
  `{"text": ...}` instead of Grace's JSON. A `Delivery` names its channel
  (`webhook:<workspace>:<n>`), never the URL or the secret.
- **E-mail** (`settings.smtp_host`): one message per recipient who chose e-mail with
  immediate delivery, sent over SMTP; those who chose `digest` get one message gathering
  their notifications when the scheduled `send_digests` job runs (`governance.digests`).

`Channels.dispatch` records the deliveries (`pending`) and hands their ids to `enqueue`;
`Channels.send` makes one attempt, recording it (`succeeded`, or the error and the attempt
count); `give_up` marks a delivery `failed` once its tries are spent. Delivery ids derive
from the happening, so a happening told twice is sent once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import smtplib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import httpx

from governance.notifications import Delivery as DeliveryMode
from governance.notifications import NotificationKind, Notified, Subject
from graph.errors import GraceError
from graph.graph import Graph
from graph.settings import Settings, Webhook

SIGNATURE_HEADER = "X-Grace-Signature"
DELIVERY_HEADER = "X-Grace-Delivery"
SEND_TIMEOUT_SECONDS = 10.0
Enqueue = Callable[[Sequence[str]], Awaitable[None]]
"""Queues deliveries by id for the worker."""


class DeliveryError(GraceError):
    """One attempt to deliver failed (the receiver refused it or could not be reached)."""

    code = "delivery_failed"


def signature(secret: str, body: bytes) -> str:
    """The `X-Grace-Signature` of `body`: `sha256=` and the hex HMAC-SHA256 under `secret`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class DeliveryRecord:
    """One delivery and its state."""

    id: str
    channel: str
    recipient: str | None
    body: str
    status: str
    attempts: int
    last_error: str | None

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> DeliveryRecord:
        """A delivery from a `collab/delivery_get` record."""
        return cls(
            id=record["id"],
            channel=record["channel"],
            recipient=record["recipient"],
            body=record["body"],
            status=record["status"],
            attempts=int(record["attempts"]),
            last_error=record["last_error"],
        )


class Channels:
    """Records, queues and sends the deliveries of notifications."""

    def __init__(self, graph: Graph, settings: Settings, enqueue: Enqueue | None = None) -> None:
        self._graph = graph
        self._settings = settings
        self._enqueue = enqueue

    def webhooks(self, workspace: str) -> dict[str, Webhook]:
        """The webhooks of `workspace`, by channel id."""
        return {
            f"webhook:{hook.workspace}:{number}": hook
            for number, hook in enumerate(self._settings.webhooks)
            if hook.workspace == workspace
        }

    async def dispatch(
        self, kind: NotificationKind, subject: Subject, message: str, notified: Notified
    ) -> list[str]:
        """Record the deliveries of one happening and queue them; returns their ids."""
        if notified.event is None:
            return []
        body: dict[str, Any] = {
            "kind": kind.value,
            "subject": subject.id,
            "subject_kind": subject.kind,
            "table": subject.table,
            "workspace": subject.workspace,
            "message": message,
            "at": notified.event.at.isoformat(),
        }
        rows = []
        for channel, hook in self.webhooks(subject.workspace).items():
            text = {"text": f"[{kind.value}] {message} ({subject.id})"} if hook.slack else body
            rows.append(self._row(notified.key, channel, None, json.dumps(text, sort_keys=True)))
        if self._settings.smtp_host is not None:
            for recipient in notified.recipients:
                preferences = recipient.preferences
                wanted = preferences.by_email and preferences.delivery is DeliveryMode.IMMEDIATE
                if wanted and recipient.email:
                    mail = json.dumps(body, sort_keys=True)
                    rows.append(self._row(notified.key, "email", recipient.email, mail))
        if not rows:
            return []
        created = await self._graph.write("collab/deliveries_create", {"deliveries": rows})
        ids = [str(record["id"]) for record in created]
        await self.enqueue(ids)
        return ids

    async def enqueue(self, delivery_ids: Sequence[str]) -> None:
        """Queue recorded deliveries for the worker (a delivery queued twice is sent once)."""
        if delivery_ids and self._enqueue is not None:
            await self._enqueue(delivery_ids)

    def digest_row(self, email: str, items: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
        """The e-mail delivery gathering `items` (notifications) for `email`, its id derived
        from theirs; None when e-mail is not configured."""
        if self._settings.smtp_host is None:
            return None
        key = "digest:" + ",".join(sorted(str(item["id"]) for item in items))
        body = json.dumps({"kind": "digest", "items": list(items)}, sort_keys=True, default=str)
        return self._row(key, "email", email, body)

    def _row(self, key: str, channel: str, recipient: str | None, body: str) -> dict[str, Any]:
        unique = hashlib.sha256(f"{key}\x00{channel}\x00{recipient}".encode()).hexdigest()[:32]
        return {
            "id": f"delivery:{unique}",
            "channel": channel,
            "recipient": recipient,
            "body": body,
            "at": datetime.now(UTC),
        }

    async def get(self, delivery_id: str) -> DeliveryRecord | None:
        """One delivery, or None when it is gone."""
        records = await self._graph.read("collab/delivery_get", {"id": delivery_id})
        return DeliveryRecord.of(records[0]) if records else None

    async def send(self, delivery_id: str, attempt: int) -> bool:
        """Make attempt number `attempt` of a pending delivery: True when it is delivered (now
        or before), False when it is gone or failed for good; `DeliveryError` when this attempt
        failed (recorded)."""
        delivery = await self.get(delivery_id)
        if delivery is None or delivery.status == "failed":
            return False
        if delivery.status == "succeeded":
            return True
        try:
            await self._attempt(delivery)
        except DeliveryError as error:
            await self._record(delivery_id, attempt, "pending", str(error))
            raise
        await self._record(delivery_id, attempt, "succeeded", None)
        return True

    async def give_up(self, delivery_id: str, attempt: int, error: DeliveryError) -> None:
        """Mark a delivery failed after its last attempt."""
        await self._record(delivery_id, attempt, "failed", str(error))

    async def _record(self, delivery_id: str, attempt: int, status: str, error: str | None) -> None:
        await self._graph.write(
            "collab/delivery_attempt",
            {
                "id": delivery_id,
                "attempts": attempt,
                "status": status,
                "error": error,
                "at": datetime.now(UTC),
            },
        )

    async def _attempt(self, delivery: DeliveryRecord) -> None:
        if delivery.channel == "email":
            await asyncio.to_thread(self._mail, delivery)
            return
        hook = self._hook(delivery.channel)
        body = delivery.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(hook.secret.get_secret_value(), body),
            DELIVERY_HEADER: delivery.id,
        }
        try:
            async with httpx.AsyncClient(timeout=SEND_TIMEOUT_SECONDS) as client:
                response = await client.post(hook.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryError(f"{delivery.channel}: {type(error).__name__}") from None
        if response.status_code >= 300:
            raise DeliveryError(f"{delivery.channel}: HTTP {response.status_code}")

    def _hook(self, channel: str) -> Webhook:
        _, workspace, _ = channel.split(":", 2)
        hook = self.webhooks(workspace).get(channel)
        if hook is None:
            raise DeliveryError(f"{channel}: no longer configured")
        return hook

    def _mail(self, delivery: DeliveryRecord) -> None:
        content = json.loads(delivery.body)
        message = EmailMessage()
        message["From"] = self._settings.smtp_sender
        message["To"] = delivery.recipient
        if content["kind"] == "digest":
            items = content["items"]
            message["Subject"] = f"[Grace] digest: {len(items)} notifications"
            message.set_content("\n".join(_digest_line(item) for item in items))
        else:
            message["Subject"] = f"[Grace] {content['kind']}: {content['subject']}"
            message.set_content(
                f"{content['message']}\n\n{content['subject']} ({content['workspace']})"
            )
        host = self._settings.smtp_host
        assert host is not None
        try:
            with smtplib.SMTP(host, self._settings.smtp_port, timeout=SEND_TIMEOUT_SECONDS) as smtp:
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"email: {type(error).__name__}") from None


def _digest_line(item: Mapping[str, Any]) -> str:
    """One notification as a digest lists it."""
    return f"- [{item['kind']}] {item['message']} ({item['subject']}, {item['workspace']})"
