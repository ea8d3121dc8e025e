"""Role-based access control: the one place Grace decides who may do what (issue 6).

Pure logic, no graph: `governance.accounts` and `governance.api_keys` load a `Principal`
from Neo4j; the API, the CLI, the worker and the co-pilot ask `Authorizer` before acting.

The rules are the table `RULES` (action -> minimum role and how far a table-restricted
membership reaches), read by `Authorizer.decide` in this order:

1. a system principal (the worker, the local CLI) may do everything;
2. an API key's scopes must include the action (scopes narrow, never widen);
3. the principal needs a membership in the resource's workspace;
4. the membership's role must reach the action's minimum (`read_pii` also passes on a
   membership that grants PII);
5. a table-restricted membership covers only its tables: workspace-wide actions
   (`administer`) never pass, table actions pass only on a listed table, and read actions
   on the workspace itself pass so that lists can be shown, filtered by `readable_tables`.

The full admins of the default workspace administer the instance (`INSTANCE`): they create
users and team workspaces, and list and revoke anyone's API keys. Issuing a key for a user
(which acts with that user's rights) is for that user alone, or the system.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from governance.errors import AccessDeniedError

DEFAULT_WORKSPACE = "default"
"""The team workspace of every table not assigned to another one."""


class Role(StrEnum):
    """A member's role in a workspace, in ascending order of power."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"


_RANK: dict[Role, int] = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


def role_at_least(role: Role, needed: Role) -> bool:
    """True when `role` grants everything `needed` grants."""
    return _RANK[role] >= _RANK[needed]


class Action(StrEnum):
    """What a principal wants to do."""

    READ = "read"
    READ_PII = "read_pii"
    INGEST = "ingest"
    EDIT = "edit"  # quarantine, release, resolve conflicts, comment
    APPROVE = "approve"  # approval rules may ask for more (ApprovalRule.role)
    ADMINISTER = "administer"  # members, keys, policies


class Reach(StrEnum):
    """How far a table-restricted membership reaches for an action."""

    TABLE_OR_LISTING = "table_or_listing"  # its tables, and the workspace for filtered lists
    TABLE = "table"  # its tables only
    WORKSPACE = "workspace"  # never: the action concerns the whole workspace


@dataclass(frozen=True)
class Rule:
    """What an action needs from a membership."""

    minimum: Role
    reach: Reach
    pii_flag_suffices: bool = False  # a membership granting PII passes at any role


RULES: Mapping[Action, Rule] = MappingProxyType(
    {
        Action.READ: Rule(Role.VIEWER, Reach.TABLE_OR_LISTING),
        Action.READ_PII: Rule(Role.ADMIN, Reach.TABLE_OR_LISTING, pii_flag_suffices=True),
        Action.INGEST: Rule(Role.EDITOR, Reach.TABLE),
        Action.EDIT: Rule(Role.EDITOR, Reach.TABLE),
        Action.APPROVE: Rule(Role.EDITOR, Reach.TABLE),
        Action.ADMINISTER: Rule(Role.ADMIN, Reach.WORKSPACE),
    }
)
"""The declarative rule table: every action and what it needs."""


class PrincipalKind(StrEnum):
    """Who is acting: a person, one of their API keys, or Grace itself."""

    USER = "user"
    API_KEY = "api_key"
    SYSTEM = "system"


@dataclass(frozen=True)
class Membership:
    """A user's place in one workspace; `tables` None means every table of it."""

    workspace: str
    role: Role
    tables: frozenset[str] | None = None
    pii: bool = False


@dataclass(frozen=True)
class Principal:
    """An authenticated actor with the memberships it acts under.

    For a user `id == user_id`; for an API key `id` is the key's id and `user_id` its
    owner; a system principal (`id` names the component) has no user. `scopes` None means
    no narrowing; a set limits the actions to those listed.
    """

    id: str
    kind: PrincipalKind
    user_id: str | None
    memberships: Mapping[str, Membership] = field(default_factory=dict)
    scopes: frozenset[Action] | None = None
    expires_at: datetime | None = None
    """When the key or token it was proved by stops working (None: it does not expire)."""

    @classmethod
    def system(cls, component: str) -> Principal:
        """Grace itself (the worker, the local CLI): allowed everything. Never from a token."""
        return cls(id=component, kind=PrincipalKind.SYSTEM, user_id=None)

    @property
    def actor(self) -> str:
        """How the audit log names this principal: `user:<id>`, `key:<id>`, `system:<name>`."""
        prefix = {
            PrincipalKind.USER: "user",
            PrincipalKind.API_KEY: "key",
            PrincipalKind.SYSTEM: "system",
        }[self.kind]
        return f"{prefix}:{self.id}"


@dataclass(frozen=True)
class Resource:
    """What an action is on: a workspace, or one table of it."""

    workspace: str
    table: str | None = None

    def __str__(self) -> str:
        suffix = f"/table {self.table}" if self.table is not None else ""
        return f"workspace {self.workspace}{suffix}"


