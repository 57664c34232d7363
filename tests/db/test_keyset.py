"""db.keyset: seek conditions, fetch order and boundary flags, run on every database."""

from __future__ import annotations

import pytest
from sqlalchemy import exists, select

from backfill_gateway.db.keyset import (
    AFTER_WINDOW_FLAG,
    BEFORE_WINDOW_FLAG,
    Seek,
    boundary_flags,
    fetch_order,
    parameterized_seek,
    range_conditions,
    seek_parameters,
    seek_shape,
)
from backfill_gateway.db.tables import backfill

COLUMNS = (backfill.c.created_at, backfill.c.id)


def python_order(dataset, descending: bool) -> list[tuple]:
    keys = [(row["created_at"], row["id"]) for row in dataset.backfills]
    return sorted(keys, reverse=descending)


async def keys_of(engine, seek: Seek) -> list[tuple]:
    shape = seek_shape(seek)
    bound = parameterized_seek(shape, COLUMNS)
    statement = (
        select(*COLUMNS)
        .where(*range_conditions(COLUMNS, bound))
        .order_by(*fetch_order(COLUMNS, bound))
        .limit(bound.limit)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(statement, seek_parameters(seek))).all()
    return [(created, id_) for created, id_ in rows]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("from_end", [False, True])
async def test_window_between_keys_in_fetch_order(demo_engine, demo_database, descending, from_end):
    order = python_order(demo_database.dataset, descending)
    after, before = order[3], order[12]
    seek = Seek(limit=4, descending=descending, from_end=from_end, after=after, before=before)
    window = order[4:12]
    expected = list(reversed(window))[:4] if from_end else window[:4]
    assert await keys_of(demo_engine, seek) == expected


async def test_parameters_fill_every_bind_parameter_of_the_cached_shape(demo_database):
    seek = Seek(limit=5, after=(1, 2), before=(3, 4))
    bound = parameterized_seek(seek_shape(seek), COLUMNS)
    statement = select(*COLUMNS).where(*range_conditions(COLUMNS, bound)).limit(bound.limit)
    names = set(statement.compile().params)
    assert (
        names
        == set(seek_parameters(seek))
        == {"limit", "after_0", "after_1", "before_0", "before_1"}
    )


@pytest.mark.parametrize("descending", [False, True])
async def test_boundary_flags_tell_whether_items_lie_beyond_the_window(
    demo_engine, demo_database, descending
):
    order = python_order(demo_database.dataset, descending)

    async def flags(seek: Seek) -> tuple[bool, bool]:
        bound = parameterized_seek(seek_shape(seek), COLUMNS)
        statement = select(
            *boundary_flags(bound, lambda condition: exists().where(condition(COLUMNS)))
        )
        async with demo_engine.connect() as connection:
            row = (await connection.execute(statement, seek_parameters(seek))).one()
        return bool(row._mapping[BEFORE_WINDOW_FLAG]), bool(row._mapping[AFTER_WINDOW_FLAG])

    assert await flags(Seek(limit=1, descending=descending)) == (False, False)
    middle = Seek(limit=1, descending=descending, after=order[1], before=order[-2])
    assert await flags(middle) == (True, True)
    # The flags count the cursor's own item: it lies outside the window.
    assert await flags(Seek(limit=1, descending=descending, after=order[-1])) == (True, False)
    assert await flags(Seek(limit=1, descending=descending, before=order[0])) == (False, True)
