"""Airflow's auth tables in a test database, and tokens minted the way Airflow 3 mints them.

FAB's tables come from the DDL of a real `airflow db migrate && airflow fab-db migrate`
(tests/airflow_ddl/fab/, SQLite and PostgreSQL); MariaDB gets db.airflow_auth's tables.
Roles and permissions copy what that install created: Admin, Op, User, Viewer, and a
custom role with permissions on one DAG.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from backfill_gateway.db import airflow_auth as auth

DDL_DIR = Path(__file__).resolve().parent.parent / "airflow_ddl" / "fab"
AUDIENCE = "apache-airflow"


def _statements(ddl: str) -> list[str]:
    lines = [line for line in ddl.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


async def create_auth_tables(engine: AsyncEngine, *, revocation: bool = True) -> None:
    """FAB's tables (and Airflow's `revoked_token` unless `revocation` is false)."""
    dialect = engine.dialect.name
    async with engine.begin() as connection:
        if dialect in ("sqlite", "postgresql"):
            for statement in _statements((DDL_DIR / f"{dialect}.sql").read_text()):
                await connection.exec_driver_sql(statement)
        else:
            fab = [t for name, t in auth.auth_metadata.tables.items() if name.startswith("ab_")]
            await connection.run_sync(auth.auth_metadata.create_all, tables=fab)
        if revocation:
            await connection.run_sync(auth.revoked_token.create)


# (role, action, resource) as `airflow fab-db migrate` + sync-perm created them (subset).
ROLE_PERMISSIONS = [
    *[(role, action, resource)
      for role in ("Admin", "Op")
      for action, resource in [("can_read", "DAGs"), ("can_edit", "DAGs"),
                               ("can_read", "Backfills"), ("can_edit", "Backfills"),
                               ("can_create", "Backfills"), ("can_read", "DAG Runs")]],
    *[("User", action, resource)
      for action, resource in [("can_read", "DAGs"), ("can_edit", "DAGs"),
                               ("can_read", "Backfills"), ("can_edit", "DAG Runs")]],
    *[("Viewer", action, resource)
      for action, resource in [("can_read", "DAGs"), ("can_read", "Backfills")]],
    # A team role: reads and edits one DAG, may manage backfills.
    ("SalesOps", "can_read", "DAG:sales_daily"),
    ("SalesOps", "can_edit", "DAG:sales_daily"),
    ("SalesOps", "can_read", "DAG:sales_hourly"),
    ("SalesOps", "can_edit", "Backfills"),
    # Reads one DAG only; `DAG Runs` of every DAG grants nothing the gateway shows.
    ("WebReader", "can_read", "DAG:web_events"),
    ("WebReader", "can_read", "DAG Runs"),
    ("WebReader", "menu_access", "DAG:sales_daily"),
]  # fmt: skip

# user id -> (username, active, roles)
USERS = {
    1: ("admin", True, ["Admin"]),
    2: ("oper", True, ["Op"]),
    3: ("user", True, ["User"]),
    4: ("viewer", True, ["Viewer"]),
    5: ("sales.lead", True, ["SalesOps"]),
    6: ("web.analyst", True, ["WebReader"]),
    7: ("nobody", True, []),
    8: ("former.admin", False, ["Admin"]),
}


async def insert_fab_users(engine: AsyncEngine) -> None:
    roles = sorted({role for role, _, _ in ROLE_PERMISSIONS} | {"Public"})
    actions = sorted({action for _, action, _ in ROLE_PERMISSIONS})
    resources = sorted({resource for _, _, resource in ROLE_PERMISSIONS})
    pairs = sorted({(action, resource) for _, action, resource in ROLE_PERMISSIONS})
    role_id = {name: i for i, name in enumerate(roles, 1)}
    action_id = {name: i for i, name in enumerate(actions, 1)}
    resource_id = {name: i for i, name in enumerate(resources, 1)}
    pair_id = {pair: i for i, pair in enumerate(pairs, 1)}
    async with engine.begin() as connection:

        async def rows(table, values):
            await connection.execute(insert(table), values)

        await rows(auth.ab_role, [{"id": i, "name": n} for n, i in role_id.items()])
        await rows(auth.ab_permission, [{"id": i, "name": n} for n, i in action_id.items()])
        await rows(auth.ab_view_menu, [{"id": i, "name": n} for n, i in resource_id.items()])
        await rows(auth.ab_permission_view, [
            {"id": i, "permission_id": action_id[a], "view_menu_id": resource_id[r]}
            for (a, r), i in pair_id.items()
        ])  # fmt: skip
        await rows(auth.ab_permission_view_role, [
            {"id": i, "permission_view_id": pair_id[(a, r)], "role_id": role_id[role]}
            for i, (role, a, r) in enumerate(ROLE_PERMISSIONS, 1)
        ])  # fmt: skip
        await rows(auth.ab_user, [
            {"id": uid, "first_name": name, "last_name": "x", "username": name,
             "password": None, "active": active, "email": f"{name}@example.com"}
            for uid, (name, active, _) in USERS.items()
        ])  # fmt: skip
        user_roles = [(uid, role_id[r]) for uid, (_, _, rs) in USERS.items() for r in rs]
        await rows(auth.ab_user_role, [
            {"id": i, "user_id": uid, "role_id": rid} for i, (uid, rid) in enumerate(user_roles, 1)
        ])  # fmt: skip


def claims(subject: str, *, valid_for: float = 600, now: float | None = None, **extra) -> dict:
    """Airflow's JWTGenerator claims: jti, iss, aud, nbf, exp, iat, plus the user's."""
    now = int(time.time() if now is None else now)
    base: dict[str, Any] = {
        "jti": uuid.uuid4().hex, "iss": ..., "aud": AUDIENCE,
        "nbf": now, "exp": int(now + valid_for), "iat": now, "sub": subject,
    }  # fmt: skip
    base.update(extra)
    return {k: v for k, v in base.items() if v is not ...}


def mint(payload: dict, key: Any, algorithm: str = "HS512", kid: str | None = None) -> str:
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid} if kid else None)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
