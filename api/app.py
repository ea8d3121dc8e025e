"""The FastAPI application: GraphQL at `/graphql` (HTTP and graphql-transport-ws), health
probes at `/health/*`, Prometheus metrics at `/metrics`, row exports at `/export/rows`, Neo4j
Browser's style and guide at `/browser/`, the web app at `/`; in `dev`, GraphiQL (GET
`/graphql` from a browser) and the API docs at `/docs`; the pages are built from `web/`."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, overload

import anyio
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from fastapi import FastAPI, Request, Response, WebSocket, status
from fastapi.responses import HTMLResponse, JSONResponse
from opentelemetry.sdk.trace import SpanProcessor
from starlette.exceptions import HTTPException as StarletteHTTPException
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import SchemaExtension
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from api.auth import credential_from_connection_params, credential_from_headers
from api.browser import PREFIX as BROWSER_PREFIX
from api.browser import browser_files
from api.export import router as export_router
from api.gql.context import GraceContext
from api.gql.held_answers import held_operation
from api.gql.http_requests import (
    MALFORMED,
    UNSUPPORTED_MEDIA_TYPE,
    RequestRefusedError,
    decode_json,
    operations_of,
    refusal_body,
    runnable_over_http,
    with_files,
)
from api.gql.uploads import require_csrf_header
from api.gql.websocket_messages import GraceTransportWSHandler, GraceWebSocketAdapter
from api.health import STARTED
from api.health import router as health_router
from api.limits import RequestSizeLimit
from api.mcp_server import GraceMcp
from api.metrics import ApiMetrics, OperationTimer, ResponseCounter
from api.metrics import router as metrics_router
from api.schema import build_schema
from api.services import Services
from api.tracing import OperationTracing, http_telemetry
from api.web import Page, WebBuild
from governance.errors import InvalidCredentialsError
from graph import logs
from graph.settings import Profile, Settings, load_settings
from graph.tracing import API_SERVICE, tracer_provider


class GraceRouter(GraphQLRouter[GraceContext, None]):
    """GraphQL over HTTP and websockets (graphql-transport-ws only); a websocket proves who
    it is in `connection_init`. With `web`, a browser's GET shows the GraphiQL page of Grace's
    own web build; without, there is no IDE."""

    websocket_adapter_class = GraceWebSocketAdapter
    graphql_transport_ws_handler_class = GraceTransportWSHandler

    def __init__(self, schema: BaseSchema, *, web: WebBuild | None = None, **options: Any) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if web else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            **options,
        )
        self.web = web

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """The GraphiQL page built from `web/`, its assets served by Grace (no CDN)."""
        assert self.web is not None  # strawberry asks for the IDE only when it has one
        return await anyio.to_thread.run_sync(self.web.page, Page.GRAPHIQL)

    async def on_ws_connect(self, context: GraceContext) -> UnsetType | dict[str, object] | None:
        """Refuse a subscription connection without a valid credential (closes with 4403)."""
        try:
            credential = credential_from_connection_params(context.connection_params)
            principal = await context.services.authenticator.authenticate(credential)
        except InvalidCredentialsError:
            raise ConnectionRejectionError({"reason": "invalid credentials"}) from None
        if principal is None:
            raise ConnectionRejectionError({"reason": "authentication required"})
        context.authenticate_as(principal)
        return await super().on_ws_connect(context)

    @overload
    async def run(
        self,
        request: Request,
        context: GraceContext | UnsetType = UNSET,
        root_value: UnsetType | None = UNSET,
    ) -> Response: ...

    @overload
    async def run(
        self,
        request: WebSocket,
        context: GraceContext | UnsetType = UNSET,
        root_value: UnsetType | None = UNSET,
    ) -> WebSocket: ...

    async def run(
        self,
        request: Request | WebSocket,
        context: GraceContext | UnsetType = UNSET,
        root_value: UnsetType | None = UNSET,
    ) -> Response | WebSocket:
        """Answer a request refused before execution with a GraphQL error body and its code
        (Strawberry would answer plain text)."""
        try:
            return await super().run(request, context, root_value)  # type: ignore[arg-type]
        except HTTPException as error:
            return JSONResponse(refusal_body(error), status_code=error.status_code)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: GraceContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Execute one operation, or answer it from `Services.answers` when it reads only
        held fields (`api.gql.held_answers`; over POST only: whether GET may run a query is
        strawberry's check, made in execution)."""
        execute = partial(
            super().execute_single,
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )
        principal = context.principal
        operation = held_operation(request_data) if request_adapter.method == "POST" else None
        if operation is None or principal is None:
            return await execute()
        started = time.perf_counter()
        result = await context.services.answers.answer(principal, request_data, execute)
        metrics: ApiMetrics = request.app.state.metrics
        name = operation.name.value if operation.name else None
        metrics.operations.labels(metrics.names.label(name)).observe(time.perf_counter() - started)
        return result

    def decode_json(self, data: str | bytes) -> object:
        """JSON of a request (body, GET parameter, multipart field), checked as it decodes."""
        return decode_json(data)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """The operation or batch a request carries: JSON (`application/json`), multipart
        (uploads) or, for GET, query parameters. Its shape, and which operation each
        document runs, are checked for the whole batch before any operation executes."""
        batching = self.schema.config.batching_config
        max_operations = batching["max_operations"] if batching is not None else None
        media_type, _ = parse_content_type(request.content_type or "")
        if request.method == "GET":
            body: object = self.parse_query_params(request.query_params)
        elif media_type == "application/json":
            body = self.parse_json(await request.get_body())
        elif media_type == "multipart/form-data" and self.multipart_uploads_enabled:
            body = await self.multipart_body(request)
        else:
            raise RequestRefusedError(
                415,
                UNSUPPORTED_MEDIA_TYPE,
                f"send application/json or multipart/form-data, not {media_type or 'nothing'}",
            )
        operations = operations_of(body, max_operations)
        for operation in operations if isinstance(operations, list) else [operations]:
            runnable_over_http(operation)
        return operations

    async def multipart_body(self, request: AsyncHTTPRequestAdapter) -> object:
        """The operations of a multipart request with its files in place, refused before its
        body is read when a cross-site form could have sent it."""
        require_csrf_header(request.headers)
        try:
            form = await request.get_form_data()
        except (ValueError, StarletteHTTPException) as error:
            reason = getattr(error, "detail", error)
            raise RequestRefusedError(
                400, MALFORMED, f"the multipart body does not parse: {reason}"
            ) from None
        operations, files_map = form.form.get("operations"), form.form.get("map", "{}")
        if not isinstance(operations, str) or not isinstance(files_map, str):
            raise RequestRefusedError(
                400, MALFORMED, "a multipart request needs the text fields `operations` and `map`"
            )
        return with_files(self.parse_json(operations), self.parse_json(files_map), form.files)


