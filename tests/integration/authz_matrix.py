"""The authorization matrix, generated from the schema: every root field's declared
permission, an operation document for it, and an oracle of who may run it.

The oracle restates the rules of issue 6 for the callers of `api_support` (it never asks
`Authorizer`): a viewer reads, an editor also ingests, edits and approves, an admin does
everything; the restricted viewer reads `cities` only (and lists of the workspace, filtered);
every user is the admin of their personal workspace, so a field declared `anywhere` admits any
authenticated caller and its resolver must filter what it returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import strawberry
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    parse,
)
from graphql.language import Lexer, Source, TokenKind
from graphql.pyutils import Undefined
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from api.gql.permissions import Authenticated, Public, Requires, anywhere
from api.limits import MAX_COMPLEXITY, MAX_TOKENS, PAGE_ARGUMENT, cost_errors
from governance.rbac import Action, Role
from tests.integration.api_support import RESTRICTED_TABLE, Caller

OTHER_TABLE = "organizations"
"""The seeded table the restricted caller may not read."""
SEEDED_TABLES = (RESTRICTED_TABLE, OTHER_TABLE)
ACCESS_CODES = frozenset({"access_denied", "unauthenticated"})
INTERNAL = "internal"
UPLOADED = "city_id,name\nmatrix-upload,x\n"
"""The file sent to upload arguments (refused cases only: it is never ingested)."""
ROOT_PAGE = 10
NESTED_PAGE = 2
"""Page sizes asked for, small enough for nested selections to pass the complexity budget."""

INJECTION_PAYLOADS: tuple[str, ...] = (
    "' OR 1=1 //",
    '" OR true RETURN 1 //',
    "x'}) MATCH (n) DETACH DELETE n //",
    '"}) CREATE (:Injected {by: "matrix"}) //',
    "`) MATCH (n) SET n.pwned = true //",
    "\\u0027; CALL db.clearQueryCaches() //",
    '{"$where": "1 == 1"}',
    '{"table": {"$ne": null}}',
    "]}{[\"'",
    "\x00",
    "nul\x00byte",
    "\u03a9\u2248\u00e7\u221a\u02dc \u202e\u200b\ufeff \U0001d54f \U0001f469\u200d\U0001f4bb",
    "../../../../etc/passwd",
    "%00%27%22",
    "x" * 100_000,
)
"""Cypher, JSON, unicode, NUL and very long strings, for every string argument."""


class Operation(StrEnum):
    """The root type a field belongs to."""

    QUERY = "query"
    MUTATION = "mutation"
    SUBSCRIPTION = "subscription"


@dataclass(frozen=True)
class RootField:
    """One root field with what it declares it needs."""

    operation: Operation
    name: str
    field: GraphQLField
    permissions: tuple[BasePermission, ...]
    schema: GraphQLSchema

    @property
    def permission(self) -> BasePermission:
        """The one declared permission (`declaration_problem` is None)."""
        [permission] = self.permissions
        return permission


def root_fields(schema: strawberry.Schema) -> list[RootField]:
    """Every field of Query, Mutation and Subscription, with its declared permissions."""
    core: GraphQLSchema = schema._schema
    roots = (
        (Operation.QUERY, core.query_type),
        (Operation.MUTATION, core.mutation_type),
        (Operation.SUBSCRIPTION, core.subscription_type),
    )
    found = []
    for operation, root in roots:
        for name, graphql_field in (root.fields if root is not None else {}).items():
            definition = graphql_field.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
            assert isinstance(definition, StrawberryField)
            permissions = tuple(
                permission
                for extension in definition.extensions
                if isinstance(extension, PermissionExtension)
                for permission in extension.permissions
            )
            found.append(RootField(operation, name, graphql_field, permissions, core))
    return found


def declaration_problem(root: RootField) -> str | None:
    """Why a root field's declaration is not exactly one known permission, or None."""
    kinds = (Requires, Authenticated, Public)
    if len(root.permissions) != 1:
        return f"declares {len(root.permissions)} permissions, not exactly one"
    if not isinstance(root.permission, kinds):
        return f"declares {type(root.permission).__name__}, not Requires/Authenticated/Public"
    return None


@dataclass(frozen=True)
class SeededTable:
    """What the matrix seeded in one table: ids of every kind, and the marker in its values."""

    table: str
    marker: str
    key: str
    attribute: str
    rows: tuple[str, ...]
    documents: tuple[str, ...]
    paths: tuple[str, ...]
    sources: tuple[str, ...]
    conflict: str
    change_request: str
    fact: str

    @property
    def entity(self) -> str:
        """The id of the entity both sources describe."""
        return f"{self.table}:{self.key}"


