"""Finalize orphaned backfills: the operation behind the mutation and the CLI command.

An orphan is a backfill whose creation crashed between Airflow's two transactions: active
(`completed_at` NULL), without slots, owning no queued or running run, older than the grace
period, and not locked by another transaction. It blocks every later backfill of its DAG.
Finalizing sets `completed_at` and `updated_at` and writes one `log` row; nothing else.

Every condition is decided inside one short write transaction (db.finalize), never from an
earlier read, so concurrent callers and retries finalize each orphan exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SqlAlchemyTimeout

from backfill_gateway.db import finalize as finalize_sql
from backfill_gateway.db.backfill_status import BackfillStatus
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.errors import is_unavailable, unavailable_error
from backfill_gateway.db.tables import MAX_INTEGER
from backfill_gateway.resolvers.auth import require_admin
from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.resolvers.dag_permissions import checked_edit_scope, require_edit_permission
from backfill_gateway.resolvers.errors import GatewayError, ServiceUnavailable
from backfill_gateway.resolvers.records import BackfillRecord
from backfill_gateway.settings import MIN_GRACE_PERIOD_SECONDS

logger = logging.getLogger("gateway.finalize")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
BAD_USER_INPUT = "BAD_USER_INPUT"
ACTION = "finalizeOrphanedBackfills"


class Outcome(StrEnum):
    FINALIZED = "FINALIZED"
    WOULD_FINALIZE = "WOULD_FINALIZE"
    ALREADY_COMPLETED = "ALREADY_COMPLETED"
    HAS_SLOTS = "HAS_SLOTS"
    HAS_ACTIVE_RUNS = "HAS_ACTIVE_RUNS"
    TOO_YOUNG = "TOO_YOUNG"
    LOCKED = "LOCKED"
    NOT_FOUND = "NOT_FOUND"


@dataclass(frozen=True)
class FinalizeRequest:
    """What to consider: named `backfill_ids`, else active slot-less backfills of `dag_ids`
    (all DAGs when None), at most `limit`, in id order. `grace_period_seconds` None means
    the configured one."""

    backfill_ids: Sequence[int] | None = None
    dag_ids: Sequence[str] | None = None
    grace_period_seconds: int | None = None
    dry_run: bool = True
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class UserError:
    field: list[str] | None
    message: str
    code: str = BAD_USER_INPUT


@dataclass(frozen=True)
class FinalizeResult:
    backfill_id: int
    outcome: Outcome
    reason: str
    backfill: BackfillRecord | None  # None when NOT_FOUND

    @property
    def dag_id(self) -> str | None:
        return None if self.backfill is None else self.backfill.dag_id


@dataclass
class FinalizeReport:
    dry_run: bool
    now: datetime
    grace_period_seconds: int | None
    cutoff: datetime | None
    results: list[FinalizeResult] = field(default_factory=list)
    user_errors: list[UserError] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome)


def validate(request: FinalizeRequest) -> list[UserError]:
    errors = []

    def refuse(name: str, message: str) -> None:
        errors.append(UserError(["input", name], message))

    grace = request.grace_period_seconds
    if grace is not None and grace < MIN_GRACE_PERIOD_SECONDS:
        refuse(
            "gracePeriodSeconds",
            f"gracePeriodSeconds must be at least {MIN_GRACE_PERIOD_SECONDS} (got {grace}): "
            "Airflow may still be creating the runs of a younger backfill.",
        )
    if not 1 <= request.limit <= MAX_LIMIT:
        refuse("limit", f"limit must be between 1 and {MAX_LIMIT} (got {request.limit}).")
    if request.backfill_ids is not None and request.dag_ids is not None:
        refuse("dagIds", "Give backfillIds or dagIds, not both.")
    if request.backfill_ids is not None:
        if not request.backfill_ids:
            refuse("backfillIds", "backfillIds must not be empty; omit it to select by DAG.")
        elif not all(-MAX_INTEGER <= i <= MAX_INTEGER for i in request.backfill_ids):
            refuse("backfillIds", f"backfillIds must be 32-bit integers (at most {MAX_INTEGER}).")
        elif len(set(request.backfill_ids)) > request.limit:
            refuse(
                "backfillIds",
                f"backfillIds names {len(set(request.backfill_ids))} backfills, more than "
                f"limit ({request.limit}).",
            )
    if request.dag_ids is not None and not request.dag_ids:
        refuse("dagIds", "dagIds must not be empty; omit it to consider every DAG.")
    return errors


def _iso(value: datetime) -> str:
    return value.isoformat()


def _classify(row: Any, locked: bool, cutoff: datetime, dry_run: bool) -> tuple[Outcome, str]:
    """The outcome for one re-checked row; the first reason that applies wins."""
    if row["completed_at"] is not None:
        return Outcome.ALREADY_COMPLETED, f"completed at {_iso(row['completed_at'])}"
    if row["has_slots"]:
        return Outcome.HAS_SLOTS, "has slots: Airflow created its runs"
    if row["has_active_runs"]:
        return Outcome.HAS_ACTIVE_RUNS, "owns a queued or running dag run"
    if row["created_at"] > cutoff:
        return Outcome.TOO_YOUNG, (
            f"created at {_iso(row['created_at'])}, after the cutoff {_iso(cutoff)}: "
            "Airflow may still be creating its runs"
        )
    if not locked:
        return Outcome.LOCKED, (
            "row locked by another transaction (Airflow creating its runs, or another finalizer)"
        )
    reason = (
        f"no slots and no queued or running runs; created at {_iso(row['created_at'])}, "
        f"at or before the cutoff {_iso(cutoff)}"
    )
    return (Outcome.WOULD_FINALIZE if dry_run else Outcome.FINALIZED), reason


# A deadlock rolled the whole transaction back: nothing was written, and a new attempt
# re-reads and re-decides everything, so the caller gets an answer instead of a "retry".
# (Lock and busy timeouts have already waited: they are answered at once.)
DEADLOCK_ATTEMPTS = 3


async def _run_retrying_deadlocks(
    context: RequestContext, request: FinalizeRequest, grace: int, cutoff: datetime,
    edit_scope: DagScope | None,
) -> list[FinalizeResult]:  # fmt: skip
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            if context.is_airflow2:
                # Imported here: it builds on this module's types.
                from backfill_gateway.resolvers.airflow2.finalize import run_airflow2

                return await run_airflow2(context, request, grace, cutoff)
            return await _run(context, request, grace, cutoff, edit_scope)
        except DBAPIError as error:
            if attempt == DEADLOCK_ATTEMPTS or not finalize_sql.is_deadlock(error):
                raise
            logger.info("finalize attempt %d rolled back (%s): trying again", attempt, error.orig)
            # Apart, so that the transactions that collided do not collide again.
            await asyncio.sleep(random.uniform(0.02, 0.1) * attempt)
    raise AssertionError("unreachable")


async def finalize_orphaned_backfills(
    context: RequestContext, request: FinalizeRequest
) -> FinalizeReport:
    """Classify every considered backfill and, unless a dry run, finalize the orphans.

    Needs an admin caller (the CLI passes one). Invalid input comes back as user errors
    with nothing read or written.
    """
    require_admin(context.caller, ACTION)
    # Its reads (permissions, the payload's fields) and writes see the primary's state.
    await context.read_from_primary()
    permissions = context.caller.permissions
    if permissions is not None:
        await require_edit_permission(permissions, ACTION)
    now = context.now
    errors = validate(request)
    if errors:
        return FinalizeReport(request.dry_run, now, request.grace_period_seconds, None, [], errors)
    edit_scope = context.caller.edit_scope
    if permissions is not None:
        edit_scope = await checked_edit_scope(context, request, ACTION)
    grace = request.grace_period_seconds
    if grace is None:
        grace = context.settings.orphan_grace_period_seconds
    cutoff = now - timedelta(seconds=grace)
    report = FinalizeReport(request.dry_run, now, grace, cutoff)
    try:
        report.results = await _run_retrying_deadlocks(context, request, grace, cutoff, edit_scope)
    except _ConcurrentChange as error:
        raise ServiceUnavailable(
            "A backfill changed while it was being finalized; nothing was written. Retry."
        ) from error
    except DBAPIError as error:
        if finalize_sql.is_transient(error):
            raise ServiceUnavailable(
                "The database is busy (lock timeout or deadlock); nothing was written. Retry."
            ) from error
        if is_unavailable(error):
            raise _lost_before_commit() from error
        raise
    except (TimeoutError, SqlAlchemyTimeout) as error:  # no connection free in time
        raise unavailable_error(error) from error
    except Exception as error:
        # Unwrapped driver errors (the pool configuring a connection that just broke).
        if not isinstance(error, GatewayError) and is_unavailable(error):
            raise _lost_before_commit() from error
        raise
    return report


def _lost_before_commit() -> ServiceUnavailable:
    # An uncommitted transaction dies with its connection: nothing was written, and the
    # write is never retried blindly: the client decides.
    return ServiceUnavailable(
        "The database connection was lost before committing; nothing was written. Retry."
    )


async def confirm_commit(
    context: RequestContext, audit_rows: list[dict], error: finalize_sql.CommitInterrupted
) -> None:
    """The connection was lost during COMMIT: ask the database (on a fresh connection)
    whether the transaction committed. Returns when it did; raises ServiceUnavailable
    saying truthfully what happened when it did not, or when the database cannot tell."""
    try:
        committed = await finalize_sql.audit_rows_committed(context.engine, audit_rows)
    except Exception as check_error:
        if not (isinstance(check_error, TimeoutError) or is_unavailable(check_error)):
            raise
        raise ServiceUnavailable(
            "The database connection was lost while committing and the database cannot be "
            "asked now whether the change was written: run the same call with dryRun: true "
            "to see each backfill's state before retrying."
        ) from error
    if not committed:
        raise ServiceUnavailable(
            "The database connection was lost while committing; the database shows nothing "
            "was written. Retry."
        ) from error
    logger.warning(
        "finalize: the connection was lost during COMMIT; the audit rows show it committed"
    )


class _ConcurrentChange(Exception):
    """The UPDATE matched fewer rows than the re-check promised; roll everything back."""


async def _run(
    context: RequestContext,
    request: FinalizeRequest,
    grace: int,
    cutoff: datetime,
    edit_scope: DagScope | None,
) -> list[FinalizeResult]:
    # Only the caller's DAGs: others are no candidates, and named ids of them NOT_FOUND.
    scopes = (context.caller.dag_scope, edit_scope)
    audit_rows: list[dict] = []
    try:
        # A dry run takes the same locks (to report LOCKED truthfully) and rolls back.
        async with finalize_sql.write_transaction(
            context.engine, commit=not request.dry_run
        ) as connection:
            results = await _finalize_in(
                connection, context, request, grace, cutoff, scopes, audit_rows
            )
    except finalize_sql.CommitInterrupted as error:
        await confirm_commit(context, audit_rows, error)
    return results


async def _finalize_in(
    connection,
    context: RequestContext,
    request: FinalizeRequest,
    grace: int,
    cutoff: datetime,
    scopes,
    audit_rows: list[dict],
) -> list[FinalizeResult]:
    """The statements of one finalize transaction; `audit_rows` receives what it wrote."""
    now = context.now
    if request.backfill_ids is not None:
        considered = sorted(set(request.backfill_ids))
    else:
        statement = finalize_sql.candidate_ids(request.dag_ids, request.limit, scopes)
        considered = [row.id for row in await connection.execute(statement)]
    if not considered:
        return []
    locked = {
        row.id
        for row in await connection.execute(
            finalize_sql.lock_candidates(considered, cutoff, scopes)
        )
    }
    rows = {
        row["id"]: row
        for row in (
            await connection.execute(finalize_sql.recheck(considered, context.airflow, scopes))
        ).mappings()
    }
    results: list[FinalizeResult] = []
    to_finalize: list[FinalizeResult] = []
    for backfill_id in considered:
        row = rows.get(backfill_id)
        if row is None:
            results.append(
                FinalizeResult(backfill_id, Outcome.NOT_FOUND, "no backfill with this id", None)
            )
            continue
        outcome, reason = _classify(row, backfill_id in locked, cutoff, request.dry_run)
        record = BackfillRecord(row, context.orphan_cutoff)
        result = FinalizeResult(backfill_id, outcome, reason, record)
        results.append(result)
        if outcome is Outcome.FINALIZED:
            to_finalize.append(result)
    if to_finalize:
        ids = [result.backfill_id for result in to_finalize]
        updated = await connection.execute(
            finalize_sql.mark_completed(ids, cutoff, now, scopes)
        )
        if updated.rowcount != len(ids):
            # Only possible if an owned run was re-queued between the re-check and the
            # UPDATE (the row locks keep out new slots and runs). Write nothing.
            raise _ConcurrentChange
        audit_rows += finalize_sql.audit_rows(
            [(r.backfill_id, r.dag_id, r.reason) for r in to_finalize],
            owner=context.caller.name or "",
            now=now,
            grace_period_seconds=grace,
            cutoff=cutoff,
        )
        await connection.execute(finalize_sql.audit_insert(), audit_rows)
        for result in to_finalize:
            result.backfill.completed_at = now
            result.backfill.updated_at = now
            result.backfill.status = BackfillStatus.COMPLETED
    return results
