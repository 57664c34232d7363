"""db.dag_scope without a database: parsing, LIKE escaping, shapes and bound parameters."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import mysql, postgresql, sqlite

from backfill_gateway.db.dag_scope import (
    DagScope,
    DagScopeError,
    ScopeShape,
    dag_scope_condition,
    filter_only,
    like_pattern,
)
from backfill_gateway.db.tables import backfill


def test_exact_ids_and_patterns_are_told_apart():
    scope = DagScope.from_globs(["sales_*", "report", "a?c", "report"])
    assert scope == DagScope(dag_ids=("report",), patterns=("a?c", "sales_*"))
    assert scope.shape == ScopeShape(has_dag_ids=True, pattern_count=2)
    assert scope.parameters() == {
        "dag_scope_ids": ["report"], "dag_scope_pattern_0": "a?c", "dag_scope_pattern_1": "sales_*",
    }  # fmt: skip


@pytest.mark.parametrize(
    "pattern, like",
    [("sales_*", "sales/_%"), ("a?c", "a_c"), ("100%", "100/%"), ("a/b", "a//b"),
     ("*", "%"), ("x.y-z", "x.y-z")],
)  # fmt: skip
def test_like_patterns_escape_percent_underscore_and_the_escape_character(pattern, like):
    assert like_pattern(pattern) == like


@pytest.mark.parametrize("glob", ["[ab]", "a[!b]", "a b", "a%", "", "a/b", "x" * 251, "\U0001f600"])
def test_patterns_that_sql_cannot_match_faithfully_are_refused(glob):
    with pytest.raises(DagScopeError):
        DagScope.from_globs([glob])


def test_all_dags_adds_no_condition_and_no_dags_matches_nothing():
    assert dag_scope_condition(None, backfill.c.dag_id) == []
    [nothing] = dag_scope_condition(DagScope().shape, backfill.c.dag_id)
    assert str(select(backfill.c.id).where(nothing).compile(dialect=sqlite.dialect())).endswith(
        "WHERE 0 = 1"
    )


@pytest.mark.parametrize(
    "dialect, operator",
    [(sqlite.dialect(), "GLOB"), (postgresql.dialect(), "LIKE"), (mysql.dialect(), "LIKE")],
)
def test_patterns_compile_per_dialect_with_bound_values(dialect, operator):
    scope = DagScope.from_globs(["sales_*"])
    [condition] = dag_scope_condition(scope.shape, backfill.c.dag_id)
    compiled = select(backfill.c.id).where(condition).compile(dialect=dialect)
    assert operator in str(compiled) and "sales" not in str(compiled)
    processors = compiled._bind_processors
    value = (
        processors["dag_scope_pattern_0"]("sales_*")
        if "dag_scope_pattern_0" in processors
        else "sales_*"
    )
    assert value == ("sales_*" if operator == "GLOB" else "sales/_%")
    if operator == "LIKE":
        assert "ESCAPE '/'" in str(compiled)


def test_statements_of_one_shape_share_a_cache_key():
    def statement(scope):
        return select(backfill.c.id).where(*dag_scope_condition(scope.shape, backfill.c.dag_id))

    a, b = DagScope.from_globs(["x*", "y"]), DagScope.from_globs(["z?", "w"])
    assert statement(a)._generate_cache_key() == statement(b)._generate_cache_key()
    assert (
        statement(a)._generate_cache_key()
        != statement(DagScope.from_globs(["x*"]))._generate_cache_key()
    )


def test_a_filter_only_column_is_kept_off_sqlites_indexes_and_unchanged_elsewhere():
    scope = DagScope.from_globs(["a", "b_*"])
    condition = dag_scope_condition(scope.shape, filter_only(backfill.c.dag_id))
    statement = select(backfill.c.id).where(*condition)
    on_sqlite = str(statement.compile(dialect=sqlite.dialect()))
    assert "+backfill.dag_id IN (" in on_sqlite and "+backfill.dag_id GLOB " in on_sqlite
    for dialect in (postgresql.dialect(), mysql.dialect()):
        sql = str(statement.compile(dialect=dialect))
        assert "+" not in sql and "backfill.dag_id IN (" in sql, sql
