"""The YAML shape of a policy file in `policies/`: one pydantic model per rule kind.

A file names itself and holds any of four sections: `ingestion` (what may enter),
`trust` (thresholds per table), `approvals` (who must approve what) and `compliance`
(checks on stored rows). Everything is validated on load; unknown keys are refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from governance.rbac import Role

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)]
Kind = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$", max_length=63)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
SourcePattern = Annotated[str, Field(min_length=1, max_length=200)]
TypePattern = Annotated[
    str, Field(pattern=r"^(\.[A-Za-z0-9]+|[a-z0-9.+-]+/(\*|[a-z0-9.+-]+))$", max_length=200)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Detector(StrEnum):
    """The built-in personal-data detectors."""

    EMAIL = "email"
    PHONE = "phone"
    IBAN = "iban"
    CREDIT_CARD = "credit_card"
    NATIONAL_ID = "national_id"


class PiiAction(StrEnum):
    """What to do with a file in which personal data was found."""

    BLOCK = "block"
    ENCRYPT = "encrypt"


def _compiles(patterns: dict[str, str]) -> dict[str, str]:
    for name, pattern in patterns.items():
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"{name}: not a valid regular expression: {error}") from None
    return patterns


class PersonalDataRule(_Strict):
    """Personal-data detection for files from some sources; the first matching rule applies."""

    sources: list[SourcePattern] | None = Field(
        default=None, description="source-id patterns (fnmatch) this rule covers; none = all"
    )
    detect: list[Detector] = Field(default_factory=lambda: list(Detector), min_length=1)
    patterns: dict[Name, str] = Field(
        default_factory=dict, description="extra detectors: name -> regular expression"
    )
    action: PiiAction
    high_risk: bool = Field(
        default=False, description="personal data found under this rule needs an admin's approval"
    )

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: dict[str, str]) -> dict[str, str]:
        return _compiles(value)


class HighRisk(_Strict):
    """When an allowed file still needs an admin's approval before it is ingested."""

    sources: list[SourcePattern] = Field(default_factory=list, description="risky sources")
    above_bytes: int | None = Field(default=None, gt=0)


class IngestionRules(_Strict):
    """Pre-ingestion checks on a file, before anything is parsed into the graph."""

    sources: list[SourcePattern] | None = Field(
        default=None, description="allowed source-id patterns (fnmatch); none = every source"
    )
    deny_sources: list[SourcePattern] = Field(default_factory=list)
    types: list[TypePattern] | None = Field(
        default=None, description="allowed mime types (`text/*` allowed) or extensions (`.csv`)"
    )
    max_bytes: int | None = Field(default=None, gt=0)
    max_bytes_by_type: dict[TypePattern, Annotated[int, Field(gt=0)]] = Field(default_factory=dict)
    personal_data: list[PersonalDataRule] = Field(default_factory=list)
    high_risk: HighRisk | None = None


class ThresholdSpec(_Strict):
    """Trust thresholds; a table's omitted values come from the default."""

    quarantine_below: Fraction | None = None
    auto_sync_above: Fraction | None = None
    auto_resolve_above: Fraction | None = None


class TrustRules(_Strict):
    """Trust thresholds: a default and per-table overrides."""

    default: ThresholdSpec | None = None
    tables: dict[Name, ThresholdSpec] = Field(default_factory=dict)


class RuleSpec(_Strict):
    """Who must approve: how many distinct people, of which role, within how long."""

    required: int = Field(ge=1, le=10)
    role: Role
    expires_after_hours: float | None = Field(default=None, gt=0)


class StageSpec(RuleSpec):
    """One stage of a multi-stage gate."""

    name: Name


class ApprovalRules(_Strict):
    """Approval requirements per change kind; staged kinds pass their stages in order."""

    default: RuleSpec | None = None
    kinds: dict[Kind, RuleSpec] = Field(default_factory=dict)
    stages: dict[Kind, Annotated[list[StageSpec], Field(min_length=1)]] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        both = sorted(set(self.kinds) & set(self.stages))
        if both:
            raise ValueError(f"kinds {both} are declared both as single rules and as stages")
        for kind, stages in self.stages.items():
            names = [stage.name for stage in stages]
            if len(set(names)) != len(names):
                raise ValueError(f"stages.{kind}: stage names must be unique")
        return self


class PersonalDataCompliance(_Strict):
    """Rules for the fields a schema marks `pii: true`."""

    encrypted: bool = Field(default=True, description="values must be encrypted (enc:v1:...)")
    retention_days: dict[Name, Annotated[int, Field(gt=0)]] = Field(
        default_factory=dict, description="per table: days personal data may be kept"
    )
    default_retention_days: int | None = Field(default=None, gt=0)
    undeclared: bool = Field(
        default=False, description="flag personal data found in fields not marked pii"
    )


class ComplianceRules(_Strict):
    """Checks on stored rows."""

    tables: list[Name] | None = Field(default=None, description="tables covered; none = all")
    personal_data: PersonalDataCompliance | None = None
    allowed_values: dict[Name, dict[Name, Annotated[list[str], Field(min_length=1)]]] = Field(
        default_factory=dict, description="table -> field -> the only values allowed"
    )
    patterns: dict[Name, dict[Name, str]] = Field(
        default_factory=dict, description="table -> field -> a regular expression values match"
    )
    schema_allowed_values: bool = Field(
        default=False, description="also enforce the `allowed` lists the schemas declare"
    )

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for table, fields in value.items():
            _compiles({f"{table}.{name}": pattern for name, pattern in fields.items()})
        return value


class PolicyFile(_Strict):
    """One file in `policies/`."""

    name: Name
    description: str = Field(min_length=1)
    owner: str = ""
    ingestion: IngestionRules | None = None
    trust: TrustRules | None = None
    approvals: ApprovalRules | None = None
    compliance: ComplianceRules | None = None

    @model_validator(mode="after")
    def _has_rules(self) -> Self:
        if not (self.ingestion or self.trust or self.approvals or self.compliance):
            raise ValueError("a policy needs one of: ingestion, trust, approvals, compliance")
        return self

    def canonical_json(self) -> str:
        """A stable JSON form: equal rules, equal text."""
        return json.dumps(self.model_dump(mode="json", exclude_none=True), sort_keys=True)

    @property
    def sha256(self) -> str:
        """Digest of the canonical form; a new digest means a new version."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()