INSTANCE = Resource(DEFAULT_WORKSPACE)
"""Administering this resource administers the instance (users, team workspaces, keys)."""


class KeyOperation(StrEnum):
    """What is done to a user's API keys."""

    ISSUE = "issue"  # create or rotate: returns a secret acting with the owner's rights
    REVOKE = "revoke"
    LIST = "list"


@dataclass(frozen=True)
class Decision:
    """The answer to one access question, with the reason (for logs and error messages)."""

    allowed: bool
    reason: str


class Authorizer:
    """Decides access from `RULES`; the API, the CLI and the co-pilot all ask it."""

    def decide(self, principal: Principal, action: Action, resource: Resource) -> Decision:
        """Whether `principal` may do `action` on `resource`, and why."""
        if principal.kind is PrincipalKind.SYSTEM:
            return Decision(True, "system principal")
        if principal.scopes is not None and action not in principal.scopes:
            return Decision(False, f"the API key's scopes do not include {action}")
        membership = principal.memberships.get(resource.workspace)
        if membership is None or membership.workspace != resource.workspace:
            return Decision(False, f"not a member of workspace {resource.workspace}")
        rule = RULES[action]
        if not (
            role_at_least(membership.role, rule.minimum)
            or (rule.pii_flag_suffices and membership.pii)
        ):
            return Decision(False, f"role {membership.role} is below {rule.minimum} for {action}")
        if membership.tables is not None:
            refusal = _restriction(membership.tables, rule.reach, action, resource)
            if refusal is not None:
                return Decision(False, refusal)
        return Decision(True, f"role {membership.role} in workspace {resource.workspace}")

    def may_read_workspace(self, principal: Principal, workspace: str) -> bool:
        """Whether `principal` may read all of `workspace`, beyond its tables: what belongs to
        no table (text documents, events and notifications without a table, failed runs). A
        membership restricted to some tables does not give it."""
        membership = principal.memberships.get(workspace)
        if membership is not None and membership.tables is not None:
            return False
        return self.decide(principal, Action.READ, Resource(workspace)).allowed

    def require(self, principal: Principal, action: Action, resource: Resource) -> None:
        """`decide`, raising `AccessDeniedError` (a `NotAllowedError`) on a refusal."""
        decision = self.decide(principal, action, resource)
        if not decision.allowed:
            raise AccessDeniedError(principal.actor, str(action), str(resource), decision.reason)

    def decide_on_keys(
        self,
        principal: Principal,
        operation: KeyOperation,
        owner: str,
        scopes: frozenset[Action] | None = None,
    ) -> Decision:
        """Whether `principal` may do `operation` on the API keys of user `owner`.

        `scopes` are those of the key to issue: an API key may only issue keys narrower
        than itself, so a leaked key cannot mint a wider one.
        """
        if principal.kind is PrincipalKind.SYSTEM:
            return Decision(True, "system principal")
        if principal.scopes is not None and Action.ADMINISTER not in principal.scopes:
            return Decision(False, "managing keys needs the administer scope")
        if principal.user_id == owner:
            if (
                operation is KeyOperation.ISSUE
                and principal.scopes is not None
                and (scopes is None or not scopes <= principal.scopes)
            ):
                return Decision(False, "an API key cannot issue a key wider than itself")
            return Decision(True, "the owner manages their own keys")
        if operation is not KeyOperation.ISSUE:
            instance = self.decide(principal, Action.ADMINISTER, INSTANCE)
            if instance.allowed:
                return Decision(True, "an instance admin")
            return Decision(False, f"not the key owner nor an instance admin ({instance.reason})")
        return Decision(False, "only the owner may issue keys acting with their rights")

    def require_on_keys(
        self,
        principal: Principal,
        operation: KeyOperation,
        owner: str,
        scopes: frozenset[Action] | None = None,
    ) -> None:
        """`decide_on_keys`, raising `AccessDeniedError` on a refusal."""
        decision = self.decide_on_keys(principal, operation, owner, scopes)
        if not decision.allowed:
            raise AccessDeniedError(
                principal.actor, f"{operation} keys", f"user {owner}", decision.reason
            )

    def readable_tables(
        self, principal: Principal, workspace: str, all_tables: Iterable[str]
    ) -> frozenset[str]:
        """The tables of `all_tables` that `principal` may read: filter every list with it."""
        return frozenset(
            table
            for table in all_tables
            if self.decide(principal, Action.READ, Resource(workspace, table)).allowed
        )


def _restriction(
    tables: frozenset[str], reach: Reach, action: Action, resource: Resource
) -> str | None:
    """Why a table-restricted membership does not cover this request, or None if it does."""
    if reach is Reach.WORKSPACE:
        return f"{action} needs a membership of the whole workspace, not of some tables"
    if resource.table is None:
        if reach is Reach.TABLE_OR_LISTING:
            return None
        return f"{action} needs a table: the membership covers some tables only"
    if resource.table not in tables:
        return f"table {resource.table} is outside the membership's tables"
    return None
