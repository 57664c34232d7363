"""`DatabaseUnavailable`: the database cannot answer now (an outage, not a bug).

Connectivity failures (server down, connections cut, pool exhausted, statement
timeout) leave db/ as `DatabaseUnavailable`; the execution layer's error table
turns it into SERVICE_UNAVAILABLE (HTTP 503) instead of masking it as an
internal error. Which driver errors mean "unavailable" is decided here, per
database: PostgreSQL SQLSTATEs, MySQL / MariaDB error numbers, SQLite messages.
"""

from __future__ import annotations

import logging

from sqlalchemy import exc

logger = logging.getLogger("gateway.db")

# PostgreSQL SQLSTATEs meaning "not now": connection exceptions (class 08),
# statement timeout / cancel, server shutting down or starting, too many clients.
_UNAVAILABLE_SQLSTATES = {"57014", "57P01", "57P02", "57P03", "53300"}

# MySQL / MariaDB server errors meaning "not now" (client errors, 2000 and up, are
# all connection problems): too many connections, shutdown, lock wait timeout, query
# interrupted or over max_statement_time / max_execution_time, connection killed.
_UNAVAILABLE_MYSQL_ERRORS = {1040, 1053, 1205, 1317, 1927, 1969, 3024, 4031}
_UNAVAILABLE_SQLITE_MESSAGES = ("locked", "unable to open", "disk i/o", "busy")


class DatabaseUnavailable(Exception):
    """The database cannot answer now; the message is safe to show to the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PoolExhausted(DatabaseUnavailable):
    """Every connection the gateway may hold on the database is in use, and none was freed
    within the pool timeout: the gateway's own budget, not the database, says "not now"."""


# Lost connections, as opposed to a database that refuses work: PostgreSQL connection
# exceptions (class 08) and a backend terminated by an administrator or a crash (57P01,
# 57P02); MySQL / MariaDB "gone away", "lost connection", "connection was killed" and
# disconnections for inactivity.
_CONNECTION_LOST_SQLSTATES = {"57P01", "57P02"}
_CONNECTION_LOST_MYSQL_ERRORS = {1927, 2006, 2013, 2055, 4031}


def _sqlstate(error: BaseException) -> str | None:
    orig = getattr(error, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def driver_error_codes(error: BaseException) -> tuple[str | None, int | None]:
    """A wrapped driver error's SQLSTATE (PostgreSQL) and error number (MySQL/MariaDB)."""
    args = getattr(getattr(error, "orig", None), "args", None) or (None,)
    return _sqlstate(error), args[0] if isinstance(args[0], int) else None


def _raw_mysql_errno(error: BaseException) -> int | None:
    """The error number of a MySQL driver error SQLAlchemy did not wrap (raised while the
    pool resets or configures a connection)."""
    try:
        import pymysql
    except ImportError:  # pragma: no cover - a dependency of aiomysql
        return None
    if isinstance(error, pymysql.err.MySQLError):
        args = error.args or (None,)
        return args[0] if isinstance(args[0], int) else None
    return None


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means "the database cannot answer now" rather than a bug."""
    if isinstance(error, exc.TimeoutError):  # no pooled connection free within pool_timeout
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated or isinstance(error, exc.InterfaceError):
            return True
        args = getattr(error.orig, "args", None) or (None,)
        if isinstance(args[0], int):
            # MySQL / MariaDB error number. The driver files some query errors
            # (collations, ...) as operational too: only these mean "unavailable".
            return args[0] in _UNAVAILABLE_MYSQL_ERRORS or args[0] >= 2000
        code = _sqlstate(error)
        if code is not None:  # PostgreSQL
            return code.startswith("08") or code in _UNAVAILABLE_SQLSTATES
        if isinstance(error, exc.OperationalError):  # SQLite: locked or unreadable
            message = str(error.orig).lower()
            return any(word in message for word in _UNAVAILABLE_SQLITE_MESSAGES)
        return False
    if isinstance(error, OSError):  # refused, reset, unreachable, connect timeout
        return True
    errno = _raw_mysql_errno(error)
    if errno is not None:
        return errno in _UNAVAILABLE_MYSQL_ERRORS or errno >= 2000
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    # Raised by asyncpg while connecting, before SQLAlchemy can wrap it.
    return isinstance(
        error,
        (asyncpg.exceptions.PostgresConnectionError, asyncpg.exceptions.InterfaceError,
         asyncpg.exceptions.CannotConnectNowError, asyncpg.exceptions.TooManyConnectionsError),
    )


def is_connection_lost(error: BaseException) -> bool:
    """Whether `error` means the connection itself broke (killed, reset, closed under the
    statement), so the same statement may run again on a fresh connection.

    Not a statement timeout, not an exhausted pool, not a refused or failed connection
    attempt, and never an SQL error: those would fail the same way again (or are the
    budget working as intended)."""
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:  # the dialect recognised a disconnect
            return True
        args = getattr(error.orig, "args", None) or (None,)
        if isinstance(args[0], int):
            return args[0] in _CONNECTION_LOST_MYSQL_ERRORS
        code = _sqlstate(error)
        if code is not None:
            return code in _CONNECTION_LOST_SQLSTATES or code in ("08003", "08006")
        return isinstance(error, exc.InterfaceError) and "closed" in str(error.orig).lower()
    if isinstance(error, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return True
    errno = _raw_mysql_errno(error)
    if errno is not None:
        return errno in _CONNECTION_LOST_MYSQL_ERRORS
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(error, asyncpg.exceptions.ConnectionDoesNotExistError)


def unavailable_error(error: BaseException) -> DatabaseUnavailable:
    """The client-facing error for a connectivity failure; the details go to the log."""
    logger.warning(
        "database unavailable: %s: %s", type(error).__name__, (str(error).splitlines() or [""])[0][:300]
    )
    if _sqlstate(error) == "57014" or "max_statement_time" in str(error) or (
        "maximum statement execution time" in str(error)
    ):
        return DatabaseUnavailable("The database did not answer within the statement timeout.")
    if isinstance(error, exc.TimeoutError):
        return PoolExhausted("No database connection is free; try again shortly.")
    return DatabaseUnavailable("The database is unavailable; try again shortly.")
