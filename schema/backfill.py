"""`Backfill`, its progress, its `dagRuns` connection, and the `backfills` listing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any

import strawberry
from graphql import GraphQLField, Undefined, get_nullable_type, value_from_ast
from graphql.language import NullValueNode, VariableNode
from strawberry.scalars import JSON
from strawberry.schema.name_converter import NameConverter

from backfill_gateway.resolvers import dag_runs as dag_run_resolvers
from backfill_gateway.resolvers.dag_runs import SlotPageRequest
from backfill_gateway.resolvers.records import BackfillRecord
from backfill_gateway.schema.arguments import After, Before, First, Last
from backfill_gateway.schema.dag import Dag
from backfill_gateway.schema.dag_run import RECORD_ATTRIBUTES_BY_FIELD
from backfill_gateway.schema.enums import (
    BackfillOrderField,
    BackfillRangeSource,
    BackfillStatus,
    OrderDirection,
    ReprocessBehavior,
)
from backfill_gateway.schema.field_plans import READS_ONLY_CONTEXT, PlannedResolver, planned
from backfill_gateway.schema.lru import LruCache
from backfill_gateway.schema.node import Node, instances_of
from backfill_gateway.schema.pagination import Connection, Edge
from backfill_gateway.schema.selections import (
    child_field_nodes,
    dag_run_columns,
    dag_run_columns_of,
    document_selects_any,
    nested_field_names,
    operation_key,
)
from backfill_gateway.schema.slot import BackfillDagRunConnection, BackfillDagRunFilter
from backfill_gateway.schema.task_counts import TaskInstanceCounts


@strawberry.type(description="How far a backfill got, counted over all of its slots.")
class BackfillProgress:
    slot_count: int = strawberry.field(description="Slots in the backfill, skipped ones included.")
    skipped_count: int = strawberry.field(description="Slots Airflow skipped.")
    run_missing_count: int = strawberry.field(
        description="Slots not skipped whose run was deleted since."
    )
    queued_count: int = strawberry.field(description="Slots whose run is queued.")
    running_count: int = strawberry.field(description="Slots whose run is running.")
    success_count: int = strawberry.field(description="Slots whose run succeeded.")
    failed_count: int = strawberry.field(description="Slots whose run failed.")
    finished_count: int = strawberry.field(
        description="Slots with nothing left to run: succeeded, failed, skipped or run missing."
    )
    finished_fraction: float | None = strawberry.field(
        description="`finishedCount / slotCount`, from 0 to 1; null when there are no slots."
    )


@strawberry.type(
    description="A backfill: a request to run a DAG over a range of past dates. Every column "
    "of Airflow's `backfill` table, with a derived status, progress and its slots."
)
class Backfill(Node):
    backfill_id: int = strawberry.field(description="Airflow's integer id of the backfill.")
    dag_id: str | None = strawberry.field(
        description="The DAG being backfilled. On Airflow 2 the DAG of the job's runs (the "
        "`job` row does not record it): null for a BackfillJob that has no run."
    )
    from_date: datetime | None = strawberry.field(
        description="Start of the requested date range. On Airflow 2 see `rangeSource`: "
        "from the `airflow dags backfill` command, else the first logical date of its runs, "
        "else null."
    )
    to_date: datetime | None = strawberry.field(
        description="End of the requested date range (on Airflow 2, as `fromDate`)."
    )
    dag_run_conf: JSON | None = strawberry.field(
        description="Configuration passed to every run; null when it is JSON null. On "
        "Airflow 2 the command's `--conf`, null without one or when the command is unknown."
    )
    is_paused: bool = strawberry.field(
        description="Whether the backfill is paused (always false on Airflow 2, whose "
        "backfills cannot be paused)."
    )
    reprocess_behavior: ReprocessBehavior | None = strawberry.field(
        description="Which dates that already had a run are run again. Null on Airflow 2, "
        "which has no such setting: see `resetDagRuns` and `rerunFailedTasks`."
    )
    max_active_runs: int | None = strawberry.field(
        description="How many of the backfill's runs may be active at once. Null on "
        "Airflow 2, which does not record it (the DAG's own limit applies)."
    )
    created_at: datetime = strawberry.field(
        description="When the backfill was created (on Airflow 2: when its job started)."
    )
    completed_at: datetime | None = strawberry.field(
        description="When the backfill completed or was cancelled; null while active. On "
        "Airflow 2 the end date of a job that ended (`success` or `failed`)."
    )
    updated_at: datetime | None = strawberry.field(
        description="When the backfill row last changed. Null on Airflow 2 (see "
        "`latestHeartbeat`)."
    )
    triggering_user_name: str | None = strawberry.field(
        description="The user who created the backfill. Recorded since Airflow 3.1: null "
        "before, except on Airflow 2: the OS user who ran `airflow dags backfill` "
        "(`job.unixname`)."
    )
    status: BackfillStatus = strawberry.field(
        description="Derived status: COMPLETED, PAUSED, RUNNING, or for a backfill without "
        "slots INITIALIZING or ORPHANED depending on its age. On Airflow 2: COMPLETED once "
        "the job ended, ORPHANED when its process is dead (no heartbeat and nothing of its "
        "runs changed within the grace period, see finalizeOrphanedBackfills), else RUNNING."
    )
    range_source: BackfillRangeSource = strawberry.field(
        description="Where `fromDate`/`toDate` come from: Airflow 3's `backfill` row, or on "
        "Airflow 2 the paired `airflow dags backfill` audit-log command, the runs' dates, "
        "or nowhere."
    )
    run_backwards: bool | None = strawberry.field(
        description="Airflow 2 only: the command had `--run-backwards` (latest date first). "
        "Null when the command is unknown, and on Airflow 3 (see `sortOrdinal`)."
    )
    reset_dag_runs: bool | None = strawberry.field(
        description="Airflow 2 only: the command had `--reset-dagruns` (existing runs of "
        "the range cleared and run again). Null when the command is unknown, and on Airflow 3."
    )
    rerun_failed_tasks: bool | None = strawberry.field(
        description="Airflow 2 only: the command had `--rerun-failed-tasks`. Null when the "
        "command is unknown, and on Airflow 3."
    )
    latest_heartbeat: datetime | None = strawberry.field(
        description="Airflow 2 only: the backfill process's last heartbeat (`job."
        "latest_heartbeat`). Null on Airflow 3."
    )
    hostname: str | None = strawberry.field(
        description="Airflow 2 only: the host the backfill process ran on. Null on Airflow 3."
    )

    @strawberry.field(
        metadata=READS_ONLY_CONTEXT,
        description="Slot and run-state counts over the whole backfill."
    )
    async def progress(self, info: strawberry.Info) -> BackfillProgress:
        return await info.context.loaders.progress_by_backfill.load(self.backfill_id)

    @strawberry.field(
        metadata=READS_ONLY_CONTEXT,
        description="Task instances by state over all the backfill's runs: on Airflow 3 "
        "the runs of its slots (a run a later backfill took over still counts here, as its "
        "slot still shows it); on Airflow 2 the runs the BackfillJob created or took over. "
        "All zeros before any run has task instances."
    )
    async def task_counts(self, info: strawberry.Info) -> TaskInstanceCounts:
        return await info.context.loaders.task_counts_by_backfill.load(self.backfill_id)

    @strawberry.field(
        metadata=READS_ONLY_CONTEXT,
        description="The backfilled DAG; null when its `dag` row is gone (or, on Airflow 2, "
        "when the job has no run to tell its DAG)."
    )
    async def dag(self, info: strawberry.Info) -> Dag | None:
        if self.dag_id is None:
            return None
        return await info.context.loaders.dag_by_dag_id.load(self.dag_id)

    @strawberry.field(
        # Called as `_plan_dag_runs` plans it by the fast path (schema/field_plans.py).
        metadata=planned(lambda info: _plan_dag_runs(info)),
        description="The backfill's slots in `sortOrdinal` order (ties by id), one edge per "
        "`backfill_dag_run` row. Skipped slots are edges too, with `dagRun: null`. On "
        "Airflow 2 one edge per run the BackfillJob created or took over (its task "
        "instances' `queued_by_job_id`), by logical date."
    )
    async def dag_runs(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            BackfillDagRunFilter | None,
            strawberry.argument(description="Only slots matching this filter."),
        ] = None,
    ) -> BackfillDagRunConnection:
        resolve = _plan_dag_runs(info)
        arguments = {
            "first": first, "after": after, "last": last, "before": before, "filter": filter,
        }  # fmt: skip
        return await resolve(self, info.context, arguments, info._raw_info.variable_values)

    is_type_of = instances_of(BackfillRecord)


def _plan_dag_runs(info: strawberry.Info) -> PlannedResolver:
    """`Backfill.dagRuns` with the dag run columns its document selects found once."""
    run_attributes = dag_run_columns(info, RECORD_ATTRIBUTES_BY_FIELD)
    backfill_dag_runs = dag_run_resolvers.backfill_dag_runs

    def resolve(source: BackfillRecord, context, arguments: dict[str, Any], _variables):
        get = arguments.get
        request = SlotPageRequest(
            get("first"), get("after"), get("last"), get("before"), get("filter"), run_attributes
        )
        return backfill_dag_runs(context, source.backfill_id, request)

    return resolve


@dataclass(frozen=True, slots=True)
class DagRunsLookahead:
    """A `dagRuns` field's page as far as its document tells: literal arguments (coerced
    once), the variables the others come from, and the dag run columns it selects."""

    literals: dict[str, Any]
    variables: tuple[tuple[str, str], ...]  # (argument, variable)
    run_attributes: tuple[str, ...]

    def page(self, variables: Mapping[str, Any]) -> SlotPageRequest | None:
        """The page for a request's coerced variables; None for a filtered one."""
        arguments = dict(self.literals)
        # An absent variable leaves the argument at its default, None for every
        # `dagRuns` argument.
        for name, variable in self.variables:
            arguments[name] = variables.get(variable)
        if arguments.get("filter") is not None:
            return None
        return SlotPageRequest(
            arguments.get("first"), arguments.get("after"), arguments.get("last"),
            arguments.get("before"), None, self.run_attributes,
        )  # fmt: skip


