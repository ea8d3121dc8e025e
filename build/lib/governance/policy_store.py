"""Policies in the graph: versioned `Policy` nodes, and the set of the active versions.

`sync_policies` stores each file of a `PolicySet`: a policy seen for the first time is
active at once, a changed one becomes a `proposed` version that waits for approval
(`governance.policy.activate_policy_version` makes it active). `active_policy_set`
rebuilds what is in force from the graph alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from governance.audit import AuditEntry, AuditLog
from governance.policy import PolicySet
from governance.policy_rules import PolicyFile
from graph.graph import Graph
from graph.model import JsonMap, Timestamp

ACTOR = "system:policy"


class PolicyVersion(BaseModel):
    """One stored version of one policy."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    name: str
    version: int
    status: str
    """`active`, `proposed` or `superseded`."""
    sha256: str
    definition: JsonMap
    description: str = ""
    created_at: Timestamp | None = None
    activated_at: Timestamp | None = None

    @property
    def policy(self) -> PolicyFile:
        """The rules this version holds."""
        return PolicyFile.model_validate(self.definition)


async def sync_policies(
    graph: Graph, policy_set: PolicySet, audit: AuditLog, *, actor: str = ACTOR
) -> list[PolicyVersion]:
    """Store every policy of the set; returns the versions created (none when unchanged).

    Each new version is audited: `policy.create` (active at once) or `policy.propose`.
    """
    payload = [
        {
            "name": policy.name,
            "sha256": policy.sha256,
            "definition": policy.canonical_json(),
            "description": policy.description,
        }
        for policy in policy_set.policies.values()
    ]
    records = await graph.write("policy/sync_versions", {"policies": payload})
    created = [PolicyVersion.model_validate(record["version"]) for record in records]
    if created:
        await audit.append(
            [
                AuditEntry(
                    actor=actor,
                    action="policy.create" if version.status == "active" else "policy.propose",
                    target=f"policy:{version.name}@{version.version}",
                    after={"sha256": version.sha256, "status": version.status},
                )
                for version in created
            ]
        )
    return created


async def policy_versions(graph: Graph) -> list[PolicyVersion]:
    """Every stored version, by policy name and newest first."""
    records = await graph.read("policy/versions")
    return [PolicyVersion.model_validate(record["version"]) for record in records]


async def active_versions(graph: Graph) -> list[PolicyVersion]:
    """The active version of every policy."""
    records = await graph.read("policy/active_versions")
    return [PolicyVersion.model_validate(record["version"]) for record in records]


async def active_policy_set(graph: Graph) -> PolicySet:
    """The rules in force: the active versions, with their version numbers."""
    return policy_set_of(await active_versions(graph))


def policy_set_of(versions: Sequence[PolicyVersion]) -> PolicySet:
    """A set built from stored versions (one per name)."""
    return PolicySet(
        (version.policy for version in versions),
        versions={version.name: version.version for version in versions},
    )
