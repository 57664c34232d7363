"""Finalize dead Airflow 2 BackfillJobs: the Airflow 2 side of finalizeOrphanedBackfills.

Nothing in Airflow 2 ever ends a BackfillJob whose process died: its job row stays
`running`, its runs `running`/`queued` (counting against the DAG's `max_active_runs`), its
tasks hold pool slots. Finalizing writes what a clean exit would have written plus what
Airflow's own "mark dag run failed" writes, all in one transaction: the job `failed` with
an end date, each unfinished run of it `failed` (except runs another running BackfillJob
took over), their running/deferred/up-for-reschedule tasks `failed` and their other
unfinished tasks `skipped`, and one `log` row. Same outcomes as on Airflow 3; HAS_SLOTS
never occurs, TOO_YOUNG means a heartbeat within the grace period.
"""

from __future__ import annotations

from datetime import datetime

from backfill_gateway.db import finalize as finalize_sql
from backfill_gateway.db.airflow2 import finalize as finalize2_sql
from backfill_gateway.db.backfill_status import BackfillStatus
from backfill_gateway.resolvers.airflow2.records import Airflow2BackfillRecord
from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.resolvers.finalize import (
    FinalizeRequest,
    FinalizeResult,
    Outcome,
    _ConcurrentChange,
    confirm_commit,
)


def _iso(value: datetime | None) -> str:
    return "never" if value is None else value.isoformat()


def _classify(row, locked: bool, cutoff: datetime, dry_run: bool) -> tuple[Outcome, str]:
    """The outcome for one re-checked job; the first reason that applies wins."""
    if row["state"] != "running":
        return Outcome.ALREADY_COMPLETED, (
            f"job state {row['state']!r}, ended at {_iso(row['end_date'])}"
        )
    if row["heartbeat_recent"]:
        return Outcome.TOO_YOUNG, (
            f"heartbeat at {_iso(row['latest_heartbeat'])}, after the cutoff {_iso(cutoff)}: "
            "the backfill process may be alive"
        )
    if row["has_live_task"]:
        return Outcome.HAS_ACTIVE_RUNS, (
            "a task of its runs is running with a LocalTaskJob heartbeat after the cutoff"
        )
    if row["has_recent_change"]:
        return Outcome.HAS_ACTIVE_RUNS, (
            f"its runs or their tasks changed after the cutoff {_iso(cutoff)}: the backfill "
            "may be waiting, not dead"
        )
    if not locked:
        return Outcome.LOCKED, "job row locked by another transaction (a heartbeat, or another finalizer)"
    reason = (
        f"BackfillJob running without heartbeat since {_iso(row['latest_heartbeat'])} and "
        f"nothing of its runs changed since, at or before the cutoff {_iso(cutoff)}"
    )
    return (Outcome.WOULD_FINALIZE if dry_run else Outcome.FINALIZED), reason


async def run_airflow2(
    context: RequestContext, request: FinalizeRequest, grace: int, cutoff: datetime
) -> list[FinalizeResult]:
    now = context.now
    # Only the caller's DAGs: others are no candidates, and named ids of them NOT_FOUND.
    scopes = (context.caller.dag_scope, context.caller.edit_scope)
    audit_rows: list[dict] = []
    try:
        async with finalize_sql.write_transaction(
            context.engine, commit=not request.dry_run
        ) as connection:
            if request.backfill_ids is not None:
                considered = sorted(set(request.backfill_ids))
            else:
                statement = finalize2_sql.candidate_ids(request.dag_ids, request.limit, scopes)
                considered = [row.id for row in await connection.execute(statement)]
            if not considered:
                return []
            locked = {
                row.id for row in await connection.execute(finalize2_sql.lock_candidates(considered))
            }
            statement = finalize2_sql.recheck(considered, cutoff, scopes)
            rows = {
                row["id"]: row
                for row in (
                    await connection.execute(statement, {"orphan_cutoff": cutoff})
                ).mappings()
            }
            results: list[FinalizeResult] = []
            to_finalize: list[FinalizeResult] = []
            for job_id in considered:
                row = rows.get(job_id)
                if row is None:
                    results.append(
                        FinalizeResult(job_id, Outcome.NOT_FOUND, "no BackfillJob with this id", None)
                    )
                    continue
                outcome, reason = _classify(row, job_id in locked, cutoff, request.dry_run)
                record = Airflow2BackfillRecord(row)
                result = FinalizeResult(job_id, outcome, reason, record)
                results.append(result)
                if outcome is Outcome.FINALIZED:
                    to_finalize.append(result)
            if to_finalize:
                ids = [result.backfill_id for result in to_finalize]
                updated = await connection.execute(finalize2_sql.mark_job_failed(ids, cutoff, now, scopes))
                if updated.rowcount != len(ids):
                    raise _ConcurrentChange
                for job_id in ids:
                    runs = (await connection.execute(finalize2_sql.runs_to_fail(job_id))).all()
                    if runs:
                        keys = [(run.dag_id, run.run_id) for run in runs]
                        await connection.execute(finalize2_sql.finish_tasks(keys, now))
                        failed = await connection.execute(
                            finalize2_sql.fail_runs([run.id for run in runs], job_id, now)
                        )
                        if failed.rowcount != len(runs):  # a run finished or was taken over meanwhile
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
                    record = result.backfill
                    record.completed_at = now
                    record.job_state = finalize2_sql.FINALIZED_JOB_STATE
                    record.status = BackfillStatus.COMPLETED
    except finalize_sql.CommitInterrupted as error:
        await confirm_commit(context, audit_rows, error)
    return results
