"""How far a read replica is behind the primary, in seconds, per database.

PostgreSQL: `now() - pg_last_xact_replay_timestamp()` is the age of the last replayed
commit, which also grows on a replica that is current while the primary is idle. So
the replica counts as current (lag 0) when it has replayed everything the primary had
written when asked (`pg_current_wal_lsn()`, read first), or, with the primary
unreachable, everything it received. A server not in recovery (a promoted replica, or
a multi-host URL that chose the primary) is current by definition.
MySQL / MariaDB: `Seconds_Behind_Source` (`Seconds_Behind_Master` before MySQL 8.0.22
and on MariaDB); NULL means replication is stopped: lag unknown, infinite. A server
that is no replica (SQLite too) has lag 0.
"""

from __future__ import annotations

import math

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from backfill_gateway.db.engine import connected
from backfill_gateway.db.errors import is_unavailable

_PG_PRIMARY_POSITION = text("SELECT pg_current_wal_lsn()::text AS position")
_PG_REPLICA_STATE = text(
    "SELECT pg_is_in_recovery() AS in_recovery,"
    " pg_last_wal_receive_lsn()::text AS received,"
    " pg_last_wal_replay_lsn()::text AS replayed,"
    " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) AS since_last_replay"
)
# Newest name first; MariaDB and MySQL before 8.0.22 know only the second.
_MYSQL_STATUS = ("SHOW REPLICA STATUS", "SHOW SLAVE STATUS")
_MYSQL_LAG_COLUMNS = ("Seconds_Behind_Source", "Seconds_Behind_Master")


def wal_position(lsn: str) -> int:
    """PostgreSQL's `X/Y` log sequence number as one integer."""
    high, low = lsn.split("/")
    return (int(high, 16) << 32) | int(low, 16)


async def primary_wal_position(primary: AsyncEngine) -> int | None:
    """The primary's current WAL position; None when it is unreachable or no PostgreSQL."""
    if primary.dialect.name != "postgresql":
        return None
    try:
        async with connected(primary) as connection:
            position = (await connection.execute(_PG_PRIMARY_POSITION)).scalar_one()
    except Exception as error:
        if is_unavailable(error):
            return None
        # A standby answering as "primary" (mid-failover) cannot report a position.
        if "recovery is in progress" in str(error):
            return None
        raise
    return wal_position(position)


async def replica_lag_seconds(replica: AsyncEngine, primary_position: int | None) -> float:
    """Seconds the replica is behind (0: current, inf: unknown); raises when it does not answer."""
    async with connected(replica) as connection:
        if replica.dialect.name == "postgresql":
            row = (await connection.execute(_PG_REPLICA_STATE)).one()
            return _postgresql_lag(row, primary_position)
        if replica.dialect.name in ("mysql", "mariadb"):
            return await _mysql_lag(connection)
        return 0.0


def _postgresql_lag(row, primary_position: int | None) -> float:
    if not row.in_recovery:
        return 0.0
    if row.replayed is not None:
        replayed = wal_position(row.replayed)
        if primary_position is not None:
            if replayed >= primary_position:
                return 0.0
        elif row.received is not None and replayed >= wal_position(row.received):
            return 0.0
    if row.since_last_replay is None:  # nothing replayed since the replica started
        return math.inf
    return max(0.0, float(row.since_last_replay))


async def _mysql_lag(connection) -> float:
    error: Exception | None = None
    for statement in _MYSQL_STATUS:
        try:
            rows = (await connection.exec_driver_sql(statement)).mappings().all()
        except Exception as refused:  # noqa: BLE001 - the older name is tried next
            if is_unavailable(refused):
                raise
            error = refused
            continue
        if not rows:  # not a replica
            return 0.0
        lags = []
        for row in rows:  # one per replication channel: the slowest decides
            value = next((row[c] for c in _MYSQL_LAG_COLUMNS if c in row), None)
            lags.append(math.inf if value is None else float(value))
        return max(lags)
    # Both refused: no privilege to ask (REPLICATION CLIENT; MariaDB: SLAVE MONITOR).
    assert error is not None
    raise error
