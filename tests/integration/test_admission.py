"""Pre-ingestion policy checks and field encryption on the real graph: refused files, a
high-risk file waiting for an admin, personal fields stored as tokens with keyed hashes."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from governance.approvals import Approvals, ChangeRequestRecord
from governance.audit import AuditLog
from governance.encrypted_rows import decrypt_row_values
from governance.encryption import FieldCipher, open_field_cipher
from governance.local_secrets import LocalSecretStore
from governance.policy import PolicySet, load_policies
from graph.events import EventBus
from graph.graph import Graph
from graph.model import ReviewStatus
from graph.settings import PROJECT_ROOT, Settings
from ingest.admission import DEFAULT_WORKSPACE, Admission
from ingest.extract import Limits
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.conftest import SourceFolder
from trust.detector import ConflictDetector
from trust.engine import TrustEngine

pytestmark = pytest.mark.integration

PEOPLE = (
    "person_id,name,email,phones,title\n"
    "p1,Ada Lovell,ada@acme.example,+44 20 7946 0001,Data Steward\n"
    "p2,Bo Larsen,bo@nordic.example,+45 3312 0000; +45 2012 3456,Chief Architect\n"
)


@pytest.fixture
def policies(tmp_path: Path, unique: str) -> PolicySet:
    """The shipped policies, with this test's folders in place of hr and open-data."""
    folder = tmp_path / "policies"
    folder.mkdir()
    for path in (PROJECT_ROOT / "policies").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = text.replace('"folder:hr"', f'"folder:hr_{unique}"')
        text = text.replace('"folder:crm"', f'"folder:crm_{unique}"')
        text = text.replace('"folder:open-data*"', f'"folder:open-data_{unique}"')
        (folder / path.name).write_text(text, encoding="utf-8")
    return load_policies(folder)


@pytest.fixture
def cipher(settings: Settings, tmp_path: Path) -> FieldCipher:
    store = LocalSecretStore(tmp_path / "secrets", master_key=bytes(range(32)))
    return open_field_cipher(settings, store)


@pytest.fixture
async def workspace(graph: Graph, unique: str) -> AsyncIterator[str]:
    name = f"ws-{unique}"
    users = [{"id": f"admin-{unique}", "role": "admin", "tables": None}]
    await graph.write("testing/approvals_members", {"workspace": name, "users": users})
    yield name
    await graph.write("testing/approvals_delete", {"workspace": name, "users": [f"admin-{unique}"]})


@pytest.fixture
async def approvals(graph: Graph, bus: EventBus, unique: str) -> Approvals:
    applied: list[ChangeRequestRecord] = []

    async def remember(request: ChangeRequestRecord) -> None:
        applied.append(request)

    return Approvals(graph, bus, AuditLog(graph, chain=f"test-{unique}"), {"ingestion": remember})


@pytest.fixture
async def guarded(
    graph: Graph,
    bus: EventBus,
    policies: PolicySet,
    approvals: Approvals,
    cipher: FieldCipher,
    workspace: str,
) -> IngestionService:
    return await IngestionService.create(
        graph,
        bus,
        limits=Limits(),
        batch_size=100,
        admission=Admission(policies, approvals, workspace),
        cipher=cipher,
    )


@pytest.fixture
async def folders(
    graph: Graph, tmp_path: Path, unique: str
) -> AsyncIterator[dict[str, SourceFolder]]:
    made = {
        name: SourceFolder(tmp_path, f"{name}_{unique}")
        for name in ("hr", "crm", "open-data", "misc")
    }
    yield made
    for folder in made.values():
        await graph.write("testing/delete_source", {"source": folder.id})


