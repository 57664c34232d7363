"""Which database errors are an outage (SERVICE_UNAVAILABLE) and which are bugs (masked)."""

from __future__ import annotations

import pymysql
import pytest
from sqlalchemy import exc

from backfill_gateway.db.dags import possible_dag_ids
from backfill_gateway.db.errors import is_unavailable


def mysql_error(errno: int, cls=pymysql.err.OperationalError) -> exc.DBAPIError:
    return exc.DBAPIError.instance("SELECT 1", {}, cls(errno, "message"), pymysql.err.Error)


class PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("message")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (mysql_error(2013), True),  # lost connection during query
        (mysql_error(2003), True),  # can't connect
        (mysql_error(1969), True),  # MariaDB max_statement_time
        (mysql_error(3024), True),  # MySQL max_execution_time
        (mysql_error(1040), True),  # too many connections
        (mysql_error(1267), False),  # illegal mix of collations: a bug, not an outage
        (mysql_error(1054, pymysql.err.ProgrammingError), False),  # unknown column
        (exc.DBAPIError("SELECT 1", {}, PgError("57014")), True),  # statement timeout
        (exc.DBAPIError("SELECT 1", {}, PgError("08006")), True),  # connection failure
        (exc.DBAPIError("SELECT 1", {}, PgError("57P01")), True),  # admin shutdown
        (exc.DBAPIError("SELECT 1", {}, PgError("42703")), False),  # undefined column
        (exc.OperationalError("SELECT 1", {}, Exception("database is locked")), True),
        (exc.OperationalError("SELECT 1", {}, Exception("no such table: backfill")), False),
        (exc.TimeoutError("QueuePool limit reached"), True),
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError(), True),
        (ValueError("bug"), False),
    ],
)
def test_is_unavailable(error, unavailable):
    assert is_unavailable(error) is unavailable


def test_only_possible_dag_ids_reach_the_database():
    assert possible_dag_ids(["etl_daily", "a.b-c", "é_ok", "with space", "", "x" * 251, "😀", "a;b"]) == [
        "etl_daily", "a.b-c", "é_ok",
    ]