@dataclass(frozen=True)
class Seed:
    """Every seeded table, and the values of arguments that name no table."""

    tables: Mapping[str, SeededTable]
    user: str
    workspace: str = "default"

    def markers_hidden_from(self, readable: frozenset[str]) -> dict[str, str]:
        """The markers (by table) of the seeded tables outside `readable`."""
        return {t: s.marker for t, s in self.tables.items() if t not in readable}


# --- the oracle -------------------------------------------------------------------------

_ROLE_ACTIONS: Mapping[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ}),
    Role.EDITOR: frozenset({Action.READ, Action.INGEST, Action.EDIT, Action.APPROVE}),
    Role.ADMIN: frozenset(Action),
}


def may(caller: Caller, action: Action, table: str | None) -> bool:
    """Whether `caller` may do `action` on a seeded table (None: on the default workspace)."""
    if caller.role is None or action not in _ROLE_ACTIONS[caller.role]:
        return False
    if caller.tables is None:
        return True
    if table is None:  # a table-restricted membership: listing reads only
        return action in (Action.READ, Action.READ_PII)
    return table in caller.tables


def readable(caller: Caller, action: Action | None) -> frozenset[str]:
    """The seeded tables whose data may reach `caller` through a field needing `action`."""
    needed = {Action.READ} | ({action} if action is not None else set())
    return frozenset(t for t in SEEDED_TABLES if all(may(caller, a, t) for a in needed))


class Expect(StrEnum):
    """What a case should answer."""

    ALLOWED = "allowed"
    DENIED = "denied"
    FILTERED = "filtered"  # declared anywhere: refused, or answered without the table's data


def expectation(
    root: RootField, caller: Caller, table: str | None, *, omitted: bool = False
) -> Expect:
    """The oracle: what `caller` should get from `root` with arguments naming `table`;
    `omitted`: an optional argument naming the resource was left out, so the field answers
    about anywhere the caller may read (a field targeting an id or a workspace otherwise)."""
    permission = root.permission
    if isinstance(permission, Public):
        return Expect.ALLOWED
    if caller.user_id is None:
        return Expect.DENIED
    if isinstance(permission, Authenticated):
        return Expect.ALLOWED
    assert isinstance(permission, Requires)
    if permission.on is anywhere and root.operation is not Operation.MUTATION:
        # the personal workspace admits everyone; lists and streams filter what they return
        if table is None or may(caller, permission.action, table):
            return Expect.ALLOWED
        return Expect.FILTERED
    if may(caller, permission.action, table):
        return Expect.ALLOWED
    return Expect.FILTERED if omitted else Expect.DENIED


def expected_code(caller: Caller) -> str:
    """The error code of a refusal to `caller`."""
    return "unauthenticated" if caller.user_id is None else "access_denied"


def action_of(root: RootField) -> Action | None:
    """The declared action, None for authenticated and public fields."""
    permission = root.permission
    return permission.action if isinstance(permission, Requires) else None


# --- operation documents -----------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One generated operation for one root field, its arguments pointing at `table`."""

    root: RootField
    table: str | None
    document: str
    variables: dict[str, Any]
    omitted: bool = False  # an optional argument naming a resource was left out
    uploads: dict[str, str] = field(default_factory=dict)  # variable path -> file content

    @property
    def label(self) -> str:
        """How reports name the case."""
        return f"{self.root.operation} {self.root.name} [{self.table or '-'}]"


