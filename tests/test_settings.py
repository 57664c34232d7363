import pytest
from pydantic import ValidationError

from backfill_gateway.settings import DEMO_DATABASE_PATH, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("DATABASE_URL", "GATEWAY_DATABASE_URL", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
        monkeypatch.delenv(name, raising=False)


def test_database_url_wins(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://a@h/x")
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "mysql://b@h/y")
    assert Settings().resolved_database_url == "postgresql+asyncpg://a@h/x"


def test_falls_back_to_airflows_connection(monkeypatch):
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "mysql+mysqldb://b@h/y")
    settings = Settings()
    assert settings.resolved_database_url == "mysql+aiomysql://b@h/y"
    assert not settings.uses_embedded_demo


def test_falls_back_to_the_embedded_demo():
    settings = Settings()
    assert settings.uses_embedded_demo
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{DEMO_DATABASE_PATH}"


def test_grace_period_below_airflows_two_minutes_is_refused(monkeypatch):
    monkeypatch.setenv("GATEWAY_ORPHAN_GRACE_PERIOD_SECONDS", "60")
    with pytest.raises(ValidationError):
        Settings()
