"""Every error code of the API and its HTTP status, decided here and nowhere else.

Domain errors (resolvers/errors.py) and db/'s `DatabaseUnavailable` are plain
exceptions; `ERROR_CODE_BY_EXCEPTION` turns each class into its
`extensions.code` and HTTP status (the way Airflow's api_fastapi maps domain
errors with one table of handlers). Codes no exception carries (GraphQL
phases, query limits, HTTP-level request errors) are declared here too.

The status applies when a request fails as a whole (no `data`) and the client
asked for `application/graphql-response+json`; field errors answer 200.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backfill_gateway.db.errors import DatabaseUnavailable
from backfill_gateway.resolvers.errors import (
    BadUserInput,
    Forbidden,
    GatewayError,
    NotFound,
    ServiceUnavailable,
    SubscriptionLimit,
    Unauthenticated,
)


@dataclass(frozen=True, slots=True)
class ErrorCode:
    code: str  # extensions.code
    status: int  # HTTP status of a request failing with it


# --- raised by the domain or the database ------------------------------------------------------
BAD_USER_INPUT = ErrorCode("BAD_USER_INPUT", 400)
NOT_FOUND = ErrorCode("NOT_FOUND", 404)
UNAUTHENTICATED = ErrorCode("UNAUTHENTICATED", 401)
FORBIDDEN = ErrorCode("FORBIDDEN", 403)
SERVICE_UNAVAILABLE = ErrorCode("SERVICE_UNAVAILABLE", 503)
INTERNAL_SERVER_ERROR = ErrorCode("INTERNAL_SERVER_ERROR", 500)
SUBSCRIPTION_LIMIT = ErrorCode("SUBSCRIPTION_LIMIT", 429)

# --- GraphQL phases and query limits -----------------------------------------------------------
PARSE_FAILED = ErrorCode("GRAPHQL_PARSE_FAILED", 400)
VALIDATION_FAILED = ErrorCode("GRAPHQL_VALIDATION_FAILED", 400)
QUERY_TOO_COMPLEX = ErrorCode("QUERY_TOO_COMPLEX", 400)

# --- GraphQL over HTTP: requests that are not well-formed --------------------------------------
BAD_REQUEST = ErrorCode("BAD_REQUEST", 400)
METHOD_NOT_ALLOWED = ErrorCode("METHOD_NOT_ALLOWED", 405)
NOT_ACCEPTABLE = ErrorCode("NOT_ACCEPTABLE", 406)
BODY_TOO_LARGE = ErrorCode("PAYLOAD_TOO_LARGE", 413)
QUERY_STRING_TOO_LONG = ErrorCode("PAYLOAD_TOO_LARGE", 414)
UNSUPPORTED_MEDIA_TYPE = ErrorCode("UNSUPPORTED_MEDIA_TYPE", 415)

# The one table: exception class -> code and status. Subclasses inherit their
# nearest listed ancestor's entry; anything not listed is a bug and is masked.
ERROR_CODE_BY_EXCEPTION: dict[type[BaseException], ErrorCode] = {
    BadUserInput: BAD_USER_INPUT,
    NotFound: NOT_FOUND,
    Unauthenticated: UNAUTHENTICATED,
    Forbidden: FORBIDDEN,
    ServiceUnavailable: SERVICE_UNAVAILABLE,
    DatabaseUnavailable: SERVICE_UNAVAILABLE,
    SubscriptionLimit: SUBSCRIPTION_LIMIT,
    # A domain error without a code of its own: its message is safe to show.
    GatewayError: INTERNAL_SERVER_ERROR,
}

# When a failed request carries several codes, the most severe sets the status.
_STATUS_PRECEDENCE = (INTERNAL_SERVER_ERROR, SERVICE_UNAVAILABLE, UNAUTHENTICATED, FORBIDDEN)


def error_code_of(error: BaseException) -> ErrorCode | None:
    """The code of an expected error (its message is safe to show); None for a bug."""
    for cls in type(error).__mro__:
        found = ERROR_CODE_BY_EXCEPTION.get(cls)
        if found is not None:
            return found
    return None


def failed_request_status(codes: Iterable[str]) -> int:
    """The HTTP status of a request that failed as a whole with these codes."""
    present = set(codes)
    return next((code.status for code in _STATUS_PRECEDENCE if code.code in present), 400)


def outcome_of(codes: Iterable[str]) -> str:
    """The request's outcome label for logs and metrics."""
    present = set(codes)
    if INTERNAL_SERVER_ERROR.code in present:
        return "server_error"
    if SERVICE_UNAVAILABLE.code in present:
        return "unavailable"
    return "client_error" if present else "ok"


def outcome_of_status(status: int) -> str:
    """The outcome label of a response known only by its HTTP status."""
    if status == SERVICE_UNAVAILABLE.status:
        return "unavailable"
    if status >= 500:
        return "server_error"
    return "client_error" if status >= 400 else "ok"
