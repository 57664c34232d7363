"""GraphQL enums. Their Python values are what Airflow stores, so records serialize as read."""

from __future__ import annotations

from enum import Enum

import strawberry

from backfill_gateway.db import backfill_status as domain_status


def exposed_enum(
    domain: type[Enum], *, name: str, description: str, values: dict[str, str]
) -> type[Enum]:
    """The GraphQL enum of a domain enum: same members, names and values, in the domain's
    order, with a description for each (`values`, by member name; all must be given)."""
    assert set(values) == set(domain.__members__), (
        f"{name}: describe exactly {list(domain.__members__)}"
    )
    members = {
        member.name: strawberry.enum_value(member.value, description=values[member.name])
        for member in domain
    }
    return strawberry.enum(Enum(name, members), description=description)  # type: ignore[return-value]


BackfillStatus = exposed_enum(
    domain_status.BackfillStatus,
    name="BackfillStatus",
    description="Where a backfill stands, derived from its row and its slots.",
    values={
        "RUNNING": "Active, not paused, with slots (or, without slots, owning a queued or "
        "running run).",
        "PAUSED": "Active but paused.",
        "COMPLETED": "`completedAt` is set (finished or cancelled).",
        "INITIALIZING": "Active, without slots or active runs yet, younger than the orphan "
        "grace period: Airflow is probably still creating its runs.",
        "ORPHANED": "Active, without slots or active runs, older than the orphan grace period: "
        "its creation most likely crashed, and it blocks new backfills of its DAG.",
    },
)


@strawberry.enum(description="Where a backfill's requested date range comes from.")
class BackfillRangeSource(Enum):
    BACKFILL_TABLE = strawberry.enum_value(
        "BACKFILL_TABLE", description="Airflow 3's `backfill` row records it."
    )
    CLI_COMMAND = strawberry.enum_value(
        "CLI_COMMAND",
        description="Airflow 2: the `-s`/`-e` of the `airflow dags backfill` command in the "
        "`cli_dag_backfill` audit-log row paired with the job (same DAG, written at most 10 s "
        "before the job started).",
    )
    RUN_DATES = strawberry.enum_value(
        "RUN_DATES",
        description="Airflow 2 without a paired command: the first and last logical date of "
        "the job's runs (dates it had not reached yet are not recorded anywhere).",
    )
    UNKNOWN = strawberry.enum_value(
        "UNKNOWN", description="Airflow 2, no paired command and no run: the range is null."
    )


@strawberry.enum(description="State of a DAG run, as Airflow records it.")
class DagRunState(Enum):
    QUEUED = strawberry.enum_value("queued", description="Waiting for the scheduler to start it.")
    RUNNING = strawberry.enum_value("running", description="Its tasks are being run.")
    SUCCESS = strawberry.enum_value("success", description="Finished successfully.")
    FAILED = strawberry.enum_value("failed", description="Finished with a failure.")


@strawberry.enum(description="Why Airflow skipped a backfill slot instead of running it.")
class BackfillDagRunExceptionReason(Enum):
    IN_FLIGHT = strawberry.enum_value(
        "in flight", description="A run for this date was already queued or running."
    )
    ALREADY_EXISTS = strawberry.enum_value(
        "already exists",
        description="A run for this date already existed and the reprocess behavior kept it.",
    )
    UNKNOWN = strawberry.enum_value(
        "unknown", description="Another or unrecorded reason (declared by Airflow, unused today)."
    )


@strawberry.enum(description="Which existing runs a backfill re-runs.")
class ReprocessBehavior(Enum):
    NONE = strawberry.enum_value("none", description="Never re-run dates that already have a run.")
    FAILED = strawberry.enum_value("failed", description="Re-run dates whose run failed.")
    COMPLETED = strawberry.enum_value(
        "completed", description="Re-run dates whose run finished, failed or succeeded."
    )


@strawberry.enum(description="Fields that backfill listings can be ordered by.")
class BackfillOrderField(Enum):
    ID = strawberry.enum_value("ID", description="Airflow's backfill id (creation order).")
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="Creation time, ties by id.")


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest first.")
    DESC = strawberry.enum_value("DESC", description="Largest first.")
