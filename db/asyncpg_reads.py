"""Reads on PostgreSQL sent straight to asyncpg, their SQL compiled by SQLAlchemy.

SQLAlchemy's execute path (execution context, IN-list expansion, greenlet switch, DBAPI
cursor adaptation) costs ~0.2 ms of worker CPU per statement, more than asyncpg's own
share of the gateway's small reads (bench/README.md). For a read SQLAlchemy would not
convert values of, `AsyncpgReads` sends the very SQL text and parameters SQLAlchemy
would send (compiled once per statement and IN-list lengths) on the pooled connection's
own asyncpg connection, and returns SQLAlchemy Rows. Callers, the statement recorder and
the error classification (db.errors) see what the SQLAlchemy path gives them: errors are
translated and wrapped as SQLAlchemy does, a disconnect marks the error
`connection_invalidated`.

Everything else goes through SQLAlchemy: a statement with result processors (types
asyncpg does not decode as SQLAlchemy would), literal-rendered, tuple or escaped
parameters; an engine with echo or with cursor/error listeners other than the
statement recorder (instrumentation sees every statement); a connection in a
transaction or without prepared statements (PgBouncer's transaction mode).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Numeric, exc
from sqlalchemy.engine import Dialect, Row
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler

from backfill_gateway.db.statements import is_statement_recorder, record_statement

# Statements kept compiled, by identity: the gateway's are built once per shape and
# cached (db/backfills.py, db/slots.py, ...), so the same object comes back. A statement
# built per call is compiled per call (as SQLAlchemy's cache would key it anew). An entry
# keeps the SQL of up to LENGTHS_PER_STATEMENT IN-list lengths (a few KB each): a few MB
# at most in all.
CACHE_SIZE = 256
LENGTHS_PER_STATEMENT = 16

Argument = tuple[int, Any, Callable[[Any], Any] | None]  # (kind, name or value, processor)
_SCALAR, _LIST, _CONSTANT = 0, 1, 2


@dataclass(frozen=True, slots=True)
class CompiledRead:
    """A statement's SQL for one set of IN-list lengths, and how to make its arguments."""

    sql: str
    arguments: tuple[Argument, ...]

    def arguments_of(self, parameters: Mapping[str, Any]) -> list[Any]:
        values: list[Any] = []
        for kind, source, processor in self.arguments:
            if kind == _SCALAR:
                value = parameters[source]
                values.append(value if processor is None else processor(value))
            elif kind == _LIST:
                items = parameters[source]
                values.extend(items if processor is None else map(processor, items))
            else:
                values.append(source)
        return values


@dataclass(slots=True)
class _Statement:
    compiled: SQLCompiler
    expanding: tuple[str, ...]  # keys of IN-list parameters, in a fixed order
    reads: dict[tuple[int, ...], CompiledRead]


# (statement, dialect, compiled or None); holding both keeps their ids from being reused.
_statements: OrderedDict[tuple[int, int], tuple[Executable, Dialect, _Statement | None]] = (
    OrderedDict()
)


def compiled_read(
    statement: Executable, parameters: Mapping[str, Any] | None, dialect: Dialect
) -> CompiledRead | None:
    """The statement compiled for these parameters' IN-list lengths; None when it must go
    through SQLAlchemy."""
    key = (id(statement), id(dialect))
    try:
        entry = _statements[key][2]
        _statements.move_to_end(key)  # least recently used goes first
    except KeyError:
        entry = _compile(statement, dialect)
        _statements[key] = (statement, dialect, entry)
        if len(_statements) > CACHE_SIZE:
            _statements.popitem(last=False)
    if entry is None:
        return None
    parameters = parameters or {}
    try:
        # A constant IN list (no parameter of that name given) keeps its compiled length.
        lengths = tuple(
            len(parameters[key]) if key in parameters else -1 for key in entry.expanding
        )
    except TypeError:
        return None  # let SQLAlchemy report what is wrong
    read = entry.reads.get(lengths)
    if read is None:
        read = _expanded(entry.compiled, parameters)
        if read is None:
            return None
        if len(entry.reads) >= LENGTHS_PER_STATEMENT:  # keep the latest lengths
            entry.reads.pop(next(iter(entry.reads)))
        entry.reads[lengths] = read
    return read


def _compile(statement: Executable, dialect: Dialect) -> _Statement | None:
    if not getattr(statement, "is_select", False):  # SELECTs (and unions) only
        return None
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler):
        return None
    if compiled.literal_execute_params or compiled.escaped_bind_names:
        return None
    for _, _, _, type_ in compiled._result_columns:
        # asyncpg decodes every type the gateway reads (timestamptz as UTC, JSON through
        # the dialect's codec) where SQLAlchemy's asyncpg types have no processor; a
        # numeric type's processor depends on the column's type at run time.
        affinity = type_._type_affinity
        if (affinity is not None and issubclass(affinity, Numeric)) or (
            type_._cached_result_processor(dialect, None) is not None
        ):
            return None
    expanding = set()
    for bind in compiled.binds.values():
        if bind.expanding:
            if getattr(bind.type, "_is_tuple_type", False):
                return None
            expanding.add(bind.key)
    return _Statement(compiled, tuple(sorted(expanding)), {})


