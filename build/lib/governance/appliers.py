"""The changes Grace applies once a change request is approved, one applier per kind.

Each applier makes its change in one write transaction, so a failure leaves nothing
half-applied; the approvals service records the failure on the request.
"""

from __future__ import annotations

from functools import partial
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from governance.approvals import Applier, ChangeRequestRecord
from governance.audit import AuditEntry, AuditLog
from governance.errors import ApplyError
from governance.policy import activate_policy_version
from graph.graph import Graph

ACTOR = "system:approvals"
M = TypeVar("M", bound=BaseModel)


class SchemaActivation(BaseModel):
    """The payload of a `schema` request: which proposed table version to activate."""

    model_config = ConfigDict(frozen=True)

    table: str
    version: int = Field(ge=1)


class PolicyActivation(BaseModel):
    """The payload of a `policy` request: which stored policy version to put in force."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: int = Field(ge=1)


def _payload(model: type[M], request: ChangeRequestRecord) -> M:
    try:
        return model.model_validate(request.payload)
    except ValidationError as error:
        fields = ", ".join(str(problem["loc"][0]) for problem in error.errors() if problem["loc"])
        raise ApplyError(request.kind, f"the payload lacks or mistypes: {fields}") from error


async def activate_schema_version(
    graph: Graph, audit: AuditLog, request: ChangeRequestRecord
) -> None:
    """Make the proposed version named in the payload the table's active version."""
    wanted = _payload(SchemaActivation, request)
    records = await graph.write(
        "governance/activate_schema_version", {"table": wanted.table, "version": wanted.version}
    )
    if not records:
        reason = f"table {wanted.table!r} has no proposed version {wanted.version}"
        raise ApplyError(request.kind, reason)
    superseded: list[int] = records[0]["superseded"]
    await audit.append(
        [
            AuditEntry(
                actor=ACTOR,
                action="schema.activate",
                target=f"schema:{wanted.table}@{wanted.version}",
                before={"active": superseded[0] if superseded else None},
                after={"active": wanted.version, "request": request.id},
            )
        ]
    )


async def activate_policy(graph: Graph, audit: AuditLog, request: ChangeRequestRecord) -> None:
    """Put the policy version named in the payload in force."""
    wanted = _payload(PolicyActivation, request)
    await activate_policy_version(graph, wanted.name, wanted.version, audit=audit, actor=ACTOR)


def default_appliers(graph: Graph, audit: AuditLog | None = None) -> dict[str, Applier]:
    """The appliers Grace ships, by request kind; add to the dict to register more.

    Their own audit entries go to `audit` (the main chain when None).
    """
    log = audit or AuditLog(graph)
    return {
        "schema": partial(activate_schema_version, graph, log),
        "policy": partial(activate_policy, graph, log),
    }
