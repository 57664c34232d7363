"""The Starlette application: routes, middleware and lifespan.

`uvicorn app:app` serves the gateway configured from the environment (the
embedded SQLite demo when no database is configured). Tests and tools build
their own with `create_app(settings, clock=...)`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from db.engine import create_engine
from schema import build_schema
from settings import Settings
from web.graphiql import GraphiQL
from web.graphql_endpoint import GraphQLEndpoint


def utc_now() -> datetime:
    return datetime.now(UTC)


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now):
    settings = settings or Settings()
    engine = create_engine(
        settings.resolved_database_url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
        pool_timeout=settings.pool_timeout_seconds,
    )
    schema = build_schema(fast_path=settings.fast_path)
    graphiql = GraphiQL() if settings.graphiql else None
    graphql = GraphQLEndpoint(
        schema=schema,
        settings=settings,
        engine=engine,
        clock=clock,
        graphiql_html=graphiql.page if graphiql else None,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if graphiql:
            graphiql.warn_if_not_installed()
        if settings.uses_embedded_demo and not settings.demo_database_path.exists():
            from db.demo import create_demo_database

            await create_demo_database(settings.demo_database_path)
        yield
        await engine.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql.handle, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            *(graphiql.routes() if graphiql else []),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.schema = schema
    return app


def __getattr__(name: str):
    # `uvicorn app:app` builds the configured app on first access, not on import.
    if name == "app":
        globals()["app"] = application = create_app()
        return application
    raise AttributeError(name)
