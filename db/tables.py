"""Airflow 3.3's tables that the gateway reads, column for column (and `alembic_version`).

These mirror `airflow db migrate` (see tests/airflow_ddl/): same column order,
types, nullability, defaults, constraint and index names. The gateway never
creates them in a real Airflow database; tests and the demo do.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    event,
    text,
)

from backfill_gateway.db.types import UtcDateTime, jsonb, string_id

# Airflow's ids are 32-bit INTEGER columns (GraphQL's Int is 32-bit too): ids, cursor
# keys and sort ordinals beyond this cannot be stored, so input beyond it is refused.
MAX_INTEGER = 2**31 - 1

metadata = MetaData()

# The alembic revision `airflow db migrate` of Airflow 3.3.2 stamps (db.airflow_schema).
AIRFLOW_REVISION = "d2f4e1b3c5a7"

# Airflow's migration stamp. Creating these tables stamps them as `airflow db migrate`
# does, so a database made from this metadata (the demo, tests) is detected as 3.3.
alembic_version = Table(
    "alembic_version",
    metadata,
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
event.listen(
    alembic_version,
    "after_create",
    DDL(f"INSERT INTO alembic_version (version_num) VALUES ('{AIRFLOW_REVISION}')"),
)

backfill = Table(
    "backfill",
    metadata,
    Column("id", Integer, autoincrement=True, nullable=False),
    Column("dag_id", string_id(), nullable=False),
    Column("from_date", UtcDateTime, nullable=False),
    Column("to_date", UtcDateTime, nullable=False),
    Column("dag_run_conf", JSON, nullable=False),
    Column("is_paused", Boolean, nullable=True),
    Column("reprocess_behavior", String(250), nullable=False),
    Column("max_active_runs", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("triggering_user_name", String(512), nullable=True),
    PrimaryKeyConstraint("id", name="backfill_pkey"),
)

dag = Table(
    "dag",
    metadata,
    Column("dag_id", string_id(), nullable=False),
    Column("is_paused", Boolean, nullable=False),
    Column("is_stale", Boolean, nullable=False),
    Column("exceeds_max_non_backfill", Boolean, nullable=False, server_default=text("'0'")),
    Column("last_parsed_time", UtcDateTime, nullable=True),
    Column("last_parse_duration", Float, nullable=True),
    Column("last_expired", UtcDateTime, nullable=True),
    Column("fileloc", String(2000), nullable=True),
    Column("relative_fileloc", String(2000), nullable=True),
    Column("bundle_name", string_id(), nullable=False),
    Column("bundle_version", String(200), nullable=True),
    Column("owners", String(2000), nullable=True),
    Column("dag_display_name", String(2000), nullable=True),
    Column("description", Text, nullable=True),
    Column("timetable_type", String(255), nullable=False),
    Column("timetable_summary", Text, nullable=True),
    Column("timetable_description", String(1000), nullable=True),
    Column("timetable_partitioned", Boolean, nullable=False, server_default=text("'0'")),
    Column("timetable_periodic", Boolean, nullable=False, server_default=text("'0'")),
    Column("partition_mapper_info", JSON, nullable=False),
    Column("asset_expression", JSON, nullable=True),
    Column("deadline", JSON, nullable=True),
    Column("max_active_tasks", Integer, nullable=False),
    Column("max_active_runs", Integer, nullable=True),
    Column("max_consecutive_failed_dag_runs", Integer, nullable=False),
    Column("has_task_concurrency_limits", Boolean, nullable=False),
    Column("has_import_errors", Boolean, nullable=True, server_default=text("'0'")),
    Column("fail_fast", Boolean, nullable=False, server_default=text("'0'")),
    Column("allowed_run_types", JSON, nullable=True),
    Column("next_dagrun", UtcDateTime, nullable=True),
    Column("next_dagrun_data_interval_start", UtcDateTime, nullable=True),
    Column("next_dagrun_data_interval_end", UtcDateTime, nullable=True),
    Column("next_dagrun_partition_key", String(255), nullable=True),
    Column("next_dagrun_partition_date", UtcDateTime, nullable=True),
    Column("next_dagrun_create_after", UtcDateTime, nullable=True),
    PrimaryKeyConstraint("dag_id", name="dag_pkey"),
    Index("idx_next_dagrun_create_after", "next_dagrun_create_after"),
)

dag_run = Table(
    "dag_run",
    metadata,
    Column("id", Integer, autoincrement=True, nullable=False),
    Column("dag_id", string_id(), nullable=False),
    Column("queued_at", UtcDateTime, nullable=True),
    Column("logical_date", UtcDateTime, nullable=True),
    Column("start_date", UtcDateTime, nullable=True),
    Column("end_date", UtcDateTime, nullable=True),
    Column("state", String(50), nullable=True),
    Column("run_id", string_id(), nullable=False),
    Column("creating_job_id", Integer, nullable=True),
    Column("run_type", String(50), nullable=False),
    Column("triggered_by", String(50), nullable=True),
    Column("triggering_user_name", String(512), nullable=True),
    Column("conf", jsonb(), nullable=True),
    Column("data_interval_start", UtcDateTime, nullable=True),
    Column("data_interval_end", UtcDateTime, nullable=True),
    Column("run_after", UtcDateTime, nullable=False),
    Column("last_scheduling_decision", UtcDateTime, nullable=True),
    Column("log_template_id", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=True),
    Column("clear_number", Integer, nullable=False, server_default=text("'0'")),
    Column("backfill_id", Integer, nullable=True),
    Column("bundle_version", String(250), nullable=True),
    Column("scheduled_by_job_id", Integer, nullable=True),
    Column("context_carrier", jsonb(), nullable=True),
    Column("span_status", String(250), nullable=False, server_default=text("'not_started'")),
    Column("created_dag_version_id", Uuid(), nullable=True),
    Column("partition_key", String(250), nullable=True),
    Column("partition_date", UtcDateTime, nullable=True),
    PrimaryKeyConstraint("id", name="dag_run_pkey"),
    UniqueConstraint("dag_id", "run_id", name="dag_run_dag_id_run_id_key"),
    UniqueConstraint("dag_id", "logical_date", name="dag_run_dag_id_logical_date_key"),
    ForeignKeyConstraint(["backfill_id"], ["backfill.id"], name="dag_run_backfill_id_fkey"),
    Index("dag_id_state", "dag_id", "state"),
    Index("idx_dag_run_created_dag_version_id", "created_dag_version_id"),
    Index("idx_dag_run_dag_id", "dag_id"),
    Index(
        "idx_dag_run_queued_dags",
        "state",
        "dag_id",
        postgresql_where=text("state='queued'"),
        sqlite_where=text("state='queued'"),
    ),
    Index("idx_dag_run_run_after", "run_after"),
    Index(
        "idx_dag_run_running_dags",
        "state",
        "dag_id",
        postgresql_where=text("state='running'"),
        sqlite_where=text("state='running'"),
    ),
)

backfill_dag_run = Table(
    "backfill_dag_run",
    metadata,
    Column("id", Integer, autoincrement=True, nullable=False),
    Column("backfill_id", Integer, nullable=False),
    Column("dag_run_id", Integer, nullable=True),
    Column("exception_reason", String(250), nullable=True),
    Column("logical_date", UtcDateTime, nullable=True),
    Column("partition_key", String(250), nullable=True),
    Column("sort_ordinal", Integer, nullable=False),
    PrimaryKeyConstraint("id", name="backfill_dag_run_pkey"),
    UniqueConstraint("backfill_id", "dag_run_id", name="ix_bdr_backfill_id_dag_run_id"),
    ForeignKeyConstraint(
        ["backfill_id"], ["backfill.id"], name="bdr_backfill_fkey", ondelete="cascade"
    ),
    ForeignKeyConstraint(
        ["dag_run_id"], ["dag_run.id"], name="bdr_dag_run_fkey", ondelete="set null"
    ),
)

# Task instances of the runs: only `dag_id`, `run_id`, `task_id`, `map_index` and `state`
# are read (the same in 3.0 to 3.3). Foreign keys to tables outside these (trigger,
# dag_version) are left out, as for dag_run's.
task_instance = Table(
    "task_instance",
    metadata,
    Column("id", Uuid(), nullable=False),
    Column("task_id", string_id(), nullable=False),
    Column("dag_id", string_id(), nullable=False),
    Column("run_id", string_id(), nullable=False),
    Column("map_index", Integer, nullable=False, server_default=text("'-1'")),
    Column("start_date", UtcDateTime, nullable=True),
    Column("end_date", UtcDateTime, nullable=True),
    Column("duration", Float, nullable=True),
    Column("state", String(20), nullable=True),
    Column("try_number", Integer, nullable=False),
    Column("max_tries", Integer, nullable=False, server_default=text("'-1'")),
    Column("hostname", String(1000), nullable=True),
    Column("unixname", String(1000), nullable=True),
    Column("pool", String(256), nullable=False),
    Column("pool_slots", Integer, nullable=False),
    Column("queue", String(256), nullable=True),
    Column("priority_weight", Integer, nullable=True),
    Column("operator", String(1000), nullable=True),
    Column("custom_operator_name", String(1000), nullable=True),
    Column("queued_dttm", UtcDateTime, nullable=True),
    Column("scheduled_dttm", UtcDateTime, nullable=True),
    Column("queued_by_job_id", Integer, nullable=True),
    Column("last_heartbeat_at", UtcDateTime, nullable=True),
    Column("pid", Integer, nullable=True),
    Column("executor", String(1000), nullable=True),
    Column("executor_config", LargeBinary, nullable=True),
    Column("updated_at", UtcDateTime, nullable=True),
    Column("rendered_map_index", String(250), nullable=True),
    Column("context_carrier", jsonb(), nullable=True),
    Column("span_status", String(250), nullable=False, server_default=text("'not_started'")),
    Column("external_executor_id", Text, nullable=True),
    Column("trigger_id", Integer, nullable=True),
    Column("trigger_timeout", UtcDateTime, nullable=True),
    Column("next_method", String(1000), nullable=True),
    Column("next_kwargs", jsonb(), nullable=True),
    Column("task_display_name", String(2000), nullable=True),
    Column("dag_version_id", Uuid(), nullable=True),
    Column("retry_delay_override", Float, nullable=True),
    Column("retry_reason", String(500), nullable=True),
    PrimaryKeyConstraint("id", name="task_instance_pkey"),
    UniqueConstraint(
        "dag_id", "task_id", "run_id", "map_index", name="task_instance_composite_key"
    ),
    ForeignKeyConstraint(
        ["dag_id", "run_id"],
        ["dag_run.dag_id", "dag_run.run_id"],
        name="task_instance_dag_run_fkey",
        ondelete="CASCADE",
    ),
    Index("ti_dag_run", "dag_id", "run_id"),
    Index("ti_dag_state", "dag_id", "state"),
    Index("ti_dag_version_id", "dag_version_id"),
    Index("ti_heartbeat", "last_heartbeat_at"),
    Index("ti_pool", "pool", "state", "priority_weight"),
    Index("ti_state", "state"),
    Index("ti_state_lkp", "dag_id", "task_id", "run_id", "state"),
    Index("ti_trigger_id", "trigger_id"),
)

log = Table(
    "log",
    metadata,
    Column("id", Integer, autoincrement=True, nullable=False),
    Column("dttm", UtcDateTime, nullable=True),
    Column("dag_id", string_id(), nullable=True),
    Column("task_id", string_id(), nullable=True),
    Column("map_index", Integer, nullable=True),
    Column("event", String(60), nullable=False),
    Column("logical_date", UtcDateTime, nullable=True),
    Column("run_id", string_id(), nullable=True),
    Column("owner", String(500), nullable=True),
    Column("owner_display_name", String(500), nullable=True),
    Column("extra", Text, nullable=True),
    Column("try_number", Integer, nullable=True),
    PrimaryKeyConstraint("id", name="log_pkey"),
    Index("idx_log_dttm", "dttm"),
    Index("idx_log_event", "event"),
    Index("idx_log_task_instance", "dag_id", "task_id", "run_id", "map_index", "try_number"),
)
