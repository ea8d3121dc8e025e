"""The policy set: every rule of `policies/*.yaml`, validated together, with accessors.

`load_policies` reads a folder (one bad file refuses the whole set, with file and line);
`PolicySet` answers what the other parts of Grace ask: trust thresholds per table, the
approval rule of a change kind, the ingestion and compliance rules in force.
`activate_policy_version` makes a stored version the active one (after its approval).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from governance.audit import AuditEntry, AuditLog
from governance.errors import PolicyVersionNotFoundError
from governance.policy_rules import (
    ApprovalRules,
    ComplianceRules,
    IngestionRules,
    PolicyFile,
    RuleSpec,
    ThresholdSpec,
)
from governance.rbac import Role
from graph.definitions import Location, line_of, load_definition
from graph.errors import DefinitionProblem, InvalidDefinitionsError
from graph.graph import Graph

DEFAULT_ACTOR = "system:policy"


@dataclass(frozen=True)
class TrustThresholds:
    """Where trust decisions switch for one table."""

    quarantine_below: float
    """Rows of the table under this trust are quarantined."""
    auto_sync_above: float
    """Facts above this confidence are synced automatically."""
    auto_resolve_above: float
    """A conflict is reconciled without a person above this confidence."""


@dataclass(frozen=True)
class ApprovalRule:
    """Who must approve a change: `required` distinct people of at least `role`."""

    required: int
    role: Role
    expires_after_hours: float | None
    stage: str | None = None
    """The stage's name when the rule is one stage of a multi-stage gate."""


DEFAULT_THRESHOLDS = TrustThresholds(
    quarantine_below=0.3, auto_sync_above=0.8, auto_resolve_above=0.9
)
"""Used when no policy declares a default."""
DEFAULT_APPROVAL = ApprovalRule(required=1, role=Role.EDITOR, expires_after_hours=None)
"""Used when no policy declares a rule for a kind nor a default."""


@dataclass(frozen=True)
class Conflict:
    """A problem found when policies are combined: in which policy, where, what."""

    policy: str
    location: Location
    message: str


class PolicySet:
    """A consistent set of policies; build it with `load_policies` or from the graph."""

    def __init__(
        self, policies: Iterable[PolicyFile], versions: Mapping[str, int] | None = None
    ) -> None:
        self._policies = {policy.name: policy for policy in policies}
        self._versions = dict(versions or {})
        conflicts = find_conflicts(self._policies.values())
        if conflicts:
            raise InvalidDefinitionsError(
                [DefinitionProblem(Path(c.policy), None, c.message) for c in conflicts]
            )
        self._default = _resolve(DEFAULT_THRESHOLDS, self._trust_default())
        self._tables = {
            table: _resolve(self._default, spec)
            for policy in self._policies.values()
            if policy.trust
            for table, spec in policy.trust.tables.items()
        }

    @property
    def policies(self) -> dict[str, PolicyFile]:
        """Every policy by name."""
        return dict(self._policies)

    def version(self, name: str) -> int | None:
        """The stored version of a policy, when the set was read from the graph."""
        return self._versions.get(name)

    def thresholds(self, table: str) -> TrustThresholds:
        """The trust thresholds of `table` (the default where it has none)."""
        return self._tables.get(table, self._default)

    def approval_rule(self, kind: str) -> ApprovalRule:
        """The rule for a change kind; a staged kind answers its first stage.

        A dotted kind (`schema.create`) falls back to its prefix (`schema`), then the default.
        """
        return self.approval_stages(kind)[0]

    def approval_stages(self, kind: str) -> list[ApprovalRule]:
        """The ordered stages a change of `kind` passes (one stage for a single rule)."""
        for candidate in _prefixes(kind):
            for rules in self._approvals():
                if candidate in rules.stages:
                    return [_rule(stage, stage.name) for stage in rules.stages[candidate]]
                if candidate in rules.kinds:
                    return [_rule(rules.kinds[candidate])]
        for rules in self._approvals():
            if rules.default:
                return [_rule(rules.default)]
        return [DEFAULT_APPROVAL]

    def ingestion_rules(self) -> list[tuple[str, IngestionRules]]:
        """(policy name, rules) of every policy with an `ingestion` section; all must pass."""
        return [(p.name, p.ingestion) for p in self._sorted() if p.ingestion]

    def compliance_rules(self, table: str | None = None) -> list[tuple[str, ComplianceRules]]:
        """(policy name, rules) of the compliance sections, those covering `table` if given."""
        return [
            (p.name, p.compliance)
            for p in self._sorted()
            if p.compliance
            and (table is None or p.compliance.tables is None or table in p.compliance.tables)
        ]

    def retention_days(self, table: str) -> int | None:
        """The shortest retention of personal data any policy sets for `table`, if any."""
        periods = [
            days
            for _, rules in self.compliance_rules(table)
            if rules.personal_data and (days := _retention(rules, table)) is not None
        ]
        return min(periods, default=None)

    def _sorted(self) -> list[PolicyFile]:
        return [self._policies[name] for name in sorted(self._policies)]

    def _approvals(self) -> list[ApprovalRules]:
        return [p.approvals for p in self._sorted() if p.approvals]

    def _trust_default(self) -> ThresholdSpec | None:
        return next((p.trust.default for p in self._sorted() if p.trust and p.trust.default), None)


