"""Roles and what they may do. Who the caller is comes from web.auth (bearer tokens)."""

from __future__ import annotations

from backfill_gateway.resolvers.context import Caller
from backfill_gateway.resolvers.errors import Forbidden, Unauthenticated

READER = "reader"
ADMIN = "admin"
ROLES = (READER, ADMIN)


def require_admin(caller: Caller, action: str) -> None:
    """Refuse `action` unless an admin token was sent: UNAUTHENTICATED without any token,
    FORBIDDEN with a token of another role."""
    if not caller.is_authenticated:
        raise Unauthenticated(f"{action} needs an admin token: send `Authorization: Bearer <token>`.")
    if caller.role != ADMIN:
        raise Forbidden(f"{action} needs an admin token; token {caller.name!r} is a {caller.role}.")
