"""Every paged list of the schema answers the one connection shape (read from the schema
itself, so a new list cannot drift): `nodes`, `pageInfo { hasNextPage endCursor }` and a
nullable `totalCount`, asked for with `first` and `after`."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
)

from api.schema import build_schema
from graph.settings import Profile

CONNECTION_FIELDS = {"nodes", "pageInfo", "totalCount"}
PAGE_ARGUMENTS = {"first", "after"}


def schema() -> GraphQLSchema:
    return build_schema(Profile.DEV)._schema


def fields(graphql: GraphQLSchema) -> Iterator[tuple[str, GraphQLField]]:
    """Every field of every object type, named `Type.field`."""
    for name, kind in graphql.type_map.items():
        if isinstance(kind, GraphQLObjectType) and not name.startswith("__"):
            for field_name, field in kind.fields.items():
                yield f"{name}.{field_name}", field


def unwrapped(kind: GraphQLOutputType) -> GraphQLOutputType:
    return kind.of_type if isinstance(kind, GraphQLNonNull) else kind


def is_page(kind: GraphQLOutputType) -> bool:
    """A wrapper of a list: an object type with a page's fields, by any name."""
    kind = unwrapped(kind)
    if not isinstance(kind, GraphQLObjectType):
        return False
    wrapper_fields = {"items", "nodes", "edges", "pageInfo", "totalCount", "count"}
    return (
        kind.name.endswith(("Connection", "Page")) or len(wrapper_fields & kind.fields.keys()) > 1
    )


def test_every_field_taking_first_and_after_returns_a_connection() -> None:
    graphql = schema()
    paged = {name: field for name, field in fields(graphql) if PAGE_ARGUMENTS & field.args.keys()}
    assert len(paged) >= 10  # ingestionRuns, rows, documents, conflicts, changeRequests ...
    for name, field in paged.items():
        assert field.args.keys() >= PAGE_ARGUMENTS, name
        returned = unwrapped(field.type)
        assert isinstance(returned, GraphQLObjectType), name
        assert returned.name.endswith("Connection"), name


def test_every_connection_has_exactly_nodes_page_info_and_total_count() -> None:
    graphql = schema()
    pages = {unwrapped(field.type) for _, field in fields(graphql) if is_page(field.type)}
    assert pages
    for page in pages:
        assert isinstance(page, GraphQLObjectType)
        assert page.fields.keys() == CONNECTION_FIELDS, page.name
        nodes = page.fields["nodes"].type
        assert isinstance(nodes, GraphQLNonNull)
        assert isinstance(nodes.of_type, GraphQLList)
        assert str(page.fields["pageInfo"].type) == "PageInfo!", page.name
        assert str(page.fields["totalCount"].type) == "Int", page.name


def test_every_field_returning_a_connection_is_paged() -> None:
    for name, field in fields(schema()):
        if is_page(field.type):
            assert field.args.keys() >= PAGE_ARGUMENTS, name


def test_page_info_says_whether_more_follow_and_where_the_page_ends() -> None:
    page_info = schema().type_map["PageInfo"]
    assert isinstance(page_info, GraphQLObjectType)
    assert {name: str(f.type) for name, f in page_info.fields.items()} == {
        "hasNextPage": "Boolean!",
        "endCursor": "String",
    }
