"""Airflow's login for the gateway inside `airflow api-server` (the Airflow plugin).

Airflow mounts plugin apps without authentication (apache/airflow#72655), so the plugin
authenticates every request itself with Airflow's auth manager, whatever it is
(SimpleAuthManager, FAB, Keycloak, ...): the `Authorization: Bearer` token, else the UI's
`_token` cookie, resolved to Airflow's user. Without a valid one: 401 UNAUTHENTICATED.

Authorization is Airflow's too:
- reads: the DAGs `get_authorized_dag_ids(user=..., method="GET")` returns, as the
  caller's DAG scope, which every read path applies in SQL (Airflow's own backfill list
  filters the same way);
- finalizing: for every backfill it would touch, what Airflow's cancel-backfill endpoint
  needs, `is_authorized_dag(method="PUT", access_entity=RUN, details=DagDetails(id=...))`
  (resolvers.dag_permissions).
The auth manager's synchronous calls (they read Airflow's database) run in the thread pool.
Cookie-authenticated requests pass the endpoint's CSRF rules like any other.

Only this module and web.airflow_plugin import Airflow; standalone mode never loads them.
"""

from __future__ import annotations

import logging
from collections.abc import Set
from typing import Any

import orjson
from jwt import InvalidTokenError
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.resolvers.auth import ADMIN
from backfill_gateway.resolvers.context import Caller
from backfill_gateway.resolvers.errors import Unauthenticated
from backfill_gateway.web.route_path import route_path

logger = logging.getLogger("gateway.airflow")

TOKEN_COOKIE = "_token"  # airflow...base_auth_manager.COOKIE_NAME_JWT_TOKEN
USER_STATE_KEY = "airflow_user"
# Liveness and readiness, for probes that have no Airflow login (they reveal nothing).
OPEN_PATHS = frozenset({"/healthz", "/readyz"})
NOT_LOGGED_IN = "Log in to Airflow: send `Authorization: Bearer <Airflow token>` or its UI cookie."
REFUSED = "Airflow refused the token (expired, revoked or invalid); log in again."


def _auth_manager():
    from airflow.api_fastapi.app import get_auth_manager

    return get_auth_manager()


def presented_token(scope: Scope) -> str | None:
    """The Bearer token, else the `_token` cookie (Airflow's own order); None if neither.
    A malformed Authorization header raises Unauthenticated."""
    request = HTTPConnection(scope)  # an HTTP request or a WebSocket upgrade
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Malformed Authorization header: expected `Bearer <token>`.")
        return token.strip()
    return request.cookies.get(TOKEN_COOKIE) or None


async def airflow_user(scope: Scope) -> Any:
    """Airflow's user for the request; raises Unauthenticated."""
    token = presented_token(scope)
    if token is None:
        raise Unauthenticated(NOT_LOGGED_IN)
    try:
        # Airflow's async API (signature, claims, revocation, the user); Airflow's own
        # endpoints await it on the event loop the same way.
        return await _auth_manager().get_user_from_token(token)
    except InvalidTokenError:  # expired, revoked, forged, unknown or inactive user
        raise Unauthenticated(REFUSED) from None


class AirflowDagRunPermissions:
    """resolvers.dag_permissions.DagRunPermissions answered by Airflow's auth manager."""

    def __init__(self, user: Any) -> None:
        self.user = user

    async def may_edit_any(self) -> bool:
        manager = _auth_manager()
        if await run_in_threadpool(self._may_edit_all_runs, manager):
            return True
        # A user with per-DAG permissions only (FAB `DAG:<id>` resources).
        return bool(
            await run_in_threadpool(manager.get_authorized_dag_ids, user=self.user, method="PUT")
        )

    async def editable(self, dag_ids: Set[str]) -> set[str]:
        return await run_in_threadpool(self._editable, _auth_manager(), set(dag_ids))

    def _may_edit_all_runs(self, manager) -> bool:
        from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity

        return manager.is_authorized_dag(
            method="PUT", access_entity=DagAccessEntity.RUN, user=self.user
        )

    def _editable(self, manager, dag_ids: set[str]) -> set[str]:
        from airflow.api_fastapi.auth.managers.models.resource_details import (
            DagAccessEntity,
            DagDetails,
        )

        return {
            dag_id
            for dag_id in dag_ids
            if manager.is_authorized_dag(
                method="PUT",
                access_entity=DagAccessEntity.RUN,
                details=DagDetails(id=dag_id),
                user=self.user,
            )
        }


class AirflowLogin:
    """The gateway's authenticator inside Airflow (web.auth.RequestAuthenticator): the
    user that `AirflowLoginMiddleware` resolved, with Airflow's DAG permissions."""

    async def request_caller(self, request: Request) -> Caller:
        user = request.scope.get("state", {}).get(USER_STATE_KEY)
        if user is None:  # not behind the middleware: never serve without a login
            raise Unauthenticated(NOT_LOGGED_IN)
        readable = await run_in_threadpool(
            _auth_manager().get_authorized_dag_ids, user=user, method="GET"
        )
        # Role admin: the mutation is open to every Airflow user, and decided per DAG
        # by Airflow (`permissions`), as Airflow's own backfill endpoints do.
        return Caller(
            user.get_name(),
            ADMIN,
            dag_scope=DagScope(dag_ids=tuple(sorted(readable))),
            permissions=AirflowDagRunPermissions(user),
        )


class AirflowLoginMiddleware:
    """Refuses every request without a valid Airflow login (401 UNAUTHENTICATED; a
    WebSocket upgrade: 403) except the health checks; puts Airflow's user into the
    request's (or the WebSocket's) state."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or route_path(scope) in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            user = await airflow_user(scope)
        except Unauthenticated as error:
            if scope["type"] == "websocket":
                # Closed before it is accepted: the upgrade is answered 403.
                await send({"type": "websocket.close", "code": 1008, "reason": ""})
            else:
                await _unauthenticated(error.message, send)
            return
        scope.setdefault("state", {})[USER_STATE_KEY] = user
        await self.app(scope, receive, send)


async def _unauthenticated(message: str, send: Send) -> None:
    body = orjson.dumps(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    )
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"www-authenticate", b'Bearer realm="airflow"'),
                (b"cache-control", b"no-store"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
