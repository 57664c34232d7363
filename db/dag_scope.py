"""Which DAGs a caller may see, as one SQL condition on a `dag_id` column.

A `DagScope` holds exact DAG ids and fnmatch-style patterns. Every statement that reads
rows of a DAG takes the scope's *shape* (how many ids and patterns, never their values)
and calls `dag_scope_condition` on its own `dag_id` column; the values travel as bind
parameters (`DagScope.parameters`). So statements stay cached per shape, a scoped
request sends exactly the statements an unscoped one sends, and an unscoped request
(`None`) sends byte-for-byte the SQL it always did.

Patterns: `*` (any run of characters, also none) and `?` (exactly one character); every
other character stands for itself, case-sensitively. fnmatch's `[seq]` / `[!seq]` have no
LIKE equivalent and are refused when the scope is parsed. A pattern becomes
`dag_id LIKE :p ESCAPE '/'` (with `%`, `_` and `/` escaped) on PostgreSQL and MySQL
(Airflow's binary id collation makes LIKE case-sensitive there), and `dag_id GLOB :p` on
SQLite, whose LIKE ignores ASCII case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from sqlalchemy import Boolean, ColumnElement, String, bindparam, false, or_, types
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

LIKE_ESCAPE = "/"
# DAG ids are `[\w.-]` (Airflow's rule); patterns add `*` and `?`. Anything else (spaces,
# brackets, `%`, characters MySQL's utf8mb3 columns cannot hold) is refused up front.
_PATTERN = re.compile(r"[\w.*?-]{1,250}")
_WILDCARDS = frozenset("*?")


class DagScopeError(ValueError):
    """A scope that cannot be applied faithfully in SQL."""


@dataclass(frozen=True, slots=True)
class ScopeShape:
    """What a scope's SQL depends on; its ids and patterns are bind parameters."""

    has_dag_ids: bool
    pattern_count: int


@dataclass(frozen=True, slots=True)
class DagScope:
    """DAGs a caller may see: these exact ids, and those matching these patterns.

    An empty scope sees nothing (an Airflow user without read access to any DAG).
    "All DAGs" is not a DagScope: it is `None` wherever a scope is expected.
    """

    dag_ids: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    @classmethod
    def from_globs(cls, globs: Iterable[str]) -> DagScope:
        """Parse `sales_*`, `report_nocatchup`, ...; raises DagScopeError with the reason."""
        dag_ids, patterns = set(), set()
        for glob in globs:
            if "[" in glob or "]" in glob:
                raise DagScopeError(
                    f"pattern {glob!r}: character classes `[...]` are not supported "
                    "(only `*` and `?`)"
                )
            if not _PATTERN.fullmatch(glob) or max(map(ord, glob)) > 0xFFFF:
                raise DagScopeError(
                    f"pattern {glob!r} is not a DAG id pattern (letters, digits, `_`, `.`, "
                    "`-`, and the wildcards `*` and `?`)"
                )
            (patterns if _WILDCARDS & set(glob) else dag_ids).add(glob)
        return cls(tuple(sorted(dag_ids)), tuple(sorted(patterns)))

    @property
    def shape(self) -> ScopeShape:
        return ScopeShape(bool(self.dag_ids), len(self.patterns))

    def parameters(self, prefix: str = "dag_scope") -> dict[str, object]:
        """Values for the bind parameters of `dag_scope_condition(shape, ..., prefix)`."""
        values: dict[str, object] = {}
        if self.dag_ids:
            values[f"{prefix}_ids"] = list(self.dag_ids)
        for index, pattern in enumerate(self.patterns):
            values[f"{prefix}_pattern_{index}"] = pattern
        return values

    def allows(self, dag_id: str) -> bool:
        """The same decision in Python (fnmatch, case-sensitive): for tests and logs."""
        return dag_id in self.dag_ids or any(fnmatchcase(dag_id, p) for p in self.patterns)

    def describe(self) -> str:
        return "|".join((*self.dag_ids, *self.patterns)) or "no DAGs"


def shape_of(scope: DagScope | None) -> ScopeShape | None:
    return None if scope is None else scope.shape


