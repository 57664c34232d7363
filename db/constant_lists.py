"""`one_of`: a column among constant values, without SQLAlchemy's per-execution rendering.

`column.in_(values)` makes one *expanding* parameter, which SQLAlchemy renders into the
SQL text again on every execution (a few % of a small request's CPU). A statement built
once per shape whose list is part of the shape (run states, a filter's states) gets one
ordinary parameter per value instead: the same SQL text once rendered
(`IN ($2::VARCHAR, $3::VARCHAR)`), nothing to render per execution.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, literal


def one_of(column: ColumnElement, values: Iterable) -> ColumnElement[bool]:
    constants = list(values)
    if not constants:
        return column.in_(())  # SQLAlchemy's empty-set expression, false on every database
    return column.in_([literal(value, column.type) for value in constants])