_lookaheads: LruCache[tuple[str, int], DagRunsLookahead | None] = LruCache(1024)


def _lookahead(field: GraphQLField, nodes, fragments) -> DagRunsLookahead | None:
    literals: dict[str, Any] = {}
    variables: list[tuple[str, str]] = []
    for argument in nodes[0].arguments or ():  # None without arguments
        name, value = argument.name.value, argument.value
        if isinstance(value, VariableNode):
            variables.append((name, value.name.value))
        elif name == "filter":
            if not isinstance(value, NullValueNode):
                return None  # a filtered page: read apart
        else:
            literals[name] = value_from_ast(value, field.args[name].type)
            if literals[name] is Undefined:
                return None  # the field itself reports it
    run_attributes = dag_run_columns_of(nodes, fragments, RECORD_ATTRIBUTES_BY_FIELD)
    return DagRunsLookahead(literals, tuple(variables), run_attributes)


def dag_runs_lookahead(info: strawberry.Info) -> DagRunsLookahead | None:
    """What the document tells of the page the `dagRuns` field below the `Backfill` field
    being resolved will ask for, so that the backfill and that page can be read together;
    None when there is no such field, it is selected more than once or under a directive,
    or it has a literal `filter` (then `dagRuns` reads its page itself, as always)."""
    nodes = child_field_nodes(info, "dagRuns")
    if nodes is None:
        return None
    raw = info._raw_info

    def compute() -> DagRunsLookahead | None:
        field = get_nullable_type(raw.return_type).fields["dagRuns"]
        return _lookahead(field, nodes, raw.fragments)

    node = nodes[0]
    if node.loc is None:
        return compute()
    return _lookaheads.get_or_compute((node.loc.source.body, node.loc.start), compute)