class _Filler:
    """Argument values from the seed, by argument name first and by type otherwise."""

    def __init__(self, seed: Seed, table: str | None, field_name: str) -> None:
        self.seed = seed
        self.field_name = field_name
        self.table = seed.tables[table] if table is not None else None
        self.table_bound = False

    def by_name(self, name: str) -> Any:
        """The seeded value an argument's name asks for (`id` means the field's own kind)."""
        key = name.lower().replace("_", "")
        if key in ("id", "ids"):
            found = self._seeded(self.field_name.lower() + "id")
            return found if found is not Undefined else self._seeded("rowid")
        return self._seeded(key)

    def _seeded(self, key: str) -> Any:
        if key == "workspace" or key.startswith("workspaceid"):
            return self.seed.workspace
        if key.startswith("user") or key in ("owner", "member"):
            return self.seed.user
        seeded = self.table
        if seeded is None:
            return Undefined
        by_kind: list[tuple[tuple[str, ...], Any]] = [
            (("changerequest", "request"), seeded.change_request),
            (("conflict",), seeded.conflict),
            (("fact",), seeded.fact),
            (("document", "doc"), seeded.documents[0]),
            (("row", "node", "target", "subject"), seeded.rows[0]),
            (("entity",), seeded.entity),
            (("source",), seeded.sources[0]),
            (("path", "file"), seeded.paths[0]),
            (("table",), seeded.table),
            (("attribute", "field"), seeded.attribute),
            (("key",), seeded.key),
        ]
        for prefixes, value in by_kind:
            if key.startswith(prefixes):
                self.table_bound = True
                return value
        return Undefined

    def value(self, name: str, kind: GraphQLInputType) -> Any:
        """A value for an argument or input field `name` of type `kind`."""
        inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
        named = get_named_type(inner)
        if isinstance(named, GraphQLScalarType) and named.name in ("String", "ID"):
            found = self.by_name(name)
            if found is not Undefined:
                return [found] if is_list_type(inner) else found
        item = self._of_type(named)
        return [item] if is_list_type(inner) else item

    def _of_type(self, named: GraphQLNamedType) -> Any:
        if isinstance(named, GraphQLEnumType):
            return next(iter(named.values))
        if isinstance(named, GraphQLInputObjectType):
            return {
                field_name: self.value(field_name, input_field.type)
                for field_name, input_field in named.fields.items()
                if (is_non_null_type(input_field.type) and input_field.default_value is Undefined)
                or self.by_name(field_name) is not Undefined
            }
        scalars: dict[str, Any] = {
            "String": "x",
            "ID": "x",
            "Int": 5,
            "Float": 0.5,
            "Boolean": False,
            "JSON": {},
            "DateTime": "2026-01-01T00:00:00+00:00",
            "Date": "2026-01-01",
            "Upload": None,
        }
        return scalars.get(named.name, "x")


def _required(argument: GraphQLArgument) -> bool:
    return is_non_null_type(argument.type) and argument.default_value is Undefined


def _seeded(name: str, argument: GraphQLArgument, filler: _Filler) -> bool:
    """Whether the seed has a value for a string argument (a table, an id)."""
    probe = _Filler(filler.seed, SEEDED_TABLES[0], filler.field_name)
    named = get_named_type(argument.type)
    return named.name in ("String", "ID") and probe.by_name(name) is not Undefined


def selection(kind: GraphQLOutputType, depth: int, seen: frozenset[str] = frozenset()) -> str:
    """Every leaf of `kind` and, `depth` levels down, of its object fields (lists included);
    fields with required arguments are skipped below the root."""
    named = get_named_type(kind)
    if is_leaf_type(named):
        return ""
    if isinstance(named, GraphQLUnionType):
        parts = [f"... on {member.name} {selection(member, depth, seen)}" for member in named.types]
        return "{ __typename " + " ".join(parts) + " }"
    assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
    seen = seen | {named.name}
    parts = ["__typename"]
    for name, child in named.fields.items():
        if any(_required(argument) for argument in child.args.values()):
            continue
        child_type = get_named_type(child.type)
        if is_leaf_type(child_type):
            parts.append(name)
        elif depth > 0 and child_type.name not in seen:
            paged = f"(first: {NESTED_PAGE})" if PAGE_ARGUMENT in child.args else ""
            parts.append(f"{name}{paged} {selection(child.type, depth - 1, seen)}")
    return "{ " + " ".join(parts) + " }"


