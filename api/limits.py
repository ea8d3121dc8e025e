"""The limits every request passes before any resolver runs: request body size (an ASGI
middleware), batched operations, tokens, depth, aliases, page sizes and a complexity budget
(schema extensions and config), and, in prod, no introspection. How deep a request's JSON
may nest (`MAX_JSON_DEPTH`) is checked where it is decoded (`api/gql/http_requests.py`).

Complexity: each field costs 1; a field that takes `first` multiplies the cost of its
selection by `first` (`DEFAULT_PAGE_SIZE` when not given) and the list of items right below
it counts once; any other list (a node's own small lists: a conflict's rows, a request's
votes) multiplies its selection by `NESTED_LIST_SIZE`. Fragments
and inline fragments count where they are spread. Introspection fields are free.

Parsing and validation are cached per query text (`CACHED_DOCUMENTS` texts, the least
recently used out first): the limits' validation rules are built once, so a document is
validated once; its cost, which depends on the variables, is counted on every request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from functools import lru_cache, partial
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    parse,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import validate_document

from api.gql.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageSizeError
from graph.settings import Profile, Settings

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
MAX_BATCHED_OPERATIONS = 10
MAX_JSON_DEPTH = 32
MAX_COMPLEXITY = 10_000
NESTED_LIST_SIZE = 10
TOO_COMPLEX = "query_too_complex"
TOO_LARGE = "request_too_large"
PAGE_ARGUMENT = "first"
CACHED_DOCUMENTS = 256


def schema_config() -> StrawberryConfig:
    """Batched requests allowed, up to `MAX_BATCHED_OPERATIONS` operations."""
    return StrawberryConfig(batching_config={"max_operations": MAX_BATCHED_OPERATIONS})


def limit_extensions(profile: Profile) -> list[Callable[[], SchemaExtension]]:
    """The schema extensions that refuse an operation past a limit before it executes, with
    parsing and validation cached per query text (`CACHED_DOCUMENTS` of them)."""
    rules: list[type[ASTValidationRule]] = [
        depth_validator(MAX_DEPTH, should_ignore=None),
        aliases_validator(MAX_ALIASES),
    ]
    if profile is Profile.PROD:
        rules.append(NoSchemaIntrospectionCustomRule)
    limits = tuple(rules)  # built once: the same rules for every request, so cacheable
    return [
        CachedParse,
        partial(Validation, limits=limits, budget=MAX_COMPLEXITY),
    ]


@lru_cache(maxsize=CACHED_DOCUMENTS)
def parsed(query: str) -> DocumentNode:
    """`query` parsed, at most `MAX_TOKENS` tokens (else `GraphQLError`, as for a syntax
    error); the same document object for the same text while it is cached. The HTTP layer
    (which operation a request runs) and execution share it: a request is parsed once."""
    return parse(query, max_tokens=MAX_TOKENS)


class CachedParse(SchemaExtension):
    """Parses an operation through `parsed`; a text that does not parse is left to
    Strawberry, which parses it again under the same token limit and reports why (errors
    are not cached)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        if context.query is not None:
            with suppress(GraphQLError):
                context.graphql_document = parsed(context.query)
        yield


validated = lru_cache(maxsize=CACHED_DOCUMENTS)(validate_document)
"""graphql-core's validation by (schema, document, rules): `parsed` gives the same document
object for the same text, and the rules are built once."""


class Validation(SchemaExtension):
    """Validates an operation by the spec's rules and `limits` (the result cached per
    document), then, when it is valid, refuses it if it costs more than `budget` with this
    request's variables or asks a page larger than `MAX_PAGE_SIZE`."""

    def __init__(self, limits: tuple[type[ASTValidationRule], ...], budget: int) -> None:
        self.limits = limits
        self.budget = budget

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None  # validation follows a successful parse
        rules = (*context.validation_rules, *self.limits)
        errors = validated(context.schema._schema, document, rules)
        if not errors:
            errors = cost_errors(
                context.schema._schema, document, context.variables or {}, self.budget
            )
        context.pre_execution_errors = errors
        yield


