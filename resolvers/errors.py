"""Domain errors. The execution layer's error table (web/execution/errors.py) gives
each its `extensions.code` and HTTP status."""

from __future__ import annotations


class GatewayError(Exception):
    """An expected error whose message is safe to show to the client."""

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.argument = argument


class BadUserInput(GatewayError):
    pass


class NotFound(GatewayError):
    pass


class Unauthenticated(GatewayError):
    pass


class Forbidden(GatewayError):
    pass


class ServiceUnavailable(GatewayError):
    pass


class SubscriptionLimit(GatewayError):
    """One subscription more than a connection or a worker process may hold."""
