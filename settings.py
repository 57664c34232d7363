"""Gateway configuration, read from the environment (pydantic-settings).

Every setting is `GATEWAY_<NAME>` except the database URL, which follows the
usual `DATABASE_URL` and falls back to Airflow's own connection setting, then
to the embedded SQLite demo file.
"""

from __future__ import annotations

import json
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent
DEMO_DATABASE_PATH = PROJECT_DIR / "db" / "demo.sqlite"

# Airflow's scheduler completes slot-less backfills after 2 minutes; anything
# shorter than that would race Airflow's own creation path.
MIN_GRACE_PERIOD_SECONDS = 120

_ORIGIN = re.compile(r"https?://[^/\s]+")
# Between two URLs of a list: a comma followed by the next URL's scheme (a multi-host
# URL has commas of its own: `postgresql://u@h1:5432,h2:5432/db`, `?host=h1,h2`).
_URL_SEPARATOR = re.compile(r",\s*(?=[A-Za-z][A-Za-z0-9+.\-]*://)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GATEWAY_", extra="ignore", frozen=True, populate_by_name=True
    )

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "GATEWAY_DATABASE_URL")
    )
    airflow_sql_alchemy_conn: str | None = Field(
        default=None, validation_alias="AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
    )
    # Read replicas of the same database, in the same URL forms: queries read from a
    # healthy one (lag at most replica_max_lag_seconds); the finalize mutation and
    # anything needing the latest committed state reads the primary. A JSON list or
    # comma-separated.
    database_replica_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices("DATABASE_REPLICA_URLS", "GATEWAY_DATABASE_REPLICA_URLS"),
    )
    replica_max_lag_seconds: float = Field(default=30.0, ge=0)
    # How often each worker measures every replica's lag (and whether it answers).
    replica_check_interval_seconds: float = Field(default=5.0, gt=0)
    demo_database_path: Path = DEMO_DATABASE_PATH
    # The Airflow release line ("3.1", "2.11") whose schema the database has. Detected at
    # start-up from alembic_version and the columns present; set only to force it.
    airflow_version: str | None = Field(default=None, pattern=r"^\d+\.\d+$")

    # Backfills without slots younger than this are INITIALIZING, older ones ORPHANED.
    orphan_grace_period_seconds: int = Field(default=600, ge=MIN_GRACE_PERIOD_SECONDS)

    # Connection arguments `first`/`last`.
    default_page_size: int = Field(default=20, ge=1)
    max_page_size: int = Field(default=100, ge=1)

    # Database pool, per worker process. Every connection to the primary (reads, the
    # finalize transaction, token checks, readiness) comes from it, so a worker never holds
    # more than `primary_max_connections` (default: pool size plus overflow) and the gateway
    # never more than workers x that. A request waits at most `pool_timeout_seconds` for a
    # connection, then answers SERVICE_UNAVAILABLE (503) with Retry-After.
    # A fixed-size pool by default: SQLAlchemy closes an overflow connection when it comes
    # back to a pool already holding `pool_size` idle ones, so a worker busier than its pool
    # size opened and closed a connection every few requests (one worker at 16 concurrent
    # requests: 1,720 req/s with 10 + 10, 2,750 with 20 + 0; bench/README.md).
    pool_size: int = Field(default=20, ge=1)
    pool_max_overflow: int = Field(default=0, ge=0)
    pool_timeout_seconds: float = Field(default=5.0, gt=0)
    primary_max_connections: int | None = Field(default=None, ge=1)

    # Who may call: `name:role:sha256hex` entries, comma-separated, and/or a file of lines.
    tokens: str = ""
    tokens_file: Path | None = None
    allow_anonymous_reads: bool = True

    # Tokens issued by Airflow 3 (web.airflow_tokens), configured with Airflow's own
    # `[api_auth]` settings: a shared secret (HS512 unless JWT_ALGORITHM says otherwise),
    # the private key file Airflow signs with (verified with its public key), or the JWKS
    # Airflow trusts (a URL or a file). None of them set: Airflow's tokens are not accepted.
    airflow_jwt_secret: str | None = Field(
        default=None, validation_alias="AIRFLOW__API_AUTH__JWT_SECRET", repr=False
    )
    airflow_jwt_private_key_path: Path | None = Field(
        default=None, validation_alias="AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH"
    )
    airflow_trusted_jwks_url: str | None = Field(
        default=None, validation_alias="AIRFLOW__API_AUTH__TRUSTED_JWKS_URL"
    )
    airflow_jwt_algorithm: str | None = Field(
        default=None, validation_alias="AIRFLOW__API_AUTH__JWT_ALGORITHM"
    )
    airflow_jwt_audience: str = Field(
        default="apache-airflow", validation_alias="AIRFLOW__API_AUTH__JWT_AUDIENCE"
    )
    airflow_jwt_issuer: str | None = Field(
        default=None, validation_alias="AIRFLOW__API_AUTH__JWT_ISSUER"
    )
    # Clock skew tolerated on exp/nbf/iat (Airflow's default, 10 s), at most a minute.
    airflow_jwt_leeway_seconds: int = Field(
        default=10, ge=0, le=60, validation_alias="AIRFLOW__API_AUTH__JWT_LEEWAY"
    )
    # How long a token's revocation check (`revoked_token`) and its FAB permissions are
    # reused before the database is asked again.
    airflow_revocation_cache_seconds: float = Field(default=5.0, ge=0, le=5)
    airflow_permission_cache_seconds: float = Field(default=10.0, ge=0, le=300)

    # Execute queries through the compiled fast path (web/execution/fast_path.py).
    fast_path: bool = True
    # PostgreSQL writes the JSON of a `backfills` listing's nodes when they select column
    # fields only (db/backfill_nodes.py): per-row work moves from the worker to the
    # database. `auto`: while the worker has other requests in flight (a busy worker
    # gains, a lone request would wait longer for the database); `always`; `never`.
    nodes_written_by_database: Literal["auto", "always", "never"] = "auto"

    # Browser IDE at GET /graphql and schema introspection: on for the demo and
    # development, off in production. Without introspection, error messages
    # carry no "Did you mean ..." suggestions either.
    graphiql: bool = True
    introspection: bool = True
    # The backfills dashboard at GET /dashboard (web/dashboard.py), a client of the API.
    dashboard: bool = True

    # Query limits, checked once per document before anything runs (QUERY_TOO_COMPLEX).
    max_query_tokens: int = Field(default=2000, ge=1)
    max_query_depth: int = Field(default=10, ge=1)
    max_query_aliases: int = Field(default=15, ge=0)
    max_root_fields: int = Field(default=10, ge=1)
    # Most nodes a query may return: every connection counts its page size
    # (`first`/`last`, `default_page_size` when omitted) times the page sizes above it.
    max_query_cost: int = Field(default=20000, ge=1)

    # HTTP.
    max_request_bytes: int = Field(default=262144, ge=1024)
    request_timeout_seconds: float = Field(default=20.0, gt=0)
    # Origins allowed to call from a browser, comma-separated; "*" for any (never
    # with credentials). None by default: browsers refuse cross-origin calls.
    cors_allow_origins: str = ""
    cors_allow_credentials: bool = False
    cors_max_age_seconds: int = Field(default=600, ge=0)
    # `Cache-Control: max-age` of successful GET queries; 0 sends no caching headers.
    get_cache_max_age_seconds: int = Field(default=0, ge=0)

    # Subscriptions (web/live/): one change-detection statement per worker every
    # live_poll_seconds, whatever the number of subscribers; limits per connection and
    # per worker process; keep-alive pings (WebSocket) and comments (SSE).
    live_poll_seconds: float = Field(default=2.0, gt=0)
    max_subscriptions_per_connection: int = Field(default=20, ge=1)
    max_subscriptions_per_worker: int = Field(default=5000, ge=1)
    live_keepalive_seconds: float = Field(default=15.0, gt=0)

    # Database timeouts: connecting, and each statement on the server
    # (PostgreSQL `statement_timeout`, MySQL `max_execution_time`, MariaDB
    # `max_statement_time`; 0 turns it off). /readyz waits at most readiness_timeout.
    db_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    statement_timeout_seconds: float = Field(default=10.0, ge=0)
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)

    # Logs: one JSON line per request on stdout ("text" for development).
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"
    # OpenTelemetry spans for each request and resolver (needs `opentelemetry-api`
    # and an SDK configured by the process, e.g. `opentelemetry-instrument`).
    otel_tracing: bool = False

    @field_validator("database_replica_urls", mode="before")
    @classmethod
    def _split_replica_urls(cls, value):
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("["):
                value = json.loads(value)
            else:
                value = _URL_SEPARATOR.split(value)
        return [url.strip() for url in value if url and url.strip()]

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.default_page_size > self.max_page_size:
            raise ValueError(
                f"GATEWAY_DEFAULT_PAGE_SIZE ({self.default_page_size}) is larger than "
                f"GATEWAY_MAX_PAGE_SIZE ({self.max_page_size})"
            )
        origins = self.cors_origins
        if "*" in origins and self.cors_allow_credentials:
            raise ValueError(
                "GATEWAY_CORS_ALLOW_ORIGINS=* cannot be combined with "
                "GATEWAY_CORS_ALLOW_CREDENTIALS=true: list the origins instead"
            )
        for origin in origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"GATEWAY_CORS_ALLOW_ORIGINS: {origin!r} is not an origin "
                    "(scheme://host[:port], no path)"
                )
        return self

    @property
    def primary_pool_size(self) -> int:
        """Connections the pool keeps open on the primary, within the budget."""
        return min(self.pool_size, self.primary_connection_budget)

    @property
    def primary_pool_overflow(self) -> int:
        """Connections the pool may open beyond its size, within the budget."""
        return min(self.pool_max_overflow, self.primary_connection_budget - self.primary_pool_size)

    @property
    def primary_connection_budget(self) -> int:
        """Most connections one worker holds on the primary."""
        wanted = self.pool_size + self.pool_max_overflow
        if self.primary_max_connections is None:
            return wanted
        return min(wanted, self.primary_max_connections)

    @property
    def cors_origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_allow_origins.split(",") if origin.strip()]

    @cached_property
    def resolved_database_url(self) -> str:
        """The async SQLAlchemy URL the gateway connects to."""
        from backfill_gateway.db.urls import to_async_url

        if self.database_url:
            return to_async_url(self.database_url)
        if self.airflow_sql_alchemy_conn:
            return to_async_url(self.airflow_sql_alchemy_conn)
        return to_async_url(f"sqlite:///{self.demo_database_path}")

    @cached_property
    def resolved_replica_urls(self) -> list[str]:
        """The replicas' async SQLAlchemy URLs, in the configured order."""
        from backfill_gateway.db.urls import to_async_url

        return [to_async_url(url) for url in self.database_replica_urls]

    @property
    def uses_embedded_demo(self) -> bool:
        return not (self.database_url or self.airflow_sql_alchemy_conn)
