from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from textwrap import dedent

import pytest
from pydantic import JsonValue

from governance.policy import (
    DEFAULT_APPROVAL,
    DEFAULT_THRESHOLDS,
    ApprovalRule,
    PolicySet,
    TrustThresholds,
    load_policies,
    with_policy_file,
)
from governance.policy_checks import (
    ENCRYPTED_PREFIX,
    FileVerdict,
    RowView,
    Rule,
    Violation,
    check_file,
    check_rows,
    detect_personal_data,
    is_encrypted,
)
from governance.policy_pii import DEFAULT_SCANNER, iban_valid, luhn_valid, scanner
from governance.policy_rules import Detector, PolicyFile
from governance.rbac import Role
from graph.errors import InvalidDefinitionsError
from graph.schemas import FieldSpec, FieldType, TableSchema, load_tables
from graph.settings import PROJECT_ROOT

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return path


def refused(folder: Path) -> list[str]:
    with pytest.raises(InvalidDefinitionsError) as error:
        load_policies(folder)
    return [str(problem) for problem in error.value.problems]


def policy_set(**sections: object) -> PolicySet:
    return PolicySet([PolicyFile.model_validate({"name": "p", "description": "d", **sections})])


def people() -> TableSchema:
    return TableSchema(
        name="people",
        description="d",
        owner="o",
        entity_key=["person_id"],
        fields={
            "person_id": FieldSpec(type=FieldType.STRING),
            "email": FieldSpec(type=FieldType.STRING, pii=True),
            "phones": FieldSpec(type=FieldType.LIST, items=FieldType.STRING, pii=True),
            "status": FieldSpec(type=FieldType.STRING, allowed=["on", "off"]),
            "country": FieldSpec(type=FieldType.STRING),
            "note": FieldSpec(type=FieldType.TEXT),
        },
    )


def row(row_id: str = "r1", days_old: float = 1, **values: object) -> RowView:
    return RowView(
        id=row_id,
        table="people",
        key=row_id,
        values={"person_id": row_id, **values},  # type: ignore[dict-item]
        ingested_at=NOW - timedelta(days=days_old),
    )


def rules_of(violations: list[Violation]) -> set[tuple[str, str | None]]:
    return {(v.rule, v.field) for v in violations}


# ------------------------------------------------------------------ loading


def test_the_shipped_policies_load_and_fit_the_demo_tables() -> None:
    policies = load_policies(PROJECT_ROOT / "policies")
    tables = {table.name for table in load_tables(PROJECT_ROOT / "schemas")}
    assert set(policies.policies) == {"ingestion", "trust", "approvals", "compliance"}
    trust = policies.policies["trust"].trust
    assert trust is not None
    assert set(trust.tables) <= tables
    assert policies.retention_days("people") == 730
    assert policies.approval_rule("schema").required == 2
    assert policies.approval_rule("ingestion").role is Role.ADMIN
    assert len(policies.approval_stages("promotion")) == 3


def test_a_bad_file_is_refused_with_its_file_and_line_and_nothing_is_returned(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "good",
        """\
        name: good
        description: Fine.
        trust:
          default: {quarantine_below: 0.2}
        """,
    )
    bad = write(
        tmp_path,
        "bad",
        """\
        name: bad
        description: Broken.
        approvals:
          kinds:
            schema:
              required: 2
              role: superuser
        """,
    )
    problems = refused(tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{bad}:7: approvals.kinds.schema.role")


def test_unknown_keys_bad_regexes_and_empty_policies_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "a", "name: a\ndescription: x\ntrust:\n  defualt: {}\n")
    write(
        tmp_path,
        "b",
        "name: b\ndescription: x\ncompliance:\n  patterns:\n    t:\n      f: '(unclosed'\n",
    )
    write(tmp_path, "c", "name: c\ndescription: nothing to enforce\n")
    problems = refused(tmp_path)
    assert any(p.startswith(f"{tmp_path / 'a.yaml'}:4: trust.defualt") for p in problems)
    assert any("b.yaml:4" in p and "not a valid regular expression" in p for p in problems)
    assert any("c.yaml:1" in p and "needs one of" in p for p in problems)


