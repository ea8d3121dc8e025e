"""The schema registry: typed table definitions read from `schemas/*.yaml`.

A table names its fields with their types, the entity key that says which rows describe
the same thing, how values compare (tolerances, single- or multi-valued), which fields
hold personal data, and who owns it. Every file is validated before anything is used;
one bad file refuses the whole set.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from graph.definitions import line_of, load_definition
from graph.errors import DefinitionProblem, InvalidDefinitionsError

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)]


class FieldType(StrEnum):
    """The value types a field can declare."""

    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    """A time of day without a date ("14:05:00"); its tolerance wraps around midnight."""
    LIST = "list"


NUMERIC = frozenset({FieldType.INTEGER, FieldType.FLOAT})


class Tolerance(BaseModel):
    """How far two values may differ and still agree."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    relative: float | None = Field(default=None, ge=0, le=1, description="fraction, numbers")
    absolute: float | None = Field(default=None, ge=0, description="units, numbers")
    seconds: float | None = Field(default=None, ge=0, description="datetimes, times of day")
    days: int | None = Field(default=None, ge=0, description="dates")


class FieldSpec(BaseModel):
    """One field of a table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: FieldType
    description: str = ""
    required: bool = False
    items: FieldType | None = Field(default=None, description="element type of a list")
    multi_valued: bool = Field(
        default=False, description="several values can all be true (phone numbers)"
    )
    ordered: bool = Field(default=False, description="list order matters when comparing")
    allowed: list[str] | None = Field(default=None, description="the only values allowed")
    tolerance: Tolerance | None = None
    pii: bool = Field(default=False, description="personal data: encrypt and retain by policy")
    references: Name | None = Field(default=None, description="table whose key this field holds")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        is_list = self.type is FieldType.LIST
        if is_list != (self.items is not None):
            raise ValueError("`items` is required for a list field and only allowed there")
        if (self.multi_valued or self.ordered) and not is_list:
            raise ValueError("`multi_valued` and `ordered` apply to list fields only")
        if self.items is FieldType.LIST:
            raise ValueError("lists of lists are not supported")
        if self.allowed is not None and (self.items or self.type) is not FieldType.STRING:
            raise ValueError("`allowed` applies to string fields (or lists of strings) only")
        if self.tolerance is not None:
            _check_tolerance(self.items or self.type, self.tolerance)
        return self


def _check_tolerance(value_type: FieldType, tolerance: Tolerance) -> None:
    fits = {
        "relative": value_type in NUMERIC,
        "absolute": value_type in NUMERIC,
        "seconds": value_type in (FieldType.DATETIME, FieldType.TIME),
        "days": value_type is FieldType.DATE,
    }
    for kind, allowed in fits.items():
        if getattr(tolerance, kind) is not None and not allowed:
            raise ValueError(f"a `{kind}` tolerance does not apply to {value_type.value} values")


class TableSchema(BaseModel):
    """A table definition: what one file in `schemas/` declares."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    description: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    fields: dict[Name, FieldSpec] = Field(min_length=1)
    entity_key: list[Name] = Field(min_length=1)
    source_field: Name | None = Field(
        default=None, description="a field naming the row's own source, for aggregated feeds"
    )
    freshness_half_life_days: float | None = Field(default=None, gt=0)

    @field_validator("entity_key", "source_field")
    @classmethod
    def _names_declared_fields(cls, value: Any, info: ValidationInfo) -> Any:
        fields: dict[str, FieldSpec] | None = info.data.get("fields")
        if fields is None:  # the fields themselves were invalid and are reported already
            return value
        for name in [value] if isinstance(value, str) else value or []:
            if name not in fields:
                raise ValueError(f"{name!r} is not a declared field")
            if fields[name].type is FieldType.LIST:
                raise ValueError(f"{name!r} is a list and cannot identify an entity or source")
        return value

    def canonical_json(self) -> str:
        """A stable JSON form of the definition: equal definitions, equal text."""
        return json.dumps(self.model_dump(mode="json", exclude_none=True), sort_keys=True)

    @property
    def sha256(self) -> str:
        """Digest of the canonical definition; a new digest means a new version."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def load_tables(folder: Path) -> list[TableSchema]:
    """Read and validate every `*.yaml` file in `folder`.

    Raises `InvalidDefinitionsError` listing the problems of every bad file; then none of
    the tables is returned.
    """
    tables: list[TableSchema] = []
    problems: list[DefinitionProblem] = []
    references: list[tuple[Path, int, str, str]] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            table, lines = load_definition(path, TableSchema)
        except InvalidDefinitionsError as error:
            problems += error.problems
            continue
        if table.name != path.stem:
            message = f"name {table.name!r} must match the file name {path.stem!r}"
            problems.append(DefinitionProblem(path, line_of(lines, ("name",)), message))
        for field_name, spec in table.fields.items():
            if spec.references:
                line = line_of(lines, ("fields", field_name, "references"))
                references.append((path, line, field_name, spec.references))
        tables.append(table)
    known = {table.name for table in tables}
    problems += [
        DefinitionProblem(path, line, f"fields.{field}.references: no table named {target!r}")
        for path, line, field, target in references
        if target not in known
    ]
    if problems:
        raise InvalidDefinitionsError(problems)
    if not tables:
        raise InvalidDefinitionsError([DefinitionProblem(folder, None, "no *.yaml table files")])
    return tables
