"""The Airflow plugin: the gateway inside `airflow api-server` (Airflow 3.1+; README).

Installed into Airflow's environment, the package's `airflow.plugins` entry point
registers `BackfillGatewayPlugin`: the gateway mounted at `/backfill-gateway` (GraphQL and
GraphiQL at `/backfill-gateway/graphql`, subscriptions over WebSocket there too, the
dashboard at `/backfill-gateway/dashboard`, health under the same prefix), behind Airflow's
login (web.airflow_login), on Airflow's own database setting, and "Backfills" (the
dashboard) and "Backfills GraphQL" links in Airflow's navigation. Nothing else to configure.

Airflow enters the lifespan of a mounted app only when it is a FastAPI app, so the
gateway (a Starlette app) sits inside a small FastAPI app whose lifespan runs the
gateway's. The gateway itself is built in that lifespan: other Airflow processes that load
plugins (scheduler, CLI) import this module but never build it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from backfill_gateway.settings import Settings

URL_PREFIX = "/backfill-gateway"
NAME = "Backfill Gateway"


def airflow_database_url() -> str:
    """Airflow's async database URL (`[database] sql_alchemy_conn_async`, else derived from
    `sql_alchemy_conn` by Airflow); the gateway maps a sync URL to its driver as usual."""
    from airflow import settings as airflow_settings
    from airflow.configuration import conf

    return airflow_settings.SQL_ALCHEMY_CONN_ASYNC or conf.get("database", "sql_alchemy_conn")


def gateway_settings() -> Settings:
    # Airflow's login replaces the gateway's tokens; there is no anonymous access.
    return Settings(
        database_url=airflow_database_url(), tokens="", tokens_file=None,
        allow_anonymous_reads=False,
    )  # fmt: skip


class _Gateway:
    """The gateway app once the API server started it; 503 before."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            if scope["type"] == "http":
                await PlainTextResponse("The gateway is starting.", 503)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_plugin_app() -> FastAPI:
    """The app Airflow mounts at URL_PREFIX."""
    gateway = _Gateway()

    @asynccontextmanager
    async def lifespan(_outer: FastAPI) -> AsyncIterator[None]:
        from backfill_gateway.app import create_app
        from backfill_gateway.web.airflow_login import AirflowLogin, AirflowLoginMiddleware

        app = create_app(gateway_settings(), authenticator=AirflowLogin(), tune_gc=False)
        async with app.router.lifespan_context(app):
            gateway.app = AirflowLoginMiddleware(app)
            try:
                yield
            finally:
                gateway.app = None

    outer = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    outer.mount("/", gateway)
    return outer


def base_path() -> str:
    """The path of Airflow's `[api] base_url` (Airflow serves everything under it)."""
    from airflow.configuration import conf

    return urlsplit(conf.get("api", "base_url", fallback="") or "").path.rstrip("/")


class BackfillGatewayPlugin(AirflowPlugin):
    name = "backfill_gateway"
    fastapi_apps = [{"app": create_plugin_app(), "url_prefix": URL_PREFIX, "name": NAME}]
    # Shown inside Airflow's UI, in an iframe: the dashboard, and GraphiQL beside it.
    external_views = [
        {
            "name": "Backfills",
            "href": f"{base_path()}{URL_PREFIX}/dashboard",
            "url_route": "backfill-gateway",
            "destination": "nav",
            "category": "browse",
        },
        {
            "name": "Backfills GraphQL",
            "href": f"{base_path()}{URL_PREFIX}/graphql",
            "url_route": "backfill-gateway-graphql",
            "destination": "nav",
            "category": "browse",
        },
    ]
