#!/usr/bin/env python3
"""Deterministic Airflow backfill data for the benchmark, loaded into PostgreSQL.

    python bench/gen_data.py --size small|large|tiny [--dsn postgresql://postgres@127.0.0.1:5432/bench]

The tables are exactly the gateway's `db.tables.metadata` (Airflow 3.3's DDL:
backfill, dag, dag_run, backfill_dag_run, log), with no extra index. Loading
goes: CREATE TABLE without keys -> COPY (asyncpg binary COPY, in chunks) ->
primary keys, unique constraints, indexes, foreign keys (the DDL SQLAlchemy
compiles from the metadata) -> sequences -> VACUUM ANALYZE. The dataset's
identity (preset, seed, row counts, per-table md5) is written as the comment
of the database, so no bookkeeping table is added next to Airflow's.

Everything derives from `--seed` and fixed dates (no clock, no hash
randomization), so two runs give byte-identical tables; the md5 per table
printed at the end proves it.

Shape (see PRESETS):
  * dags `bench_dag_0001..N`, 2/3 @daily, 1/3 @hourly, each with a `dag` row;
  * backfills round-robin over the dags; each covers its own date range of its
    dag, disjoint from the others (so dag_run's unique keys hold); ids follow
    creation time;
  * like Airflow, a DAG has at most one active backfill: its latest. That one is
    running (12/20 of the dags), paused (2/20), an orphan (1/20: no slots, old,
    not completed) or completed (5/20); every earlier backfill is completed, a
    few of them cancelled (paused + completed, leftover queued runs failed);
  * slot counts: `small` 24..36 per backfill plus two 1,000-slot backfills
    (ids 1 and 2, for the deep-pagination query); `large` 68% x 30, 22% x 365,
    10% x 1,000 (~1M slots);
  * ~10% of the slots skipped: dag_run_id NULL, exception_reason
    'already exists' (70%) or 'in flight' (30%), and the scheduled run that
    blocked the date exists in dag_run; ~0.3% of the slots of completed
    backfills lost their run (both NULL, as after ON DELETE SET NULL);
  * ~10% reverse (run-backwards) backfills: sort_ordinal 1 is the latest date;
  * run states queued / running / success / failed (running up to
    max_active_runs in an active backfill, queued behind them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import MetaData  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable  # noqa: E402

from backfill_gateway.db.airflow_schema import REVISION_OF  # noqa: E402
from backfill_gateway.db.tables import metadata  # noqa: E402

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/bench"
GENERATOR = "backfill-gateway bench/gen_data.py v1"
AIRFLOW_REVISION = REVISION_OF["3.3"]  # db.tables is Airflow 3.3's DDL

# Fixed dates: nothing depends on the clock of the machine that generates.
ANCHOR = datetime(2026, 10, 1, tzinfo=UTC)  # "now" of the dataset; all data lies before it
CREATION_SPAN = timedelta(days=400)  # backfill creation times spread over this span
DAILY_START = datetime(1995, 1, 1, tzinfo=UTC)
HOURLY_START = datetime(2024, 6, 1, tzinfo=UTC)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


@dataclass(frozen=True)
class Preset:
    dags: int
    backfills: int
    mix: str  # "small": 24..36 slots; "large": 30 / 365 / 1000
    big_backfills: int  # the first N backfills get 1000 slots


PRESETS = {
    "tiny": Preset(dags=3, backfills=12, mix="small", big_backfills=2),
    "small": Preset(dags=20, backfills=200, mix="small", big_backfills=2),
    "large": Preset(dags=200, backfills=5000, mix="large", big_backfills=0),
}

# Role of each DAG's latest backfill, by dag index modulo 20 (deterministic, so
# even `small` has its orphan and paused backfills).
LATEST_ROLE = ["running"] * 12 + ["paused"] * 2 + ["orphan"] + ["completed"] * 5

USERS = ["admin", "airflow", "data_eng_bot"] + [f"user_{k:02d}" for k in range(12)]

# COPY column lists; every name is a column of db.tables (tests check it).
BACKFILL_COLUMNS = (
    "id", "dag_id", "from_date", "to_date", "dag_run_conf", "is_paused", "reprocess_behavior",
    "max_active_runs", "created_at", "completed_at", "updated_at", "triggering_user_name",
)  # fmt: skip
DAG_COLUMNS = (
    "dag_id", "is_paused", "is_stale", "last_parsed_time", "fileloc", "relative_fileloc",
    "bundle_name", "owners", "timetable_type", "timetable_summary", "timetable_description",
    "partition_mapper_info", "max_active_tasks", "max_active_runs",
    "max_consecutive_failed_dag_runs", "has_task_concurrency_limits",
)  # fmt: skip
DAG_RUN_COLUMNS = (
    "id", "dag_id", "queued_at", "logical_date", "start_date", "end_date", "state", "run_id",
    "run_type", "triggered_by", "triggering_user_name", "conf", "data_interval_start",
    "data_interval_end", "run_after", "last_scheduling_decision", "created_at", "updated_at",
    "clear_number", "backfill_id", "span_status",
)  # fmt: skip
SLOT_COLUMNS = (
    "id", "backfill_id", "dag_run_id", "exception_reason", "logical_date", "partition_key",
    "sort_ordinal",
)  # fmt: skip
COPY_COLUMNS = {
    "dag": DAG_COLUMNS,
    "backfill": BACKFILL_COLUMNS,
    "dag_run": DAG_RUN_COLUMNS,
    "backfill_dag_run": SLOT_COLUMNS,
}
# Order of the digest per table (the primary key).
DIGEST_ORDER = {"backfill": "id", "dag": "dag_id", "dag_run": "id", "backfill_dag_run": "id", "log": "id"}


@dataclass
class Chunk:
    """Rows of a run of consecutive backfills, one list of tuples per table."""

    rows: dict[str, list[tuple]] = field(
        default_factory=lambda: {name: [] for name in COPY_COLUMNS}
    )

    def size(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


@dataclass
class Stats:
    backfills: int = 0
    slots: int = 0
    dag_runs: int = 0
    skipped_slots: int = 0
    run_missing_slots: int = 0
    orphans: int = 0
    paused: int = 0
    cancelled: int = 0
    completed: int = 0
    reverse: int = 0
    slot_sizes: dict[int, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)


class Generator:
    """Yields the dataset in chunks; the same (preset, seed) always yields the same rows."""

    def __init__(self, preset: Preset, seed: int, chunk_rows: int = 60_000) -> None:
        self.p = preset
        self.rng = random.Random(seed)
        self.chunk_rows = chunk_rows
        self.stats = Stats()
        self._dag_run_id = 0
        self._slot_id = 0

    # -------------------------------------------------------------- helpers
    def _slot_count(self, index: int) -> int:
        if index < self.p.big_backfills:
            return 1000
        if self.p.mix == "small":
            return self.rng.randint(24, 36)
        r = self.rng.random()
        return 30 if r < 0.68 else 365 if r < 0.90 else 1000

    def _dag_run(self, chunk: Chunk, *, dag_id: str, logical_date: datetime, interval: timedelta,
                 state: str, run_type: str, triggered_by: str, user: str | None, conf: str,
                 backfill_id: int | None, queued_at: datetime, created_at: datetime) -> int:
        rng = self.rng
        self._dag_run_id += 1
        start = end = None
        if state in ("running", "success", "failed"):
            start = queued_at + timedelta(seconds=rng.randint(1, 600))
        if state in ("success", "failed"):
            end = start + timedelta(seconds=rng.randint(5, 3600))
        interval_end = logical_date + interval
        chunk.rows["dag_run"].append((
            self._dag_run_id, dag_id, queued_at, logical_date, start, end, state,
            f"{run_type}__{logical_date.isoformat()}", run_type, triggered_by, user, conf,
            logical_date, interval_end, interval_end, end or start, created_at,
            end or start or queued_at, 0, backfill_id, "not_started",
        ))  # fmt: skip
        self.stats.dag_runs += 1
        self.stats.states[state] = self.stats.states.get(state, 0) + 1
        return self._dag_run_id

    # -------------------------------------------------------------- dataset
    def dags(self) -> list[dict]:
        out = []
        for i in range(1, self.p.dags + 1):
            hourly = i % 3 == 0
            out.append({
                "dag_id": f"bench_dag_{i:04d}",
                "interval": HOUR if hourly else DAY,
                "schedule": "@hourly" if hourly else "@daily",
                "cursor": HOURLY_START if hourly else DAILY_START,
            })  # fmt: skip
        return out

    def chunks(self) -> Iterator[Chunk]:
        rng, p, st = self.rng, self.p, self.stats
        dags = self.dags()
        chunk = Chunk()
        for dag in dags:
            chunk.rows["dag"].append((
                dag["dag_id"], False, False, ANCHOR - timedelta(minutes=5),
                f"/opt/airflow/dags/{dag['dag_id']}.py", f"{dag['dag_id']}.py", "dags-folder",
                "airflow", "airflow.timetables.interval.CronDataIntervalTimetable",
                dag["schedule"], "At 00:00" if dag["schedule"] == "@daily" else "Every hour",
                "{}", 16, 16, 0, False,
            ))  # fmt: skip
        spacing = CREATION_SPAN / p.backfills
        for index in range(p.backfills):
            backfill_id = index + 1
            dag = dags[index % p.dags]
            interval = dag["interval"]
            latest = index >= p.backfills - p.dags  # the DAG's latest backfill
            role = LATEST_ROLE[(index % p.dags) % len(LATEST_ROLE)] if latest else "completed"
            if index < p.big_backfills and role == "orphan":
                role = "completed"  # the 1000-slot backfills always have their slots
            n_slots = 0 if role == "orphan" else self._slot_count(index)
            reverse = n_slots > 0 and rng.random() < 0.10
            cancelled = role == "completed" and not latest and rng.random() < 0.05
            from_date = dag["cursor"]
            to_date = from_date + interval * max(n_slots - 1, 0)
            dag["cursor"] = to_date + interval * rng.randint(1, 30)
            created_at = ANCHOR - CREATION_SPAN + spacing * index + timedelta(
                seconds=rng.randint(0, int(spacing.total_seconds() // 2))
            )
            if role == "orphan":  # creation crashed long ago (well past the grace period)
                created_at = min(created_at, ANCHOR - timedelta(days=2))
            user = rng.choice(USERS)
            conf = "{}" if rng.random() < 0.7 else json.dumps({"param": rng.randint(1, 100), "note": "bench"})
            max_active = rng.choice((5, 10, 10, 10, 20))
            reprocess = rng.choice(("none", "none", "failed", "completed"))
            completed_at = None
            if role == "completed":
                completed_at = created_at + timedelta(seconds=rng.randint(600, 3 * 86400))
                completed_at = min(completed_at, ANCHOR - timedelta(seconds=60))
            is_paused = role == "paused" or cancelled
            updated_at = completed_at or created_at + timedelta(seconds=rng.randint(0, 3600))
            chunk.rows["backfill"].append((
                backfill_id, dag["dag_id"], from_date, to_date, conf, is_paused, reprocess,
                max_active, created_at, completed_at, updated_at, user,
            ))  # fmt: skip
            st.backfills += 1
            st.slot_sizes[n_slots] = st.slot_sizes.get(n_slots, 0) + 1
            st.orphans += role == "orphan"
            st.paused += role == "paused"
            st.cancelled += cancelled
            st.completed += completed_at is not None
            st.reverse += reverse
            # Runs before `progress` (in processing order) are finished; in an active
            # backfill the next `max_active` are running and the rest queued.
            if role == "completed":
                progress = rng.randint(0, n_slots) if cancelled else n_slots
            else:
                progress = rng.randint(0, n_slots)
            running_left = max_active if role == "running" else (rng.randint(0, 2) if cancelled else 0)
            for k in range(n_slots):
                ordinal = k + 1
                logical_date = (to_date - interval * k) if reverse else (from_date + interval * k)
                self._slot_id += 1
                st.slots += 1
                if rng.random() < 0.10:
                    # Skipped: a scheduled run already holds this date.
                    reason = "already exists" if rng.random() < 0.7 else "in flight"
                    if reason == "already exists":
                        state = "success" if rng.random() < 0.9 else "failed"
                    else:
                        state = "running" if rng.random() < 0.5 else "queued"
                    self._dag_run(
                        chunk, dag_id=dag["dag_id"], logical_date=logical_date, interval=interval,
                        state=state, run_type="scheduled", triggered_by="TIMETABLE", user=None,
                        conf="{}", backfill_id=None, queued_at=logical_date + interval,
                        created_at=logical_date + interval,
                    )
                    chunk.rows["backfill_dag_run"].append(
                        (self._slot_id, backfill_id, None, reason, logical_date, None, ordinal)
                    )
                    st.skipped_slots += 1
                    continue
                if k < progress:
                    state = "success" if rng.random() < 0.9 else "failed"
                elif running_left > 0:
                    state, running_left = "running", running_left - 1
                elif cancelled:
                    state = "failed"  # cancel fails the queued runs
                else:
                    state = "queued"
                if role == "completed" and not cancelled and rng.random() < 0.003:
                    # The run was deleted since: ON DELETE SET NULL left an empty slot.
                    chunk.rows["backfill_dag_run"].append(
                        (self._slot_id, backfill_id, None, None, logical_date, None, ordinal)
                    )
                    st.run_missing_slots += 1
                    continue
                dag_run_id = self._dag_run(
                    chunk, dag_id=dag["dag_id"], logical_date=logical_date, interval=interval,
                    state=state, run_type="backfill", triggered_by="BACKFILL", user=user,
                    conf=conf, backfill_id=backfill_id,
                    queued_at=created_at + timedelta(seconds=k % 50), created_at=created_at,
                )
                chunk.rows["backfill_dag_run"].append(
                    (self._slot_id, backfill_id, dag_run_id, None, logical_date, None, ordinal)
                )
            if chunk.size() >= self.chunk_rows:
                yield chunk
                chunk = Chunk()
        if chunk.size():
            yield chunk


def generate_rows(size: str, seed: int) -> tuple[dict[str, list[tuple]], Stats]:
    """The whole dataset in memory (for tests and small presets)."""
    gen = Generator(PRESETS[size], seed)
    tables: dict[str, list[tuple]] = {name: [] for name in COPY_COLUMNS}
    for chunk in gen.chunks():
        for name, rows in chunk.rows.items():
            tables[name].extend(rows)
    return tables, gen.stats


# ------------------------------------------------------------------ DDL
def _dialect():
    return postgresql.dialect()


def _sql(element) -> str:
    return str(element.compile(dialect=_dialect())).strip()


def table_ddl() -> tuple[list[str], list[str], list[str]]:
    """(create bare tables, drop their inline keys, add keys + indexes + FKs) for db.tables.

    The tables come out exactly as `metadata.create_all` makes them (SERIAL ids
    included); only the order differs: keys, indexes and foreign keys are added
    after the data is in.
    """
    # AddConstraint marks its constraint as "not inline" for later CREATE TABLEs;
    # work on a copy so that db.tables.metadata is left as it is.
    copy = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(copy)
    create, drop_inline, finish, fks = [], [], [], []
    for table in copy.sorted_tables:
        create.append(_sql(CreateTable(table, include_foreign_key_constraints=[])))
        inline = sorted(
            (c for c in table.constraints if c.__visit_name__ in ("primary_key_constraint", "unique_constraint")),
            key=lambda c: (c.__visit_name__ != "primary_key_constraint", c.name),
        )
        for constraint in inline:
            drop_inline.append(f'ALTER TABLE {table.name} DROP CONSTRAINT "{constraint.name}"')
            finish.append(_sql(AddConstraint(constraint)))
        for index in sorted(table.indexes, key=lambda i: i.name):
            finish.append(_sql(CreateIndex(index)))
        for fk in sorted(table.foreign_key_constraints, key=lambda c: c.name):
            fks.append(_sql(AddConstraint(fk)))
    return create, drop_inline, finish + fks


def expected_schema_objects() -> dict[str, set[str]]:
    """Names of the constraints and indexes db.tables declares, per table."""
    out = {}
    for table in metadata.sorted_tables:
        names = {c.name for c in table.constraints} | {i.name for i in table.indexes}
        out[table.name] = names
    return out


# ------------------------------------------------------------------ load
async def ensure_database(dsn: str) -> None:
    """Create the target database if it does not exist (connecting to `postgres`)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(dsn)
    try:
        conn = await asyncpg.connect(dsn)
        await conn.close()
        return
    except asyncpg.InvalidCatalogNameError:
        pass
    admin = await asyncpg.connect(url.set(database="postgres").render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE DATABASE "{url.database}"')
    finally:
        await admin.close()


async def table_digests(conn) -> dict[str, str]:
    """md5 over the text of every row in primary-key order, per table (UTC rendering)."""
    await conn.execute("SET TimeZone = 'UTC'")
    out = {}
    for name in sorted(DIGEST_ORDER):
        out[name] = await conn.fetchval(
            f"SELECT md5(coalesce(string_agg(md5(t::text), '' ORDER BY t.{DIGEST_ORDER[name]}), ''))"
            f" FROM {name} t"
        )
    return out


async def read_dataset_info(dsn: str) -> dict | None:
    """The dataset identity gen_data wrote as the database comment, or None."""
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        comment = await conn.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
            " WHERE datname = current_database()"
        )
    finally:
        await conn.close()
    try:
        info = json.loads(comment or "")
    except ValueError:
        return None
    return info if isinstance(info, dict) and info.get("generator", "").startswith("backfill-gateway") else None


