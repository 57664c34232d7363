"""SQL for finalizing orphaned backfills: the only statements that write to Airflow's tables.

One short write transaction per call (`write_transaction`), in this order:

1. `candidate_ids`: active backfills without slots, by DAG, in id order (only when no
   ids were named; named ids are the candidates themselves).
2. `lock_candidates`: `SELECT … FOR UPDATE SKIP LOCKED` on those `backfill` rows that are
   still active and older than the cutoff. Rows another transaction holds are skipped, not
   waited for: Airflow's second creation transaction holds a key-share (PostgreSQL) or
   shared record (InnoDB) lock on the backfill row from its first `dag_run` or
   `backfill_dag_run` insert until it commits, so a slow but healthy creation is skipped.
   Only `backfill` is read here: a locking read with subqueries would lock (or, with SKIP
   LOCKED, skip) rows of `dag_run`/`backfill_dag_run` too on MySQL/MariaDB.
3. `recheck`: a fresh, non-locking statement that reads every candidate with its slot and
   active-run flags as last committed. Under READ COMMITTED each statement takes a new
   snapshot, so this sees whatever committed before the locks were taken.
4. `mark_completed`: the UPDATE, restricted to locked rows that passed the re-check, and
   repeating every condition in its own WHERE.
5. `audit_rows` inserted into Airflow's `log`, in the same transaction.

Each of the first four statements takes the caller's DAG scopes (`scopes`: for an Airflow
user, the DAGs it may read and those it may edit): a backfill of any other DAG is neither
a candidate, nor locked, nor re-read (so it reports NOT_FOUND), nor updated.

Dialects: PostgreSQL and MySQL/MariaDB run the transaction at READ COMMITTED (Airflow's
level on MySQL; InnoDB then takes no gap locks for these primary-key lookups). SQLite has
no row locks: `BEGIN IMMEDIATE` takes the database's single write lock up front (waiting up
to the connection's busy timeout), so writers are serialized and nothing is ever skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import datetime

import orjson
from sqlalchemy import ColumnElement, Insert, Select, Update, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from backfill_gateway.db.airflow_schema import AirflowSchema, columns_or_null
from backfill_gateway.db.backfill_status import has_active_runs, has_slots
from backfill_gateway.db.dag_scope import DagScope, bound_dag_scope_condition
from backfill_gateway.db.engine import connected
from backfill_gateway.db.errors import (
    DatabaseUnavailable,
    driver_error_codes,
    is_connection_lost,
    is_unavailable,
)
from backfill_gateway.db.tables import backfill, log

AUDIT_EVENT = "finalize_orphaned_backfill"


Scopes = Sequence[DagScope | None]


def _scoped(statement, scopes: Scopes, conditions: list):
    """`statement` restricted to backfills of DAGs in every scope (values bound in)."""
    for index, scope in enumerate(scopes):
        conditions += bound_dag_scope_condition(scope, backfill.c.dag_id, f"dag_scope_{index}")
    return statement.where(*conditions)


def _active_and_old(cutoff: datetime) -> list[ColumnElement[bool]]:
    return [backfill.c.completed_at.is_(None), backfill.c.created_at <= cutoff]


def orphan_conditions(cutoff: datetime) -> list[ColumnElement[bool]]:
    """Every condition of an orphan that rows can show (the row lock is checked apart)."""
    return [*_active_and_old(cutoff), ~has_slots(), ~has_active_runs()]


def candidate_ids(dag_ids: Sequence[str] | None, limit: int, scopes: Scopes = ()) -> Select:
    """Active backfills without slots, whatever their age and runs, in id order."""
    conditions = [backfill.c.completed_at.is_(None), ~has_slots()]
    if dag_ids is not None:
        conditions.append(backfill.c.dag_id.in_(dag_ids))
    return _scoped(select(backfill.c.id), scopes, conditions).order_by(backfill.c.id).limit(limit)


def touched_dag_ids(
    backfill_ids: Sequence[int] | None, dag_ids: Sequence[str] | None, limit: int, scopes: Scopes
) -> Select:
    """The `dag_id` of every backfill a call would consider (one row per backfill): for a
    per-DAG permission check before the write transaction, which then keeps to those DAGs."""
    if backfill_ids is not None:
        return _scoped(select(backfill.c.dag_id), scopes, [backfill.c.id.in_(backfill_ids)])
    return candidate_ids(dag_ids, limit, scopes).with_only_columns(backfill.c.dag_id)


def lock_candidates(
    backfill_ids: Sequence[int], cutoff: datetime, scopes: Scopes = ()
) -> Select:
    """Lock the candidates that may be finalized; skip rows another transaction holds."""
    conditions = [backfill.c.id.in_(backfill_ids), *_active_and_old(cutoff)]
    return (
        _scoped(select(backfill.c.id), scopes, conditions)
        .order_by(backfill.c.id)
        .with_for_update(skip_locked=True)  # rendered as nothing on SQLite
    )


def recheck(backfill_ids: Sequence[int], airflow: AirflowSchema, scopes: Scopes = ()) -> Select:
    """Every column of the candidates, with their slot and active-run flags, as committed."""
    statement = select(
        # Only the columns this Airflow has; the others read as NULL.
        *columns_or_null(backfill, airflow),
        has_slots().label("has_slots"),
        has_active_runs().label("has_active_runs"),
    )
    return _scoped(statement, scopes, [backfill.c.id.in_(backfill_ids)]).order_by(backfill.c.id)


def mark_completed(
    backfill_ids: Sequence[int], cutoff: datetime, now: datetime, scopes: Scopes = ()
) -> Update:
    """Set `completed_at` and `updated_at`, nothing else, where every condition still holds."""
    conditions = [backfill.c.id.in_(backfill_ids), *orphan_conditions(cutoff)]
    return _scoped(update(backfill), scopes, conditions).values(completed_at=now, updated_at=now)


def audit_insert() -> Insert:
    return insert(log)


def audit_rows(
    finalized: Sequence[tuple[int, str, str]],
    *,
    owner: str,
    now: datetime,
    grace_period_seconds: int,
    cutoff: datetime,
) -> list[dict]:
    """One `log` row per finalized backfill (for `insert(log)`), as Airflow writes its own
    audit events; `finalized` holds (backfill_id, dag_id, reason) triples."""
    return [
        {
            "dttm": now,
            "dag_id": dag_id,
            "event": AUDIT_EVENT,
            "owner": owner,
            "owner_display_name": owner,
            "extra": orjson.dumps(
                {
                    "backfill_id": backfill_id,
                    "grace_period_seconds": grace_period_seconds,
                    "cutoff": cutoff.isoformat(),
                    "reason": reason,
                }
            ).decode(),
        }
        for backfill_id, dag_id, reason in finalized
    ]


@asynccontextmanager
async def write_transaction(
    engine: AsyncEngine, *, commit: bool = True
) -> AsyncIterator[AsyncConnection]:
    """One transaction on its own connection: committed on success (rolled back instead
    when `commit` is false), rolled back on error."""
    async with connected(engine) as connection:  # counted as waiting meanwhile
        if engine.dialect.name == "sqlite":
            # SQLAlchemy's SQLite recipe: keep the driver from emitting its own (deferred)
            # BEGIN and emit ours. Driver-level AUTOCOMMIT is scoped to this connection,
            # so the engine's other (read) connections keep their behaviour.
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                # A failed ROLLBACK must not hide the error; the pool rolls back on return.
                with suppress(Exception):
                    await connection.exec_driver_sql("ROLLBACK")
                raise
            await connection.exec_driver_sql("COMMIT" if commit else "ROLLBACK")
        else:
            connection = await connection.execution_options(isolation_level="READ COMMITTED")
            transaction = await connection.begin()
            try:
                yield connection
            except BaseException:
                with suppress(Exception):
                    await transaction.rollback()
                raise
            if commit:
                try:
                    await transaction.commit()
                except Exception as error:
                    if is_unavailable(error) or is_connection_lost(error):
                        # The COMMIT may have reached the server before the connection
                        # went: only the database can tell whether it was applied.
                        raise CommitInterrupted(
                            "The database connection was lost while committing; whether the "
                            "change was written is unknown."
                        ) from error
                    raise
            else:
                await transaction.rollback()


class CommitInterrupted(DatabaseUnavailable):
    """The connection was lost during COMMIT: the transaction may or may not be committed."""


async def audit_rows_committed(engine: AsyncEngine, rows: Sequence[dict]) -> bool:
    """Whether these audit rows (from `audit_rows`) are in `log`, on a fresh connection.

    They were inserted in the same transaction as the UPDATE, so they are there exactly
    when it committed. Each row is told apart by its time, owner and `extra` (which names
    the backfill): a finalize that did not commit left none of them."""
    if not rows:
        return True
    first = rows[0]
    statement = select(func.count()).select_from(log).where(
        log.c.event == AUDIT_EVENT,
        log.c.dttm == first["dttm"],
        log.c.owner == first["owner"],
        log.c.extra.in_([row["extra"] for row in rows]),
    )
    async with connected(engine) as connection:
        found = (await connection.execute(statement)).scalar_one()
    return found == len(rows)


# PostgreSQL deadlock_detected and serialization_failure; MySQL/MariaDB deadlock.
_DEADLOCK_SQLSTATES = frozenset({"40P01", "40001"})
_DEADLOCK_MYSQL_ERRNOS = frozenset({1213})
# SQLite "database is locked"/"busy"; PostgreSQL lock_not_available; MySQL/MariaDB lock
# wait timeout; and the deadlocks above.
_TRANSIENT_SQLSTATES = _DEADLOCK_SQLSTATES | {"55P03"}
_TRANSIENT_MYSQL_ERRNOS = _DEADLOCK_MYSQL_ERRNOS | {1205}


def is_transient(error: BaseException) -> bool:
    """A lock or busy error after which the transaction was rolled back and may be retried."""
    if not isinstance(error, DBAPIError):
        return False
    if "database is locked" in str(error.orig) or "database is busy" in str(error.orig):
        return True
    sqlstate, errno = driver_error_codes(error)
    return sqlstate in _TRANSIENT_SQLSTATES or errno in _TRANSIENT_MYSQL_ERRNOS


def is_deadlock(error: BaseException) -> bool:
    """A transient error that ended a collision at once (no lock wait behind it): worth
    an immediate new attempt, unlike a lock or busy timeout that already waited."""
    if not isinstance(error, DBAPIError):
        return False
    sqlstate, errno = driver_error_codes(error)
    return sqlstate in _DEADLOCK_SQLSTATES or errno in _DEADLOCK_MYSQL_ERRNOS
