"""One fast-path execution: completes objects now, resolver results level by level."""

from __future__ import annotations

import asyncio
from typing import Any

from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from backfill_gateway.web.execution.fast_path_fields import DirectResolver, Fallback, ResolverField


class FastPathRun:
    """One execution: completes objects now, resolver awaitables level by level."""

    __slots__ = ("executor", "pending", "arguments", "python_arguments")

    def __init__(self, executor: StrawberryGraphQLCoreExecutionContext) -> None:
        self.executor = executor
        self.pending: list[tuple[Any, dict, ResolverField, Path]] = []
        self.arguments: dict[int, dict[str, Any]] = {}
        self.python_arguments: dict[int, dict[str, Any]] = {}

    def resolve(self, field: ResolverField, source: Any, path: Path | None, result: dict) -> None:
        executor = self.executor
        field_path = Path(path, field.response_key, field.parent_type.name)
        info = executor.build_resolve_info(
            field.field_def, field.field_nodes, field.parent_type, field_path
        )
        arguments = None
        if field.has_args:
            arguments = field.arguments if field.constant_arguments else self.arguments.get(id(field))
            if arguments is None and field.argument_recipe is not None:
                arguments = field.argument_recipe.assemble(executor.variable_values.coerced)
                if arguments is not None:
                    self.arguments[id(field)] = arguments
            if arguments is None:
                arguments = get_argument_values(
                    field.field_def, field.field_nodes[0], executor.variable_values,
                    field.field_details[0].fragment_variable_values, executor.hide_suggestions,
                )  # fmt: skip
                if field.constant_arguments:
                    field.arguments = arguments
                else:
                    self.arguments[id(field)] = arguments
        direct = field.direct
        if direct is not None:
            value = self.call_direct(direct, field, source, info, arguments)
        elif arguments is not None:
            value = field.field_def.resolve(source, info, **arguments)
        else:
            value = field.field_def.resolve(source, info)
        if executor.is_awaitable(value):
            self.pending.append((value, result, field, field_path))
        else:
            result[field.response_key] = field.complete(value, field_path, self)

    def call_direct(self, direct: DirectResolver, field, source, info, arguments) -> Any:
        strawberry_info = direct.info_class(_raw_info=info, _field=direct.definition)
        # The same field node and variables give the same Python arguments on every
        # parent: convert them once per run, or once per plan when written without
        # variables (resolvers treat them as read-only; the gateway's inputs build no
        # value of their own from `info`).
        kwargs = (
            field.python_arguments if field.constant_arguments
            else self.python_arguments.get(id(field))
        )  # fmt: skip
        if kwargs is None:
            kwargs = direct.convert(arguments, strawberry_info) if arguments else {}
            if field.constant_arguments:
                field.python_arguments = kwargs
            else:
                self.python_arguments[id(field)] = kwargs
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