def test_the_name_must_match_the_file(tmp_path: Path) -> None:
    write(tmp_path, "one", "name: two\ndescription: x\ntrust: {}\n")
    assert refused(tmp_path) == [
        f"{tmp_path / 'one.yaml'}:1: name 'two' must match the file name 'one'"
    ]


def test_two_policies_claiming_the_same_rule_are_refused_at_the_later_ones_line(
    tmp_path: Path,
) -> None:
    write(tmp_path, "a", "name: a\ndescription: x\ntrust:\n  tables:\n    people: {}\n")
    write(
        tmp_path,
        "b",
        "name: b\ndescription: x\nowner: me\ntrust:\n  tables:\n    people:\n"
        "      quarantine_below: 0.1\n",
    )
    assert refused(tmp_path) == [
        f"{tmp_path / 'b.yaml'}:6: trust thresholds of 'people' is already set by policy 'a'"
    ]


def test_thresholds_that_contradict_each_other_are_refused(tmp_path: Path) -> None:
    write(
        tmp_path,
        "t",
        """\
        name: t
        description: x
        trust:
          default: {quarantine_below: 0.5, auto_sync_above: 0.9, auto_resolve_above: 0.95}
          tables:
            cities: {auto_sync_above: 0.4}
        """,
    )
    [problem] = refused(tmp_path)
    assert problem.startswith(f"{tmp_path / 't.yaml'}:6: quarantine_below (0.5)")


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    assert refused(tmp_path) == [f"{tmp_path}: no *.yaml policy files"]


