"""The connection is lost at the finalize transaction's COMMIT: the answer tells the truth.

A write is never retried blindly. The gateway reaches the real server through a TCP proxy
that cuts the connection carrying the COMMIT, either before the server sees it (the
transaction rolls back) or after the server committed and before its answer reaches the
gateway. Either way the gateway asks the database, on a fresh connection, whether the
audit rows of this very call are there, and answers FINALIZED or "nothing was written".
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from backfill_gateway.app import create_app
from backfill_gateway.db.engine import create_engine
from tests.conftest import FIXED_NOW, gateway_settings
from tests.support.airflow_versions import LATEST
from tests.support.finalize import (
    ADMIN_NAME,
    TOKENS,
    audit_log,
    backfill_row,
    backfills_by_id,
    finalize,
    insert_rows,
    outcomes,
)
from tests.support.gateway import GatewayClient
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.parametrize(
    "empty_database", [("postgresql", LATEST), ("mysql", LATEST)], indirect=True,
    ids=["postgresql", "mysql"],
)

ORPHANS = [1, 2]
# The finalize transaction's last statement; the COMMIT after it is the one to cut (MySQL
# connections also COMMIT after setting their isolation level).
AUDIT_INSERT = b"INSERT INTO log"


@pytest.fixture
async def proxied(empty_database):
    url = make_url(empty_database.url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port)
    await proxy.start()
    engine = create_engine(empty_database.url, pool_size=1, max_overflow=1)
    await insert_rows(engine, backfills=[backfill_row(i) for i in ORPHANS])
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(
        hide_password=False
    )
    app = create_app(
        gateway_settings(through_proxy, tokens=TOKENS, db_connect_timeout_seconds=2),
        clock=lambda: FIXED_NOW,
    )
    client = GatewayClient(app)
    await client.ready()
    yield proxy, client, engine
    await client.close()
    await engine.dispose()
    await proxy.stop()


async def test_commit_that_reached_the_server_answers_finalized(proxied):
    proxy, client, engine = proxied
    proxy.cut_next_commit("after", after=AUDIT_INSERT)
    response = await finalize(client, backfillIds=ORPHANS, dryRun=False)
    assert proxy.commits_cut == 1
    assert outcomes(response) == {1: "FINALIZED", 2: "FINALIZED"}
    rows = await backfills_by_id(engine)
    assert [rows[i]["completed_at"] for i in ORPHANS] == [FIXED_NOW, FIXED_NOW]
    log = await audit_log(engine)
    assert [(row["owner"], row["extra"]["backfill_id"]) for row in log] == [
        (ADMIN_NAME, 1), (ADMIN_NAME, 2)
    ]
    # Asked again, the same call finds them completed: nothing is written twice.
    again = await finalize(client, backfillIds=ORPHANS, dryRun=False)
    assert outcomes(again) == {1: "ALREADY_COMPLETED", 2: "ALREADY_COMPLETED"}
    assert len(await audit_log(engine)) == 2


async def test_commit_that_never_reached_the_server_answers_nothing_written(proxied):
    proxy, client, engine = proxied
    proxy.cut_next_commit("before", after=AUDIT_INSERT)
    response = await finalize(client, backfillIds=ORPHANS, dryRun=False)
    assert proxy.commits_cut == 1
    assert response.error_codes == ["SERVICE_UNAVAILABLE"]
    assert "nothing was written" in response.errors[0]["message"]
    assert "Traceback" not in str(response.body)
    rows = await backfills_by_id(engine)
    assert [rows[i]["completed_at"] for i in ORPHANS] == [None, None]
    assert await audit_log(engine) == []
    # The client's retry then finalizes them, once.
    again = await finalize(client, backfillIds=ORPHANS, dryRun=False)
    assert outcomes(again) == {1: "FINALIZED", 2: "FINALIZED"}
    assert len(await audit_log(engine)) == 2
