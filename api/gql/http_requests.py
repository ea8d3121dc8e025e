"""GraphQL requests over HTTP, checked before anything executes: the JSON (UTF-8, nested at
most `MAX_JSON_DEPTH` deep), the shape of the body (an operation object, or a batch of
them), the files of a multipart request, and which operation of the document runs.

Anything wrong is refused with a `RequestRefusedError`: a 4xx status and a code, answered
as a GraphQL error body, never a 5xx, so the connection stays open for the next request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

from cross_web import HTTPException
from graphql import GraphQLError, OperationDefinitionNode, OperationType
from starlette.datastructures import UploadFile
from strawberry.http import GraphQLRequestData

from api.limits import MAX_JSON_DEPTH, parsed

MALFORMED = "malformed_request"
TOO_DEEP = "request_too_deep"
TOO_MANY_OPERATIONS = "too_many_operations"
OPERATION_NAME_REQUIRED = "operation_name_required"
WEBSOCKET_REQUIRED = "websocket_required"
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
STATUS_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}
"""Codes of the refusals Strawberry raises itself, by HTTP status."""


class RequestRefusedError(HTTPException):
    """A request refused before execution: an HTTP status and a code for clients."""

    def __init__(self, status_code: int, code: str, reason: str) -> None:
        super().__init__(status_code, reason)
        self.code = code


def refusal_body(error: HTTPException) -> dict[str, Any]:
    """The GraphQL error body that answers a refused request."""
    code = getattr(error, "code", None) or STATUS_CODES.get(error.status_code, "bad_request")
    return {"errors": [{"message": error.reason, "extensions": {"code": code}}]}


def malformed(reason: str) -> NoReturn:
    """Refuse (400) a request that is not a well-formed GraphQL request."""
    raise RequestRefusedError(400, MALFORMED, reason)


def decode_json(raw: str | bytes) -> object:
    """`raw` decoded as JSON: UTF-8, without NaN or Infinity, nested at most
    `MAX_JSON_DEPTH` deep."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        malformed(f"the request is not valid UTF-8 (byte {error.start})")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        too_deep()
    except ValueError as error:  # JSONDecodeError, or an integer too long to convert
        malformed(f"the request is not valid JSON: {error}")
    openings = text.count("[") + text.count("{")  # fewer than the limit: no walk needed
    if openings > MAX_JSON_DEPTH and nesting(value) > MAX_JSON_DEPTH:
        too_deep()
    return value


def _refuse_constant(name: str) -> NoReturn:
    malformed(f"the request is not valid JSON: {name} is not a JSON number")


def too_deep() -> NoReturn:
    """Refuse (400) JSON nested deeper than `MAX_JSON_DEPTH`."""
    raise RequestRefusedError(
        400, TOO_DEEP, f"the request's JSON is nested more than {MAX_JSON_DEPTH} deep"
    )


def nesting(value: object) -> int:
    """How deep objects and lists nest in `value` (0 for a scalar), counted without recursion
    and only up to one past `MAX_JSON_DEPTH`."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack and deepest <= MAX_JSON_DEPTH:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item if isinstance(child, dict | list))
    return deepest


def operations_of(
    body: object, max_operations: int | None
) -> GraphQLRequestData | list[GraphQLRequestData]:
    """The operation (an object) or batch (a list of them, when `max_operations` allows
    batches) that a decoded request body asks for."""
    if isinstance(body, dict):
        return operation_of(body, "the request")
    if not isinstance(body, list):
        malformed(f"the request must be a JSON object, or a list of them, not {kind(body)}")
    if max_operations is None:
        malformed("batches are not accepted: send one operation per request")
    if not body:
        malformed("the batch is empty: send at least one operation")
    if len(body) > max_operations:
        raise RequestRefusedError(
            400,
            TOO_MANY_OPERATIONS,
            f"too many operations in one batch: {len(body)}, at most {max_operations}",
        )
    return [
        operation_of(item, f"operation {index} of the batch") for index, item in enumerate(body)
    ]


def operation_of(item: object, where: str) -> GraphQLRequestData:
    """One operation object, its fields checked (`where` names it in refusals)."""
    if not isinstance(item, dict):
        malformed(f"{where} must be a JSON object, not {kind(item)}")
    query, operation_name = item.get("query"), item.get("operationName")
    variables, extensions = item.get("variables"), item.get("extensions")
    if not isinstance(query, str):
        malformed(f"{where} needs `query`, a string (it has {kind(query)})")
    if operation_name is not None and not isinstance(operation_name, str):
        malformed(
            f"`operationName` of {where} must be a string or null, not {kind(operation_name)}"
        )
    for name, value in (("variables", variables), ("extensions", extensions)):
        if value is not None and not isinstance(value, dict):
            malformed(f"`{name}` of {where} must be an object or null, not {kind(value)}")
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=operation_name, extensions=extensions
    )


def kind(value: object) -> str:
    """The JSON kind of a decoded value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "a file"


def with_files(operations: object, files_map: object, files: Mapping[str, object]) -> object:
    """`operations` of a multipart request with each file put at the paths `files_map`
    gives it (the GraphQL multipart request spec: `{"0": ["variables.file"]}`)."""
    if not isinstance(files_map, dict) or not all(
        isinstance(paths, list) and all(isinstance(path, str) for path in paths)
        for paths in files_map.values()
    ):
        malformed("`map` must be an object whose values are lists of paths")
    for name, paths in files_map.items():
        file = files.get(name)
        if not isinstance(file, UploadFile):
            malformed(f"`map` names the file {name!r}, which the request does not carry")
        for path in paths:
            _place(operations, path, file)
    return operations


def _place(operations: object, path: str, file: UploadFile) -> None:
    *keys, last = path.split(".")
    target = operations
    for key in keys:
        target = _child(target, key, path)
    _child(target, last, path)
    if isinstance(target, list):
        target[int(last)] = file
    elif isinstance(target, dict):
        target[last] = file


def _child(parent: object, key: str, path: str) -> object:
    if isinstance(parent, dict) and key in parent:
        return parent[key]
    if isinstance(parent, list) and key.isdigit() and int(key) < len(parent):
        return parent[int(key)]
    malformed(f"`map` puts a file at {path!r}, which is not in `operations`")


def selected_operation(
    query: str | None, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation a request runs; None when its document does not parse or has no such
    operation (execution then reports why). A document of several operations needs
    `operation_name`: refused (400) without it."""
    try:
        document = parsed(query or "")
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        return next((o for o in operations if o.name and o.name.value == operation_name), None)
    if len(operations) > 1:
        raise RequestRefusedError(
            400,
            OPERATION_NAME_REQUIRED,
            f"the document holds {len(operations)} operations: "
            "name the one to run in `operationName`",
        )
    return operations[0] if operations else None


def runnable_over_http(request: GraphQLRequestData) -> None:
    """Refuse (400) an operation HTTP does not run: one of several in its document without
    `operationName`, or a subscription (it needs a websocket: graphql-transport-ws)."""
    operation = selected_operation(request.query, request.operation_name)
    if operation is not None and operation.operation is OperationType.SUBSCRIPTION:
        raise RequestRefusedError(
            400, WEBSOCKET_REQUIRED, "subscriptions need a websocket (graphql-transport-ws)"
        )
