"""Every GraphQL error leaves with an `extensions.code`; unexpected ones are masked.

Expected errors (those in errors.py's table) keep their message and get their
code. Anything else raised while resolving is a bug: the client gets
"Internal server error" and an error id, the log gets the stack trace.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

from graphql import GraphQLError, GraphQLSyntaxError, VariableDefinitionNode
from strawberry.extensions import SchemaExtension

from backfill_gateway.web.execution.errors import (
    BAD_USER_INPUT,
    INTERNAL_SERVER_ERROR,
    PARSE_FAILED,
    VALIDATION_FAILED,
    ErrorCode,
    error_code_of,
)
from backfill_gateway.web.execution.query_limits import mark_token_limit

logger = logging.getLogger("gateway.errors")


def _with_code(error: GraphQLError, code: ErrorCode, **extra) -> GraphQLError:
    error.extensions = {**(error.extensions or {}), "code": code.code, **extra}
    return error


def masked(error: GraphQLError) -> GraphQLError:
    error_id = uuid.uuid4().hex
    logger.error(
        "internal error %s at %s", error_id, error.path, exc_info=error.original_error or error
    )
    return GraphQLError(
        "Internal server error",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": INTERNAL_SERVER_ERROR.code, "errorId": error_id},
    )


def classify(error: GraphQLError, phase_code: ErrorCode | None) -> GraphQLError:
    original = error.original_error
    code = error_code_of(original) if original is not None else None
    if code is not None:
        argument = getattr(original, "argument", None)
        return _with_code(error, code, **({"argument": argument} if argument else {}))
    if error.extensions and "code" in error.extensions:
        return error
    if phase_code is not None:
        return _with_code(error, phase_code)
    if error.path is None and (
        original is None
        or (error.nodes and all(isinstance(node, VariableDefinitionNode) for node in error.nodes))
    ):
        # Raised by graphql-core before any field ran: unknown operation, or a variable
        # value its type refused (the scalar's own exception is the original error).
        return _with_code(error, BAD_USER_INPUT)
    return masked(error)


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        self._parse_errors: set[int] = set()
        self._validation_errors: set[int] = set()
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [classify(error, self._phase_code(error)) for error in result.errors]

    def on_parse(self) -> Iterator[None]:
        yield
        self._parse_errors = {id(e) for e in self.execution_context.pre_execution_errors or ()}

    def on_validate(self) -> Iterator[None]:
        yield
        self._validation_errors = {
            id(e) for e in self.execution_context.pre_execution_errors or ()
        }

    def _phase_code(self, error: GraphQLError) -> ErrorCode | None:
        if id(error) in self._parse_errors:
            return PARSE_FAILED
        if id(error) in self._validation_errors:
            return VALIDATION_FAILED
        return None


def ensure_code(error: GraphQLError, max_tokens: int) -> GraphQLError:
    """Last line of the `extensions.code` guarantee, for errors no extension saw
    (e.g. a parse error raised by a parser cache before the extensions' hooks)."""
    if error.extensions and "code" in error.extensions:
        return error
    if isinstance(error, GraphQLSyntaxError):
        if not mark_token_limit(error, max_tokens):
            error.extensions = {**(error.extensions or {}), "code": PARSE_FAILED.code}
        return error
    return classify(error, None)
