"""Airflow 2.11 databases for tests: Airflow's own DDL (tests/airflow_ddl/2.11/), and a
writer that records backfills the way Airflow 2's `airflow dags backfill` does (NOTES.md
beside the DDL): a BackfillJob row, its audit row, the runs it creates or takes over, and
their task instances with the LocalTaskJob rows of their attempts.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import orjson
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from backfill_gateway.db.airflow2.tables import dag, dag_run, job, log, metadata, task_instance
from backfill_gateway.db.engine import create_engine

DDL_DIR = Path(__file__).resolve().parents[1] / "airflow_ddl" / "2.11"
REVISION = "5f2621c13b39"
# The two tables the dump's foreign keys name but that the dump leaves out (Airflow has them).
PG_REFERENCED = (
    'CREATE TABLE public.log_template (id integer PRIMARY KEY);\n'
    'CREATE TABLE public."trigger" (id integer PRIMARY KEY);\n'
)
SQLITE_REFERENCED = PG_REFERENCED.replace("public.", "")


async def create_airflow2_schema(url: str) -> AsyncEngine:
    """Run Airflow 2.11's DDL in an empty database; returns a gateway-configured engine."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(parsed.database) as connection:
            connection.executescript(
                SQLITE_REFERENCED + (DDL_DIR / "schema_sqlite.sql").read_text()
            )
            connection.execute("PRAGMA journal_mode=WAL")
    elif parsed.get_backend_name() == "postgresql":
        script = "\n".join(
            line
            for line in (DDL_DIR / "schema_pg.sql").read_text().splitlines()
            if not line.startswith("\\")
        )
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(PG_REFERENCED + script)
        finally:
            await connection.close()
    engine = create_engine(url, pool_size=2, max_overflow=2)
    async with engine.begin() as connection:
        if parsed.get_backend_name() in ("mysql", "mariadb"):
            # No MySQL dump of 2.11 here: the MySQL flavour of the same columns (TIMESTAMP(6),
            # binary-collated ids, BLOB confs), from db/airflow2/tables.py, which
            # tests/db/test_airflow2_tables.py checks against the DDL.
            await connection.run_sync(metadata.create_all)
            await connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        await connection.exec_driver_sql(
            f"INSERT INTO alembic_version (version_num) VALUES ('{REVISION}')"
        )
    return engine


def _on_mysql(connection) -> bool:
    return connection.dialect.name in ("mysql", "mariadb")


def _unhexed(values: dict) -> dict:
    # aiomysql 0.3 cannot bind bytes with PyMySQL 1.2 (its escape_bytes_prefixed is gone):
    # on MySQL/MariaDB pickles travel as hex and the server turns them back into bytes.
    return {k: func.unhex(v.hex()) if isinstance(v, bytes) else v for k, v in values.items()}


async def insert_rows(connection, table, rows: list[dict]) -> None:
    if _on_mysql(connection):
        await connection.execute(insert(table).values([_unhexed(row) for row in rows]))
    else:
        await connection.execute(insert(table), rows)