def test_a_candidate_file_replaces_its_policy_and_reports_its_own_lines(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", folder)
    current = load_policies(folder)
    candidate = write(
        tmp_path,
        "trust-draft",
        "name: trust\ndescription: x\ntrust:\n  default: {quarantine_below: 0.5}\n",
    )
    policy, changed = with_policy_file(current, candidate)
    assert policy.name == "trust"
    assert changed.thresholds("cities").quarantine_below == 0.5
    assert current.thresholds("cities").quarantine_below == 0.3
    clash = write(
        tmp_path,
        "other",
        "name: other\ndescription: x\napprovals:\n  kinds:\n"
        "    schema: {required: 1, role: viewer}\n",
    )
    with pytest.raises(InvalidDefinitionsError) as error:
        with_policy_file(current, clash)
    assert [str(p) for p in error.value.problems] == [
        f"{clash}:5: the approval rule of 'schema' is already set by policy 'approvals'"
    ]


# ------------------------------------------------------------------ thresholds, approvals


def test_thresholds_fall_back_to_the_default_and_overrides_inherit_missing_values() -> None:
    policies = policy_set(
        trust={
            "default": {"quarantine_below": 0.2, "auto_sync_above": 0.7},
            "tables": {"people": {"quarantine_below": 0.4}},
        }
    )
    assert policies.thresholds("cities") == TrustThresholds(0.2, 0.7, 0.9)
    assert policies.thresholds("people") == TrustThresholds(0.4, 0.7, 0.9)
    assert policy_set(compliance={}).thresholds("x") == DEFAULT_THRESHOLDS


def test_approval_rules_by_kind_prefix_default_and_stages() -> None:
    policies = policy_set(
        approvals={
            "default": {"required": 1, "role": "viewer"},
            "kinds": {"schema": {"required": 2, "role": "editor", "expires_after_hours": 24}},
            "stages": {
                "promotion": [
                    {"name": "review", "required": 1, "role": "editor"},
                    {"name": "release", "required": 2, "role": "admin"},
                ]
            },
        }
    )
    assert policies.approval_rule("schema.create") == ApprovalRule(2, Role.EDITOR, 24.0)
    assert policies.approval_rule("reconciliation") == ApprovalRule(1, Role.VIEWER, None)
    assert policies.approval_stages("promotion") == [
        ApprovalRule(1, Role.EDITOR, None, stage="review"),
        ApprovalRule(2, Role.ADMIN, None, stage="release"),
    ]
    assert policies.approval_rule("promotion").stage == "review"
    assert policy_set(trust={}).approval_rule("schema") == DEFAULT_APPROVAL


# ------------------------------------------------------------------ personal-data detectors


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("helena.marsh@acme-robotics.example", "email"),
        ("write to a.b+tag@example.co.uk today", "email"),
        ("+49 89 5550 1100;+49 151 5550 2211", "phone"),
        ("+33 4 72 55 01 40", "phone"),
        ("call 0171 2345678", "phone"),
        ("(555) 123-4567", "phone"),
        ("DE89 3704 0044 0532 0130 00", "iban"),
        ("GB82WEST12345698765432", "iban"),
        ("4111 1111 1111 1111", "credit_card"),
        ("card 5555-5555-5555-4444 exp", "credit_card"),
        ("SSN 078-05-1120", "national_id"),
        ("NINO AB 12 34 56 C", "national_id"),
    ],
)
def test_detectors_find_personal_data(text: str, kind: str) -> None:
    assert kind in DEFAULT_SCANNER.kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "version 1.2.3",
        "2025-07-01",
        "2025-07-01T08:00:00Z",
        "01/02/2024",
        "population 522250, area 47.87",
        "Revenue rose to 415.0 million; headcount 1872",
        "10.5555/kl.2024.031",
        "https://www.acme-robotics.example",
        "ISBN 978-3-16-148410-0",
        "4111 1111 1111 1112",  # fails Luhn
        "DE89 3704 0044 0532 0130 01",  # fails mod 97
        "1719820800000",  # epoch milliseconds
        "0000 0000 0000 0000",
        "+2.5% growth",
    ],
)
def test_detectors_ignore_lookalikes(text: str) -> None:
    assert DEFAULT_SCANNER.kinds(text) == set()


def test_checksums() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert iban_valid("GB82 WEST 1234 5698 7654 32")
    assert not iban_valid("GB82 WEST 1234 5698 7654 33")


def test_detect_personal_data_names_the_fields_including_lists_and_nested_values() -> None:
    values: dict[str, JsonValue] = {
        "name": "Helena Marsh",
        "contact": {"mail": "h@example.org"},
        "phones": ["n/a", "+49 89 5550 1100"],
        "card": 4111111111111111,
        "born": "1972-08-19",
        "count": 1204332,
    }
    assert detect_personal_data(values) == {"contact", "phones", "card"}


def test_custom_patterns_and_a_subset_of_detectors() -> None:
    badges = scanner([Detector.EMAIL], {"badge": r"EMP-\d{6}"})
    assert badges.kinds("EMP-123456 and +49 89 5550 1100") == {"badge"}


# ------------------------------------------------------------------ file checks

INGESTION = {
    "sources": ["folder:*"],
    "deny_sources": ["folder:quarantine"],
    "types": ["text/csv", "application/json", ".md"],
    "max_bytes": 1000,
    "max_bytes_by_type": {"application/json": 100},
    "personal_data": [
        {"sources": ["folder:hr"], "action": "encrypt"},
        {"sources": ["folder:open-data"], "action": "block"},
        {"action": "encrypt", "high_risk": True},
    ],
    "high_risk": {"sources": ["folder:partner*"], "above_bytes": 500},
}
CSV = "id,email,phone,city\n1,a@example.org,+49 89 5550 1100,Lyon\n2,,,Porto\n"