async def load(dsn: str, size: str, seed: int, log=print) -> dict:
    import asyncpg

    t0 = time.perf_counter()
    await ensure_database(dsn)
    conn = await asyncpg.connect(dsn)
    timings = {}
    try:
        await conn.execute("SET client_min_messages = warning")
        dbname = await conn.fetchval("SELECT current_database()")
        # A half-loaded database must not look like a finished dataset.
        await conn.execute(f"COMMENT ON DATABASE {_quote_ident(dbname)} IS NULL")
        create, drop_inline, finish = table_ddl()
        t = time.perf_counter()
        async with conn.transaction():
            for table in reversed(metadata.sorted_tables):
                await conn.execute(f"DROP TABLE IF EXISTS {table.name} CASCADE")
            for statement in create + drop_inline:
                await conn.execute(statement)
        timings["create_s"] = time.perf_counter() - t

        gen = Generator(PRESETS[size], seed)
        t_gen = t_copy = 0.0
        async with conn.transaction():
            chunks = gen.chunks()
            while True:
                t = time.perf_counter()
                chunk = next(chunks, None)
                t_gen += time.perf_counter() - t
                if chunk is None:
                    break
                t = time.perf_counter()
                for name, rows in chunk.rows.items():
                    if rows:
                        await conn.copy_records_to_table(name, records=rows, columns=list(COPY_COLUMNS[name]))
                t_copy += time.perf_counter() - t
        timings["generate_s"], timings["copy_s"] = t_gen, t_copy

        t = time.perf_counter()
        await conn.execute("SET maintenance_work_mem = '512MB'")
        async with conn.transaction():
            for statement in finish:
                await conn.execute(statement)
            for table in metadata.sorted_tables:
                if "id" in table.c and table.c.id.autoincrement is True:
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                        f" (SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                    )
            # The revision of the schema db.tables describes: the gateway refuses a database
            # without exactly one alembic_version row (db.airflow_schema).
            await conn.execute("INSERT INTO alembic_version (version_num) VALUES ($1)", AIRFLOW_REVISION)
        timings["constraints_s"] = time.perf_counter() - t

        t = time.perf_counter()
        await conn.execute("VACUUM ANALYZE " + ", ".join(t.name for t in metadata.sorted_tables))
        timings["vacuum_analyze_s"] = time.perf_counter() - t

        t = time.perf_counter()
        await check_schema(conn)
        counts = {
            t.name: await conn.fetchval(f"SELECT count(*) FROM {t.name}") for t in metadata.sorted_tables
        }
        digests = await table_digests(conn)
        timings["verify_s"] = time.perf_counter() - t
        others = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND NOT tablename = ANY($1::text[])",
            [t.name for t in metadata.sorted_tables],
        )
        timings["total_s"] = time.perf_counter() - t0
        info = {
            "generator": GENERATOR,
            "size": size,
            "seed": seed,
            "rows": counts,
            "md5": digests,
            "stats": {
                k: v for k, v in vars(gen.stats).items() if k not in ("slot_sizes", "states")
            },
            "slot_sizes": {str(k): v for k, v in sorted(gen.stats.slot_sizes.items())},
            "dag_run_states": dict(sorted(gen.stats.states.items())),
        }
        await conn.execute(
            f"COMMENT ON DATABASE {_quote_ident(dbname)} IS {_quote_literal(json.dumps(info, sort_keys=True))}"
        )
        if others:
            log(f"note: other tables in public, not touched: {sorted(r['tablename'] for r in others)}")
    finally:
        await conn.close()
    return {**info, "timings": {k: round(v, 2) for k, v in timings.items()}}


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def check_schema(conn) -> None:
    """The loaded tables carry exactly the constraints and indexes db.tables declares."""
    rows = await conn.fetch(
        "SELECT c.relname AS table, x.name FROM ("
        "  SELECT conrelid AS rel, conname AS name FROM pg_constraint WHERE contype IN ('p','u','f')"
        "  UNION SELECT i.indrelid, ci.relname FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid"
        ") x JOIN pg_class c ON c.oid = x.rel JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relname = ANY($1::text[])",
        [t.name for t in metadata.sorted_tables],
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["table"], set()).add(row["name"])
    expected = expected_schema_objects()
    for table, names in expected.items():
        if found.get(table, set()) != names:
            raise RuntimeError(f"{table}: constraints/indexes {sorted(found.get(table, set()))} != {sorted(names)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(PRESETS), default="small")
    ap.add_argument("--dsn", default=DEFAULT_DSN)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json", action="store_true", help="print the result as one JSON object")
    a = ap.parse_args(argv)
    info = asyncio.run(load(a.dsn, a.size, a.seed))
    if a.json:
        print(json.dumps(info, sort_keys=True))
    else:
        print(format_info(info))
    return 0


def format_info(info: dict) -> str:
    t = info["timings"]
    return "\n".join([
        f"preset={info['size']} seed={info['seed']}",
        f"rows: {info['rows']}",
        f"dag_run states: {info['dag_run_states']}",
        f"slot sizes (slots: backfills): {info['slot_sizes']}",
        f"stats: {info['stats']}",
        f"md5: {info['md5']}",
        f"time: create {t['create_s']}s, generate {t['generate_s']}s, COPY {t['copy_s']}s, keys+indexes+FKs {t['constraints_s']}s, "
        f"VACUUM ANALYZE {t['vacuum_analyze_s']}s, checks+md5 {t['verify_s']}s, total {t['total_s']}s",
    ])  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
