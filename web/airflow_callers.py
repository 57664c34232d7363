"""Airflow 3 users as gateway callers: a verified Airflow JWT -> `Caller(name, role, scopes)`.

After web.airflow_tokens verified the signature and time claims:

- **Revocation.** A token whose `jti` is in Airflow's `revoked_token` table (logout) is
  refused. The answer is reused for at most `GATEWAY_AIRFLOW_REVOCATION_CACHE_SECONDS`
  (<= 5 s). Without the table (Airflow before 3.1) nothing is revoked; its presence is
  looked up again every minute.
- **SimpleAuthManager tokens** carry `sub` (the user name) and `role`: ADMIN and OP are
  gateway admins, USER and VIEWER readers, all of them over every DAG; a user without a
  role reads nothing.
- **FAB auth manager tokens** carry only `sub`, the `ab_user` id. The user (active) and the
  actions of its roles come from FAB's tables, reused for
  `GATEWAY_AIRFLOW_PERMISSION_CACHE_SECONDS` per token: `can_read` on `DAGs` reads every
  DAG, `can_read` on `DAG:<dag_id>` that DAG; `can_edit` on `Backfills` (FAB's Admin and Op
  roles) makes an admin, who finalizes only within the DAGs it may edit (`can_edit` on
  `DAGs` / `DAG:<dag_id>`).
- Any other token shape is refused, never guessed.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from backfill_gateway.db import airflow_auth
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.dags import possible_dag_ids
from backfill_gateway.db.engine import connected
from backfill_gateway.db.errors import is_unavailable, unavailable_error
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.auth import ADMIN, READER
from backfill_gateway.resolvers.context import Caller
from backfill_gateway.settings import Settings
from backfill_gateway.web.airflow_tokens import AirflowTokenVerifier, InvalidAirflowToken

SIMPLE_ROLES = {"ADMIN": ADMIN, "OP": ADMIN, "USER": READER, "VIEWER": READER}
TABLE_RECHECK_SECONDS = 60.0
CACHE_ENTRIES = 10_000


class _ExpiringCache:
    """A small LRU of values that expire; per worker process, nothing shared."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self._ttl, self._clock = ttl, clock
        self._items: OrderedDict[Any, tuple[float, Any]] = OrderedDict()

    def get(self, key: Any) -> Any:
        item = self._items.get(key)
        if item is None or item[0] <= self._clock():
            return None
        return item[1]

    def put(self, key: Any, value: Any) -> None:
        if self._ttl <= 0:
            return
        self._items[key] = (self._clock() + self._ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > CACHE_ENTRIES:
            self._items.popitem(last=False)


class AirflowCallers:
    """Turns Airflow-issued tokens into callers; `InvalidAirflowToken` for any refusal."""

    def __init__(
        self, settings: Settings, engine: AsyncEngine, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.verifier = AirflowTokenVerifier(settings)
        self._engine = engine
        self._clock = clock
        self._revoked = _ExpiringCache(settings.airflow_revocation_cache_seconds, clock)
        self._permissions = _ExpiringCache(settings.airflow_permission_cache_seconds, clock)
        self._table_checked_at: float | None = None
        self._has_revocation_table = False

    async def caller_for(self, token: str) -> Caller:
        claims = await self.verifier.claims(token)
        jti, subject = claims.get("jti"), claims.get("sub")
        if not isinstance(jti, str) or not jti or not isinstance(subject, str) or not subject:
            raise InvalidAirflowToken("no jti or sub")
        if await self._is_revoked(jti):
            raise InvalidAirflowToken("revoked")
        if "role" in claims:
            return _simple_auth_manager_caller(subject, claims["role"])
        if set(claims) - {"jti", "sub", "iss", "aud", "exp", "iat", "nbf"}:
            raise InvalidAirflowToken("neither a SimpleAuthManager nor a FAB token")
        if not (subject.isascii() and subject.isdigit()) or int(subject) > 2**31 - 1:
            raise InvalidAirflowToken("FAB subject is not a user id")
        caller = self._permissions.get(jti)
        if caller is None:
            caller = await self._fab_caller(int(subject))
            self._permissions.put(jti, caller)
        return caller

    async def _is_revoked(self, jti: str) -> bool:
        revoked = self._revoked.get(jti)
        if revoked is not None:
            return revoked
        session = ReadSession((self._engine,))
        try:
            if not await self._revocation_table():
                return False
            revoked = bool(await session.all(airflow_auth.is_revoked(), {"jti": jti}))
        finally:
            await session.close()
        self._revoked.put(jti, revoked)
        return revoked

    async def _revocation_table(self) -> bool:
        now = self._clock()
        if self._has_revocation_table:
            return True
        if self._table_checked_at is None or now - self._table_checked_at > TABLE_RECHECK_SECONDS:
            try:
                async with connected(self._engine) as connection:
                    self._has_revocation_table = await connection.run_sync(
                        airflow_auth.has_revoked_token_table
                    )
            except Exception as error:
                if is_unavailable(error):
                    raise unavailable_error(error) from error
                raise
            self._table_checked_at = now
        return self._has_revocation_table

    async def _fab_caller(self, user_id: int) -> Caller:
        session = ReadSession((self._engine,))
        try:
            rows = await session.all(airflow_auth.user_permissions(), {"user_id": user_id})
        finally:
            await session.close()
        if not rows or not rows[0].active:
            raise InvalidAirflowToken("unknown or deactivated FAB user")
        granted = {(row.action, row.resource) for row in rows if row.action is not None}
        role = ADMIN if (airflow_auth.CAN_EDIT, airflow_auth.BACKFILLS_RESOURCE) in granted else READER
        return Caller(
            rows[0].username,
            role,
            dag_scope=_fab_scope(granted, airflow_auth.CAN_READ),
            edit_scope=_fab_scope(granted, airflow_auth.CAN_EDIT),
        )


def _simple_auth_manager_caller(subject: str, role: Any) -> Caller:
    if role is None:  # a SimpleAuthManager user without a role may do nothing
        return Caller(subject, READER, dag_scope=DagScope())
    if not isinstance(role, str) or role.upper() not in SIMPLE_ROLES:
        raise InvalidAirflowToken("unknown SimpleAuthManager role")
    return Caller(subject, SIMPLE_ROLES[role.upper()])


def _fab_scope(granted: set[tuple[str, str]], action: str) -> DagScope | None:
    """All DAGs (None) with `action` on `DAGs`, else exactly the DAGs named `DAG:<id>`."""
    if (action, airflow_auth.DAGS_RESOURCE) in granted:
        return None
    prefix = airflow_auth.DAG_RESOURCE_PREFIX
    dag_ids = [r.removeprefix(prefix) for a, r in granted if a == action and r.startswith(prefix)]
    return DagScope(dag_ids=tuple(sorted(possible_dag_ids(dag_ids))))
