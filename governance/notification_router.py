"""Who is told about what happens: domain events turned into notifications.

`NotificationRouter.route` reads one event and notifies the people it concerns:

- `conflict.detected`: the owners of the conflict's table (the user whose e-mail is the
  schema's `owner`, or every member of the workspace whose id it is);
- `change_request.updated` (opened, or moved to a new stage): the members of its workspace
  whose role may cast the vote its current stage needs, who have not voted yet;
- `trust.updated` of a document whose trust fell below its table's `quarantine_below` (the
  trust policy): the owners of the table (a low-trust alert, once per crossing);
- `ingestion.failed`: the owners of the file's source folder (`settings.source_owners`: a
  source-id pattern names a user's e-mail or a workspace id, as a table's `owner` does) who
  may read runs without a table (the whole default workspace, as `ingestionRuns` shows them).

`run` does so for every event on the bus; the worker runs it beside its jobs, so routing
never slows the action that published the event. Notification ids derive from the event,
so two workers routing the same event notify nobody twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping
from fnmatch import fnmatch

from governance.accounts import Accounts
from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.notifications import NotificationKind, Notified, Notifier, Outbox, Subject
from governance.policy import PolicySet
from governance.policy_store import active_policy_set
from governance.rbac import DEFAULT_WORKSPACE, role_at_least
from graph.errors import GraceError
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph

log = logging.getLogger(__name__)

ROUTED = (
    EventType.CONFLICT_DETECTED,
    EventType.CHANGE_REQUEST_UPDATED,
    EventType.TRUST_UPDATED,
    EventType.INGESTION_FAILED,
)
POLICY_TTL_SECONDS = 60.0
"""How long the router keeps the trust policy it read (trust passes publish many events)."""
VOTE_ACTIONS = frozenset({"open", "approve"})
SYSTEM_ACTOR = "system:notifications"


class NotificationRouter:
    """Turns domain events into notifications for the people concerned."""

    def __init__(
        self,
        graph: Graph,
        bus: EventBus,
        outbox: Outbox | None = None,
        source_owners: Mapping[str, str] | None = None,
    ) -> None:
        self._graph = graph
        self._source_owners = dict(source_owners or {})
        self._notifier = Notifier(graph, bus, outbox=outbox)
        audit = AuditLog(graph)
        self._approvals = Approvals(graph, bus, audit)
        self._accounts = Accounts(graph, audit)
        self._policies: tuple[float, PolicySet] | None = None

    async def route(self, event: DomainEvent) -> Notified | None:
        """Notify the people `event` concerns; None when it concerns nobody."""
        if event.type is EventType.CONFLICT_DETECTED:
            return await self._conflict(event)
        if event.type is EventType.CHANGE_REQUEST_UPDATED:
            return await self._vote_needed(event)
        if event.type is EventType.TRUST_UPDATED:
            return await self._low_trust(event)
        if event.type is EventType.INGESTION_FAILED:
            return await self._ingestion_failed(event)
        return None

    async def run(self, bus: EventBus, ready: asyncio.Event | None = None) -> None:
        """Route every event of `ROUTED` until cancelled; a failure is logged, never fatal."""
        async for event in bus.subscribe(ROUTED, ready=ready):
            try:
                await self.route(event)
            except GraceError as error:
                log.warning("notifications of %s %s failed: %s", event.type, event.subject, error)

    async def owners(self, table: str) -> tuple[list[str], str]:
        """The owners of `table` and the workspace it belongs to."""
        records = await self._graph.read("collab/table_owners", {"table": table})
        if not records:
            return [], DEFAULT_WORKSPACE
        owners = list(dict.fromkeys(records[0]["owners"]))
        return owners, records[0]["workspace"] or DEFAULT_WORKSPACE

    async def source_owners(self, source: str) -> list[str]:
        """The people who own the source `source` (every pattern it matches counts)."""
        names = sorted(
            {o for pattern, o in self._source_owners.items() if fnmatch(source, pattern)}
        )
        if not names:
            return []
        [record] = await self._graph.read("collab/named_owners", {"owners": names})
        return [str(user) for user in record["owners"]]

    async def _ingestion_failed(self, event: DomainEvent) -> Notified | None:
        source, path, code = (event.payload.get(k) for k in ("source", "path", "code"))
        if not isinstance(source, str):
            return None
        owners = await self.source_owners(source)
        return await self._notify(
            NotificationKind.INGESTION_FAILED,
            Subject(event.subject, "ingestion_run", DEFAULT_WORKSPACE),
            owners,
            f"{path} from {source} failed to ingest ({code})",
            event,
        )

    async def _conflict(self, event: DomainEvent) -> Notified | None:
        table = event.payload.get("table")
        if not isinstance(table, str):
            return None
        owners, workspace = await self.owners(table)
        attribute = event.payload.get("attribute")
        return await self._notify(
            NotificationKind.CONFLICT,
            Subject(event.subject, "conflict", workspace, table),
            owners,
            f"a conflict on {table}" + (f".{attribute}" if isinstance(attribute, str) else ""),
            event,
        )

    async def _low_trust(self, event: DomainEvent) -> Notified | None:
        table, before, after = (event.payload.get(k) for k in ("table", "before", "after"))
        if event.payload.get("kind") != "document" or not isinstance(table, str):
            return None
        if not isinstance(after, int | float):
            return None
        floor = (await self._policy_set()).thresholds(table).quarantine_below
        crossed = after < floor and (not isinstance(before, int | float) or before >= floor)
        if not crossed:
            return None
        owners, workspace = await self.owners(table)
        return await self._notify(
            NotificationKind.LOW_TRUST,
            Subject(event.subject, "document", workspace, table),
            owners,
            f"a document of {table} fell to trust {after:.2f} (below {floor:.2f})",
            event,
        )

    async def _policy_set(self) -> PolicySet:
        now = time.monotonic()
        if self._policies is None or now - self._policies[0] > POLICY_TTL_SECONDS:
            self._policies = (now, await active_policy_set(self._graph))
        return self._policies[1]

    async def _vote_needed(self, event: DomainEvent) -> Notified | None:
        if event.payload.get("action") not in VOTE_ACTIONS:
            return None
        request = await self._approvals.get(event.subject)
        if request.status.value != "open":
            return None
        workspace = request.workspace or DEFAULT_WORKSPACE
        needed = request.current_stage.role
        voted = {vote.user for vote in (*request.approvals, *request.rejections)}
        members = (await self._accounts.members(workspace)).members
        voters = [
            m.user_id
            for m in members
            if role_at_least(m.membership.role, needed)
            and m.user_id not in voted
            and m.user_id != request.requested_by
        ]
        return await self._notify(
            NotificationKind.VOTE_NEEDED,
            Subject(request.id, "change_request", workspace, request.table),
            voters,
            f"your vote is needed on {request.title}",
            event,
        )

    async def _notify(
        self,
        kind: NotificationKind,
        subject: Subject,
        users: Iterable[str],
        message: str,
        event: DomainEvent,
    ) -> Notified:
        actor = event.payload.get("actor")
        return await self._notifier.notify(
            kind,
            subject,
            users,
            message=message,
            actor=actor if isinstance(actor, str) else SYSTEM_ACTOR,
            key=event.id,
        )
