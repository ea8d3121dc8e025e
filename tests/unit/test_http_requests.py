"""The checks a GraphQL request over HTTP passes before anything executes, one by one (the
real server answering them is in tests/integration/test_api_fuzz.py)."""

from __future__ import annotations

import json

import pytest
from starlette.datastructures import Headers, UploadFile

from api.gql.http_requests import (
    MALFORMED,
    OPERATION_NAME_REQUIRED,
    TOO_DEEP,
    RequestRefusedError,
    decode_json,
    nesting,
    operations_of,
    selected_operation,
    with_files,
)
from api.limits import MAX_JSON_DEPTH


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def refusal(code: str) -> pytest.RaisesExc[RequestRefusedError]:
    return pytest.raises(RequestRefusedError, check=lambda error: error.code == code)


def test_nesting_counts_objects_and_lists() -> None:
    assert nesting(5) == 0
    assert nesting([]) == 1
    assert nesting({"a": [1, {"b": []}], "c": {}}) == 4


def test_json_nested_to_the_limit_decodes_and_one_deeper_is_refused() -> None:
    assert nesting(decode_json(nested(MAX_JSON_DEPTH))) == MAX_JSON_DEPTH
    with refusal(TOO_DEEP):
        decode_json(nested(MAX_JSON_DEPTH + 1))


def test_json_too_deep_for_the_decoder_itself_is_refused_as_too_deep() -> None:
    with refusal(TOO_DEEP):
        decode_json(nested(100_000).encode())


@pytest.mark.parametrize(
    "raw",
    [b'{"query": "\xff"}', b"{", b'{"v": NaN}', b'{"v": -Infinity}', b"1" * 5000],
    ids=["invalid UTF-8", "cut short", "NaN", "Infinity", "an integer too long"],
)
def test_what_is_not_json_is_refused_as_malformed(raw: bytes) -> None:
    with refusal(MALFORMED):
        decode_json(raw)


def test_batches_are_refused_when_the_schema_allows_none() -> None:
    with refusal(MALFORMED):
        operations_of([{"query": "{ a }"}], None)
    batch = operations_of([{"query": "{ a }"}, {"query": "{ b }"}], 2)
    assert isinstance(batch, list)
    assert [operation.query for operation in batch] == ["{ a }", "{ b }"]


def test_a_document_of_several_operations_needs_a_name() -> None:
    document = "query A { a } mutation B { b }"
    with refusal(OPERATION_NAME_REQUIRED):
        selected_operation(document, None)
    chosen = selected_operation(document, "B")
    assert chosen is not None
    assert chosen.name is not None
    assert chosen.name.value == "B"
    assert selected_operation(document, "C") is None
    assert selected_operation("{ a", None) is None


def upload() -> UploadFile:
    return UploadFile(file=None, filename="a.csv", headers=Headers())  # type: ignore[arg-type]


def test_files_go_where_the_map_says() -> None:
    file = upload()
    operations = json.loads('{"variables": {"files": [null, null], "one": null}}')
    placed = with_files(operations, {"0": ["variables.files.1", "variables.one"]}, {"0": file})
    assert placed == {"variables": {"files": [None, file], "one": file}}


@pytest.mark.parametrize(
    "files_map",
    [
        {"0": ["variables.files.2"]},
        {"0": ["variables.files.x"]},
        {"0": ["variables.missing.0"]},
        {"0": ["query.0"]},
        {"0": "variables.files.0"},
        {"0": [5]},
        {"1": ["variables.files.0"]},
        ["variables.files.0"],
    ],
)
def test_a_map_that_does_not_fit_the_operations_is_refused(files_map: object) -> None:
    operations = {"query": "mutation", "variables": {"files": [None, None]}}
    with refusal(MALFORMED):
        with_files(operations, files_map, {"0": upload()})