def cost_errors(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any], budget: int
) -> list[GraphQLError]:
    """Why the operations of a valid `document` are refused with `variables`: a page larger
    than `MAX_PAGE_SIZE`, a cost over `budget`; none when they are admitted."""
    errors: list[GraphQLError] = []
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    for node in document.definitions:
        if not isinstance(node, OperationDefinitionNode):
            continue
        costing = _Costing(schema, fragments, variables, errors.append)
        cost = costing.selection_set(node.selection_set, schema.get_root_type(node.operation))
        if cost > budget:
            errors.append(
                GraphQLError(
                    f"the operation costs {cost}, more than the budget of {budget}: "
                    "ask for smaller pages or fewer fields",
                    node,
                    extensions={"code": TOO_COMPLEX},
                )
            )
    return errors


class _Costing:
    """Costs selection sets, each fragment once per (fragment, paged) however often spread."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        report: Callable[[GraphQLError], None],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.report = report
        self._fragment_costs: dict[tuple[str, bool], int] = {}
        self._costing: set[str] = set()

    def selection_set(
        self, node: SelectionSetNode, parent: GraphQLNamedType | None, paged: bool = False
    ) -> int:
        cost = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                cost += self.field(selection, parent, paged)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                cost += self.selection_set(selection.selection_set, inner, paged)
            elif isinstance(selection, FragmentSpreadNode):
                cost += self.fragment(selection.name.value, paged)
        return cost

    def fragment(self, name: str, paged: bool) -> int:
        key = (name, paged)
        if key in self._fragment_costs:
            return self._fragment_costs[key]
        definition = self.fragments.get(name)
        if definition is None or name in self._costing:
            return 0  # unknown or cyclic: other rules refuse the document
        self._costing.add(name)
        condition = self.schema.get_type(definition.type_condition.name.value)
        cost = self.selection_set(definition.selection_set, condition, paged)
        self._costing.discard(name)
        self._fragment_costs[key] = cost
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, paged: bool) -> int:
        if node.name.value.startswith("__"):
            return 0
        fields: Mapping[str, GraphQLField] = getattr(parent, "fields", {})
        definition = fields.get(node.name.value)
        if definition is None or node.selection_set is None:
            return 1
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        if PAGE_ARGUMENT in definition.args:
            multiplier, children_paged = self.page_size(node), not is_list
        elif is_list:
            multiplier, children_paged = (1 if paged else NESTED_LIST_SIZE), False
        else:
            multiplier, children_paged = 1, False
        children = self.selection_set(
            node.selection_set, get_named_type(definition.type), children_paged
        )
        return 1 + multiplier * children

    def page_size(self, node: FieldNode) -> int:
        """The `first` a field asks for (refusing one past `MAX_PAGE_SIZE`)."""
        arguments = node.arguments or ()
        argument = next((a for a in arguments if a.name.value == PAGE_ARGUMENT), None)
        given = argument.value if argument is not None else None
        value: Any = None
        if isinstance(given, IntValueNode):
            value = int(given.value)
        elif isinstance(given, VariableNode):
            value = self.variables.get(given.name.value)
        if not isinstance(value, int) or isinstance(value, bool):
            return DEFAULT_PAGE_SIZE
        if not 1 <= value <= MAX_PAGE_SIZE:
            error = PageSizeError(value)
            self.report(GraphQLError(str(error), node, extensions={"code": error.code}))
            return MAX_PAGE_SIZE
        return value


class RequestSizeLimit:
    """Pure ASGI middleware: refuses (413) a request whose body or query string is larger
    than `max_request_bytes`, or `max_upload_bytes` for a multipart body, before reading the
    rest of it."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_request_bytes = settings.max_request_bytes
        self.max_upload_bytes = settings.max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.max_upload_bytes if multipart else self.max_request_bytes
        declared = headers.get(b"content-length", b"")
        if len(scope["query_string"]) > self.max_request_bytes or (
            declared.isdigit() and int(declared) > limit
        ):
            await _refuse(send, limit)
            return
        received = 0
        responded = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLargeError
            return message

        async def watched_send(message: Message) -> None:
            nonlocal responded
            responded = responded or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _TooLargeError:
            if not responded:
                await _refuse(send, limit)


class _TooLargeError(Exception):
    """The body grew past the limit while the app was reading it."""


async def _refuse(send: Send, limit: int) -> None:
    body = (
        b'{"errors":[{"message":"request too large: the limit is %d bytes",'
        b'"extensions":{"code":"%s"}}]}' % (limit, TOO_LARGE.encode())
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
