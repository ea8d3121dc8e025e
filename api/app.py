"""The FastAPI application: GraphQL at `/graphql`, health at `/healthz` and `/readyz`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from strawberry.fastapi import GraphQLRouter

from api.health import router as health_router
from api.schema import Context, schema
from api.services import Services
from graph.settings import Profile, Settings, load_settings


def create_app(settings: Settings) -> FastAPI:
    """Build the app; the driver and Redis pool open in its lifespan, once per process."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = await Services.open(settings)
        try:
            yield
        finally:
            await app.state.services.close()

    async def context(request: Request) -> Context:
        return Context(request.app.state.services)

    is_dev = settings.profile is Profile.DEV
    app = FastAPI(
        title="Grace",
        lifespan=lifespan,
        docs_url="/docs" if is_dev else None,
        redoc_url=None,
    )
    app.include_router(health_router)
    app.include_router(
        GraphQLRouter(schema, context_getter=context, graphql_ide="graphiql" if is_dev else None),
        prefix="/graphql",
    )
    return app


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory api.app:app_factory`: settings from the environment."""
    return create_app(load_settings())
