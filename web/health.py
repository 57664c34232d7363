"""Health probes: `/healthz` (the process serves) and `/readyz` (the database answers)."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse

from backfill_gateway.db.airflow_schema import AirflowSchemaError, DetectedAirflowSchema
from backfill_gateway.db.engine import ping

logger = logging.getLogger("gateway.app")


async def healthz(request: Request) -> PlainTextResponse:
    """The process is alive and serving (no database involved)."""
    return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})


def readiness_endpoint(engine, timeout: float, airflow: DetectedAirflowSchema):
    async def readyz(request: Request) -> JSONResponse:
        """Ready when one round trip to the database succeeds within `timeout` seconds;
        the body names the Airflow schema detected at start-up."""
        try:
            async with asyncio.timeout(timeout):
                await ping(engine)
                schema = await airflow.get()
        except AirflowSchemaError as error:
            return JSONResponse(
                {"status": "unavailable", "airflow": str(error)}, 503, {"Cache-Control": "no-store"}
            )
        except Exception as error:  # noqa: BLE001 - any failure means: not ready
            logger.warning("not ready: %s: %s", type(error).__name__, (str(error).splitlines() or [""])[0][:300])
            return JSONResponse(
                {"status": "unavailable", "database": "unreachable"},
                503,
                {"Cache-Control": "no-store"},
            )
        return JSONResponse(
            {
                "status": "ready",
                "airflow": {"version": schema.version, "schemaRevision": schema.revision},
            },
            headers={"Cache-Control": "no-store"},
        )

    return readyz
