"""One fast-path execution: completes objects now, resolver results level by level."""

from __future__ import annotations

import asyncio
from typing import Any

from graphql.execution.values import VariableValues, get_argument_values
from graphql.pyutils import Path
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from backfill_gateway.web.execution.fast_path_fields import DirectResolver, Fallback, ResolverField


class FastPathRun:
    """One execution: completes objects now, resolver awaitables level by level.

    Within graphql-core's execution (`executor`), or without one for an operation whose
    resolvers all have plans (fast_path.run_planned): planned resolvers need only the
    context and the variables."""

    __slots__ = (
        "executor", "context", "variables", "is_awaitable", "pending", "arguments",
        "python_arguments",
    )  # fmt: skip

    def __init__(
        self,
        executor: StrawberryGraphQLCoreExecutionContext | None,
        context: Any = None,
        variables: VariableValues | None = None,
    ) -> None:
        self.executor = executor
        if executor is not None:
            context, variables = executor.context_value, executor.variable_values
            self.is_awaitable = executor.is_awaitable
        else:
            self.is_awaitable = optimized_is_awaitable
        self.context = context
        self.variables = variables
        self.pending: list[tuple[Any, dict, ResolverField, Path]] = []
        self.arguments: dict[int, dict[str, Any]] = {}
        self.python_arguments: dict[int, dict[str, Any]] = {}

    def resolve(self, field: ResolverField, source: Any, path: Path | None, result: dict) -> None:
        planned = field.planned
        if planned is not None:
            # No resolve info: the plan read the document when it was compiled.
            field_path = (
                Path(path, field.response_key, field.parent_type.name) if field.needs_path
                else None
            )  # fmt: skip
            arguments = self.python_arguments_of(field, None) if field.has_args else {}
            value = planned(source, self.context, arguments, self.variables.coerced)
        else:
            executor = self.executor
            field_path = Path(path, field.response_key, field.parent_type.name)
            info = executor.build_resolve_info(
                field.field_def, field.field_nodes, field.parent_type, field_path
            )
            direct = field.direct
            if direct is not None:
                value = self.call_direct(direct, field, source, info)
            elif field.has_args:
                value = field.field_def.resolve(source, info, **self.arguments_of(field))
            else:
                value = field.field_def.resolve(source, info)
        if self.is_awaitable(value):
            self.pending.append((value, result, field, field_path))
        else:
            result[field.response_key] = field.complete(value, field_path, self)

    def arguments_of(self, field: ResolverField) -> dict[str, Any]:
        """The field's arguments as graphql-core coerces them, once per plan or run."""
        if field.constant_arguments and field.arguments is not None:
            return field.arguments
        arguments = self.arguments.get(id(field))
        if arguments is not None:
            return arguments
        if field.argument_recipe is not None:
            arguments = field.argument_recipe.assemble(self.variables.coerced)
        if arguments is None:
            executor = self.executor
            arguments = get_argument_values(
                field.field_def, field.field_nodes[0], self.variables,
                field.field_details[0].fragment_variable_values,
                executor.hide_suggestions if executor is not None else False,
            )  # fmt: skip
        if field.constant_arguments:
            field.arguments = arguments
        else:
            self.arguments[id(field)] = arguments
        return arguments

    def python_arguments_of(self, field: ResolverField, strawberry_info) -> dict[str, Any]:
        """The resolver's Python arguments. The same field node and variables give the same
        ones on every parent: converted once per run, or once per plan when written
        without variables (resolvers treat them as read-only; the gateway's inputs build
        no value of their own from `info`)."""
        if field.constant_arguments:
            kwargs = field.python_arguments
        else:
            kwargs = self.python_arguments.get(id(field))
        if kwargs is None:
            arguments = self.arguments_of(field)
            kwargs = field.direct.convert(arguments, strawberry_info) if arguments else {}
            if field.constant_arguments:
                field.python_arguments = kwargs
            else:
                self.python_arguments[id(field)] = kwargs
        return kwargs

    def call_direct(self, direct: DirectResolver, field, source, info) -> Any:
        strawberry_info = direct.info_class(_raw_info=info, _field=direct.definition)
        kwargs = self.python_arguments_of(field, strawberry_info) if field.has_args else {}
        if direct.info_name is not None:
            kwargs = {**kwargs, direct.info_name: strawberry_info}
        if direct.passes_self:
            return direct.function(source, **kwargs)
        return direct.function(**kwargs)

    async def settle(self) -> None:
        """Await resolver results a level at a time; completing them may queue the next level."""
        while self.pending:
            level, self.pending = self.pending, []
            if len(level) == 1:
                # Awaited in this task: gather would wrap it in a Task of its own (another
                # event-loop iteration); one awaitable batches with nothing anyway.
                try:
                    values = [await level[0][0]]
                except Exception as error:  # noqa: BLE001 - as gather(return_exceptions=True)
                    values = [error]
            else:
                values = await asyncio.gather(
                    *(entry[0] for entry in level), return_exceptions=True
                )
            for (_, result, field, path), value in zip(level, values, strict=True):
                if isinstance(value, BaseException):
                    raise Fallback from value
                result[field.response_key] = field.complete(value, path, self)

    def discard(self) -> None:
        for awaitable, *_ in self.pending:
            close = getattr(awaitable, "close", None) or getattr(awaitable, "cancel", None)
            if close is not None:
                close()
        self.pending = []
