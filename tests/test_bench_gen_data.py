"""Smoke test of the benchmark's data generator on its `tiny` preset (no timings)."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from backfill_gateway.db.tables import metadata
from bench import gen_data


@pytest.fixture(scope="module")
def tiny():
    return gen_data.generate_rows("tiny", 42)


def test_same_seed_same_rows_other_seed_other_rows(tiny):
    again, _ = gen_data.generate_rows("tiny", 42)
    assert again == tiny[0]
    other, _ = gen_data.generate_rows("tiny", 43)
    assert other != tiny[0]


def test_copy_columns_are_airflow_columns_and_fill_every_required_one():
    for name, columns in gen_data.COPY_COLUMNS.items():
        table = metadata.tables[name]
        assert set(columns) <= set(table.c.keys()), name
        required = {c.name for c in table.c if not c.nullable and c.server_default is None}
        assert required <= set(columns), name


def test_rows_keep_airflow_constraints_and_cover_the_workloads(tiny):
    rows, stats = tiny
    cols = {name: gen_data.COPY_COLUMNS[name] for name in rows}

    def as_dicts(name):
        return [dict(zip(cols[name], row, strict=True)) for row in rows[name]]

    backfills, runs, slots = as_dicts("backfill"), as_dicts("dag_run"), as_dicts("backfill_dag_run")
    assert len(backfills) == gen_data.PRESETS["tiny"].backfills
    # dag_run's unique keys, and slots point at existing runs, once per backfill.
    assert len({(r["dag_id"], r["run_id"]) for r in runs}) == len(runs)
    assert len({(r["dag_id"], r["logical_date"]) for r in runs}) == len(runs)
    run_ids = {r["id"] for r in runs}
    linked = [(s["backfill_id"], s["dag_run_id"]) for s in slots if s["dag_run_id"] is not None]
    assert len(set(linked)) == len(linked)
    assert {run for _, run in linked} <= run_ids
    # sort_ordinal is 1..N per backfill, in id order.
    per_backfill = defaultdict(list)
    for s in slots:
        per_backfill[s["backfill_id"]].append(s["sort_ordinal"])
    assert all(ordinals == list(range(1, len(ordinals) + 1)) for ordinals in per_backfill.values())
    assert Counter(len(v) for v in per_backfill.values())[1000] >= 2  # the deep-pagination query
    # Skipped slots have a reason and no run; all four run states occur.
    reasons = Counter(s["exception_reason"] for s in slots if s["dag_run_id"] is None)
    assert set(reasons) <= {"already exists", "in flight", None}
    assert reasons["already exists"] and reasons["in flight"]
    assert {r["state"] for r in runs} == {"queued", "running", "success", "failed"}
    assert stats.slots == len(slots) and stats.dag_runs == len(runs)
    # Every timestamp is timezone-aware (COPY into timestamptz).
    assert all(r["created_at"].tzinfo is not None for r in backfills)


def test_ddl_covers_every_constraint_and_index():
    create, drop_inline, finish = gen_data.table_ddl()
    assert len(create) == len(metadata.sorted_tables)
    text = "\n".join(finish)
    for names in gen_data.expected_schema_objects().values():
        for name in names:
            assert name in text


async def test_load_into_postgresql_is_byte_identical(tmp_path):
    """Load `tiny` twice into a throwaway PostgreSQL database (skipped without a server)."""
    from tests.support.databases import ServerUnavailable, throwaway_database

    try:
        async with throwaway_database("postgresql", tmp_path) as database:
            dsn = database.url.replace("postgresql+asyncpg://", "postgresql://", 1)
            first = await gen_data.load(dsn, "tiny", 42, log=lambda *_: None)
            second = await gen_data.load(dsn, "tiny", 42, log=lambda *_: None)
            info = await gen_data.read_dataset_info(dsn)
    except ServerUnavailable as unavailable:
        if unavailable.required:
            raise
        pytest.skip(str(unavailable))
    assert first["md5"] == second["md5"]
    assert first["rows"]["backfill_dag_run"] == len(gen_data.generate_rows("tiny", 42)[0]["backfill_dag_run"])
    assert info["size"] == "tiny" and info["md5"] == second["md5"]


def test_ddl_leaves_the_metadata_alone():
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    gen_data.table_ddl()
    ddl = str(CreateTable(metadata.tables["backfill"]).compile(dialect=postgresql.dialect()))
    assert "CONSTRAINT backfill_pkey PRIMARY KEY" in ddl
