"""Airflow's token revocation table and the FAB auth manager's permission tables: read only.

`revoked_token` is Airflow 3's (jti, exp) list of logged-out tokens; it does not exist before
Airflow 3.1's migration that added it, and then nothing is revoked. The `ab_*` tables exist
only where the FAB auth manager is (or was) in use. Neither belongs to the gateway's own
`tables.metadata`: they are declared here in their own MetaData, column for column as
`airflow db migrate` / `airflow fab-db migrate` create them (tests/airflow_ddl/fab/), and
the gateway only ever reads them.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    bindparam,
    inspect,
    literal,
    or_,
    select,
)
from sqlalchemy.engine import Connection

from backfill_gateway.db.types import UtcDateTime

auth_metadata = MetaData()

revoked_token = Table(
    "revoked_token",
    auth_metadata,
    Column("jti", String(32), primary_key=True),
    Column("exp", UtcDateTime(), nullable=False, index=True),
)

ab_user = Table(
    "ab_user",
    auth_metadata,
    Column("id", Integer, primary_key=True),
    Column("first_name", String(256), nullable=False),
    Column("last_name", String(256), nullable=False),
    Column("username", String(512), nullable=False, unique=True),
    Column("password", String(256)),
    Column("active", Boolean),
    Column("email", String(512), nullable=False, unique=True),
)
ab_role = Table(
    "ab_role",
    auth_metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
)
ab_user_role = Table(
    "ab_user_role",
    auth_metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer),
    Column("role_id", Integer),
)
ab_permission = Table(
    "ab_permission",
    auth_metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
)
ab_view_menu = Table(
    "ab_view_menu",
    auth_metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(250), nullable=False, unique=True),
)
ab_permission_view = Table(
    "ab_permission_view",
    auth_metadata,
    Column("id", Integer, primary_key=True),
    Column("permission_id", Integer, nullable=False),
    Column("view_menu_id", Integer, nullable=False),
)
ab_permission_view_role = Table(
    "ab_permission_view_role",
    auth_metadata,
    Column("id", Integer, primary_key=True),
    Column("permission_view_id", Integer),
    Column("role_id", Integer),
)

# FAB's resources and actions that decide what a gateway caller may do.
DAGS_RESOURCE = "DAGs"  # every DAG
DAG_RESOURCE_PREFIX = "DAG:"  # one DAG: `DAG:<dag_id>`
BACKFILLS_RESOURCE = "Backfills"
CAN_READ, CAN_EDIT = "can_read", "can_edit"


def has_revoked_token_table(connection: Connection) -> bool:
    """For `AsyncConnection.run_sync`: whether this Airflow records revoked tokens."""
    return inspect(connection).has_table(revoked_token.name)


@lru_cache(maxsize=1)
def is_revoked() -> Select:
    """One row when the token with `:jti` was revoked (logged out), none otherwise."""
    return select(literal(1).label("revoked")).where(
        revoked_token.c.jti == bindparam("jti", type_=String())
    )


@lru_cache(maxsize=1)
def user_permissions() -> Select:
    """The FAB user `:user_id` (name, active) with one row per relevant (action, resource)
    of its roles; a user without any yields one row with NULL action and resource."""
    granted = (
        select(
            ab_user_role.c.user_id,
            ab_permission.c.name.label("action"),
            ab_view_menu.c.name.label("resource"),
        )
        .select_from(
            ab_user_role.join(
                ab_permission_view_role,
                ab_permission_view_role.c.role_id == ab_user_role.c.role_id,
            )
            .join(
                ab_permission_view,
                ab_permission_view.c.id == ab_permission_view_role.c.permission_view_id,
            )
            .join(ab_permission, ab_permission.c.id == ab_permission_view.c.permission_id)
            .join(ab_view_menu, ab_view_menu.c.id == ab_permission_view.c.view_menu_id)
        )
        .where(
            ab_user_role.c.user_id == bindparam("user_id", type_=Integer()),
            ab_permission.c.name.in_((CAN_READ, CAN_EDIT)),
            or_(
                ab_view_menu.c.name.in_((DAGS_RESOURCE, BACKFILLS_RESOURCE)),
                ab_view_menu.c.name.startswith(DAG_RESOURCE_PREFIX, autoescape=True),
            ),
        )
        .subquery("granted")
    )
    return (
        select(ab_user.c.username, ab_user.c.active, granted.c.action, granted.c.resource)
        .select_from(ab_user.outerjoin(granted, granted.c.user_id == ab_user.c.id))
        .where(ab_user.c.id == bindparam("user_id", type_=Integer()))
    )
