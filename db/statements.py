"""The one SQL statement recorder: what a unit of work (a GraphQL request, a CLI
run, a test) sent to the database.

Every engine made by `db.engine.create_engine` reports each statement here;
`recording_statements()` collects those executed in its context (and in tasks
spawned from it). Recordings nest: a test recording around a request sees the
same statements as the request's own recording.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

from sqlalchemy import event


@dataclass
class StatementLog:
    """SQL statements a unit of work sent, in order, and how many of its reads were retried
    on a fresh connection after losing theirs (a retried statement is recorded twice)."""

    statements: list[str] = field(default_factory=list)
    read_retries: int = 0

    @property
    def count(self) -> int:
        return len(self.statements)


_active_logs: contextvars.ContextVar[tuple[StatementLog, ...]] = contextvars.ContextVar(
    "statement_logs", default=()
)


class StatementRecording:
    """`with recording_statements() as log:` records every statement executed in this
    context (and tasks it spawns) in `log`. A class, not a generator: it is entered once
    per request, and contextlib's generator machinery costs several times as much."""

    __slots__ = ("log", "_token")

    def __init__(self) -> None:
        self.log = StatementLog()

    def __enter__(self) -> StatementLog:
        self._token = _active_logs.set((*_active_logs.get(), self.log))
        return self.log

    def __exit__(self, *exc_info) -> None:
        _active_logs.reset(self._token)


def recording_statements() -> StatementRecording:
    """Record every statement executed in this context (and tasks it spawns)."""
    return StatementRecording()


def recording_context(log: StatementLog) -> contextvars.Context:
    """A context in which tasks record into `log` only (long-lived background tasks,
    e.g. the subscriptions' poller, whose statements belong to no request)."""
    context = contextvars.Context()
    context.run(_active_logs.set, (log,))
    return context


def record_statement(statement: str) -> None:
    """Record `statement` (the SQL text sent) in the recordings active here."""
    for log in _active_logs.get():
        log.statements.append(statement)


def _record_statement(conn, cursor, statement, parameters, context, executemany):
    record_statement(statement)
    return statement, parameters


def is_statement_recorder(listener) -> bool:
    """Whether an engine event listener is this module's recorder."""
    return listener is _record_statement


def note_read_retry() -> None:
    """Count one read retried on a fresh connection in the recordings active here."""
    for log in _active_logs.get():
        log.read_retries += 1


def record_statements_of(sync_engine) -> None:
    """Report `sync_engine`'s statements to the recordings active where they run."""
    # retval=True: registered as is (not wrapped), so is_statement_recorder knows it.
    event.listen(sync_engine, "before_cursor_execute", _record_statement, retval=True)