@strawberry.type(description="An edge of a backfill listing.")
class BackfillEdge(Edge[Backfill]):
    node: Backfill = strawberry.field(description="The backfill.")


@strawberry.type(description="A page of backfills.")
class BackfillConnection(Connection[Backfill]):
    edges: list[BackfillEdge] = strawberry.field(description="The page's edges.")
    nodes: list[Backfill] = strawberry.field(
        description="The page's backfills, without cursors (shortcut for `edges { node }`)."
    )

    @strawberry.field(
        metadata=READS_ONLY_CONTEXT,
        description="Number of backfills matching the filter, over all pages."
    )
    async def total_count(self) -> int:
        return await self.count()


@strawberry.input(description="Which backfills to list; all given conditions must hold.")
class BackfillFilter:
    dag_ids: list[str] | None = strawberry.field(
        default=None, description="Only backfills of these DAGs."
    )
    backfill_ids: list[int] | None = strawberry.field(
        default=None, description="Only backfills with these Airflow ids."
    )
    statuses: list[BackfillStatus] | None = strawberry.field(
        default=None, description="Only backfills in one of these statuses."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Only backfills created at or after this time."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Only backfills created before this time."
    )


@strawberry.input(description="Order of a backfill listing.")
class BackfillOrder:
    field: BackfillOrderField = strawberry.field(
        default=BackfillOrderField.ID, description="What to order by."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


# Backfill fields answered from its id alone; every other one reads its row.
ID_ONLY_FIELDS = frozenset({"__typename", "id", "backfillId", "dagRuns", "progress", "taskCounts"})


def reads_backfill_row(info: strawberry.Info) -> bool:
    """Whether a `backfill(id)` with its `dagRuns` page must read the backfill's row: unless
    the request selects no field of a backfill's row anywhere (by name, on any type:
    over-approximating is safe) and no backfill below a root field (looked up by id once
    the page is in, it would take a statement the full record, primed, saves). Then the page
    statement reads that the backfill exists and is in scope, and nothing else of it."""

    def compute() -> bool:
        if "backfill" in nested_field_names(info):
            return True
        return document_selects_any(info, backfill_row_fields())

    key = operation_key(info)
    if key is None:
        return compute()
    return _reads_row_by_operation.get_or_compute(key, compute)


_reads_row_by_operation: LruCache[tuple[str, str | None], bool] = LruCache(1024)


@cache
def backfill_row_fields() -> frozenset[str]:
    """Backfill's GraphQL field names that read its row: all but ID_ONLY_FIELDS (a new
    field reads the row unless it is added there)."""
    names = NameConverter()
    fields = Backfill.__strawberry_definition__.fields
    return frozenset(names.get_graphql_name(field) for field in fields) - ID_ONLY_FIELDS