async def request_context(request: Request = None, websocket: WebSocket = None) -> GraceContext:  # type: ignore[assignment]
    """The context of one HTTP request (authenticated from its headers) or one websocket
    (authenticated later, in `connection_init`)."""
    if websocket is not None:
        return GraceContext(websocket.app.state.services, None, websocket=True)
    services: Services = request.app.state.services
    principal = await services.authenticator.authenticate(credential_from_headers(request.headers))
    return GraceContext(services, principal)


def keep_out_of_collections() -> None:
    """Move what start-up built (modules, the schema, the services: ~260,000 objects, alive
    as long as the process) out of the garbage collector's reach, so its full collections
    scan only what requests made since: under load each one paused the process for about
    0.5 s (the dashboard's p99), about 0.05 s once frozen (`gc.freeze`)."""
    gc.collect()
    gc.freeze()


async def refuse_credentials(request: Request, error: Exception) -> JSONResponse:
    """401 for a credential that does not check out, saying the same thing whatever the cause."""
    return JSONResponse(
        {"errors": [{"message": str(error), "extensions": {"code": "invalid_credentials"}}]},
        status_code=status.HTTP_401_UNAUTHORIZED,
        headers={"WWW-Authenticate": "Bearer"},
    )


def create_app(settings: Settings, span_processor: SpanProcessor | None = None) -> FastAPI:
    """Build the app; the driver and Redis pool open in its lifespan, once per process.
    Spans go to the configured OTLP endpoint, or to `span_processor` when given."""
    metrics = ApiMetrics(settings.store_path)
    provider = tracer_provider(settings, API_SERVICE, span_processor)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = services = await Services.open(settings, metrics.registry)
        keep_out_of_collections()
        following = asyncio.create_task(services.follow_events())
        setattr(app.state, STARTED, True)
        try:
            async with mcp.server.session_manager.run():
                yield
        finally:
            setattr(app.state, STARTED, False)
            following.cancel()
            await asyncio.gather(following, return_exceptions=True)
            await services.close()
            gc.unfreeze()  # collectable again once the app is gone (tests start many)
            if provider is not None:
                provider.shutdown()

    is_dev = settings.profile is Profile.DEV
    web = WebBuild(settings.web_dist)
    app = FastAPI(
        title="Grace",
        lifespan=lifespan,
        docs_url=None,
        openapi_url="/openapi.json" if is_dev else None,
        redoc_url=None,
        telemetry=http_telemetry(provider),
    )
    app.state.metrics = metrics
    app.add_exception_handler(InvalidCredentialsError, refuse_credentials)
    app.add_middleware(RequestSizeLimit, settings=settings)
    app.add_middleware(ResponseCounter, metrics=metrics)
    observers: list[Callable[[], SchemaExtension]] = [partial(OperationTimer, metrics)]
    if provider is not None:
        observers.append(partial(OperationTracing, provider.get_tracer(__name__)))
    app.include_router(  # first: the busiest path is matched before every other route
        GraceRouter(
            build_schema(settings.profile, observers),
            web=web if is_dev else None,
            context_getter=request_context,
            multipart_uploads_enabled=True,
        ),
        prefix="/graphql",
    )
    mcp = GraceMcp(lambda: app.state.services)
    mcp.mount(app, settings.api_host)
    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(export_router)
    app.mount(BROWSER_PREFIX, browser_files(settings.root))
    web.mount_assets(app)
    app.add_api_route("/", partial(web.page, Page.APP), include_in_schema=False)
    if is_dev:
        app.add_api_route("/docs", partial(web.page, Page.DOCS), include_in_schema=False)
    return app


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory api.app:app_factory`: settings from the environment."""
    settings = load_settings()
    logs.configure("api", settings)
    return create_app(settings)
