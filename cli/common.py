"""What every command group shares: the consoles, the common options, and one way to run a
command's work against the services it needs.

Nothing heavy is imported here: a command imports the database driver, the trust engine and
the rest when it runs, so `grace --help` and simple commands start fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Column, Table

if TYPE_CHECKING:
    from api.services import Services
    from graph.graph import Graph
    from graph.ids import IdKind
    from graph.settings import Settings
    from trust.services import TrustServices

T = TypeVar("T")

UNLIMITED_WIDTH = 100_000
"""Console width when rows must stay whole: rich never pads a table to the full width."""


def _console(*, stderr: bool = False) -> Console:
    """A console that wraps lines on a terminal and keeps them whole when piped (for grep)."""
    console = Console(stderr=stderr)
    if not console.is_terminal:
        console.width = UNLIMITED_WIDTH
    return console


out = _console()
err = _console(stderr=True)

ProfileOption = Annotated[
    str | None, typer.Option("--profile", help="dev, staging or prod (default: GRACE_PROFILE).")
]
FreshOption = Annotated[
    bool, typer.Option("--fresh", help="Start from empty Neo4j and Redis data folders.")
]
ActorOption = Annotated[str, typer.Option("--as", help="The acting user's id (recorded).")]
WideOption = Annotated[
    bool,
    typer.Option("--wide", help="Print whole ids and values (always so when not on a terminal)."),
]


def settings_for(profile: str | None) -> Settings:
    """The settings of `profile` (default: GRACE_PROFILE)."""
    from graph.settings import load_settings

    return load_settings(profile)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one command's asynchronous work to its end."""
    return asyncio.run(coroutine)


async def opened_graph(settings: Settings, work: Callable[[Graph], Awaitable[T]]) -> T:
    """Await `work` on a graph opened for it, then close it."""
    from graph.graph import Graph

    graph = await Graph.connect(settings)
    try:
        return await work(graph)
    finally:
        await graph.close()


def with_graph(settings: Settings, work: Callable[[Graph], Awaitable[T]]) -> T:
    """Run `work` on a graph opened for it, then close it (commands that need no event bus)."""
    return run(opened_graph(settings, work))


@asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[Services]:
    """The graph, the event bus and the rest of an API process's services, for one command."""
    from api.services import Services

    services = await Services.open(settings)
    try:
        yield services
    finally:
        await services.close()


def with_services(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
    """Run `work` with the services of one API process (graph, bus, cipher, queue ...)."""

    async def session() -> T:
        async with connected(settings) as services:
            return await work(services)

    return run(session())


@asynccontextmanager
async def trust_services(settings: Settings) -> AsyncIterator[TrustServices]:
    """The trust, conflict, healing and policy services of one command, closed after it."""
    async with connected(settings) as services:
        await services.trust.current()
        yield services.trust


def with_trust_services(settings: Settings, work: Callable[[TrustServices], Awaitable[T]]) -> T:
    """Run `work` with the trust, conflict, healing and policy services opened for it."""

    async def session() -> T:
        async with trust_services(settings) as services:
            return await work(services)

    return run(session())


def resolve(settings: Settings, kind: IdKind, given: str) -> str:
    """The whole id that `given` (an id or a unique prefix of one) names."""
    from graph.ids import resolve_id

    return with_graph(settings, lambda graph: resolve_id(graph, kind, given))


def resolve_all(settings: Settings, kind: IdKind, given: list[str]) -> list[str]:
    """`resolve` of each id, in order."""
    from graph.ids import resolve_ids

    return with_graph(settings, lambda graph: resolve_ids(graph, kind, given))


def make_table(*columns: str, wide: bool = False) -> Table:
    """A table that never cuts a cell short: on a terminal long ids and values fold onto the
    next line; with `--wide`, or when the output is not a terminal, every row stays whole on
    one line (for grep and scripts)."""
    if wide or not out.is_terminal:
        out.width = UNLIMITED_WIDTH
    return Table(*(Column(name, overflow="fold") for name in columns))
