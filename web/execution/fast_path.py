"""A compiled fast path for query execution, behind Strawberry's executor hook.

GraphQL execution, not SQL, dominates a large response: graphql-core builds
an info object and a path, calls Strawberry's field wrapper and coerces the
value for every one of thousands of fields. In the spirit of graphql-jit,
this executor compiles each validated query document once (cached by its
text) into Python functions, one per selection set, and then runs them:

* plain attribute fields (Strawberry "basic" fields) become inline code: a
  getattr and a type check standing in for the scalar's coercion;
* fields with resolvers get a real resolve info and graphql-core's coerced
  arguments (assembled from the coerced variables by a recipe made once per plan,
  fast_path_fields.ArgumentRecipe, where that is all graphql-core would do); a
  plain Strawberry resolver (no field extensions, permissions or
  exception handlers) is called directly with its Python arguments, converted
  once per request, instead of through Strawberry's per-call wrapper chain;
  awaitables are gathered level by level, so DataLoaders batch as before;
* response paths are built only above resolvers, which need them;
* UTC timestamps are left as datetimes for the response writer, orjson, which writes
  them as the DateTime scalar does (fast_path_fields.WIRE_VALUES): results of the fast
  path are meant for orjson, as every transport of the gateway writes.

It only runs the happy path. Anything irregular (an exception, a null in a
non-null position, an object of an unexpected type) abandons the fast run and
executes the operation again with the standard executor, which produces the
errors. Only queries take this path: re-running them is free of side effects,
and the request's DataLoaders serve the second run from their cache.
Documents using directives, introspection or fragment variables, and
schemas with resolver middleware, always use the standard executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from graphql import OperationType
from graphql.language import FragmentDefinitionNode, FragmentSpreadNode, Node

from backfill_gateway.schema.lru import LruCache
from backfill_gateway.web.execution.executor import Executor
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


def _take_written_nodes(context, take: bool) -> None:
    if getattr(context, "written_nodes_allowed", False):
        context.written_nodes = take


class PlanCache(LruCache):
    """Compiled operations by query text and operation name; refused ones map to None."""

    def __init__(self, maxsize: int = PLAN_CACHE_SIZE) -> None:
        super().__init__(maxsize)


def fast_executor_class(plan_cache: PlanCache | None = None):
    """An executor class for `strawberry.Schema(execution_context_class=...)` with its own cache."""
    cache = plan_cache or PlanCache()

    class FastPathExecutor(Executor):
        plans = cache

        def execute_operation(self, serially: bool | None = None):
            complete_root = self._compiled()
            if complete_root is None:
                return super().execute_operation(serially)
            run = FastPathRun(self)
            # Its lists of backfills take nodes PostgreSQL wrote (Compiler.emit_completion).
            _take_written_nodes(self.context_value, True)
            try:
                data = complete_root(self.root_value, None, run)
            except Exception:  # noqa: BLE001 - any irregularity: the standard path decides
                return self._fall_back(run, serially)
            if not run.pending:
                return self.build_response(data)
            return self._settle(run, data, serially)

        async def _settle(self, run: FastPathRun, data: dict, serially):
            try:
                await run.settle()
            except Exception:  # noqa: BLE001
                result = self._fall_back(run, serially)
                return await result if self.is_awaitable(result) else result
            return self.build_response(data)

        def _fall_back(self, run: FastPathRun, serially):
            run.discard()
            _take_written_nodes(self.context_value, False)  # the standard executor does not
            return super().execute_operation(serially)

        def _compiled(self) -> Callable | None:
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

        def _compile_plan(self) -> Callable | None:
            try:
                if not _compilable(self.operation, self.fragment_definitions.values()):
                    return None
                return Compiler(self).compile_operation()
            except Unsupported:
                return None

    return FastPathExecutor


__all__ = ["Fallback", "PlanCache", "fast_executor_class"]
