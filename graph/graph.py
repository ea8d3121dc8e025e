"""`Graph`: the one owner of the Neo4j driver in a process.

Statements are run by name from the Cypher registry, with parameters only. Reads and
writes go through the driver's managed transactions, which retry transient failures,
so every write statement must be idempotent.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Protocol, TypeVar

from neo4j import (
    READ_ACCESS,
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    AsyncTransaction,
    NotificationDisabledClassification,
    RoutingControl,
    unit_of_work,
)
from neo4j.exceptions import (
    AuthError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
)
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from graph.cypher_registry import CypherRegistry
from graph.errors import (
    ConstraintViolationError,
    GraceError,
    GraphUnavailableError,
    QueryFailedError,
)
from graph.settings import Settings

Record = dict[str, Any]
T = TypeVar("T")
LIVENESS_CHECK_SECONDS = 1.0
"""A pooled connection idle longer than this is checked (a RESET) before it is lent."""
_TRACER = trace.get_tracer(__name__)
"""A span per statement run (`cypher <name>`): no-op unless the process installed tracing."""


@dataclass
class WriteSummary:
    """What a write changed, summed over its batches."""

    batches: int = 0
    items: int = 0
    counters: dict[str, int] = field(default_factory=dict)

    def add(self, items: int, counters: Mapping[str, int]) -> None:
        """Fold one batch into the summary."""
        self.batches += 1
        self.items += items
        for name, value in counters.items():
            self.counters[name] = self.counters.get(name, 0) + value


@dataclass(frozen=True)
class CheckedRead:
    """What a checked ad hoc read returned: the driver's values (nodes, relationships,
    paths as they are), at most the row limit of them."""

    keys: tuple[str, ...]
    records: list[tuple[Any, ...]]
    truncated: bool


@dataclass(frozen=True)
class StatementPlan:
    """Neo4j's verdict on a statement it planned without running: its query type (`r`,
    `rw`, `w`, `s`) and the names of every operator of the plan."""

    query_type: str
    operators: tuple[str, ...]


class GraphTransaction:
    """One write transaction (managed, or a `Graph.rehearse`'s): runs named statements only."""

    def __init__(
        self,
        tx: AsyncManagedTransaction | AsyncTransaction,
        registry: CypherRegistry,
        statements: Counter[str],
    ) -> None:
        self._tx = tx
        self._registry = registry
        self._statements = statements
        self.statement = ""
        """Name of the statement running (or last run), for error messages."""

    async def run(self, name: str, params: Mapping[str, Any] | None = None) -> list[Record]:
        """Run a statement by name inside the transaction and return its records."""
        statement = self._registry[name]
        self.statement = name
        self._statements[name] += 1
        result = await self._tx.run(statement, dict(params or {}))
        return [record.data() async for record in result]


class Statements(Protocol):
    """What a writer runs its named statements through: the `Graph`, or a `Rehearsal`."""

    async def read(self, name: str, params: Mapping[str, Any] | None = None) -> list[Record]:
        """Run a read statement by name and return its records."""
        ...

    async def write(self, name: str, params: Mapping[str, Any] | None = None) -> list[Record]:
        """Run a write statement by name and return its records."""
        ...

    async def write_batches(
        self,
        name: str,
        items: Iterable[Mapping[str, Any]],
        *,
        batch_size: int,
        param: str = "rows",
        params: Mapping[str, Any] | None = None,
    ) -> WriteSummary:
        """Run `name` once per batch of `items`, passed as `$rows` (or `param`)."""
        ...

    async def transaction(self, work: Callable[[GraphTransaction], Awaitable[T]]) -> T:
        """Run `work` in one write transaction."""
        ...


class Rehearsal:
    """`Statements` run for real in one transaction that `Graph.rehearse` rolls back: Neo4j
    plans them and runs them on data, and nothing of theirs is left."""

    def __init__(self, tx: GraphTransaction) -> None:
        self._tx = tx

    async def read(self, name: str, params: Mapping[str, Any] | None = None) -> list[Record]:
        """Run a statement by name in the rehearsal's transaction."""
        return await self._tx.run(name, params)

    async def write(self, name: str, params: Mapping[str, Any] | None = None) -> list[Record]:
        """Run a statement by name in the rehearsal's transaction."""
        return await self._tx.run(name, params)

    async def write_batches(
        self,
        name: str,
        items: Iterable[Mapping[str, Any]],
        *,
        batch_size: int,
        param: str = "rows",
        params: Mapping[str, Any] | None = None,
    ) -> WriteSummary:
        """Run `name` once per batch of `items`, all in the rehearsal's transaction (the
        summary counts batches and items; Neo4j's counters are not read)."""
        summary = WriteSummary()
        for batch in _batched(items, batch_size):
            await self._tx.run(name, {**(params or {}), param: batch})
            summary.add(len(batch), {})
        return summary

    async def transaction(self, work: Callable[[GraphTransaction], Awaitable[T]]) -> T:
        """Run `work` in the rehearsal's transaction."""
        return await work(self._tx)


class Graph:
    """Runs named Cypher statements against one Neo4j database."""

    def __init__(
        self, driver: AsyncDriver, registry: CypherRegistry, database: str, uri: str
    ) -> None:
        self._driver = driver
        self.registry = registry
        self.database = database
        self.uri = uri
        self.statements: Counter[str] = Counter()
        """How many times each named statement ran (in a transaction or alone): what
        tests and benchmarks count round trips with."""
        self.reads: Counter[str] = Counter()
        """How many times each read statement ran (`read`, `read_plain`)."""
        self.seconds: defaultdict[str, float] = defaultdict(float)
        """Seconds spent waiting for each statement run alone (not in a `transaction`),
        sent to received: where a benchmark's database time goes."""

    @classmethod
    async def connect(cls, settings: Settings, registry: CypherRegistry | None = None) -> Graph:
        """Open the driver and check that Neo4j answers with these credentials."""
        driver = AsyncGraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
            max_connection_pool_size=settings.neo4j_pool_size,
            # a connection idle this long is checked before use: after Neo4j restarts, a dead
            # one is replaced at once instead of failing a query into the retry's back-off
            liveness_check_timeout=LIVENESS_CHECK_SECONDS,
            # Hints such as "label does not exist" are noise on a young database;
            # deprecations, performance and security notifications stay on.
            notifications_disabled_classifications=[
                NotificationDisabledClassification.UNRECOGNIZED
            ],
        )
        graph = cls(
            driver,
            registry or CypherRegistry.load(settings.cypher_dir),
            settings.neo4j_database,
            settings.neo4j_uri,
        )
        try:
            await driver.verify_connectivity()
        except (ServiceUnavailable, AuthError, OSError) as error:
            await driver.close()
            raise GraphUnavailableError(settings.neo4j_uri, _reason(error)) from error
        return graph

    async def close(self) -> None:
        """Close the driver and its connection pool."""
        await self._driver.close()

    async def ready(self) -> bool:
        """True when Neo4j answers a query on Grace's database. One attempt, not the managed
        transaction's retries: a probe answers at once, and after a restart its failure
        clears a stale pooled connection rather than backing off (1 s, then 2 s...)."""
        try:
            async with self._driver.session(
                database=self.database, default_access_mode=READ_ACCESS
            ) as session:
                await (await session.run("RETURN 1")).consume()
        except (Neo4jError, DriverError, OSError):
            return False
        return True

    async def read(self, name: str, params: Mapping[str, Any] | None = None) -> list[Record]:
        """Run a read statement by name and return its records as dictionaries."""
        self.reads[name] += 1
        records, _ = await self._run(name, params, RoutingControl.READ)
        return records

    async def read_plain(self, name: str, params: Mapping[str, Any] | None = None) -> list[Record]:
        """`read` for a statement that returns plain values only (no nodes, relationships or
        temporal values): its records are not walked to convert those, which costs seconds
        on a page of 50,000 rows returned as one list."""
        self.reads[name] += 1
        records, _ = await self._run(name, params, RoutingControl.READ, plain=True)
        return records

    async def stream(
        self, name: str, params: Mapping[str, Any] | None = None
    ) -> AsyncIterator[Record]:
        """Run a read statement by name in one transaction, yielding its records as they
        arrive (plain values, properties' temporal types kept): for results too large to
        hold, such as a whole-graph backup."""
        try:
            async with self._driver.session(
                database=self.database, default_access_mode=READ_ACCESS
            ) as session:
                result = await session.run(self.registry[name], dict(params or {}))
                async for record in result:
                    yield dict(zip(record.keys(), record, strict=True))
        except (Neo4jError, ServiceUnavailable, AuthError) as error:
            raise _graph_error(error, name, self.uri) from error

    async def write(self, name: str, params: Mapping[str, Any] | None = None) -> list[Record]:
        """Run a write statement by name in one retried transaction."""
        records, _ = await self._run(name, params, RoutingControl.WRITE)
        return records

    async def write_batches(
        self,
        name: str,
        items: Iterable[Mapping[str, Any]],
        *,
        batch_size: int,
        param: str = "rows",
        params: Mapping[str, Any] | None = None,
    ) -> WriteSummary:
        """Run `name` once per batch of `items`, passed as `$rows` (or `param`) to `UNWIND`.

        Each batch is its own transaction; a retried batch must be idempotent.
        """
        summary = WriteSummary()
        for batch in _batched(items, batch_size):
            _, counters = await self._run(
                name, {**(params or {}), param: batch}, RoutingControl.WRITE
            )
            summary.add(len(batch), counters)
        return summary

    async def transaction(self, work: Callable[[GraphTransaction], Awaitable[T]]) -> T:
        """Run `work` in one managed write transaction, retried on transient failures.

        `work` may run more than once, so it must have no effect outside the transaction.
        Errors are mapped as for `write`, naming the statement that failed.
        """
        attempt: GraphTransaction | None = None

        async def managed(tx: AsyncManagedTransaction) -> T:
            nonlocal attempt
            attempt = GraphTransaction(tx, self.registry, self.statements)
            return await work(attempt)

        async with self._driver.session(
            database=self.database,
            bookmark_manager=self._driver.execute_query_bookmark_manager,
        ) as session:
            try:
                return await session.execute_write(managed)
            except (Neo4jError, ServiceUnavailable, AuthError) as error:
                name = attempt.statement if attempt is not None else "transaction"
                raise _graph_error(error, name, self.uri) from error

    async def rehearse(self, work: Callable[[Rehearsal], Awaitable[T]]) -> T:
        """Run `work` in one write transaction, then roll it back whatever `work` did (not
        retried: a rehearsal that fails is given up). What a process runs before its first
        real work, so that Neo4j has planned and run its statements (`ingest.warm_up`)."""
        tx: GraphTransaction | None = None
        try:
            async with self._driver.session(database=self.database) as session:
                raw = await session.begin_transaction()
                tx = GraphTransaction(raw, self.registry, self.statements)
                try:
                    return await work(Rehearsal(tx))
                finally:
                    if not raw.closed():
                        await raw.rollback()
        except (Neo4jError, ServiceUnavailable, AuthError) as error:
            raise _graph_error(error, tx.statement if tx else "rehearsal", self.uri) from error

    async def explain(self, name: str) -> tuple[str, ...]:
        """Ask Neo4j to plan a statement without running it (parameters need no values); the
        plan's operators, depth first, each with Neo4j's details (`NodeIndexSeek RANGE INDEX
        r:Row(status) WHERE status = ...`)."""
        try:
            result = await self._driver.execute_query(
                "EXPLAIN " + self.registry[name],
                database_=self.database,
                routing_=RoutingControl.READ,
            )
        except (Neo4jError, ServiceUnavailable, AuthError) as error:
            raise _graph_error(error, name, self.uri) from error
        return tuple(_described(result.summary.plan))

    async def plan_checked(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> StatementPlan:
        """Plan an ad hoc statement (`EXPLAIN`) in a READ transaction, running nothing; with
        the `params` it will run with, Neo4j plans for them and warns of no missing one.

        Ad hoc statements are the co-pilot's generated queries, the only Cypher not from the
        registry: `copilot.guard` checks them before they come here.
        """

        async def plan(tx: AsyncManagedTransaction) -> StatementPlan:
            result = await tx.run("EXPLAIN " + statement, dict(params or {}))
            summary = await result.consume()
            return StatementPlan(str(summary.query_type), tuple(_operators(summary.plan)))

        return await self._read_session(plan, "ad hoc plan")

    async def read_checked(
        self, statement: str, params: Mapping[str, Any], *, seconds: float, max_rows: int
    ) -> CheckedRead:
        """Run a checked ad hoc statement in a READ transaction (Neo4j refuses writes in it)
        that Neo4j stops after `seconds`, keeping at most `max_rows` records."""

        @unit_of_work(timeout=seconds)
        async def run(tx: AsyncManagedTransaction) -> CheckedRead:
            result = await tx.run(statement, dict(params))
            records = await result.fetch(max_rows + 1)
            keys = tuple(result.keys())
            return CheckedRead(
                keys, [tuple(r.values()) for r in records[:max_rows]], len(records) > max_rows
            )

        return await self._read_session(run, "ad hoc read")

    async def _read_session(
        self, work: Callable[[AsyncManagedTransaction], Awaitable[T]], name: str
    ) -> T:
        async with self._driver.session(
            database=self.database,
            default_access_mode="READ",
            bookmark_manager=self._driver.execute_query_bookmark_manager,
        ) as session:
            try:
                return await session.execute_read(work)
            except (Neo4jError, ServiceUnavailable, AuthError) as error:
                raise _graph_error(error, name, self.uri) from error

    async def _run(
        self,
        name: str,
        params: Mapping[str, Any] | None,
        routing: RoutingControl,
        *,
        plain: bool = False,
    ) -> tuple[list[Record], dict[str, int]]:
        self.statements[name] += 1
        start = time.perf_counter()
        try:
            return await self._execute(
                name, self.registry[name], params or {}, routing, plain=plain
            )
        finally:
            self.seconds[name] += time.perf_counter() - start

    async def _execute(
        self,
        name: str,
        statement: str,
        params: Mapping[str, Any],
        routing: RoutingControl,
        *,
        plain: bool = False,
    ) -> tuple[list[Record], dict[str, int]]:
        attributes = {"db.operation.name": name}
        try:
            with _TRACER.start_as_current_span(
                f"cypher {name}", kind=SpanKind.CLIENT, attributes=attributes
            ):
                result = await self._driver.execute_query(
                    statement, dict(params), database_=self.database, routing_=routing
                )
        except (Neo4jError, ServiceUnavailable, AuthError) as error:
            raise _graph_error(error, name, self.uri) from error
        counters = {
            key: value
            for key, value in vars(result.summary.counters).items()
            if isinstance(value, int) and not isinstance(value, bool) and value
        }
        if plain:
            return [
                dict(zip(record.keys(), record, strict=True)) for record in result.records
            ], counters
        return [record.data() for record in result.records], counters


def _operators(plan: Mapping[str, Any] | None) -> Iterator[str]:
    """The operator names of a plan tree, depth first."""
    if not plan:
        return
    yield str(plan.get("operatorType", ""))
    for child in plan.get("children", ()):
        yield from _operators(child)


def _described(plan: Mapping[str, Any] | None) -> Iterator[str]:
    """The operators of a plan tree, depth first, each as `name details`."""
    if not plan:
        return
    details = plan.get("args", {}).get("Details", "")
    yield f"{plan.get('operatorType', '')} {details}".strip()
    for child in plan.get("children", ()):
        yield from _described(child)


def _batched(
    items: Iterable[Mapping[str, Any]], size: int
) -> Iterator[Sequence[Mapping[str, Any]]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _graph_error(
    error: Neo4jError | ServiceUnavailable | AuthError, name: str, uri: str
) -> GraceError:
    """The Grace error for a driver error raised while running statement `name`."""
    if isinstance(error, ConstraintError):
        return ConstraintViolationError(name, error.code, error.message or "")
    if isinstance(error, ServiceUnavailable | AuthError):
        return GraphUnavailableError(uri, _reason(error))
    return QueryFailedError(name, error.code, error.message or str(error))


def _reason(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return str(message)