def load_policies(folder: Path) -> PolicySet:
    """Read and validate every `*.yaml` file in `folder` into one set.

    Raises `InvalidDefinitionsError` (file and line of every problem); then nothing is
    returned.
    """
    problems: list[DefinitionProblem] = []
    loaded: dict[str, tuple[Path, PolicyFile, dict[Location, int]]] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            policy, lines = load_definition(path, PolicyFile)
        except InvalidDefinitionsError as error:
            problems += error.problems
            continue
        if policy.name != path.stem:
            message = f"name {policy.name!r} must match the file name {path.stem!r}"
            problems.append(DefinitionProblem(path, line_of(lines, ("name",)), message))
            continue
        loaded[policy.name] = (path, policy, lines)
    for conflict in find_conflicts(policy for _, policy, _ in loaded.values()):
        path, _, lines = loaded[conflict.policy]
        problems.append(
            DefinitionProblem(path, line_of(lines, conflict.location), conflict.message)
        )
    if problems:
        raise InvalidDefinitionsError(problems)
    if not loaded:
        raise InvalidDefinitionsError([DefinitionProblem(folder, None, "no *.yaml policy files")])
    return PolicySet(policy for _, policy, _ in loaded.values())


def with_policy_file(current: PolicySet, path: Path) -> tuple[PolicyFile, PolicySet]:
    """The policy in `path`, and `current` with it added or replacing the one of its name.

    Raises `InvalidDefinitionsError` (file and line) when the file is invalid or its rules
    clash with the other policies.
    """
    candidate, lines = load_definition(path, PolicyFile)
    others = [policy for policy in current.policies.values() if policy.name != candidate.name]
    problems = [
        DefinitionProblem(path, line_of(lines, conflict.location), conflict.message)
        if conflict.policy == candidate.name
        else DefinitionProblem(Path(conflict.policy), None, conflict.message)
        for conflict in find_conflicts([*sorted(others, key=lambda p: p.name), candidate])
    ]
    if problems:
        raise InvalidDefinitionsError(problems)
    versions = {
        policy.name: version
        for policy in others
        if (version := current.version(policy.name)) is not None
    }
    return candidate, PolicySet([*others, candidate], versions)


