"""Errors let go of their tracebacks once their response is built.

A traceback holds the frames an exception went through, and those frames hold the
exception (and the request's objects): a reference cycle, left for the cyclic GC.
With graphql-core's located errors and the resolvers' domain errors, a
BAD_USER_INPUT answer left ~94 objects per request to it (a bad cursor ~141), so a
flood of bad requests brought back the collections that stop a worker for tens of
milliseconds (bench/README.md, the executor's own cycle). Once the response is
built and every error is logged, nothing reads a traceback again.
"""

from __future__ import annotations

from collections.abc import Iterable


def forget_tracebacks(errors: Iterable[BaseException] | None) -> None:
    """Drop the tracebacks of `errors`, of the exceptions they wrap (a GraphQLError's
    `original_error`) and of their causes and contexts."""
    pending: list[BaseException | None] = list(errors or ())
    seen: set[int] = set()
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        error.__traceback__ = None
        pending.extend((getattr(error, "original_error", None), error.__cause__, error.__context__))