def _expanded(compiled: SQLCompiler, parameters: Mapping[str, Any]) -> CompiledRead | None:
    """The SQL SQLAlchemy sends for these IN-list lengths, and where each positional
    argument comes from: a parameter by key, an IN list's items, or a constant of the
    statement (a literal, a constant IN list)."""
    state = compiled.construct_expanded_state(parameters)
    origin = {
        expanded: name for name, names in state.parameter_expansion.items() for expanded in names
    }
    # As SQLAlchemy applies them: the statement's bind processors, and those of the
    # parameters an IN list was expanded into.
    processors = {**compiled._bind_processors, **state.processors}
    arguments: list[Argument] = []
    names = list(state.positiontup or ())
    position = 0
    while position < len(names):
        name = names[position]
        source = origin.get(name, name)
        key = compiled.binds[source].key
        processor = processors.get(name)
        if key in parameters and source in state.parameter_expansion:
            expanded = state.parameter_expansion[source]
            if names[position : position + len(expanded)] != list(expanded):
                return None  # not a plain IN list
            arguments.append((_LIST, key, processor))
            position += len(expanded)
            continue
        if key in parameters:
            arguments.append((_SCALAR, key, processor))
        else:
            value = state.parameters[name]
            arguments.append((_CONSTANT, value if processor is None else processor(value), None))
        position += 1
    # An empty IN list renders as SQL alone: no positional name, no argument.
    return CompiledRead(state.statement, tuple(arguments))


def engine_reads_directly(engine: AsyncEngine) -> bool:
    """Whether reads on `engine` may bypass SQLAlchemy's execute path."""
    sync_engine = engine.sync_engine
    if sync_engine.echo or sync_engine.dialect.driver != "asyncpg":
        return False
    dispatch = sync_engine.dispatch
    # Asked once per request: empty collections are skipped unlisted (listing all five
    # and a generator over them cost 5 us, ~1.5% of a small query).
    for listeners in (
        dispatch.before_cursor_execute, dispatch.after_cursor_execute,
        dispatch.before_execute, dispatch.after_execute, sync_engine.dialect.dispatch.handle_error,
    ):  # fmt: skip
        if listeners:
            for listener in listeners:
                if not is_statement_recorder(listener):
                    return False
    return True


_metadata: dict[tuple[str, ...], SimpleResultMetaData] = {}


def _metadata_of(keys: tuple[str, ...]) -> SimpleResultMetaData:
    """What SQLAlchemy Rows need to be read by name, per result shape."""
    metadata = _metadata.get(keys)
    if metadata is None:
        if len(_metadata) >= CACHE_SIZE:
            _metadata.clear()
        metadata = _metadata[keys] = SimpleResultMetaData(keys)
    return metadata


class AsyncpgReads:
    """Direct reads on one checked-out connection (see the module's docstring)."""

    __slots__ = ("dialect", "_adapter", "_driver")

    def __init__(self, dialect: Dialect, adapter: Any, driver: Any) -> None:
        self.dialect = dialect
        self._adapter = adapter
        self._driver = driver

    @classmethod
    async def of(cls, connection: AsyncConnection) -> AsyncpgReads | None:
        """Direct reads on `connection`, or None when its reads go through SQLAlchemy."""
        if not engine_reads_directly(connection.engine):
            return None
        return cls.of_pooled(connection.engine, await connection.get_raw_connection())

    @classmethod
    def of_pooled(cls, engine: AsyncEngine, raw: PoolProxiedConnection) -> AsyncpgReads | None:
        """Direct reads on a pooled connection of `engine` (whose reads may bypass
        SQLAlchemy: `engine_reads_directly`), or None when its reads go through SQLAlchemy."""
        adapter = raw.dbapi_connection
        if (
            not getattr(adapter, "autocommit", False)
            or getattr(adapter, "_transaction", None) is not None
            or getattr(adapter, "_prepared_statement_cache", None) is None
        ):
            return None
        return cls(engine.dialect, adapter, raw.driver_connection)

    def usable(self) -> bool:
        """Still in autocommit (nothing has started a transaction on the connection)."""
        return self._adapter.autocommit and self._adapter._transaction is None

    async def all(self, read: CompiledRead, parameters: Mapping[str, Any] | None) -> list[Row]:
        arguments = read.arguments_of(parameters or {})
        record_statement(read.sql)
        try:
            records = await self._driver.fetch(read.sql, *arguments)
        except Exception as error:  # noqa: BLE001 - wrapped as SQLAlchemy wraps it
            raise self._wrapped(error, read.sql, arguments) from error
        if not records:
            return []
        metadata = _metadata_of(tuple(records[0].keys()))
        key_to_index = metadata._key_to_index
        return [Row(metadata, None, key_to_index, tuple(record)) for record in records]

    def _wrapped(self, error: Exception, sql: str, arguments: list[Any]) -> exc.DBAPIError:
        dbapi_error = self.dialect.loaded_dbapi.Error
        try:
            self._adapter._handle_exception(error)  # raises the DBAPI error SQLAlchemy sees
        except Exception as translated:  # noqa: BLE001
            error = translated
        return exc.DBAPIError.instance(
            sql,
            tuple(arguments),
            error,
            dbapi_error,
            connection_invalidated=isinstance(error, dbapi_error)
            and self.dialect.is_disconnect(error, self._adapter, None),
            dialect=self.dialect,
        )
