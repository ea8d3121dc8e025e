from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from graph.errors import InvalidDefinitionsError
from graph.schemas import FieldSpec, FieldType, TableSchema, load_tables
from graph.settings import PROJECT_ROOT

GOOD = """\
name: {name}
description: Test table.
owner: tests@grace.example
entity_key: [code]
fields:
  code:
    type: string
    required: true
  size:
    type: float
    tolerance: {{relative: 0.01}}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return path


def refused(folder: Path) -> list[str]:
    with pytest.raises(InvalidDefinitionsError) as error:
        load_tables(folder)
    return [str(problem) for problem in error.value.problems]


def test_project_schemas_define_at_least_five_tables() -> None:
    tables = {table.name: table for table in load_tables(PROJECT_ROOT / "schemas")}
    assert len(tables) >= 5
    people = tables["people"]
    assert people.fields["phones"].multi_valued
    assert people.fields["email"].pii
    cities = tables["cities"]
    assert cities.fields["population"].tolerance is not None
    assert cities.fields["population"].tolerance.relative == pytest.approx(0.01)
    assert cities.fields["updated_at"].type is FieldType.DATETIME


def test_a_good_file_loads(tmp_path: Path) -> None:
    write(tmp_path, "parts", GOOD.format(name="parts"))
    [table] = load_tables(tmp_path)
    assert table.entity_key == ["code"]


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "parts", GOOD.format(name="parts") + "  broken: [unclosed\n")
    [problem] = refused(tmp_path)
    assert problem.startswith(f"{path}:")
    assert "not valid YAML" in problem


def test_unknown_type_names_the_line_of_the_field(tmp_path: Path) -> None:
    text = GOOD.format(name="parts").replace("type: float", "type: money")
    path = write(tmp_path, "parts", text)
    [problem] = refused(tmp_path)
    assert problem.startswith(f"{path}:10: fields.size.type:")


def test_entity_key_must_name_a_declared_field(tmp_path: Path) -> None:
    path = write(tmp_path, "parts", GOOD.format(name="parts").replace("[code]", "[serial]"))
    [problem] = refused(tmp_path)
    assert problem.startswith(f"{path}:4: entity_key:")
    assert "'serial' is not a declared field" in problem


def test_tolerance_must_fit_the_type(tmp_path: Path) -> None:
    text = GOOD.format(name="parts").replace("relative: 0.01", "seconds: 5")
    write(tmp_path, "parts", text)
    [problem] = refused(tmp_path)
    assert "a `seconds` tolerance does not apply to float values" in problem


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "parts", GOOD.format(name="parts") + "owner: someone-else\n")
    [problem] = refused(tmp_path)
    assert problem == f"{path}:12: duplicate key 'owner'"


def test_name_must_match_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "parts", GOOD.format(name="pieces"))
    [problem] = refused(tmp_path)
    assert problem == f"{path}:1: name 'pieces' must match the file name 'parts'"


def test_references_must_name_a_known_table(tmp_path: Path) -> None:
    text = GOOD.format(name="parts") + "  maker:\n    type: string\n    references: makers\n"
    path = write(tmp_path, "parts", text)
    [problem] = refused(tmp_path)
    assert problem == f"{path}:14: fields.maker.references: no table named 'makers'"


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "parts", GOOD.format(name="parts") + "colour: blue\n")
    [problem] = refused(tmp_path)
    assert "colour: Extra inputs are not permitted" in problem


def test_every_bad_file_is_reported_and_none_is_returned(tmp_path: Path) -> None:
    write(tmp_path, "good", GOOD.format(name="good"))
    write(tmp_path, "bad_one", GOOD.format(name="bad_one").replace("type: float", "type: x"))
    write(tmp_path, "bad_two", "just a string\n")
    problems = refused(tmp_path)
    assert len(problems) == 2
    assert any("bad_one.yaml" in p for p in problems)
    assert any("bad_two.yaml" in p for p in problems)


def test_list_fields_need_an_item_type(tmp_path: Path) -> None:
    text = GOOD.format(name="parts") + "  tags:\n    type: list\n"
    write(tmp_path, "parts", text)
    [problem] = refused(tmp_path)
    assert "`items` is required for a list field" in problem


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    assert refused(tmp_path) == [f"{tmp_path}: no *.yaml table files"]


def test_yaml_tags_cannot_build_objects(tmp_path: Path) -> None:
    write(tmp_path, "parts", "!!python/object/apply:os.system ['true']\n")
    [problem] = refused(tmp_path)
    assert "not valid YAML" in problem


def test_digest_changes_with_the_definition() -> None:
    base = TableSchema.model_validate(
        {
            "name": "t",
            "description": "d",
            "owner": "o",
            "entity_key": ["k"],
            "fields": {"k": {"type": "string"}},
        }
    )
    changed = base.model_copy(update={"description": "other"})
    assert base.sha256 == TableSchema.model_validate_json(base.model_dump_json()).sha256
    assert base.sha256 != changed.sha256


def test_a_seconds_tolerance_fits_a_time_of_day_and_days_do_not() -> None:
    assert FieldSpec.model_validate({"type": "time", "tolerance": {"seconds": 60}}).tolerance
    with pytest.raises(ValueError, match="a `days` tolerance does not apply to time values"):
        FieldSpec.model_validate({"type": "time", "tolerance": {"days": 1}})
