import pytest
from sqlalchemy.engine import make_url

from backfill_gateway.db.urls import to_async_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/airflow", "postgresql+asyncpg://u:p@h:5432/airflow"),
        ("postgres://u@h/airflow", "postgresql+asyncpg://u@h/airflow"),
        ("postgresql+psycopg2://u@h/airflow", "postgresql+asyncpg://u@h/airflow"),
        ("postgresql://u@h/a?sslmode=require", "postgresql+asyncpg://u@h/a?ssl=require"),
        ("mysql://root@h:3306/airflow", "mysql+aiomysql://root@h:3306/airflow"),
        ("mysql+mysqldb://root@h/airflow", "mysql+aiomysql://root@h/airflow"),
        ("mysql+asyncmy://root@h/airflow", "mysql+asyncmy://root@h/airflow"),
        ("sqlite:////tmp/airflow.db", "sqlite+aiosqlite:////tmp/airflow.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_plain_and_sync_urls_map_to_async_drivers(given, expected):
    assert to_async_url(given) == expected


@pytest.mark.parametrize(
    ("given", "hosts", "attrs"),
    [
        # libpq's multi-host URI
        (
            "postgresql://u@h1:5432,h2:5433/airflow?target_session_attrs=read-write",
            ("h1:5432", "h2:5433"), "read-write",
        ),
        ("postgres://u@h1,h2:6432/airflow", ("h1:5432", "h2:6432"), None),
        # libpq's host and port lists as query parameters
        (
            "postgresql://u@/airflow?host=h1,h2&port=5432,5433&target_session_attrs=any",
            ("h1:5432", "h2:5433"), "any",
        ),
        ("postgresql://u@/airflow?host=h1&host=h2&port=6432", ("h1:6432", "h2:6432"), None),
        # SQLAlchemy's own multi-host form is kept
        (
            "postgresql+asyncpg://u@/airflow?host=h1:5432&host=h2:5432"
            "&target_session_attrs=prefer-standby",
            ("h1:5432", "h2:5432"), "prefer-standby",
        ),
        # one host in the query stays as it was
        ("postgresql://u@/airflow?host=/run/pg", "/run/pg", None),
    ],
)
def test_multi_host_postgresql_urls(given, hosts, attrs):
    url = make_url(to_async_url(given))
    assert (url.drivername, url.username, url.host, url.database) == (
        "postgresql+asyncpg", "u", None, "airflow"
    )
    assert url.query.get("host") == hosts
    assert url.query.get("target_session_attrs") == attrs
    assert "port" not in url.query


def test_a_multi_host_url_keeps_its_password():
    url = make_url(to_async_url("postgresql://u:s3cr%40t@h1:1,h2:2/airflow"))
    assert url.password == "s3cr@t"
    assert url.query["host"] == ("h1:1", "h2:2")


def test_multi_host_urls_need_one_port_or_one_per_host():
    with pytest.raises(ValueError, match="hosts and ports"):
        to_async_url("postgresql://u@/airflow?host=h1,h2,h3&port=1,2")


def test_unsupported_backend_is_refused():
    with pytest.raises(ValueError, match="unsupported"):
        to_async_url("oracle://u@h/x")
