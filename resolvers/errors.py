"""Domain errors. The schema layer turns them into GraphQL errors with `extensions.code`."""

from __future__ import annotations


class GatewayError(Exception):
    """An expected error whose message is safe to show to the client."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.argument = argument


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"


class NotFound(GatewayError):
    code = "NOT_FOUND"


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    code = "FORBIDDEN"


class ServiceUnavailable(GatewayError):
    code = "SERVICE_UNAVAILABLE"
