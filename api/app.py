"""The FastAPI application: GraphQL at `/graphql` (HTTP and graphql-transport-ws), health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, WebSocket, status
from fastapi.responses import JSONResponse
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.types.unset import UnsetType

from api.auth import credential_from_connection_params, credential_from_headers
from api.gql.context import GraceContext
from api.health import router as health_router
from api.schema import build_schema
from api.services import Services
from governance.errors import InvalidCredentialsError
from graph.settings import Profile, Settings, load_settings


class GraceRouter(GraphQLRouter[GraceContext, None]):
    """GraphQL over HTTP and websockets; a websocket proves who it is in `connection_init`."""

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


async def request_context(request: Request = None, websocket: WebSocket = None) -> GraceContext:  # type: ignore[assignment]
    """The context of one HTTP request (authenticated from its headers) or one websocket
    (authenticated later, in `connection_init`)."""
    if websocket is not None:
        return GraceContext(websocket.app.state.services, None)
    services: Services = request.app.state.services
    principal = await services.authenticator.authenticate(credential_from_headers(request.headers))
    return GraceContext(services, principal)


async def refuse_credentials(request: Request, error: Exception) -> JSONResponse:
    """401 for a credential that does not check out, saying the same thing whatever the cause."""
    return JSONResponse(
        {"errors": [{"message": str(error), "extensions": {"code": "invalid_credentials"}}]},
        status_code=status.HTTP_401_UNAUTHORIZED,
        headers={"WWW-Authenticate": "Bearer"},
    )


def create_app(settings: Settings) -> FastAPI:
    """Build the app; the driver and Redis pool open in its lifespan, once per process."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = await Services.open(settings)
        try:
            yield
        finally:
            await app.state.services.close()

    is_dev = settings.profile is Profile.DEV
    app = FastAPI(
        title="Grace",
        lifespan=lifespan,
        docs_url="/docs" if is_dev else None,
        redoc_url=None,
    )
    app.add_exception_handler(InvalidCredentialsError, refuse_credentials)
    app.include_router(health_router)
    app.include_router(
        GraceRouter(
            build_schema(settings.profile),
            context_getter=request_context,
            graphql_ide="graphiql" if is_dev else None,
        ),
        prefix="/graphql",
    )
    return app


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory api.app:app_factory`: settings from the environment."""
    return create_app(load_settings())