def find_conflicts(policies: Iterable[PolicyFile]) -> list[Conflict]:
    """Rules that two policies both claim (reported on the later one), and thresholds that
    contradict each other."""
    ordered = list(policies)
    conflicts: list[Conflict] = []
    owners: dict[tuple[str, ...], str] = {}

    def claim(policy: PolicyFile, location: Location, what: str) -> None:
        key = tuple(str(part) for part in location)
        if key in owners:
            message = f"{what} is already set by policy {owners[key]!r}"
            conflicts.append(Conflict(policy.name, location, message))
        else:
            owners[key] = policy.name

    for policy in ordered:
        if policy.trust:
            if policy.trust.default:
                claim(policy, ("trust", "default"), "the default trust thresholds")
            for table in policy.trust.tables:
                claim(policy, ("trust", "tables", table), f"trust thresholds of {table!r}")
        if policy.approvals:
            if policy.approvals.default:
                claim(policy, ("approvals", "default"), "the default approval rule")
            for section in ("kinds", "stages"):
                for kind in getattr(policy.approvals, section):
                    claim(policy, ("approvals", section, kind), f"the approval rule of {kind!r}")
    conflicts += _threshold_order(ordered)
    return conflicts


def _threshold_order(policies: Sequence[PolicyFile]) -> list[Conflict]:
    default_spec = next((p.trust.default for p in policies if p.trust and p.trust.default), None)
    default = _resolve(DEFAULT_THRESHOLDS, default_spec)
    conflicts = []
    for policy in policies:
        if not policy.trust:
            continue
        specs: list[tuple[Location, TrustThresholds]] = [
            (("trust", "tables", table), _resolve(default, spec))
            for table, spec in policy.trust.tables.items()
        ]
        if policy.trust.default:
            specs.append((("trust", "default"), default))
        for location, thresholds in specs:
            low = thresholds.quarantine_below
            if low > thresholds.auto_sync_above or low > thresholds.auto_resolve_above:
                message = (
                    f"quarantine_below ({low}) must not be above auto_sync_above "
                    f"({thresholds.auto_sync_above}) or auto_resolve_above "
                    f"({thresholds.auto_resolve_above})"
                )
                conflicts.append(Conflict(policy.name, location, message))
    return conflicts


async def activate_policy_version(
    graph: Graph,
    name: str,
    version: int,
    *,
    audit: AuditLog | None = None,
    actor: str = DEFAULT_ACTOR,
) -> None:
    """Make `name@version` the active version; the one active before is superseded.

    Audited as `policy.activate` (on the main chain unless `audit` is given). Activating the
    version that is already active changes nothing and records nothing.
    """
    records = await graph.write("policy/activate_version", {"name": name, "version": version})
    if not records:
        raise PolicyVersionNotFoundError(name, version)
    [record] = records
    if record["before"] == "active":
        return
    await (audit or AuditLog(graph)).append(
        [
            AuditEntry(
                actor=actor,
                action="policy.activate",
                target=f"policy:{name}@{version}",
                before={"active": record["previous"], "status": record["before"]},
                after={"active": version, "status": "active"},
            )
        ]
    )


def _resolve(base: TrustThresholds, spec: ThresholdSpec | None) -> TrustThresholds:
    if spec is None:
        return base
    return TrustThresholds(
        quarantine_below=_pick(spec.quarantine_below, base.quarantine_below),
        auto_sync_above=_pick(spec.auto_sync_above, base.auto_sync_above),
        auto_resolve_above=_pick(spec.auto_resolve_above, base.auto_resolve_above),
    )


def _pick(value: float | None, fallback: float) -> float:
    return fallback if value is None else value


def _rule(spec: RuleSpec, stage: str | None = None) -> ApprovalRule:
    return ApprovalRule(
        required=spec.required,
        role=spec.role,
        expires_after_hours=spec.expires_after_hours,
        stage=stage,
    )


def _prefixes(kind: str) -> list[str]:
    """`a.b.c` -> [`a.b.c`, `a.b`, `a`]."""
    parts = kind.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


def _retention(rules: ComplianceRules, table: str) -> int | None:
    personal = rules.personal_data
    if personal is None:
        return None
    return personal.retention_days.get(table, personal.default_retention_days)