def scope_parameters(scope: DagScope | None, prefix: str = "dag_scope") -> dict[str, object]:
    return {} if scope is None else scope.parameters(prefix)


def dag_scope_condition(
    shape: ScopeShape | None, column: ColumnElement, prefix: str = "dag_scope"
) -> list[ColumnElement[bool]]:
    """The condition restricting `column` (a dag_id) to a scope of this shape: an empty
    list for all DAGs (None), else one condition; `false()` for a scope of no DAGs. Its
    parameters take `scope.parameters(prefix)` at execution (cached statements)."""
    return _condition(shape, column, prefix, None)


def bound_dag_scope_condition(
    scope: DagScope | None, column: ColumnElement, prefix: str = "dag_scope"
) -> list[ColumnElement[bool]]:
    """The same condition with the scope's values bound in (statements built per call)."""
    return _condition(shape_of(scope), column, prefix, scope_parameters(scope, prefix))


def _condition(
    shape: ScopeShape | None, column: ColumnElement, prefix: str, values: dict | None
) -> list[ColumnElement[bool]]:
    if shape is None:
        return []

    def parameter(name: str, **kw):
        if values is None:
            return bindparam(name, **kw)
        return bindparam(name, values[name], **kw)

    matches: list[ColumnElement[bool]] = []
    if shape.has_dag_ids:
        matches.append(column.in_(parameter(f"{prefix}_ids", expanding=True, type_=column.type)))
    for index in range(shape.pattern_count):
        pattern = parameter(f"{prefix}_pattern_{index}", type_=_DagIdPattern())
        matches.append(_PatternMatch(column, pattern))
    if not matches:
        return [false()]
    return [or_(*matches) if len(matches) > 1 else matches[0]]


class filter_only(ColumnElement):  # noqa: N801 - used like a SQL function
    """`column`, marked as a filter the planner must not drive a join with: `+column` on
    SQLite (its documented no-op that keeps a term off the indexes), the column elsewhere.

    A scope of exact ids on a run's `dag_id` lets SQLite carry `dag_id IN (...)` over the
    join to task_instance and start from there, then probe every requested run id per task
    instance (500 backfills: minutes); the runs' own ids are the better start."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement) -> None:
        self.column = column
        self.type = column.type


@compiles(filter_only)
def _compile_filter_only(element: filter_only, compiler, **kw) -> str:
    return compiler.process(element.column, **kw)


@compiles(filter_only, "sqlite")
def _compile_filter_only_sqlite(element: filter_only, compiler, **kw) -> str:
    return f"+{compiler.process(element.column, **kw)}"


def like_pattern(pattern: str) -> str:
    """An fnmatch pattern (only `*` and `?`) as a LIKE pattern with ESCAPE '/'."""
    out = []
    for char in pattern:
        if char == "*":
            out.append("%")
        elif char == "?":
            out.append("_")
        elif char in ("%", "_", LIKE_ESCAPE):
            out.append(LIKE_ESCAPE + char)
        else:
            out.append(char)
    return "".join(out)


class _DagIdPattern(types.TypeDecorator):
    """A pattern parameter: sent as a LIKE pattern, or unchanged for SQLite's GLOB (whose
    `*` and `?` are fnmatch's, and no other character of an allowed pattern is special)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None or dialect.name == "sqlite":
            return value
        return like_pattern(value)


class _PatternMatch(ColumnElement[bool]):
    """`column` matches a `_DagIdPattern` parameter; compiled per dialect below."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no `= 1` where booleans are integers
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement, pattern: ColumnElement) -> None:
        self.column = column
        self.pattern = pattern


@compiles(_PatternMatch)
def _compile_like(element: _PatternMatch, compiler, **kw) -> str:
    column = compiler.process(element.column, **kw)
    pattern = compiler.process(element.pattern, **kw)
    return f"{column} LIKE {pattern} ESCAPE '{LIKE_ESCAPE}'"


@compiles(_PatternMatch, "sqlite")
def _compile_glob(element: _PatternMatch, compiler, **kw) -> str:
    return (
        f"{compiler.process(element.column, **kw)} GLOB {compiler.process(element.pattern, **kw)}"
    )
