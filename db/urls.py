"""Map plain or sync SQLAlchemy URLs (as Airflow writes them) to async drivers."""

from __future__ import annotations

from sqlalchemy.engine import make_url

ASYNC_DRIVERS = {
    "postgresql": "asyncpg",
    "mysql": "aiomysql",
    "mariadb": "aiomysql",
    "sqlite": "aiosqlite",
}
ALIASES = {"postgres": "postgresql"}
# libpq options that asyncpg does not understand under these names.
PG_QUERY_RENAMES = {"sslmode": "ssl"}


def to_async_url(url: str) -> str:
    """`postgresql://…`, `postgresql+psycopg2://…`, `mysql://…`, `sqlite:///…` → async driver URL."""
    parsed = make_url(url)
    backend, _, driver = parsed.drivername.partition("+")
    backend = ALIASES.get(backend, backend)
    if backend not in ASYNC_DRIVERS:
        raise ValueError(f"unsupported database backend {backend!r} in DATABASE_URL")
    if driver != ASYNC_DRIVERS[backend] and not (backend == "mysql" and driver == "asyncmy"):
        parsed = parsed.set(drivername=f"{backend}+{ASYNC_DRIVERS[backend]}")
    if backend == "postgresql":
        query = {PG_QUERY_RENAMES.get(k, k): v for k, v in parsed.query.items()}
        parsed = parsed.set(query=query)
    return parsed.render_as_string(hide_password=False)
