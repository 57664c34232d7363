"""A finalize transaction chosen as a deadlock's victim is tried again (PostgreSQL, MariaDB).

The deadlock is the database's own error, raised by a trigger the test puts on `log` (the
audit row is the transaction's last write): the first `victims` inserts fail with
PostgreSQL's deadlock_detected (40P01) or MariaDB's ER_LOCK_DEADLOCK (1213). The trigger's
counter lives outside the transaction (a sequence; an Aria table), so a rolled-back
attempt still uses one up. SQLite has no deadlocks (one writer at a time).
"""

from __future__ import annotations

import pytest

from backfill_gateway.app import create_app
from backfill_gateway.db.engine import create_engine
from backfill_gateway.resolvers.finalize import DEADLOCK_ATTEMPTS
from tests.conftest import FIXED_NOW, gateway_settings
from tests.support.finalize import (
    TOKENS,
    audit_log,
    backfill_row,
    finalize,
    insert_rows,
    outcomes,
    snapshot,
)
from tests.support.gateway import GatewayClient

pytestmark = pytest.mark.parametrize("empty_database", ["postgresql", "mysql"], indirect=True)


@pytest.fixture
async def engine(empty_database):
    engine = create_engine(empty_database.url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def client(empty_database):
    app = create_app(gateway_settings(empty_database.url, tokens=TOKENS), clock=lambda: FIXED_NOW)
    client = GatewayClient(app)
    yield client
    await client.close()


async def deadlock_the_first_audit_inserts(engine, victims: int) -> None:
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.exec_driver_sql("CREATE SEQUENCE test_deadlock_victims")
            await connection.exec_driver_sql(f"""
                CREATE FUNCTION test_deadlock() RETURNS trigger AS $$ BEGIN
                  IF nextval('test_deadlock_victims') <= {victims} THEN
                    RAISE EXCEPTION 'deadlock detected (test)' USING ERRCODE = '40P01';
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql""")  # fmt: skip
            await connection.exec_driver_sql(
                "CREATE TRIGGER test_deadlock BEFORE INSERT ON log"
                " FOR EACH ROW EXECUTE FUNCTION test_deadlock()"
            )
        else:
            await connection.exec_driver_sql("CREATE TABLE test_deadlock_victims (n INT) ENGINE=Aria")
            await connection.exec_driver_sql(f"INSERT INTO test_deadlock_victims VALUES ({victims})")
            await connection.exec_driver_sql("""
                CREATE TRIGGER test_deadlock BEFORE INSERT ON log FOR EACH ROW BEGIN
                  IF (SELECT n FROM test_deadlock_victims) > 0 THEN
                    UPDATE test_deadlock_victims SET n = n - 1;
                    SIGNAL SQLSTATE '40001'
                      SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found (test)';
                  END IF;
                END""")  # fmt: skip


async def test_a_deadlock_victim_is_tried_again_and_writes_once(engine, client):
    await insert_rows(engine, backfills=[backfill_row(1)])
    await deadlock_the_first_audit_inserts(engine, victims=1)
    response = await finalize(client, dryRun=False)
    assert outcomes(response) == {1: "FINALIZED"}
    assert [row["extra"]["backfill_id"] for row in await audit_log(engine)] == [1]
    assert outcomes(await finalize(client, dryRun=False)) == {}


async def test_deadlocks_on_every_attempt_answer_service_unavailable_with_nothing_written(
    engine, client
):
    await insert_rows(engine, backfills=[backfill_row(1)])
    await deadlock_the_first_audit_inserts(engine, victims=DEADLOCK_ATTEMPTS)
    before = await snapshot(engine)
    response = await finalize(client, dryRun=False)
    assert response.error_codes == ["SERVICE_UNAVAILABLE"]
    assert "nothing was written" in response.errors[0]["message"]
    assert await snapshot(engine) == before
    # every attempt was a victim; the next request finds no deadlock left
    assert outcomes(await finalize(client, dryRun=False)) == {1: "FINALIZED"}