async def test_personal_fields_are_stored_as_tokens_with_keyed_hashes(
    graph: Graph,
    guarded: IngestionService,
    cipher: FieldCipher,
    folders: dict[str, SourceFolder],
) -> None:
    hr = folders["hr"]
    outcome = await guarded.ingest_file(hr.write("people.csv", PEOPLE), hr.root)
    assert outcome.status is OutcomeStatus.INGESTED, outcome
    rows = await graph.read("testing/document_rows", {"document_id": outcome.document_id})
    assert len(rows) == 2
    for row in rows:
        values = json.loads(row["values"])
        assert values["email"].startswith("enc:v1:")
        assert values["phones"].startswith("enc:v1:")
        assert values["title"] in ("Data Steward", "Chief Architect")  # not personal
        assert "@" not in row["values"]
        hashes = json.loads(row["hashes"])
        assert set(hashes) == {"email", "phones"}
        plain = decrypt_row_values("people", values, cipher)
        assert plain["email"] in ("ada@acme.example", "bo@nordic.example")
    # identity comes from the plaintext: the same file again is unchanged, not re-encrypted
    again = await guarded.ingest_file(hr.root / hr.name / "people.csv", hr.root)
    assert again.status is OutcomeStatus.UNCHANGED


async def test_personal_data_where_policy_forbids_it_refuses_the_file(
    graph: Graph, guarded: IngestionService, folders: dict[str, SourceFolder]
) -> None:
    published = folders["open-data"]
    outcome = await guarded.ingest_file(published.write("people.csv", PEOPLE), published.root)
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.error is not None
    assert "personal_data" in outcome.error
    assert "ada@acme.example" not in outcome.error  # violations never quote the data
    [record] = await graph.read("ingest/run_status", {"run_id": outcome.run_id})
    assert (record["run"]["status"], record["run"]["error_code"]) == ("failed", "policy_refused")


async def test_a_file_type_no_policy_allows_is_refused(
    guarded: IngestionService, folders: dict[str, SourceFolder]
) -> None:
    misc = folders["misc"]
    program = misc.folder / "tool.exe"
    program.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 50)  # the type comes from content
    outcome = await guarded.ingest_file(program, misc.root)
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.error is not None
    assert "type_not_allowed" in outcome.error


async def test_a_latin_1_csv_is_admitted_and_its_values_decoded(
    graph: Graph, guarded: IngestionService, folders: dict[str, SourceFolder]
) -> None:
    misc = folders["misc"]
    path = misc.folder / "cities.csv"
    path.write_bytes(
        "city_id,name,country\nsao-paulo-br,São Paulo,BR\nzurich-ch,Zürich,CH\n".encode("latin-1")
    )
    outcome = await guarded.ingest_file(path, misc.root)
    assert (outcome.status, outcome.table, outcome.rows) == (OutcomeStatus.INGESTED, "cities", 2)
    [record] = await graph.read("testing/source_graph", {"source": misc.id})
    names = sorted(json.loads(row["values"])["name"] for row in record["rows"])
    assert names == ["São Paulo", "Zürich"]


async def test_a_file_in_no_supported_encoding_fails_with_its_own_code(
    graph: Graph, guarded: IngestionService, folders: dict[str, SourceFolder]
) -> None:
    misc = folders["misc"]
    path = misc.folder / "cities.csv"
    path.write_bytes(b"city_id,name\nosaka-jp,\x91\xe5\x8d\xe3\n")  # Shift-JIS: 0x8d is undefined
    outcome = await guarded.ingest_file(path, misc.root)
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.code == "undecodable_text"
    assert outcome.error is not None
    assert "not valid text in any supported encoding" in outcome.error
    [record] = await graph.read("ingest/run_status", {"run_id": outcome.run_id})
    assert (record["run"]["status"], record["run"]["error_code"]) == ("failed", "undecodable_text")


