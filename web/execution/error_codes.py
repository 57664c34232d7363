"""Every GraphQL error leaves with an `extensions.code`; unexpected ones are masked.

Domain errors (resolvers.errors.GatewayError) keep their message and code.
Anything else raised while resolving is a bug or an outage: the client gets
"Internal server error" and an error id, the log gets the stack trace.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

from graphql import GraphQLError, VariableDefinitionNode
from strawberry.extensions import SchemaExtension

from backfill_gateway.db.errors import DatabaseUnavailable
from backfill_gateway.resolvers.errors import GatewayError

logger = logging.getLogger("gateway.errors")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


def _with_code(error: GraphQLError, code: str, **extra) -> GraphQLError:
    error.extensions = {**(error.extensions or {}), "code": code, **extra}
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
        extensions={"code": INTERNAL_SERVER_ERROR, "errorId": error_id},
    )


def classify(error: GraphQLError, phase_code: str | None) -> GraphQLError:
    original = error.original_error
    if isinstance(original, GatewayError):
        extra = {"argument": original.argument} if original.argument else {}
        return _with_code(error, original.code, **extra)
    if isinstance(original, DatabaseUnavailable):
        return _with_code(error, "SERVICE_UNAVAILABLE")
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

    def _phase_code(self, error: GraphQLError) -> str | None:
        if id(error) in self._parse_errors:
            return PARSE_FAILED
        if id(error) in self._validation_errors:
            return VALIDATION_FAILED
        return None
