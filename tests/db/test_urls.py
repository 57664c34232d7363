import pytest

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


def test_unsupported_backend_is_refused():
    with pytest.raises(ValueError, match="unsupported"):
        to_async_url("oracle://u@h/x")