async def test_a_high_risk_file_waits_for_one_request_and_an_admin_lets_it_in(
    graph: Graph,
    guarded: IngestionService,
    approvals: Approvals,
    folders: dict[str, SourceFolder],
    unique: str,
) -> None:
    misc = folders["misc"]  # personal data outside hr and crm: encrypted, an admin decides
    path = misc.write("people.csv", PEOPLE)
    first = await guarded.ingest_file(path, misc.root)
    assert first.status is OutcomeStatus.AWAITING_APPROVAL
    assert first.change_request is not None
    second = await guarded.ingest_file(path, misc.root)
    assert second.change_request == first.change_request  # one request per file content
    request = await approvals.get(first.change_request)
    assert (request.kind, request.status, request.role) == ("ingestion", ReviewStatus.OPEN, "admin")
    assert request.payload["path"] == f"{misc.name}/people.csv"
    approved = await approvals.approve(first.change_request, f"admin-{unique}")
    assert approved.status is ReviewStatus.APPLIED
    third = await guarded.ingest_file(path, misc.root)
    assert third.status is OutcomeStatus.INGESTED
    rows = await graph.read("testing/document_rows", {"document_id": third.document_id})
    assert all(re.match(r"enc:v1:", json.loads(r["values"])["email"]) for r in rows)


async def test_a_rejected_file_stays_out(
    guarded: IngestionService,
    approvals: Approvals,
    folders: dict[str, SourceFolder],
    unique: str,
) -> None:
    misc = folders["misc"]
    path = misc.write("people.csv", PEOPLE)
    waiting = await guarded.ingest_file(path, misc.root)
    assert waiting.change_request is not None
    await approvals.reject(waiting.change_request, f"admin-{unique}", "not ours")
    refused = await guarded.ingest_file(path, misc.root)
    assert refused.status is OutcomeStatus.FAILED
    assert refused.error is not None
    assert "rejected" in refused.error


async def test_encrypted_values_are_compared_by_their_keyed_hashes(
    graph: Graph,
    bus: EventBus,
    guarded: IngestionService,
    folders: dict[str, SourceFolder],
    unique: str,
) -> None:
    hr, crm = folders["hr"], folders["crm"]
    keyed = PEOPLE.replace("p1,", f"p1-{unique},").replace("p2,", f"p2-{unique},")
    await guarded.ingest_file(hr.write("people.csv", keyed), hr.root)
    moved = keyed.replace("bo@nordic.example", "bo@elsewhere.example")
    await guarded.ingest_file(crm.write("people.csv", moved), crm.root)
    engine = await TrustEngine.create(graph, bus)
    detector = ConflictDetector(graph, bus, AuditLog(graph, chain=f"test-{unique}"), engine.tables)
    entities = [f"people:p1-{unique}", f"people:p2-{unique}"]
    found = await detector.findings(entities)
    # the same e-mail encrypted twice (two tokens) agrees; the changed one conflicts
    assert [(c.item.key, c.item.attribute) for c in found] == [(f"p2-{unique}", "email")]
    assert all(str(v.value).startswith("kh:v1:") for v in (found[0].winner, *found[0].losers))
    await graph.write("testing/delete_conflicts", {"entities": entities})


async def test_a_high_risk_file_before_the_first_admin_waits_in_the_default_workspace(
    graph: Graph,
    bus: EventBus,
    policies: PolicySet,
    approvals: Approvals,
    cipher: FieldCipher,
    folders: dict[str, SourceFolder],
) -> None:
    """Issue 20 item 6: no admin yet means no default workspace; the request creates it."""
    await graph.write("testing/delete_workspace", {"id": DEFAULT_WORKSPACE})
    service = await IngestionService.create(
        graph,
        bus,
        limits=Limits(),
        batch_size=100,
        admission=Admission(policies, approvals),
        cipher=cipher,
    )
    misc = folders["misc"]
    outcome = await service.ingest_file(misc.write("people.csv", PEOPLE), misc.root)
    assert outcome.status is OutcomeStatus.AWAITING_APPROVAL, outcome
    assert outcome.change_request is not None
    request = await approvals.get(outcome.change_request)
    assert request.workspace == DEFAULT_WORKSPACE
    [workspace] = await graph.read("testing/workspace_exists", {"id": DEFAULT_WORKSPACE})
    assert (workspace["exists"], workspace["kind"]) == (True, "team")
