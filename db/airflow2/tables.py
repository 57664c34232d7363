"""Airflow 2.11's tables that the gateway reads, column for column (tests/airflow_ddl/2.11/).

Only the tables a 2.x backfill lives in. Column order, types and nullability follow
`airflow db migrate` of 2.11.2 (alembic 5f2621c13b39); the gateway never creates them in
a real Airflow database.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

from backfill_gateway.db.types import UtcDateTime, string_id

metadata = MetaData()

BACKFILL_JOB = "BackfillJob"
LOCAL_TASK_JOB = "LocalTaskJob"

job = Table(
    "job",
    metadata,
    Column("id", Integer, autoincrement=True, nullable=False),
    Column("dag_id", String(250), nullable=True),
    Column("state", String(20), nullable=True),
    Column("job_type", String(30), nullable=True),
    Column("start_date", UtcDateTime, nullable=True),
    Column("end_date", UtcDateTime, nullable=True),
    Column("latest_heartbeat", UtcDateTime, nullable=True),
    Column("executor_class", String(500), nullable=True),
    Column("hostname", String(500), nullable=True),
    Column("unixname", String(1000), nullable=True),
    PrimaryKeyConstraint("id", name="job_pkey"),
)

dag = Table(
    "dag",
    metadata,
    Column("dag_id", string_id(), nullable=False),
    Column("root_dag_id", string_id(), nullable=True),
    Column("is_paused", Boolean, nullable=True),
    Column("is_subdag", Boolean, nullable=True),
    Column("is_active", Boolean, nullable=True),
    Column("last_parsed_time", UtcDateTime, nullable=True),
    Column("last_pickled", UtcDateTime, nullable=True),
    Column("last_expired", UtcDateTime, nullable=True),
    Column("scheduler_lock", Boolean, nullable=True),
    Column("pickle_id", Integer, nullable=True),
    Column("fileloc", String(2000), nullable=True),
    Column("processor_subdir", String(2000), nullable=True),
    Column("owners", String(2000), nullable=True),
    Column("dag_display_name", String(2000), nullable=True),
    Column("description", Text, nullable=True),
    Column("default_view", String(25), nullable=True),
    Column("schedule_interval", Text, nullable=True),
    Column("timetable_description", String(1000), nullable=True),
    Column("dataset_expression", JSON, nullable=True),
    Column("max_active_tasks", Integer, nullable=False),
    Column("max_active_runs", Integer, nullable=True),
    Column("max_consecutive_failed_dag_runs", Integer, nullable=False),
    Column("has_task_concurrency_limits", Boolean, nullable=False),
    Column("has_import_errors", Boolean, nullable=True, server_default=text("false")),
    Column("next_dagrun", UtcDateTime, nullable=True),
    Column("next_dagrun_data_interval_start", UtcDateTime, nullable=True),
    Column("next_dagrun_data_interval_end", UtcDateTime, nullable=True),
    Column("next_dagrun_create_after", UtcDateTime, nullable=True),
    PrimaryKeyConstraint("dag_id", name="dag_pkey"),
)

dag_run = Table(
    "dag_run",
    metadata,
    Column("id", Integer, autoincrement=True, nullable=False),
    Column("dag_id", string_id(), nullable=False),
    Column("queued_at", UtcDateTime, nullable=True),
    Column("execution_date", UtcDateTime, nullable=False),
    Column("start_date", UtcDateTime, nullable=True),
    Column("end_date", UtcDateTime, nullable=True),
    Column("state", String(50), nullable=True),
    Column("run_id", string_id(), nullable=False),
    Column("creating_job_id", Integer, nullable=True),
    Column("external_trigger", Boolean, nullable=True),
    Column("run_type", String(50), nullable=False),
    # Airflow 2 pickles the conf (PickleType): never unpickled here but by
    # resolvers.airflow2.conf's restricted unpickler.
    Column("conf", LargeBinary, nullable=True),
    Column("data_interval_start", UtcDateTime, nullable=True),
    Column("data_interval_end", UtcDateTime, nullable=True),
    Column("last_scheduling_decision", UtcDateTime, nullable=True),
    Column("dag_hash", String(32), nullable=True),
    Column("log_template_id", Integer, nullable=True),
    Column("updated_at", UtcDateTime, nullable=True),
    Column("clear_number", Integer, nullable=False, server_default=text("0")),
    PrimaryKeyConstraint("id", name="dag_run_pkey"),
)

task_instance = Table(
    "task_instance",
    metadata,
    Column("task_id", string_id(), nullable=False),
    Column("dag_id", string_id(), nullable=False),
    Column("run_id", string_id(), nullable=False),
    Column("map_index", Integer, nullable=False, server_default=text("-1")),
    Column("start_date", UtcDateTime, nullable=True),
    Column("end_date", UtcDateTime, nullable=True),
    Column("duration", Float, nullable=True),
    Column("state", String(20), nullable=True),
    Column("try_number", Integer, nullable=True),
    Column("max_tries", Integer, nullable=True, server_default=text("-1")),
    Column("hostname", String(1000), nullable=True),
    Column("unixname", String(1000), nullable=True),
    Column("job_id", Integer, nullable=True),
    Column("pool", String(256), nullable=False),
    Column("pool_slots", Integer, nullable=False),
    Column("queue", String(256), nullable=True),
    Column("priority_weight", Integer, nullable=True),
    Column("operator", String(1000), nullable=True),
    Column("custom_operator_name", String(1000), nullable=True),
    Column("queued_dttm", UtcDateTime, nullable=True),
    Column("queued_by_job_id", Integer, nullable=True),
    Column("pid", Integer, nullable=True),
    Column("executor", String(1000), nullable=True),
    Column("executor_config", LargeBinary, nullable=True),
    Column("updated_at", UtcDateTime, nullable=True),
    Column("rendered_map_index", String(250), nullable=True),
    Column("external_executor_id", String(250), nullable=True),
    Column("trigger_id", Integer, nullable=True),
    Column("trigger_timeout", UtcDateTime, nullable=True),
    Column("next_method", String(1000), nullable=True),
    Column("next_kwargs", JSON, nullable=True),
    Column("task_display_name", String(2000), nullable=True),
    PrimaryKeyConstraint("dag_id", "task_id", "run_id", "map_index", name="task_instance_pkey"),
    # Airflow 2.11's indexes (the task counts read through ti_dag_run, by name on MySQL).
    Index("ti_job_id", "job_id"),
    Index("ti_state", "state"),
    Index("ti_trigger_id", "trigger_id"),
    Index("ti_dag_run", "dag_id", "run_id"),
    Index("ti_state_lkp", "dag_id", "task_id", "run_id", "state"),
    Index("ti_pool", "pool", "state", "priority_weight"),
    Index("ti_dag_state", "dag_id", "state"),
)

log = Table(
    "log",
    metadata,
    Column("id", Integer, autoincrement=True, nullable=False),
    Column("dttm", UtcDateTime, nullable=True),
    Column("dag_id", string_id(), nullable=True),
    Column("task_id", string_id(), nullable=True),
    Column("map_index", Integer, nullable=True),
    Column("event", String(60), nullable=True),
    Column("execution_date", UtcDateTime, nullable=True),
    Column("run_id", string_id(), nullable=True),
    Column("owner", String(500), nullable=True),
    Column("owner_display_name", String(500), nullable=True),
    Column("extra", Text, nullable=True),
    Column("try_number", Integer, nullable=True),
    PrimaryKeyConstraint("id", name="log_pkey"),
)
