"""Bearer-token authentication: `Authorization: Bearer <token>` → `Caller(name, role)`.

Tokens are configured, never stored: `GATEWAY_TOKENS` holds `name:role:sha256hex` entries
separated by commas, and `GATEWAY_TOKENS_FILE` may name a file of the same entries, one per
line (blank lines and `#` comments ignored). The hex is the SHA-256 of the token, e.g.
`printf %s "$TOKEN" | sha256sum`. Roles are `reader` and `admin`. An optional fourth part,
`dags=GLOB|GLOB|...`, limits the token to the DAGs whose id matches one of the patterns
(db.dag_scope: `*` and `?` wildcards); without it the token sees every DAG. A malformed
entry stops the gateway at start-up rather than silently locking someone out (or in).

A request without an Authorization header is anonymous, which may read when
`GATEWAY_ALLOW_ANONYMOUS_READS` is true (the default). A header that is not
`Bearer <token>`, or a token that matches no entry, is refused even for reads.

When Airflow's `[api_auth]` key settings are given, a token that is no configured entry
but has a JWT's shape is checked as an Airflow-issued token (web.airflow_callers). Every
refused token gets the same message, whatever check failed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request

from backfill_gateway.db.dag_scope import DagScope, DagScopeError
from backfill_gateway.resolvers.auth import ROLES
from backfill_gateway.resolvers.context import ANONYMOUS, Caller
from backfill_gateway.resolvers.errors import Unauthenticated
from backfill_gateway.settings import Settings
from backfill_gateway.web.airflow_callers import AirflowCallers
from backfill_gateway.web.airflow_tokens import AirflowTokenVerifier, InvalidAirflowToken

logger = logging.getLogger("gateway.auth")

_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
# RFC 6750 `b64token`.
_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
# A compact JWS: three base64url parts (header.payload.signature).
_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
REFUSED = "Unknown or revoked token."


class TokenConfigError(ValueError):
    """The configured tokens cannot be read; the message never contains a digest."""


@dataclass(frozen=True, slots=True)
class TokenEntry:
    name: str
    role: str
    sha256_hex: str
    dag_scope: DagScope | None = None  # None: every DAG


SCOPE_PREFIX = "dags="


def _split_scope(entry: str) -> tuple[str, str | None]:
    """`name:role:hex[:dags=...]` -> (`name:role:hex`, the scope part or None). A last part
    with `=` is a scope part: neither roles nor digests contain one."""
    head, sep, last = entry.rpartition(":")
    if sep and "=" in last:
        return head, last.strip()
    return entry, None


def _parse_scope(part: str, where: str) -> DagScope:
    if not part.startswith(SCOPE_PREFIX):
        raise TokenConfigError(f"{where}: the fourth part must be `dags=GLOB|GLOB|...`")
    globs = part[len(SCOPE_PREFIX) :].split("|")
    if not all(glob.strip() for glob in globs):
        raise TokenConfigError(f"{where}: `dags=` needs patterns separated by `|`, none empty")
    try:
        return DagScope.from_globs(glob.strip() for glob in globs)
    except DagScopeError as error:
        raise TokenConfigError(f"{where}: {error}") from None


def parse_token_entries(text: str, source: str) -> list[TokenEntry]:
    """Entries separated by commas or newlines; `#` starts a comment line."""
    entries = []
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    for position, raw in enumerate(",".join(lines).split(","), start=1):
        entry = raw.strip()
        if not entry:
            continue
        entry, scope_part = _split_scope(entry)
        # The name may itself contain colons (e.g. `cron:nightly`); role and digest cannot.
        parts = entry.rsplit(":", 2)
        if len(parts) != 3 or not parts[0].strip():
            raise TokenConfigError(
                f"{source}: entry {position} is not `name:role:sha256hex`"
            )
        name, role, digest = (part.strip() for part in parts)
        if role not in ROLES:
            raise TokenConfigError(
                f"{source}: entry {position} ({name}) has role {role!r}; "
                f"roles are {', '.join(ROLES)}"
            )
        if not _SHA256_HEX.fullmatch(digest):
            raise TokenConfigError(
                f"{source}: entry {position} ({name}) needs the token's SHA-256 as 64 hex digits"
            )
        scope = None
        if scope_part is not None:
            scope = _parse_scope(scope_part, f"{source}: entry {position} ({name})")
        entries.append(TokenEntry(name, role, digest.lower(), scope))
    return entries


class TokenRegistry:
    """The configured tokens; looks a presented token up by its SHA-256."""

    def __init__(self, entries: list[TokenEntry]) -> None:
        seen: dict[str, str] = {}
        for entry in entries:
            if entry.sha256_hex in seen:
                raise TokenConfigError(
                    f"tokens {seen[entry.sha256_hex]!r} and {entry.name!r} have the same digest"
                )
            seen[entry.sha256_hex] = entry.name
        self._entries = tuple(entries)

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenRegistry:
        entries = parse_token_entries(settings.tokens, "GATEWAY_TOKENS")
        if settings.tokens_file is not None:
            path = Path(settings.tokens_file)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as error:
                raise TokenConfigError(
                    f"GATEWAY_TOKENS_FILE {path}: cannot be read ({error.strerror})"
                ) from error
            entries += parse_token_entries(text, f"GATEWAY_TOKENS_FILE {path}")
        return cls(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def caller_for(self, token: str) -> Caller | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        found: TokenEntry | None = None
        # Compare with every entry in constant time; no early exit on a match.
        for entry in self._entries:
            if hmac.compare_digest(digest, entry.sha256_hex):
                found = entry
        return None if found is None else Caller(found.name, found.role, found.dag_scope)


def authenticate(
    authorization: str | None, registry: TokenRegistry, *, allow_anonymous_reads: bool
) -> Caller:
    """The caller of a request from its Authorization header; raises Unauthenticated."""
    if authorization is None:
        if allow_anonymous_reads:
            return ANONYMOUS
        raise Unauthenticated("This gateway needs a token: send `Authorization: Bearer <token>`.")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN.fullmatch(token):
        raise Unauthenticated("Malformed Authorization header: expected `Bearer <token>`.")
    caller = registry.caller_for(token)
    if caller is None:
        raise UnknownToken(REFUSED, token)
    return caller


class UnknownToken(Unauthenticated):
    """A well-formed bearer token that is no configured entry."""

    def __init__(self, message: str, token: str) -> None:
        super().__init__(message)
        self.token = token


class RequestAuthenticator(Protocol):
    async def request_caller(self, request: Request) -> Caller:
        """The request's caller; raises Unauthenticated (or ServiceUnavailable)."""
        ...


class Authenticator:
    """The request's caller: a configured gateway token, else an Airflow-issued JWT."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        # Parsed once: a malformed configuration stops the app at start-up.
        self.registry = TokenRegistry.from_settings(settings)
        self.allow_anonymous_reads = settings.allow_anonymous_reads
        self.airflow = None
        if AirflowTokenVerifier.configured(settings):
            self.airflow = AirflowCallers(settings, engine)

    async def request_caller(self, request: Request) -> Caller:
        return await self.caller(request.headers.get("authorization"))

    async def caller(self, authorization: str | None) -> Caller:
        """Raises Unauthenticated, or DatabaseUnavailable when Airflow's tables cannot be read."""
        try:
            return authenticate(
                authorization, self.registry, allow_anonymous_reads=self.allow_anonymous_reads
            )
        except UnknownToken as unknown:
            if self.airflow is None or not _JWT.fullmatch(unknown.token):
                raise Unauthenticated(REFUSED) from None
            try:
                return await self.airflow.caller_for(unknown.token)
            except InvalidAirflowToken as refused:
                # Why, for operators (never the token); the client learns nothing.
                logger.info("refused an Airflow token: %s", refused.reason)
                raise Unauthenticated(REFUSED) from None