def file_verdict(
    source: str = "folder:hr",
    path: str = "people.csv",
    mime: str = "text/csv",
    size: int = 10,
    text: str = CSV,
) -> FileVerdict:
    policies = policy_set(ingestion=INGESTION)
    return check_file(policies, source=source, path=path, mime=mime, size=size, sample_text=text)


def test_a_file_with_personal_data_from_an_expected_source_has_its_fields_encrypted() -> None:
    verdict = file_verdict()
    assert verdict.allowed
    assert verdict.encrypt_fields == {"email", "phone"}
    assert verdict.high_risk == ()


def test_personal_data_from_a_public_source_blocks_the_file() -> None:
    verdict = file_verdict(source="folder:open-data")
    assert not verdict.allowed
    assert [v.rule for v in verdict.violations] == [Rule.PERSONAL_DATA]
    assert "a@example.org" not in verdict.violations[0].detail


def test_personal_data_elsewhere_is_encrypted_and_needs_an_admin() -> None:
    verdict = file_verdict(source="folder:misc")
    assert verdict.allowed
    assert verdict.encrypt_fields == {"email", "phone"}
    assert verdict.high_risk == ("p: personal data in email, phone",)


def test_personal_data_in_unstructured_text_cannot_be_encrypted_and_is_blocked() -> None:
    verdict = file_verdict(path="notes.md", mime="text/markdown", text="Mail a@example.org")
    assert not verdict.allowed
    assert "unstructured" in verdict.violations[0].detail
    assert file_verdict(path="notes.md", mime="text/markdown", text="v1.2.3 on 2025-01-02").allowed


def test_sources_types_and_sizes() -> None:
    plain = "id,city\n1,Lyon\n"
    assert file_verdict(source="upload:x", text=plain).violations[0].rule == Rule.SOURCE_NOT_ALLOWED
    assert not file_verdict(source="folder:quarantine", text=plain).allowed
    assert file_verdict(path="a.pdf", mime="application/pdf", text="").violations[0].rule == (
        Rule.TYPE_NOT_ALLOWED
    )
    assert file_verdict(path="notes.md", mime="text/plain", text="").allowed  # by extension
    assert file_verdict(mime="text/csv; charset=utf-8", text=plain).allowed
    assert file_verdict(size=1001, text=plain).violations[0].rule == Rule.TOO_LARGE
    json_verdict = file_verdict(path="a.json", mime="application/json", size=101, text="[]")
    assert [v.rule for v in json_verdict.violations] == [Rule.TOO_LARGE]
    risky = file_verdict(source="folder:partner-x", size=600, text=plain)
    assert risky.allowed
    assert len(risky.high_risk) == 2


def test_json_samples_are_read_per_field_even_when_truncated() -> None:
    whole = '[{"id": 1, "mail": "a@example.org", "phones": ["+49 89 5550 1100"]}]'
    cut = '[{"id": 1, "mail": "a@example.org"}, {"id": 2, "note": "x", "mail": "b@exa'
    for text in (whole, cut):
        verdict = file_verdict(path="a.json", mime="application/json", size=10, text=text)
        assert "mail" in verdict.encrypt_fields
    assert file_verdict(path="a.json", mime="application/json", text=whole).encrypt_fields == {
        "mail",
        "phones",
    }


def test_every_ingestion_policy_must_allow_the_file() -> None:
    policies = PolicySet(
        [
            PolicyFile.model_validate(
                {"name": "a", "description": "d", "ingestion": {"max_bytes": 100}}
            ),
            PolicyFile.model_validate(
                {"name": "b", "description": "d", "ingestion": {"sources": ["folder:x"]}}
            ),
        ]
    )
    verdict = check_file(
        policies, source="folder:y", path="a.csv", mime="text/csv", size=200, sample_text=""
    )
    assert {(v.policy, v.rule) for v in verdict.violations} == {
        ("a", Rule.TOO_LARGE),
        ("b", Rule.SOURCE_NOT_ALLOWED),
    }


