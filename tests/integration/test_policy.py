from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.policy import policy_app
from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.errors import PolicyNotActiveError, PolicyVersionNotFoundError
from governance.policy import PolicySet, activate_policy_version, load_policies
from governance.policy_checks import ENCRYPTED_PREFIX, RowView, check_rows
from governance.policy_diff import diff_policy
from governance.policy_eval import check_graph, table_schemas
from governance.policy_retention import enforce_retention
from governance.policy_store import active_policy_set, policy_versions, sync_policies
from governance.proposals import sync_policy_files
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.schema_store import sync_tables
from graph.schemas import FieldSpec, FieldType, TableSchema
from graph.settings import PROJECT_ROOT, Settings
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.conftest import SourceFolder
from tests.integration.hearing import hearing

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
EVENT_WAIT_SECONDS = 10
POLICY = """\
name: {name}
description: Test policy.
trust:
  tables:
    {table}: {{quarantine_below: {quarantine}}}
compliance:
  tables: [{table}]
  personal_data:
    encrypted: true
    retention_days: {{{table}: 30}}
  schema_allowed_values: true
"""


@dataclass
class Scene:
    """One test's private table, policy folder, source and audit chain."""

    graph: Graph
    table: str
    policy: str
    source: str
    folder: Path
    audit: AuditLog

    def write_policy(self, quarantine: float = 0.2, extra: str = "") -> Path:
        path = self.folder / f"{self.policy}.yaml"
        text = POLICY.format(name=self.policy, table=self.table, quarantine=quarantine)
        path.write_text(text + dedent(extra), encoding="utf-8")
        return path

    def policies(self) -> PolicySet:
        return load_policies(self.folder)

    async def rows(self, *rows: dict[str, Any]) -> None:
        await self.graph.write(
            "testing/policy_rows",
            {
                "table": self.table,
                "rows": [
                    {
                        "id": f"row:{self.table}:{row['key']}",
                        "key": row["key"],
                        "values": json.dumps(row["values"]),
                        "trust": row.get("trust", 0.6),
                        "status": row.get("status", "active"),
                        "created_at": (NOW - timedelta(days=row.get("age", 1))).isoformat(),
                    }
                    for row in rows
                ],
            },
        )

    def row_id(self, key: str) -> str:
        return f"row:{self.table}:{key}"

    async def state(self) -> dict[str, dict[str, Any]]:
        records = await self.graph.read("testing/policy_row_state", {"table": self.table})
        return {record["id"].rsplit(":", 1)[1]: record for record in records}

    async def rules(self) -> dict[str, set[str]]:
        return {
            key: {v["rule"] for v in record["violations"]}
            for key, record in (await self.state()).items()
        }


@pytest.fixture
async def scene(graph: Graph, unique: str, tmp_path: Path) -> AsyncIterator[Scene]:
    table = f"pol_{unique}"
    schema = TableSchema(
        name=table,
        description="Policy test table.",
        owner="tests@grace.example",
        entity_key=["code"],
        fields={
            "code": FieldSpec(type=FieldType.STRING),
            "email": FieldSpec(type=FieldType.STRING, pii=True),
            "phone": FieldSpec(type=FieldType.STRING, pii=True),
            "status": FieldSpec(type=FieldType.STRING, allowed=["a", "b"]),
            "city": FieldSpec(type=FieldType.STRING),
        },
    )
    await sync_tables(graph, [schema])
    folder = tmp_path / "policies"
    folder.mkdir()
    scene = Scene(
        graph,
        table,
        f"pol_{unique}",
        f"folder:src_{unique}",
        folder,
        AuditLog(graph, f"test-{unique}"),
    )
    yield scene
    await graph.write(
        "testing/delete_policy_data",
        {"table": table, "policies": [scene.policy], "source": scene.source},
    )
    await graph.write("testing/delete_tables", {"names": [table]})


async def collect_events(
    bus: EventBus, subjects: set[str], run: Any
) -> tuple[Any, list[DomainEvent]]:
    """Run `run()` while subscribed to policy.violated; the events about `subjects`."""
    async with hearing(bus, [EventType.POLICY_VIOLATED]) as heard:
        result = await run()
        with contextlib.suppress(TimeoutError):  # the assertions say what was missing
            await heard.until(
                lambda _: {e.subject for e in heard.about(subjects)} == subjects, EVENT_WAIT_SECONDS
            )
    return result, heard.about(subjects)