def _tokens(document: str) -> int:
    lexer, count = Lexer(Source(document)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


def build_case(
    root: RootField, seed: Seed, table: str | None, *, optional: bool, value_of: str | None = None
) -> Case:
    """The operation for `root` with its required arguments (and, if `optional`, the optional
    ones the seed can name) filled from the seed, ids taken from `table`: the deepest
    selection within the schema's limits, with small pages.

    `value_of`, when given, names one argument left out of the variables, for the caller
    to fill (with an injection payload)."""
    filler = _Filler(seed, table, root.name)
    variables: dict[str, Any] = {}
    declared: list[str] = []
    passed: list[str] = []
    omitted = False
    for name, argument in root.field.args.items():
        seeded = _seeded(name, argument, filler)
        if name != value_of and not (_required(argument) or (optional and seeded)):
            omitted = omitted or seeded
            continue
        declared.append(f"${name}: {_type_name(argument.type)}")
        passed.append(f"{name}: ${name}")
        if name != value_of:
            variables[name] = filler.value(name, argument.type)
    if PAGE_ARGUMENT in root.field.args and PAGE_ARGUMENT not in variables:
        passed.append(f"{PAGE_ARGUMENT}: {ROOT_PAGE}")
    uploads = {
        f"{name}.0" if is_list_type(_nullable(argument.type)) else name: UPLOADED
        for name, argument in root.field.args.items()
        if name in variables and get_named_type(argument.type).name == "Upload"
    }
    head = f"({', '.join(declared)})" if declared else ""
    call = f"({', '.join(passed)})" if passed else ""
    for depth in (3, 2, 1, 0):
        body = selection(root.field.type, depth)
        document = f"{root.operation.value} Matrix{head} {{ {root.name}{call} {body} }}"
        if _within_limits(root.schema, document, variables):
            break
    bound = table if filler.table_bound else None
    return Case(root, bound, document, variables, omitted, uploads)


def _within_limits(schema: GraphQLSchema, document: str, variables: dict[str, Any]) -> bool:
    """Whether the API's token and complexity limits admit `document`."""
    if _tokens(document) > MAX_TOKENS:
        return False
    return not cost_errors(schema, parse(document), variables, MAX_COMPLEXITY)


def cases(root: RootField, seed: Seed) -> list[Case]:
    """The cases of one root field: with its required arguments only, and with the optional
    ones the seed can name too; once per seeded table when the arguments name a table."""
    built: dict[str, Case] = {}
    for optional in (False, True):
        for table in SEEDED_TABLES:
            case = build_case(root, seed, table, optional=optional)
            built.setdefault(case.document + json.dumps(case.variables, sort_keys=True), case)
    return list(built.values())


def string_arguments(root: RootField) -> list[str]:
    """The arguments of `root` that take a string (or a list of strings)."""
    return [
        name
        for name, argument in root.field.args.items()
        if get_named_type(argument.type).name in ("String", "ID")
    ]


def _nullable(kind: GraphQLInputType) -> GraphQLInputType:
    return kind.of_type if isinstance(kind, GraphQLNonNull) else kind


def _type_name(kind: GraphQLInputType) -> str:
    if isinstance(kind, GraphQLNonNull):
        return _type_name(kind.of_type) + "!"
    if isinstance(kind, GraphQLList):
        return f"[{_type_name(kind.of_type)}]"
    return get_named_type(kind).name


# --- judging responses -------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """A case whose answer broke the oracle."""

    case: str
    caller: str
    expected: str
    got: str


def codes_at_root(body: Mapping[str, Any], name: str) -> list[str]:
    """The error codes of the errors on the root field `name` itself."""
    return [
        str((error.get("extensions") or {}).get("code"))
        for error in body.get("errors") or []
        if list(error.get("path") or []) == [name]
    ]


def all_codes(body: Mapping[str, Any]) -> list[str]:
    """The error codes of every error in a response."""
    return [str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or []]


def judge(case: Case, caller: Caller, expect: Expect, body: Mapping[str, Any]) -> Iterator[str]:
    """What is wrong with `body` as the answer to `case` for `caller` (nothing: it is right)."""
    name = case.root.name
    root_codes = codes_at_root(body, name)
    data = body.get("data")
    value = data.get(name) if isinstance(data, Mapping) else None
    if INTERNAL in all_codes(body):
        yield f"internal error: {_first_message(body)}"
    refused = value is None and expected_code(caller) in root_codes
    if expect is Expect.DENIED and not refused:
        yield f"not refused (codes {root_codes or all_codes(body)}, data {_short(value)})"
    if expect is Expect.ALLOWED and ACCESS_CODES & set(root_codes):
        yield f"refused with {root_codes}: {_first_message(body)}"
    if expect is Expect.ALLOWED and caller.name == "admin" and body.get("errors"):
        yield f"admin got errors {all_codes(body)}: {_first_message(body)}"
    if expect is Expect.FILTERED and root_codes and not refused:
        yield f"neither refused nor filtered: {root_codes}"


def leaks(body: Mapping[str, Any], hidden: Mapping[str, str]) -> list[str]:
    """What `body` shows of the `hidden` tables (table -> marker): a marker anywhere (values,
    nested, errors), or the table's name as a value in the data (someone's rows of it)."""
    found = [f"marker of {table}" for table in sorted(shown(body, hidden))]
    named = set(_strings(body.get("data"))) & set(hidden)
    return found + [f"data naming table {table}" for table in sorted(named)]


def shown(body: Mapping[str, Any], markers: Mapping[str, str]) -> frozenset[str]:
    """The tables (of table -> marker) whose marker appears anywhere in `body`."""
    text = json.dumps(body, ensure_ascii=False)
    return frozenset(table for table, marker in markers.items() if marker in text)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def report(mismatches: list[Mismatch]) -> str:
    """A compact table of mismatches."""
    lines = [f"{len(mismatches)} mismatches:"]
    lines += [f"  {m.case:<48} {m.caller:<10} want {m.expected:<8} got {m.got}" for m in mismatches]
    return "\n".join(lines)


def _first_message(body: Mapping[str, Any]) -> str:
    errors = body.get("errors") or [{}]
    return _short(errors[0].get("message"))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 120 else text[:117] + "..."
