"""The Starlette application: routes, middleware and lifespan.

`uvicorn app:app` serves the gateway configured from the environment (the
embedded SQLite demo when no database is configured). Tests and tools build
their own with `create_app(settings, clock=...)`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute

from backfill_gateway.db.airflow_schema import AirflowSchemaError, DetectedAirflowSchema
from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.errors import is_unavailable
from backfill_gateway.db.replicas import ReadEngines, Replica, replica_label
from backfill_gateway.settings import Settings
from backfill_gateway.web.auth import RequestAuthenticator
from backfill_gateway.web.dashboard import Dashboard
from backfill_gateway.web.execution.executable_schema import build_schema
from backfill_gateway.web.execution.limits_extension import limits_extension
from backfill_gateway.web.execution.prepared_queries import PreparedQueries
from backfill_gateway.web.execution.query_limits import QueryLimits
from backfill_gateway.web.gc_tuning import tune_garbage_collector
from backfill_gateway.web.graphiql import GraphiQL
from backfill_gateway.web.graphql_endpoint import PREFLIGHT_HEADERS, GraphQLEndpoint
from backfill_gateway.web.graphql_route import GRAPHQL_PATH, GraphQLRoute
from backfill_gateway.web.health import healthz, readiness_endpoint
from backfill_gateway.web.json_logging import configure_logging
from backfill_gateway.web.live.hub import LiveHub
from backfill_gateway.web.live.view import LiveView
from backfill_gateway.web.metrics import (
    mark_worker_exit,
    metrics_endpoint,
    observe_live,
    observe_poll,
    observe_pool,
    observe_replicas,
    publish_every,
    publish_pending,
)
from backfill_gateway.web.middleware import ObservabilityMiddleware
from backfill_gateway.web.request_record import REQUEST_ID_HEADER, note_cost, note_operation

logger = logging.getLogger("gateway.app")
# How often each worker samples its pool gauges and publishes its requests' metrics.
METRICS_TICK_SECONDS = 1.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def prepared_queries(settings: Settings) -> PreparedQueries | None:
    """Where queries run before skip Strawberry's per-request pipeline: with the fast
    path, and not under tracing (whose extension wants its spans on every request)."""
    if not settings.fast_path or settings.otel_tracing:
        return None
    return PreparedQueries(
        QueryLimits.from_settings(settings), on_operation_name=note_operation, on_cost=note_cost
    )


def schema_extensions(settings: Settings, prepared: PreparedQueries | None = None) -> list:
    # The prepared queries enforce the same limits, with the same observers.
    limits = prepared.limits if prepared is not None else QueryLimits.from_settings(settings)
    extensions: list = [limits_extension(
        limits, on_operation_name=note_operation, on_cost=note_cost, prepared=prepared,
    )]
    if settings.otel_tracing:
        from strawberry.extensions.tracing import OpenTelemetryExtension

        extensions.insert(0, OpenTelemetryExtension)
    return extensions


def middleware(settings: Settings, graphql: GraphQLEndpoint) -> list[Middleware]:
    stack = [Middleware(ObservabilityMiddleware)]
    if settings.cors_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_credentials=settings.cors_allow_credentials,
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", REQUEST_ID_HEADER, *PREFLIGHT_HEADERS],
                expose_headers=[REQUEST_ID_HEADER],
                max_age=settings.cors_max_age_seconds,
            )
        )
    # Innermost: GraphQL's GET and POST skip the router (its Route stays for the rest).
    stack.append(Middleware(GraphQLRoute, handle=graphql.handle, path=GRAPHQL_PATH))
    return stack


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    authenticator: RequestAuthenticator | None = None,
    tune_gc: bool = True,
):
    """The gateway. Inside another server (the Airflow plugin): `authenticator` replaces
    the gateway's tokens, and `tune_gc=False` leaves the host process's GC alone."""
    settings = settings or Settings()
    # The primary's budget: this worker never holds more than primary_max_connections.
    engine = _database_engine(
        settings, settings.resolved_database_url,
        pool_size=settings.primary_pool_size, max_overflow=settings.primary_pool_overflow,
    )
    reads = read_engines(settings, engine)
    # One detection waits at most as long as a request waits for a connection.
    airflow = DetectedAirflowSchema(
        engine,
        settings.airflow_version,
        timeout=settings.pool_timeout_seconds + 2 * settings.db_connect_timeout_seconds,
    )
    prepared = prepared_queries(settings)
    schema = build_schema(
        schema_extensions(settings, prepared), fast_path=settings.fast_path, prepared=prepared
    )
    graphiql = GraphiQL() if settings.graphiql else None
    dashboard = Dashboard() if settings.dashboard else None
    hub = LiveHub(
        schema=schema, settings=settings, engine=engine, airflow=airflow, clock=clock,
        read_engines=reads.order,
    )
    hub.on_poll = observe_poll

    def observe_scrape() -> None:
        observe_replicas(reads.replicas)
        observe_live(hub)

    graphql = GraphQLEndpoint(
        schema=schema,
        settings=settings,
        engine=engine,
        read_engines=reads.order,
        clock=clock,
        graphiql_html=graphiql.response if graphiql else None,
        airflow=airflow,
        authenticator=authenticator,
    )
    # Subscriptions: WebSocket at the same path, and SSE through the endpoint's POST.
    live = LiveView(schema, hub, graphql.authenticator, settings)
    graphql.event_streams = live.run

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if graphiql:
            graphiql.warn_if_not_installed()
        if dashboard:
            dashboard.warn_if_not_installed()
        if settings.uses_embedded_demo and not await _current_demo(settings):
            from backfill_gateway.demo import create_demo_database, demo_creation_lock

            # Checked again under the lock: another worker may have built it meanwhile.
            # (A current demo takes no lock and writes no lock file.)
            async with demo_creation_lock(settings.demo_database_path):
                if not await _current_demo(settings):
                    await create_demo_database(settings.demo_database_path)
        try:
            await airflow.detect_and_log()
        except AirflowSchemaError as error:
            logger.error("refusing to start: %s", error)
            await engine.dispose()
            raise
        except Exception as error:
            if not (isinstance(error, TimeoutError) or is_unavailable(error)):
                raise
            # Serve anyway (readiness says 503): detection runs again when the database is back.
            logger.warning(
                "database unreachable at start-up (%s); the Airflow schema is detected on the "
                "first request that reaches it", type(error).__name__,
            )
        await reads.start()
        if tune_gc:
            tune_garbage_collector()
        observe_pool(engine)  # every live worker reports its share of the budget from the start
        publisher = asyncio.create_task(publish_every(engine, METRICS_TICK_SECONDS))
        yield
        publisher.cancel()
        await hub.close()
        await reads.stop()
        await engine.dispose()
        publish_pending()  # what this worker's last requests left, before it goes
        mark_worker_exit()

    app = Starlette(
        routes=[
            Route(GRAPHQL_PATH, graphql.handle, methods=["GET", "POST"]),
            WebSocketRoute(GRAPHQL_PATH, live),
            Route("/healthz", healthz, methods=["GET"]),
            Route(
                "/readyz",
                readiness_endpoint(engine, settings.readiness_timeout_seconds, airflow),
                methods=["GET"],
            ),
            Route(
                "/metrics",
                metrics_endpoint(engine, on_scrape=observe_scrape),
                methods=["GET"],
            ),
            *(graphiql.routes() if graphiql else []),
            *(dashboard.routes() if dashboard else []),
        ],
        middleware=middleware(settings, graphql),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    # Where reads go (replicas, then the primary): `app.state.read_engines.order()`.
    app.state.read_engines = reads
    app.state.schema = schema
    app.state.airflow = airflow
    app.state.live = hub
    return app


def _database_engine(
    settings: Settings, url: str, *, pool_size: int | None = None, max_overflow: int | None = None
):
    """An engine for the primary or a replica: the same timeouts and autocommit; the pool
    as configured (the primary's capped to its budget by the caller)."""
    return create_engine(
        url,
        pool_size=settings.pool_size if pool_size is None else pool_size,
        max_overflow=settings.pool_max_overflow if max_overflow is None else max_overflow,
        pool_timeout=settings.pool_timeout_seconds,
        connect_timeout=settings.db_connect_timeout_seconds,
        statement_timeout=settings.statement_timeout_seconds,
        autocommit=True,
    )


def read_engines(settings: Settings, primary) -> ReadEngines:
    """The primary and one engine per configured read replica."""
    replicas = [
        Replica(replica_label(url), _database_engine(settings, url))
        for url in settings.resolved_replica_urls
    ]
    return ReadEngines(
        primary,
        replicas,
        max_lag_seconds=settings.replica_max_lag_seconds,
        check_interval_seconds=settings.replica_check_interval_seconds,
        # A check waits at most as long as a request waits for a connection.
        check_timeout_seconds=(
            settings.pool_timeout_seconds + 2 * settings.db_connect_timeout_seconds
        ),
    )


async def _current_demo(settings: Settings) -> bool:
    """Whether the embedded demo file exists and is stamped (files written before the
    gateway detected Airflow's version have no alembic_version: they are rebuilt)."""
    import sqlite3

    path = settings.demo_database_path
    if not path.exists():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            found = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
    except sqlite3.Error:
        return False
    return found is not None


def __getattr__(name: str):
    # `uvicorn app:app` builds the configured app on first access, not on import.
    if name == "app":
        settings = Settings()
        configure_logging(settings.log_format, settings.log_level)
        globals()["app"] = application = create_app(settings)
        return application
    raise AttributeError(name)
