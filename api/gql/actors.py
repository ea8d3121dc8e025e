"""The services mutations act through, built over the process's graph, bus and queue, and
the person a caller acts as."""

from __future__ import annotations

from functools import partial

from api.gql.context import GraceContext
from api.services import Services
from governance.approvals import Approvals
from governance.assignments import Assignments
from governance.channels import Channels
from governance.comments import Comments
from governance.notifications import Notifier
from governance.rbac import Action
from ingest.approved import approval_appliers
from ingest.deliveries import enqueue_deliveries
from trust.healing import Healer


def acting_user(context: GraceContext, action: Action) -> str:
    """The id of the user the caller acts as: themselves, or an API key's owner."""
    principal = context.access.caller()
    if principal.user_id is None:
        raise context.access.deny(action, "this", "only a user or a user's API key may do it")
    return principal.user_id


def approvals(services: Services) -> Approvals:
    """Change requests with Grace's appliers (the files an approval concerns are queued again)."""
    appliers = approval_appliers(services.graph, services.audit, services.queue)
    return Approvals(services.graph, services.bus, services.audit, appliers)


async def healer(services: Services) -> Healer:
    """Self-healing over the tables and policies in force now."""
    return (await services.trust.current()).healer


def notifier(services: Services) -> Notifier:
    """Notifications over the process's graph and bus; their deliveries by webhook and
    e-mail are queued for the worker."""
    channels = Channels(
        services.graph, services.settings, partial(enqueue_deliveries, services.queue)
    )
    return Notifier(services.graph, services.bus, services.authorizer, channels)


def comments(services: Services) -> Comments:
    """Comment threads, published on the process's bus; mentions notify through `notifier`."""
    return Comments(services.graph, services.bus, services.audit, notifier(services))


def assignments(services: Services) -> Assignments:
    """Review assignments; assignees are told through `notifier`."""
    return Assignments(services.graph, services.audit, notifier(services))
