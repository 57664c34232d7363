"""A compiled fast path for query execution, behind Strawberry's executor hook.

GraphQL execution, not SQL, dominates a large response: graphql-core builds
an info object and a path, calls Strawberry's field wrapper and coerces the
value for every one of thousands of fields. In the spirit of graphql-jit,
this executor compiles each validated query document once (cached by its
text) into Python functions, one per selection set, and then runs them:

* plain attribute fields (Strawberry "basic" fields) become inline code: a
  getattr and a type check standing in for the scalar's coercion;
* fields with resolvers get graphql-core's coerced arguments (assembled from the
  coerced variables by a recipe made once per plan, fast_path_fields.ArgumentRecipe,
  where that is all graphql-core would do); a plain Strawberry resolver (no field
  extensions, permissions or exception handlers) is called directly with its Python
  arguments, converted once per request, instead of through Strawberry's per-call
  wrapper chain: as its field plan says (schema/field_plans.py), without a resolve
  info, or else with a real one; awaitables are gathered level by level, so
  DataLoaders batch as before;
* response paths are built only above resolvers called with an info;
* UTC timestamps are left as datetimes for the response writer, orjson, which writes
  them as the DateTime scalar does (fast_path_fields.WIRE_VALUES): results of the fast
  path are meant for orjson, as every transport of the gateway writes.

An operation whose resolver fields all have plans (schema/field_plans.py) needs nothing
of graphql-core's execution: a prepared query of that kind (prepared_queries.py) runs
without it (`run_planned`), from its coerced variables and the context.

It only runs the happy path. Anything irregular (an exception, a null in a
non-null position, an object of an unexpected type) abandons the fast run and
executes the operation again with the standard executor, which produces the
errors. Only queries take this path: re-running them is free of side effects,
and the request's DataLoaders serve the second run from their cache.
Documents using directives, introspection or fragment variables, and
schemas with resolver middleware, always use the standard executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLSchema, OperationType
from graphql.language import FragmentDefinitionNode, FragmentSpreadNode, Node

from backfill_gateway.schema.lru import LruCache
from backfill_gateway.web.execution.error_tracebacks import forget_tracebacks
from backfill_gateway.web.execution.executor import Executor, prepared_operation
from backfill_gateway.web.execution.fast_path_compiler import Compiler
from backfill_gateway.web.execution.fast_path_fields import Fallback, Unsupported
from backfill_gateway.web.execution.fast_path_run import FastPathRun

PLAN_CACHE_SIZE = 512


def _uses_directives_or_fragment_variables(node: Node) -> bool:
    if getattr(node, "directives", None):
        return True
    if isinstance(node, FragmentDefinitionNode) and node.variable_definitions:
        return True
    if isinstance(node, FragmentSpreadNode) and getattr(node, "arguments", None):
        return True
    selection_set = getattr(node, "selection_set", None)
    if selection_set is None:
        return False
    return any(_uses_directives_or_fragment_variables(s) for s in selection_set.selections)


def _compilable(operation, fragments: Iterable[FragmentDefinitionNode]) -> bool:
    """Queries without directives (@skip, @include, @defer, ...) or fragment variables."""
    if operation.operation is not OperationType.QUERY or operation.directives:
        return False
    selections = operation.selection_set.selections
    return not any(_uses_directives_or_fragment_variables(n) for n in (*selections, *fragments))


def _abandon(error: BaseException) -> None:
    """A fast run's error is never reported (the standard executor runs the operation
    again and reports its own): its tracebacks go now. A resolver's error awaited in
    FastPathRun.settle went through that frame, which holds it: a reference cycle."""
    forget_tracebacks((error,))


def _take_written_nodes(context, take: bool) -> None:
    if getattr(context, "written_nodes_allowed", False):
        context.written_nodes = take


@dataclass(frozen=True, slots=True)
class CompiledOperation:
    """An operation compiled by the fast path."""

    complete_root: Callable[[Any, Any, FastPathRun], dict[str, Any]]
    # Every resolver field has a plan: runs without graphql-core's execution.
    planned_throughout: bool


class PlanCache(LruCache):
    """Compiled operations by query text and operation name; refused ones map to None."""

    def __init__(self, maxsize: int = PLAN_CACHE_SIZE) -> None:
        super().__init__(maxsize)


def fast_executor_class(plan_cache: PlanCache | None = None):
    """An executor class for `strawberry.Schema(execution_context_class=...)` with its own cache."""
    cache = plan_cache or PlanCache()

    class FastPathExecutor(Executor):
        plans = cache

        @classmethod
        async def run_planned(
            cls,
            schema: GraphQLSchema,
            document: DocumentNode,
            operation_name: str | None,
            variables: Mapping[str, Any] | None,
            context: Any,
        ) -> dict[str, Any] | None:
            """The data of a query the fast path compiled before, when every resolver of
            it has a plan: run from the coerced variables and the context alone, without
            graphql-core's execution context or resolve infos. None when the standard way
            must run it: not compiled yet or not planned throughout, variables graphql-core
            must coerce or report, or anything irregular during the run."""
            prepared = prepared_operation(schema, document, operation_name)
            if prepared is None or prepared.operation.loc is None:
                return None
            operation = prepared.operation
            key = (operation.loc.source.body, operation.name.value if operation.name else None)
            compiled = cls.plans.peek(key)
            if compiled is None or not compiled.planned_throughout:
                return None
            coerced = prepared.coerce(variables or {})
            if coerced is None:
                return None
            run = FastPathRun(None, context, coerced)
            _take_written_nodes(context, True)
            try:
                data = compiled.complete_root(None, None, run)
                if run.pending:
                    await run.settle()
            except Exception as error:  # noqa: BLE001 - any irregularity: the standard path decides
                _abandon(error)
                run.discard()
                _take_written_nodes(context, False)
                return None
            return data

        def execute_operation(self, serially: bool | None = None):
            compiled = self._compiled()
            if compiled is None:
                return super().execute_operation(serially)
            # Planned throughout, it runs as `run_planned` runs it (the executor twin of the
            # tests compares every query's first run, which comes this way).
            run = (
                FastPathRun(None, self.context_value, self.variable_values)
                if compiled.planned_throughout else FastPathRun(self)
            )  # fmt: skip
            # Its lists of backfills take nodes PostgreSQL wrote (Compiler.emit_completion).
            _take_written_nodes(self.context_value, True)
            try:
                data = compiled.complete_root(self.root_value, None, run)
            except Exception as error:  # noqa: BLE001 - any irregularity: the standard path decides
                _abandon(error)
                return self._fall_back(run, serially)
            if not run.pending:
                return self.build_response(data)
            return self._settle(run, data, serially)

        async def _settle(self, run: FastPathRun, data: dict, serially):
            try:
                await run.settle()
            except Exception as error:  # noqa: BLE001
                _abandon(error)
                result = self._fall_back(run, serially)
                return await result if self.is_awaitable(result) else result
            return self.build_response(data)

        def _fall_back(self, run: FastPathRun, serially):
            run.discard()
            _take_written_nodes(self.context_value, False)  # the standard executor does not
            return super().execute_operation(serially)

        def _compiled(self) -> CompiledOperation | None:
            manager = self.middleware_manager
            if manager is not None and manager.middlewares:
                return None
            if self.abort_signal is not None:
                return None
            operation = self.operation
            location = operation.loc
            key = (
                (location.source.body, operation.name.value if operation.name else None)
                if location is not None
                else None
            )
            if key is None:
                return self._compile_plan()
            return self.plans.get_or_compute(key, self._compile_plan)

        def _compile_plan(self) -> CompiledOperation | None:
            try:
                if not _compilable(self.operation, self.fragment_definitions.values()):
                    return None
                compiler = Compiler(self)
                complete_root = compiler.compile_operation()
            except Unsupported:
                return None
            return CompiledOperation(complete_root, compiler.planned_throughout)

    return FastPathExecutor


__all__ = ["Fallback", "PlanCache", "fast_executor_class"]