# ------------------------------------------------------------------ versions


async def test_a_changed_policy_file_opens_a_request_carrying_both_definitions(
    scene: Scene, bus: EventBus, settings: Settings
) -> None:
    from_folder = settings.model_copy(update={"policies_dir": scene.folder})
    scene.write_policy(quarantine=0.2)
    assert (await sync_policy_files(scene.graph, bus, from_folder)).requests == []
    scene.write_policy(quarantine=0.25)
    synced = await sync_policy_files(scene.graph, bus, from_folder)
    try:
        [request_id] = synced.requests
        request = await Approvals(scene.graph, bus, scene.audit).get(request_id)
        versions = {
            v.version: v.definition
            for v in await policy_versions(scene.graph)
            if v.name == scene.policy
        }
        assert request.kind == "policy"
        assert request.payload == {
            "name": scene.policy,
            "version": 2,
            "definition": versions[2],
            "previous": versions[1],
        }
        assert versions[1] != versions[2]
    finally:
        await scene.graph.write("testing/api_catalog_delete_requests", {"ids": synced.requests})


async def test_sync_creates_an_active_version_then_proposes_changes_until_activated(
    scene: Scene,
) -> None:
    scene.write_policy(quarantine=0.2)
    [first] = await sync_policies(scene.graph, scene.policies(), scene.audit)
    assert (first.name, first.version, first.status) == (scene.policy, 1, "active")
    assert await sync_policies(scene.graph, scene.policies(), scene.audit) == []

    scene.write_policy(quarantine=0.25)
    [second] = await sync_policies(scene.graph, scene.policies(), scene.audit)
    assert (second.version, second.status) == (2, "proposed")
    active = await active_policy_set(scene.graph)
    assert active.version(scene.policy) == 1
    assert active.thresholds(scene.table).quarantine_below == 0.2
    assert await sync_policies(scene.graph, scene.policies(), scene.audit) == []

    await activate_policy_version(scene.graph, scene.policy, 2, audit=scene.audit)
    active = await active_policy_set(scene.graph)
    assert active.version(scene.policy) == 2
    assert active.thresholds(scene.table).quarantine_below == 0.25
    statuses = {
        v.version: v.status for v in await policy_versions(scene.graph) if v.name == scene.policy
    }
    assert statuses == {1: "superseded", 2: "active"}

    await activate_policy_version(scene.graph, scene.policy, 2, audit=scene.audit)  # no-op
    events = [(e.action, e.target) for e in await scene.audit.events()]
    assert events == [
        ("policy.create", f"policy:{scene.policy}@1"),
        ("policy.propose", f"policy:{scene.policy}@2"),
        ("policy.activate", f"policy:{scene.policy}@2"),
    ]
    with pytest.raises(PolicyVersionNotFoundError):
        await activate_policy_version(scene.graph, scene.policy, 9, audit=scene.audit)


# ------------------------------------------------------------------ evaluation


