"""`Mutation`: operations that write to Airflow's database (admin token required)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from backfill_gateway.resolvers import finalize as finalize_resolvers
from backfill_gateway.schema.backfill import Backfill
from backfill_gateway.schema.enums import exposed_enum

FinalizeOutcome = exposed_enum(
    finalize_resolvers.Outcome,
    name="FinalizeOutcome",
    description="What finalizeOrphanedBackfills did with, or found about, a backfill.",
    values={
        "FINALIZED": "An orphan: `completedAt` and `updatedAt` were set to `now` and one "
        "`finalize_orphaned_backfill` row was written to Airflow's audit log. On Airflow 2: "
        "a dead BackfillJob, now `failed` with its unfinished runs and tasks (see the "
        "mutation).",
        "WOULD_FINALIZE": "An orphan that a call with `dryRun: false` would finalize; nothing "
        "was written.",
        "ALREADY_COMPLETED": "`completedAt` was already set (by Airflow, a cancel, or an "
        "earlier or concurrent finalize call). On Airflow 2: the job is no longer `running`.",
        "HAS_SLOTS": "Active with slots: Airflow created its runs; Airflow completes it.",
        "HAS_ACTIVE_RUNS": "Without slots, but it owns a queued or running dag run: never "
        "finalized. On Airflow 2: a task of its runs is running under a live LocalTaskJob, or "
        "its runs or tasks changed within the grace period (a live backfill waiting without "
        "heartbeat).",
        "TOO_YOUNG": "Without slots, but created after the cutoff: Airflow may still be "
        "creating its runs. On Airflow 2: the job's heartbeat is after the cutoff.",
        "LOCKED": "Its row is locked by another transaction, e.g. Airflow inserting its "
        "runs or another finalize call; left alone (PostgreSQL, MySQL, MariaDB only).",
        "NOT_FOUND": "No backfill has this id (on Airflow 2: no BackfillJob).",
    },
)


@strawberry.type(description="An input the operation refused; nothing was read or written.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the offending input field, e.g. `[\"input\", \"limit\"]`."
    )
    message: str = strawberry.field(description="What is wrong, for humans.")
    code: str = strawberry.field(description="Machine-readable code: `BAD_USER_INPUT`.")


@strawberry.input(
    description="Which backfills finalizeOrphanedBackfills considers and how. Named "
    "`backfillIds` are considered as given; otherwise the active backfills without slots of "
    "`dagIds` (of every DAG when omitted), at most `limit`, in id order."
)
class FinalizeOrphanedBackfillsInput:
    backfill_ids: list[int] | None = strawberry.field(
        default=None,
        description="Airflow ids of the backfills to consider (at most `limit`); unknown "
        "ids report NOT_FOUND. Not together with `dagIds`.",
    )
    dag_ids: list[str] | None = strawberry.field(
        default=None, description="Consider the active backfills without slots of these DAGs."
    )
    grace_period_seconds: int | None = strawberry.field(
        default=None,
        description="Only backfills created at least this long before now are orphans. "
        "Defaults to the configured grace period (600 unless set); below 120 is refused.",
    )
    dry_run: bool = strawberry.field(
        default=True,
        description="Report what would be finalized (WOULD_FINALIZE) without writing. "
        "Defaults to true: pass false to finalize.",
    )
    limit: int = strawberry.field(
        default=finalize_resolvers.DEFAULT_LIMIT,
        description=f"At most this many backfills are considered, 1 to "
        f"{finalize_resolvers.MAX_LIMIT}.",
    )


@strawberry.type(description="One considered backfill and its outcome.")
class FinalizeOrphanedBackfillResult:
    backfill_id: int = strawberry.field(description="Airflow's id of the backfill.")
    outcome: FinalizeOutcome = strawberry.field(description="What happened to it.")
    reason: str = strawberry.field(description="Why, for humans.")
    backfill: Backfill | None = strawberry.field(
        description="The backfill after the call (with its new `completedAt` when "
        "FINALIZED); null when NOT_FOUND."
    )


@strawberry.type(description="The result of finalizeOrphanedBackfills.")
class FinalizeOrphanedBackfillsPayload:
    dry_run: bool = strawberry.field(description="Whether this was a dry run (nothing written).")
    now: datetime = strawberry.field(
        description="The gateway's clock for this call; finalized backfills get it as "
        "`completedAt` and `updatedAt`."
    )
    grace_period_seconds: int | None = strawberry.field(
        description="The grace period used; null when the input was refused."
    )
    cutoff: datetime | None = strawberry.field(
        description="`now` minus the grace period: only backfills created at or before it "
        "are orphans. Null when the input was refused."
    )
    results: list[FinalizeOrphanedBackfillResult] = strawberry.field(
        description="Every considered backfill, in id order."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Refused input; when not empty, nothing was considered or written."
    )


@strawberry.type(description="Operations that write to Airflow's database.")
class Mutation:
    @strawberry.mutation(
        description="Finalize orphaned backfills: active, without slots, owning no queued or "
        "running run, created at or before the cutoff, and not locked by another transaction (all "
        "checked in the database at the moment of the update). Their creation crashed "
        "between Airflow's two transactions, and each blocks new backfills of its DAG. "
        "Finalizing sets `completedAt` and `updatedAt`, nothing else, and writes one "
        "`finalize_orphaned_backfill` audit-log row each. Idempotent. Needs an admin token "
        "(UNAUTHENTICATED without a token, FORBIDDEN with a reader token); POST only. On "
        "Airflow 2 it finalizes dead BackfillJobs: `running`, no heartbeat after the cutoff, "
        "no task of their runs running under a LocalTaskJob that heartbeat after it, nothing "
        "of their runs or tasks changed after it, row not locked. The job becomes `failed`, "
        "its unfinished runs `failed` (not those another running BackfillJob took over), "
        "their running/deferred/up-for-reschedule tasks `failed` and other unfinished tasks "
        "`skipped`, as Airflow's \"mark dag run failed\" does; one audit-log row each. A "
        "caller limited to some DAGs considers only their backfills: other ids are NOT_FOUND."
    )
    async def finalize_orphaned_backfills(
        self,
        info: strawberry.Info,
        input: Annotated[
            FinalizeOrphanedBackfillsInput,
            strawberry.argument(description="Which backfills, and whether to write."),
        ],
    ) -> FinalizeOrphanedBackfillsPayload | None:
        request = finalize_resolvers.FinalizeRequest(
            backfill_ids=input.backfill_ids,
            dag_ids=input.dag_ids,
            grace_period_seconds=input.grace_period_seconds,
            dry_run=input.dry_run,
            limit=input.limit,
        )
        return await finalize_resolvers.finalize_orphaned_backfills(info.context, request)
