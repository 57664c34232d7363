"""PostgreSQL: a page of backfills whose rows carry each node's JSON, written by the database.

A listing that selects only plain column fields of its backfills (`backfills { nodes {
backfillId dagId createdAt ... } }`) needs no record per row: PostgreSQL writes each
node's JSON text, exactly as the gateway's response writer (orjson) would write the
values, and the response splices it in (orjson.Fragment). Per row that saves decoding
every column, the record, the completion of each field and its encoding.

Byte for byte what orjson writes: integers as digits; strings through `to_json` (the
same escapes as orjson: tested over every ASCII character); `isPaused` true/false (NULL
means not paused); timestamps as `datetime.isoformat()` of the UTC value (microseconds
only when not zero); enum names from the values given. A JSON column (`dagRunConf`) is
not written here: its stored text keeps the client's spacing, which orjson does not, so
the row carries the value and the text around it in pieces.

A row the response could not take as it is (a NULL in a non-null field, an enum value
without a name, a timestamp outside Python's years) is not WRITABLE: the caller reads the
page again the usual way, which reports it as always.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import ColumnElement, Text, and_, case, cast, func, literal_column, or_, true

from backfill_gateway.db.airflow_schema import AirflowSchema, column_or_null
from backfill_gateway.db.backfills import (
    STATEMENT_CACHE_SIZE,
    BackfillFilter,
    listing_of,
    listing_statement,
)
from backfill_gateway.db.dag_scope import DagScope, ScopeShape, shape_of
from backfill_gateway.db.keyset import PageStatement, Seek, SeekShape, seek_shape
from backfill_gateway.db.tables import backfill

# How a column's value is written (JsonField.kind).
INTEGER, TEXT, FLAG, TIMESTAMP, ENUM, JSON, CONSTANT = (
    "integer", "text", "flag", "timestamp", "enum", "json", "constant",
)  # fmt: skip
# The pieces of a row: text before the first JSON value, between two, and after the last.
PIECE_PREFIX = "node_piece_"
JSON_VALUE = "node_json_value"
# Whether the row's pieces are what the response would have (else they are not used).
WRITABLE = "node_writable"
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
# Python's datetime years (asyncpg refuses the rest: the usual read reports them).
_FIRST_INSTANT = "0001-01-01 00:00:00+00"
_PAST_LAST_INSTANT = "10000-01-01 00:00:00+00"


@dataclass(frozen=True, slots=True)
class JsonField:
    """One field of a node: its response key, the column it shows and how it is written.
    `names`: an enum's (stored value, name) pairs; for a constant, its one name."""

    key: str
    column: str
    kind: str
    non_null: bool
    names: tuple[tuple[str, str], ...] = ()


def written_backfill_page(
    spec: BackfillFilter,
    order_field: str,
    seek: Seek,
    orphan_cutoff: datetime,
    airflow: AirflowSchema,
    fields: tuple[JsonField, ...],
    scope: DagScope | None = None,
) -> PageStatement:
    """The page `backfill_page` reads, each row with `id`, `created_at` (the cursors),
    WRITABLE, the node's text pieces (PIECE_PREFIX + n) and, when a field shows a JSON
    column, its value (JSON_VALUE)."""
    statement = _written_backfill_page(
        spec, order_field, seek_shape(seek), airflow, fields, shape_of(scope)
    )
    return listing_statement(statement, seek, orphan_cutoff, scope)


def piece_count(fields: tuple[JsonField, ...]) -> int:
    return 1 + sum(field.kind == JSON for field in fields)


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _written_backfill_page(
    spec: BackfillFilter,
    order_field: str,
    shape: SeekShape,
    airflow: AirflowSchema,
    fields: tuple[JsonField, ...],
    scope: ScopeShape | None,
):
    columns = [backfill.c.id, backfill.c.created_at, *_node_columns(fields, airflow)]
    return listing_of(columns, spec, order_field, shape, scope)


def _node_columns(fields: tuple[JsonField, ...], airflow: AirflowSchema) -> list[ColumnElement]:
    pieces: list[list[ColumnElement]] = [[]]
    valid: list[ColumnElement] = []
    json_column = None
    for position, field in enumerate(fields):
        if not _NAME.fullmatch(field.key):
            raise ValueError(f"not a response key: {field.key!r}")
        current = pieces[-1]
        current.append(_text(("," if position else "{") + f'"{field.key}":'))
        if field.kind == CONSTANT:
            current.append(_text(_json_name(field.names[0][1])))
            continue
        column = column_or_null(backfill, field.column, airflow)
        if field.kind == JSON:
            if json_column is not None and json_column.name != field.column:
                raise ValueError("one JSON column per node")
            json_column = column
            if field.non_null:
                valid.append(column.is_not(None))
            pieces.append([])
            continue
        value, condition = _value(column, field)
        current.append(value)
        if condition is not None:
            valid.append(condition)
    pieces[-1].append(_text("}"))
    columns = [and_(true(), *valid).label(WRITABLE)]
    columns += [_concat(parts).label(f"{PIECE_PREFIX}{n}") for n, parts in enumerate(pieces)]
    if json_column is not None:
        columns.append(json_column.label(JSON_VALUE))
    return columns


def _value(column: ColumnElement, field: JsonField) -> tuple[ColumnElement, ColumnElement | None]:
    """The value's JSON text, and what must hold for the row to be written here."""
    condition = None
    if field.kind == INTEGER:
        value = cast(column, Text)
    elif field.kind == TEXT:
        value = cast(func.to_json(column), Text)
    elif field.kind == FLAG:  # NULL means false (BackfillRecord.is_paused)
        return case((column, _text("true")), else_=_text("false")), None
    elif field.kind == TIMESTAMP:
        # isoformat(): microseconds only when not zero (one to_char: it is the costly part).
        written = func.to_char(func.timezone(_text("UTC"), column), _text('YYYY-MM-DD"T"HH24:MI:SS.US'))
        value = _concat([_text('"'), func.replace(written, _text(".000000"), _text("")), _text('+00:00"')])
        in_range = and_(column >= literal_column(f"'{_FIRST_INSTANT}'"),
                        column < literal_column(f"'{_PAST_LAST_INSTANT}'"))  # fmt: skip
        condition = in_range if field.non_null else or_(column.is_(None), in_range)
    elif field.kind == ENUM:
        value = case(
            *((column == _text(stored), _text(_json_name(name))) for stored, name in field.names),
            else_=None,
        )
        known = column.in_([_text(stored) for stored, _ in field.names])
        condition = known if field.non_null else or_(column.is_(None), known)
    else:
        raise ValueError(f"unknown kind {field.kind!r}")
    if field.non_null:
        not_null = column.is_not(None)
        condition = not_null if condition is None else and_(not_null, condition)
        return value, condition
    return func.coalesce(value, _text("null")), condition


def _json_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a GraphQL name: {name!r}")
    return f'"{name}"'


def _text(value: str) -> ColumnElement:
    """A string constant written into the statement (its text is fixed per shape)."""
    return literal_column("'" + value.replace("'", "''") + "'", Text)


def _concat(parts: list[ColumnElement]) -> ColumnElement:
    expression = parts[0]
    for part in parts[1:]:
        expression = expression.op("||")(part)
    return expression


