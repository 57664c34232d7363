"""Map plain or sync SQLAlchemy URLs (as Airflow writes them) to async drivers.

PostgreSQL URLs may name several hosts, as libpq does (`postgresql://u@h1:5432,h2:5433/db`
or `?host=h1,h2&port=5432,5433`); they become SQLAlchemy's multi-host form
(`?host=h1:5432&host=h2:5433`) that asyncpg tries in order, keeping the first whose
`target_session_attrs` match (`read-write`/`primary` for the primary: a failover is
followed by the next connection; `any`, `prefer-standby`, `standby` for replicas).
"""

from __future__ import annotations

import re

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
DEFAULT_PG_PORT = "5432"
# scheme://[userinfo@]hosts[/database][?query]: the hosts part of a libpq URI.
_URI = re.compile(
    r"^(?P<scheme>[^:/]+://)(?:(?P<userinfo>[^@/?#]*)@)?(?P<hosts>[^/?#]*)(?P<rest>.*)$"
)


def _multi_host_uri_to_query(url: str) -> str:
    """`postgresql://u@h1:p1,h2:p2/db?x=1` -> `postgresql://u@/db?x=1&host=h1:p1&host=h2:p2`."""
    match = _URI.match(url)
    if match is None or "," not in match["hosts"]:
        return url
    userinfo = f"{match['userinfo']}@" if match["userinfo"] is not None else ""
    path, _, query = match["rest"].partition("?")
    hosts = "&".join(f"host={host}" for host in match["hosts"].split(",") if host)
    query = f"{query}&{hosts}" if query else hosts
    return f"{match['scheme']}{userinfo}{path or '/'}?{query}"


def _pg_hosts(query: dict) -> dict:
    """libpq's `host=h1,h2&port=p1,p2` as SQLAlchemy's repeated `host=h:p` (asyncpg wants a
    port for each of several hosts: PostgreSQL's 5432 unless given)."""
    given = query.get("host")
    if given is None:
        return query
    hosts = [h for value in _values(given) for h in value.split(",") if h]
    ports = [p for value in _values(query.get("port")) for p in value.split(",") if p]
    if len(hosts) == 1 and not ports:
        return query
    if len(ports) <= 1:
        ports = (ports or [DEFAULT_PG_PORT]) * len(hosts)
    if len(ports) != len(hosts):
        raise ValueError("a database URL names a different number of hosts and ports")
    hosts = [
        host if _has_port(host) else f"{host}:{port}" for host, port in zip(hosts, ports, strict=True)
    ]
    query = {key: value for key, value in query.items() if key not in ("host", "port")}
    query["host"] = tuple(hosts) if len(hosts) > 1 else hosts[0]
    return query


def _values(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _has_port(host: str) -> bool:
    return ":" in host.rsplit("]", 1)[-1]


def to_async_url(url: str) -> str:
    """`postgresql://…`, `postgresql+psycopg2://…`, `mysql://…`, `sqlite:///…` → async driver URL."""
    if url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres"):
        url = _multi_host_uri_to_query(url)
    parsed = make_url(url)
    backend, _, driver = parsed.drivername.partition("+")
    backend = ALIASES.get(backend, backend)
    if backend not in ASYNC_DRIVERS:
        raise ValueError(f"unsupported database backend {backend!r} in DATABASE_URL")
    if driver != ASYNC_DRIVERS[backend] and not (backend == "mysql" and driver == "asyncmy"):
        parsed = parsed.set(drivername=f"{backend}+{ASYNC_DRIVERS[backend]}")
    if backend == "postgresql":
        query = {PG_QUERY_RENAMES.get(k, k): v for k, v in parsed.query.items()}
        parsed = parsed.set(query=_pg_hosts(query))
    return parsed.render_as_string(hide_password=False)
