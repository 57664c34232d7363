"""The embedded demo dataset: realistic Airflow 3.3 backfill data, built deterministically.

The same rows serve two purposes: the SQLite file a newcomer explores in GraphiQL, and
the shared fixture data of the test suite on SQLite, PostgreSQL and MariaDB.

The data is not drawn at random row by row. A small simulation replays what Airflow
does (see tests/airflow_ddl/NOTES.md): the scheduler creates `scheduled` runs, users
create backfills one after another, and each backfill walks its dates in order and
creates a run, reuses (clears and takes over) an existing one, or records a skipped
slot, exactly as `airflow.models.backfill` decides. Runs then progress in waves of
`max_active_runs`; the scheduler completes a backfill once it owns no queued or
running run; cancel and pause behave as in Airflow. Every row is therefore
consistent with every other one, and each interesting case arises the way it would
in a real deployment.

Timestamps are relative to `now`: logical dates to `now` floored to the day or the
hour, the recent events (creations, pauses, cancels) to `now` itself. Shifting `now`
by whole days shifts every timestamp by the same amount and changes nothing else; any
other shift may also renumber dag runs (their ids follow creation time, and runs due at
full hours interleave differently with the recent backfills' runs).

JSON columns: `None` in a row stands for SQL NULL and `JSON_NULL` for the JSON value
`null` (Airflow's `backfill.dag_run_conf` is NOT NULL but may hold `null`).

The modules follow the simulation: `clock` (time), `dags`, `runs` (timetable dates,
a run's life, the runs created so far), `backfills` (specs and slot creation),
`progress` (waves of runs until completion), `assembly` (`build_demo_dataset`) and
`loading` (into a database, or the demo SQLite file).
"""

from backfill_gateway.demo.assembly import build_demo_dataset
from backfill_gateway.demo.dataset import JSON_NULL, SEED, DemoDataset
from backfill_gateway.demo.loading import (
    create_demo_database,
    demo_creation_lock,
    load_demo_dataset,
)

__all__ = [
    "JSON_NULL",
    "SEED",
    "DemoDataset",
    "build_demo_dataset",
    "create_demo_database",
    "demo_creation_lock",
    "load_demo_dataset",
]