async def test_check_graph_writes_violations_publishes_them_and_removes_them_once_fixed(
    scene: Scene, bus: EventBus
) -> None:
    scene.write_policy()
    await sync_policies(scene.graph, scene.policies(), scene.audit)
    sealed = ENCRYPTED_PREFIX + "x"
    await scene.rows(
        {"key": "clean", "values": {"code": "clean", "email": sealed, "status": "a"}},
        {"key": "clear", "values": {"code": "clear", "email": "a@example.org", "status": "a"}},
        {"key": "odd", "values": {"code": "odd", "email": sealed, "status": "z"}},
        {"key": "old", "age": 40, "values": {"code": "old", "email": sealed, "status": "b"}},
        {"key": "gone", "status": "retracted", "values": {"code": "gone", "email": "b@x.org"}},
    )
    violating = {scene.row_id(key) for key in ("clear", "odd", "old")}

    async def run() -> Any:
        return await check_graph(
            scene.graph, scene.policies(), bus, scene.audit, tables=[scene.table]
        )

    report, events = await collect_events(bus, violating, run)
    assert (report.rows, report.violating_rows, report.violations) == (4, 3, 3)
    assert (report.newly_violating, report.resolved) == (3, 0)
    assert report.policies == (f"{scene.policy}@1",)
    assert await scene.rules() == {
        "clean": set(),
        "clear": {"pii_unencrypted:email"},
        "odd": {"allowed_values:status"},
        "old": {"retention_exceeded:email"},
        "gone": set(),
    }
    assert {e.subject for e in events} == violating
    assert all(e.payload["evaluation"] == report.id for e in events)
    state = await scene.state()
    [edge] = state["odd"]["violations"]
    assert edge["policy"] == f"{scene.policy}@1"
    assert "'z'" in edge["detail"]
    first_seen = edge["at"]

    [evaluation] = await scene.graph.read("testing/policy_evaluation", {"id": report.id})
    assert evaluation["evaluation"]["rows"] == 4
    assert evaluation["evaluation"]["violations"] == 3

    await scene.rows(
        {"key": "clear", "values": {"code": "clear", "email": sealed, "status": "a"}},
    )
    again = await check_graph(scene.graph, scene.policies(), bus, scene.audit, tables=[scene.table])
    assert (again.violating_rows, again.newly_violating, again.resolved) == (2, 0, 1)
    rules = await scene.rules()
    assert rules["clear"] == set()
    assert rules["odd"] == {"allowed_values:status"}
    assert (await scene.state())["odd"]["violations"][0]["at"] == first_seen
    actions = [e.action for e in await scene.audit.events()]
    assert actions.count("policy.evaluate") == 2


async def test_check_graph_refuses_rules_that_are_not_in_force(scene: Scene, bus: EventBus) -> None:
    scene.write_policy(quarantine=0.2)
    await sync_policies(scene.graph, scene.policies(), scene.audit)
    scene.write_policy(quarantine=0.1)
    with pytest.raises(PolicyNotActiveError):
        await check_graph(scene.graph, scene.policies(), bus, scene.audit, tables=[scene.table])


# ------------------------------------------------------------------ diff


async def test_diff_reports_newly_blocked_rows_and_documents_without_writing(
    scene: Scene, bus: EventBus, tmp_path: Path
) -> None:
    scene.write_policy(quarantine=0.2)
    await sync_policies(scene.graph, scene.policies(), scene.audit)
    sealed = ENCRYPTED_PREFIX + "x"
    await scene.rows(
        {"key": "a", "values": {"code": "a", "email": sealed, "status": "a"}, "trust": 0.6},
        {"key": "b", "values": {"code": "b", "email": "b@example.org", "status": "b"}},
        {"key": "low", "values": {"code": "low", "status": "b"}, "trust": 0.25},
    )
    await scene.graph.write(
        "testing/policy_document",
        {
            "id": f"doc:{scene.table}",
            "path": "people.csv",
            "source": scene.source,
            "mime": "text/csv",
            "size": 120,
            "rows": [scene.row_id("b")],
        },
    )
    current = scene.policies()
    await check_graph(scene.graph, current, bus, scene.audit, tables=[scene.table])
    before = await scene.state()
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(
        POLICY.format(name=scene.policy, table=scene.table, quarantine=0.3).replace(
            "encrypted: true", "encrypted: false"
        )
        + dedent(
            f"""\
              allowed_values:
                {scene.table}:
                  status: [b]
            ingestion:
              personal_data:
                - sources: ["{scene.source}"]
                  action: block
            """
        ),
        encoding="utf-8",
    )

    diff = await diff_policy(scene.graph, current, candidate, tables=[scene.table])

    assert diff.policy == scene.policy
    assert not diff.unchanged
    assert diff.rows_checked == 3
    added = {change.key: change.added for change in diff.newly_violating}
    assert added == {
        "a": (f"{scene.policy}|allowed_values:status",),
        "low": ("trust|quarantine",),
    }
    assert [(c.key, c.removed) for c in diff.no_longer_violating] == [
        ("b", (f"{scene.policy}|pii_unencrypted:email",))
    ]
    assert any(scene.table in line for line in diff.settings)
    blocked = [d for d in diff.newly_blocked if d.source == scene.source]
    assert [d.path for d in blocked] == ["people.csv"]
    assert "personal data in email" in blocked[0].reasons[0]
    assert await scene.state() == before
    versions = [v.version for v in await policy_versions(scene.graph) if v.name == scene.policy]
    assert versions == [1]