@dataclass
class Airflow2Writer:
    """Writes rows as Airflow 2.11 does; job and run ids are given so tests can name them
    (`log` ids come from the database, as the gateway's own audit rows do)."""

    engine: AsyncEngine
    next_job_id: int = 1
    next_run_id: int = 1
    jobs: dict[int, dict] = field(default_factory=dict)

    async def _insert(self, table, rows) -> None:
        async with self.engine.begin() as connection:
            await insert_rows(connection, table, rows)

    async def _update(self, table, where, values) -> None:
        if _on_mysql(self.engine):
            values = _unhexed(values)
        async with self.engine.begin() as connection:
            await connection.execute(update(table).where(*where).values(**values))

    async def add_dag(self, dag_id: str, **values) -> None:
        await self._insert(dag, [{
            "dag_id": dag_id, "is_paused": False, "is_subdag": False, "is_active": True,
            "fileloc": f"/opt/airflow/dags/{dag_id}.py", "owners": "data-eng, ops",
            "schedule_interval": '"@daily"', "timetable_description": "At 00:00",
            "max_active_tasks": 16, "max_active_runs": 3, "max_consecutive_failed_dag_runs": 0,
            "has_task_concurrency_limits": False, "has_import_errors": False,
            "dag_display_name": None, "description": f"{dag_id} pipeline", **values,
        }])  # fmt: skip

    async def add_job(self, job_type: str, *, state: str = "running", start: datetime,
                      heartbeat: datetime | None = None, end: datetime | None = None,
                      dag_id: str | None = None) -> int:  # fmt: skip
        job_id = self.next_job_id
        self.next_job_id += 1
        await self._insert(job, [{
            "id": job_id, "dag_id": dag_id, "state": state, "job_type": job_type,
            "start_date": start, "end_date": end, "latest_heartbeat": heartbeat or start,
            "executor_class": "LocalExecutor", "hostname": "worker-1.internal",
            "unixname": "airflow",
        }])  # fmt: skip
        return job_id

    async def start_backfill(self, dag_id: str, argv_tail: list[str], *, at: datetime,
                             log_it: bool = True) -> int:  # fmt: skip
        """`airflow dags backfill DAG ...`: the CLI audit row, then the BackfillJob row."""
        if log_it:
            argv = ["/usr/local/bin/airflow", "dags", "backfill", dag_id, *argv_tail]
            await self._insert(log, [{
                "dttm": at - timedelta(milliseconds=300), "dag_id": dag_id,
                "task_id": None, "map_index": None, "event": "cli_dag_backfill",
                "execution_date": None, "run_id": None, "owner": "airflow",
                "owner_display_name": None, "try_number": None,
                "extra": orjson.dumps({"host_name": "worker-1", "full_command": str(argv)}).decode(),
            }])  # fmt: skip
        return await self.add_job("BackfillJob", start=at)

    async def heartbeat(self, job_id: int, at: datetime) -> None:
        await self._update(job, [job.c.id == job_id], {"latest_heartbeat": at})

    async def end_job(self, job_id: int, state: str, at: datetime) -> None:
        await self._update(job, [job.c.id == job_id], {"state": state, "end_date": at, "latest_heartbeat": at})

    async def create_run(
        self, dag_id: str, logical_date: datetime, *, creating_job_id: int | None, at: datetime,
        run_type: str = "backfill", state: str = "running", conf: object = None,
        tasks: dict[str, str | None] | None = None, queued_by: int | None = None,
        end: datetime | None = None, raw_conf: bytes | None = None,
    ) -> int:  # fmt: skip
        """A run as Airflow 2 creates it, with one task instance per entry of `tasks`
        (task_id -> state), queued by `queued_by` (the backfill) unless still unqueued."""
        run_pk = self.next_run_id
        self.next_run_id += 1
        prefix = {"backfill": "backfill", "manual": "manual", "scheduled": "scheduled"}[run_type]
        await self._insert(dag_run, [{
            "id": run_pk, "dag_id": dag_id, "queued_at": at, "execution_date": logical_date,
            "start_date": at, "end_date": end, "state": state,
            "run_id": f"{prefix}__{logical_date.isoformat()}", "creating_job_id": creating_job_id,
            "external_trigger": run_type == "manual", "run_type": run_type,
            "conf": raw_conf if raw_conf is not None else pickle.dumps(conf if conf is not None else {}),
            "data_interval_start": logical_date, "data_interval_end": logical_date + timedelta(days=1),
            "last_scheduling_decision": at, "dag_hash": "0" * 32, "log_template_id": None,
            "updated_at": end or at, "clear_number": 0,
        }])  # fmt: skip
        if tasks:
            await self.set_tasks(run_pk, tasks, at=at, queued_by=queued_by)
        return run_pk

    async def run(self, run_pk: int) -> dict:
        async with self.engine.connect() as connection:
            row = (await connection.execute(select(dag_run).where(dag_run.c.id == run_pk))).one()
        return dict(row._mapping)

    async def set_tasks(self, run_pk: int, tasks: dict[str, str | None], *, at: datetime,
                        queued_by: int | None, supervisor_heartbeat: datetime | None = None) -> None:  # fmt: skip
        """Task instances in the given states; running ones get a LocalTaskJob (heartbeat
        `supervisor_heartbeat`, else `at`)."""
        run = await self.run(run_pk)
        rows = []
        for task_id, state in tasks.items():
            local_job = None
            if state == "running":
                local_job = await self.add_job(
                    "LocalTaskJob", start=at, heartbeat=supervisor_heartbeat or at, dag_id=run["dag_id"]
                )
            queued = state is not None and state != "scheduled"
            done = state in ("success", "failed", "skipped", "upstream_failed")
            rows.append({
                "task_id": task_id, "dag_id": run["dag_id"], "run_id": run["run_id"], "map_index": -1,
                "start_date": at if state in ("running", "success", "failed") else None,
                "end_date": at if done else None, "duration": 1.0 if done else None,
                "state": state, "try_number": 1 if queued else 0, "max_tries": 0,
                "hostname": "worker-1", "unixname": "airflow", "job_id": local_job,
                "pool": "default_pool", "pool_slots": 1, "queue": "default", "priority_weight": 1,
                "operator": "BashOperator", "custom_operator_name": None,
                "queued_dttm": at if queued else None, "queued_by_job_id": queued_by if queued else None,
                "pid": 4242 if state == "running" else None, "executor": None,
                "executor_config": pickle.dumps({}), "updated_at": at, "rendered_map_index": None,
                "external_executor_id": None, "trigger_id": None, "trigger_timeout": None,
                "next_method": None, "next_kwargs": None, "task_display_name": task_id,
            })  # fmt: skip
        await self._insert(task_instance, rows)

    async def take_over(self, run_pk: int, job_id: int, *, at: datetime,
                        tasks: dict[str, str | None]) -> None:  # fmt: skip
        """A backfill reusing an existing run: run_type forced to backfill, state running,
        start_date reset, conf overwritten; run_id, creating_job_id, queued_at stay. The
        tasks it queues get its id in queued_by_job_id."""
        await self._update(dag_run, [dag_run.c.id == run_pk], {
            "run_type": "backfill", "state": "running", "start_date": at, "end_date": None,
            "conf": pickle.dumps({}), "updated_at": at,
        })  # fmt: skip
        run = await self.run(run_pk)
        async with self.engine.begin() as connection:
            for task_id, state in tasks.items():
                await connection.execute(
                    update(task_instance)
                    .where(task_instance.c.dag_id == run["dag_id"],
                           task_instance.c.run_id == run["run_id"], task_instance.c.task_id == task_id)
                    .values(state=state, queued_by_job_id=job_id, queued_dttm=at, updated_at=at,
                            end_date=at if state in ("success", "failed") else None)
                )  # fmt: skip


@asynccontextmanager
async def airflow2_database(backend: str, tmp_path_factory) -> AsyncIterator[tuple]:
    """A throwaway database of `backend` with Airflow 2.11's tables: (database, engine)."""
    from tests.conftest import _enter_database

    async with AsyncExitStack() as stack:
        database = await _enter_database(backend, tmp_path_factory, stack)
        engine = await create_airflow2_schema(database.url)
        try:
            yield database, engine
        finally:
            await engine.dispose()


def airflow2_client(url: str, clock, **settings):
    """The gateway over HTTP on an Airflow 2 database, with the finalize tests' tokens."""
    from backfill_gateway.app import create_app
    from tests.conftest import gateway_settings
    from tests.support.finalize import TOKENS
    from tests.support.gateway import GatewayClient

    settings = {"tokens": TOKENS, **settings}  # Airflow 2.11 is detected
    return GatewayClient(create_app(gateway_settings(url, **settings), clock=clock))