# ------------------------------------------------------------------ row checks

COMPLIANCE = {
    "personal_data": {"encrypted": True, "retention_days": {"people": 30}, "undeclared": True},
    "schema_allowed_values": True,
    "allowed_values": {"people": {"country": ["FR", "DE"]}},
    "patterns": {"people": {"person_id": "^p[0-9]+$"}},
}


def test_rows_that_follow_every_rule_have_no_violations() -> None:
    clean = row(
        "p1",
        email=ENCRYPTED_PREFIX + "abc",
        phones=[ENCRYPTED_PREFIX + "x", ENCRYPTED_PREFIX + "y"],
        status="on",
        country="FR",
        note="met on 2025-01-02, version 1.2.3",
    )
    assert check_rows(policy_set(compliance=COMPLIANCE), people(), [clean], NOW) == []


def test_each_row_rule_is_reported_with_its_field() -> None:
    bad = row(
        "x1",
        days_old=31,
        email="helena@example.org",
        phones=[ENCRYPTED_PREFIX + "x", "+49 89 5550 1100"],
        status="maybe",
        country="ES",
        note="reach me at +49 89 5550 1100",
    )
    found = check_rows(policy_set(compliance=COMPLIANCE), people(), [bad], NOW)
    assert rules_of(found) == {
        (Rule.PII_UNENCRYPTED, "email"),
        (Rule.PII_UNENCRYPTED, "phones"),
        (Rule.RETENTION_EXCEEDED, "email"),
        (Rule.RETENTION_EXCEEDED, "phones"),
        (Rule.ALLOWED_VALUES, "status"),
        (Rule.ALLOWED_VALUES, "country"),
        (Rule.PATTERN, "person_id"),
        (Rule.PII_UNDECLARED, "note"),
    }
    assert all(v.row_id == "x1" and v.policy == "p" for v in found)
    assert all("helena" not in v.detail and "5550" not in v.detail for v in found)
    assert any("'maybe'" in v.detail for v in found)


def test_pii_without_a_retention_period_is_a_violation() -> None:
    rules = {"personal_data": {"encrypted": False, "retention_days": {"cities": 10}}}
    found = check_rows(policy_set(compliance=rules), people(), [row(email="x")], NOW)
    assert rules_of(found) == {(Rule.PII_NO_RETENTION, "email")}


def test_retention_counts_from_ingestion_and_a_default_applies() -> None:
    rules = {"personal_data": {"encrypted": False, "default_retention_days": 10}}
    young, old = row("a", days_old=9, email="x"), row("b", days_old=11, email="x")
    found = check_rows(policy_set(compliance=rules), people(), [young, old], NOW)
    assert [(v.row_id, v.rule) for v in found] == [("b", Rule.RETENTION_EXCEEDED)]


def test_erased_or_empty_values_break_nothing() -> None:
    found = check_rows(
        policy_set(compliance=COMPLIANCE),
        people(),
        [row("p1", days_old=90, email=None, phones=[], status="", country="FR")],
        NOW,
    )
    assert found == []


def test_schema_allowed_values_are_enforced_only_when_the_policy_says_so() -> None:
    off = policy_set(compliance={"allowed_values": {"people": {"country": ["FR"]}}})
    assert check_rows(off, people(), [row(status="maybe", country="FR")], NOW) == []


def test_compliance_scoped_to_other_tables_checks_nothing_here() -> None:
    scoped = policy_set(compliance={**COMPLIANCE, "tables": ["cities"]})
    assert check_rows(scoped, people(), [row(email="x", status="bad")], NOW) == []


def test_encrypted_values() -> None:
    assert is_encrypted("enc:v1:1:abc")
    assert is_encrypted(["enc:v1:a", "enc:v1:b"])
    assert not is_encrypted(["enc:v1:a", "+49 1"])
    assert not is_encrypted("plain")
    assert not is_encrypted(12)
