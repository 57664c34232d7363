"""The gateway under a path prefix, as the Airflow plugin mounts it (web/airflow_plugin.py),
for a real server: `uvicorn --factory tests.support.prefixed_app:create_prefixed_app`.

Configured from the environment like `app:app`; `/healthz` also answers at the root so
tests/support/server.py sees the server come up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Mount, Route

from backfill_gateway.app import create_app
from backfill_gateway.settings import Settings
from backfill_gateway.web.health import healthz

PREFIX = "/backfill-gateway"


def create_prefixed_app() -> Starlette:
    gateway = create_app(Settings())

    @asynccontextmanager
    async def lifespan(_outer: Starlette) -> AsyncIterator[None]:
        # A mounted app's lifespan is not run by Starlette: enter it, as the plugin does.
        async with gateway.router.lifespan_context(gateway):
            yield

    return Starlette(
        routes=[Route("/healthz", healthz, methods=["GET"]), Mount(PREFIX, app=gateway)],
        lifespan=lifespan,
    )
