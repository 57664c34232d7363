"""Gateway configuration, read from the environment (pydantic-settings).

Every setting is `GATEWAY_<NAME>` except the database URL, which follows the
usual `DATABASE_URL` and falls back to Airflow's own connection setting, then
to the embedded SQLite demo file.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent
DEMO_DATABASE_PATH = PROJECT_DIR / "db" / "demo.sqlite"

# Airflow's scheduler completes slot-less backfills after 2 minutes; anything
# shorter than that would race Airflow's own creation path.
MIN_GRACE_PERIOD_SECONDS = 120


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
    demo_database_path: Path = DEMO_DATABASE_PATH

    # Backfills without slots younger than this are INITIALIZING, older ones ORPHANED.
    orphan_grace_period_seconds: int = Field(default=600, ge=MIN_GRACE_PERIOD_SECONDS)

    # Connection arguments `first`/`last`.
    default_page_size: int = Field(default=20, ge=1)
    max_page_size: int = Field(default=100, ge=1)

    # Database pool.
    pool_size: int = Field(default=10, ge=1)
    pool_max_overflow: int = Field(default=10, ge=0)
    pool_timeout_seconds: float = Field(default=5.0, gt=0)

    # Who may call: `name:role:sha256hex` entries, comma-separated, and/or a file of lines.
    tokens: str = ""
    tokens_file: Path | None = None
    allow_anonymous_reads: bool = True

    # Execute queries through the compiled fast path (schema/fast_path.py).
    fast_path: bool = True

    graphiql: bool = True
    introspection: bool = True

    @cached_property
    def resolved_database_url(self) -> str:
        """The async SQLAlchemy URL the gateway connects to."""
        from db.urls import to_async_url

        if self.database_url:
            return to_async_url(self.database_url)
        if self.airflow_sql_alchemy_conn:
            return to_async_url(self.airflow_sql_alchemy_conn)
        return to_async_url(f"sqlite:///{self.demo_database_path}")

    @property
    def uses_embedded_demo(self) -> bool:
        return not (self.database_url or self.airflow_sql_alchemy_conn)
