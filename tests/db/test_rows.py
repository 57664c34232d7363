"""`fields_of` gives a row's `_fields`, kept per result shape, on every database and on
both read paths (SQLAlchemy's, and PostgreSQL's direct reads)."""

from __future__ import annotations

import pytest
from sqlalchemy import literal, select

from backfill_gateway.db.backfills import backfills_by_id
from backfill_gateway.db.keyset import Seek
from backfill_gateway.db.rows import fields_of
from backfill_gateway.db.session import ReadSession
from backfill_gateway.db.slots import SlotFilter, slot_pages
from tests.support.airflow_versions import LATEST

EVERY_DATABASE = pytest.mark.parametrize(
    "demo_database", [("sqlite", LATEST), ("postgresql", LATEST), ("mysql", LATEST)],
    indirect=True, ids=["sqlite", "postgresql", "mysql"],
)


def _shapes(airflow, dialect_name: str):
    yield backfills_by_id([1, 2, 3], airflow)
    page = slot_pages([1, 2], SlotFilter(), Seek(limit=3), None, dialect_name, airflow=airflow)
    yield page.statement, page.parameters
    yield select(literal(7).label("seven"), literal("x").label("id")), {}


@EVERY_DATABASE
async def test_a_rows_fields_kept_per_result_shape(demo_database, airflow, make_engine):
    engine = make_engine(demo_database.url)
    session = ReadSession([engine])
    seen: dict[tuple[str, ...], tuple[str, ...]] = {}
    try:
        for _ in range(2):  # a shape read again gets the fields it got the first time
            for statement, parameters in _shapes(airflow, engine.dialect.name):
                rows = await session.all(statement, parameters)
                assert rows
                for row in rows:
                    assert fields_of(row) == row._fields
                fields = fields_of(rows[0])
                # Kept, not built anew (row._fields is a new tuple on every access).
                assert fields_of(rows[-1]) is fields
                assert seen.setdefault(fields, fields) == fields
    finally:
        await session.close()
    # Three shapes, three different sets of names: none answered with another's.
    assert len(seen) == 3