# ------------------------------------------------------------------ retention


async def test_retention_erases_only_expired_personal_data_and_audits_it(
    scene: Scene, bus: EventBus
) -> None:
    scene.write_policy()
    await sync_policies(scene.graph, scene.policies(), scene.audit)
    person = {"email": "a@example.org", "phone": "+49 89 5550 1100", "city": "Lyon"}
    await scene.rows(
        {"key": "old", "age": 40, "values": {"code": "old", **person}},
        {"key": "older", "age": 400, "status": "superseded", "values": {"code": "older", **person}},
        {"key": "young", "age": 5, "values": {"code": "young", **person}},
        {"key": "bare", "age": 40, "values": {"code": "bare", "city": "Porto"}},
    )
    policies = scene.policies()
    await check_graph(scene.graph, policies, bus, scene.audit, tables=[scene.table])
    assert "retention_exceeded:email" in (await scene.rules())["old"]

    report = await enforce_retention(scene.graph, policies, scene.audit, NOW, tables=[scene.table])

    assert (report.rows_checked, report.rows_erased, report.fields_erased) == (4, 2, 4)
    assert report.by_table == {scene.table: 2}
    state = await scene.state()
    for key in ("old", "older"):
        assert json.loads(state[key]["values"]) == {
            "city": "Lyon",
            "code": key,
            "email": None,
            "phone": None,
        }
        assert state[key]["erased"]
        assert sorted(state[key]["erased_fields"]) == ["email", "phone"]
        assert state[key]["violations"] == []
    assert json.loads(state["young"]["values"])["email"] == "a@example.org"
    assert not state["young"]["erased"]
    assert not state["bare"]["erased"]
    erasures = [e for e in await scene.audit.events() if e.action == "row.erase"]
    assert sorted(e.target for e in erasures) == sorted(
        [scene.row_id("old"), scene.row_id("older")]
    )
    again = await enforce_retention(scene.graph, policies, scene.audit, NOW, tables=[scene.table])
    assert again.rows_erased == 0


# ------------------------------------------------------------------ CLI


def test_cli_sync_list_check_and_diff(scene: Scene, settings: Any, tmp_path: Path) -> None:
    scene.write_policy()
    runner = CliRunner()
    env = {"GRACE_POLICIES_DIR": str(scene.folder), "COLUMNS": "200"}
    synced = runner.invoke(policy_app, ["sync"], env=env)
    assert synced.exit_code == 0, synced.output
    assert f"{scene.policy}@1: active" in synced.output
    listed = runner.invoke(policy_app, ["list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert scene.policy in listed.output
    checked = runner.invoke(policy_app, ["check", "--table", scene.table], env=env)
    assert checked.exit_code == 0, checked.output
    assert "0 rows in 1 tables checked" in checked.output
    candidate = scene.write_policy(quarantine=0.25)
    diffed = runner.invoke(policy_app, ["diff", str(candidate), "--table", scene.table], env=env)
    assert diffed.exit_code == 0, diffed.output
    assert "0 would newly violate" in diffed.output
    assert "trust thresholds of" in diffed.output


# ------------------------------------------------------------------ the shipped policies


async def test_the_shipped_compliance_policy_flags_only_the_demo_catalogs_non_commercial_licence(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    for example in ("catalog/datasets.csv", "registry/cities.csv"):
        text = (PROJECT_ROOT / "examples" / "sources" / example).read_text(encoding="utf-8")
        path = source.write(example.replace("/", "-"), text)
        outcome = await service.ingest_file(path, source.root)
        assert outcome.status is OutcomeStatus.INGESTED, outcome
    policies = load_policies(PROJECT_ROOT / "policies")
    tables = await table_schemas(graph, ["datasets", "cities"])
    records = await graph.read("testing/policy_source_rows", {"source": source.id})
    found = []
    for name, table in tables.items():
        views = [
            RowView(r["id"], name, r["key"], json.loads(r["values"]))
            for r in records
            if r["table"] == name
        ]
        assert views
        found += check_rows(policies, table, views)
    assert [(v.policy, v.rule, v.field) for v in found] == [
        ("compliance", "allowed_values", "license")
    ]
    assert "'CC-BY-NC-4.0'" in found[0].detail
