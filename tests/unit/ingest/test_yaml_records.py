from __future__ import annotations

from textwrap import dedent

import pytest

from graph.errors import MalformedFileError, TooDeepError, TooManyRowsError
from ingest.extract.limits import Limits
from ingest.extract.yaml_records import extract_yaml
from tests.hostile import YAML_BOMB

MIME = "application/yaml"


def test_a_list_of_mappings_becomes_rows_with_json_values() -> None:
    text = dedent(
        """\
        - id: a
          born: 1980-01-02
          at: 2025-07-01T08:00:00Z
          tags: [x, y]
          1: numeric key
        - id: b
        """
    )
    result = extract_yaml(text, "t.yaml", MIME, Limits())
    assert [(row.locator, row.values) for row in result.rows] == [
        (
            "$[0]",
            {
                "id": "a",
                "born": "1980-01-02",
                "at": "2025-07-01T08:00:00+00:00",
                "tags": ["x", "y"],
                "1": "numeric key",
            },
        ),
        ("$[1]", {"id": "b"}),
    ]


def test_anything_else_is_text() -> None:
    result = extract_yaml("title: Notes\nbody: hello\n", "t.yaml", MIME, Limits())
    assert result.rows == []
    assert [chunk.text for chunk in result.text_chunks] == ["title: Notes\nbody: hello"]


def test_python_tags_are_refused() -> None:
    text = "- !!python/object/apply:os.system ['echo owned']\n"
    with pytest.raises(MalformedFileError, match="constructor") as caught:
        extract_yaml(text, "evil.yaml", MIME, Limits())
    assert caught.value.line == 1
    text = "!!python/object:collections.OrderedDict {}\n"
    with pytest.raises(MalformedFileError, match="python/object"):
        extract_yaml(text, "evil.yaml", MIME, Limits())


def test_invalid_yaml_names_line_and_column() -> None:
    with pytest.raises(MalformedFileError, match="invalid YAML") as caught:
        extract_yaml("- a: 1\n- b: [unclosed\n", "t.yaml", MIME, Limits())
    assert caught.value.line == 3


def test_alias_bombs_are_refused() -> None:
    text = "- a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 8):
        text += f"  a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]\n"
    with pytest.raises(MalformedFileError, match="aliases"):
        extract_yaml(text, "bomb.yaml", MIME, Limits())


def test_row_limit() -> None:
    with pytest.raises(TooManyRowsError):
        extract_yaml("- a: 1\n- a: 2\n", "t.yaml", MIME, Limits(max_rows=1))


def test_a_yaml_bomb_is_refused_without_expanding_its_aliases() -> None:
    """Nine levels of nine aliases: 9**10 values once expanded; the depth check measures
    each distinct list once, and the conversion stops at its budget."""
    with pytest.raises(MalformedFileError, match="aliases expand far beyond the file"):
        extract_yaml("- " + YAML_BOMB.replace("\n", "\n  "), "bomb.yaml", "text/yaml", Limits())


def test_a_record_that_contains_itself_is_too_deep() -> None:
    with pytest.raises(TooDeepError, match="nested deeper than the limit"):
        extract_yaml("- &a {city_id: r1, self: *a}\n", "loop.yaml", "text/yaml", Limits())
