import pytest
from pydantic import ValidationError

from backfill_gateway.settings import DEMO_DATABASE_PATH, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in (
        "DATABASE_URL", "GATEWAY_DATABASE_URL", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "DATABASE_REPLICA_URLS", "GATEWAY_DATABASE_REPLICA_URLS",
    ):
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


def test_no_replicas_by_default():
    settings = Settings()
    assert settings.resolved_replica_urls == []
    assert settings.replica_max_lag_seconds == 30


def test_replica_urls_comma_separated_multi_host_ones_included(monkeypatch):
    monkeypatch.setenv(
        "DATABASE_REPLICA_URLS",
        "postgresql://u@r1:5432/airflow, postgresql://u@r2:5432,r3:5432/airflow"
        "?target_session_attrs=prefer-standby",
    )
    assert Settings().resolved_replica_urls == [
        "postgresql+asyncpg://u@r1:5432/airflow",
        "postgresql+asyncpg://u@/airflow"
        "?host=r2%3A5432&host=r3%3A5432&target_session_attrs=prefer-standby",
    ]


def test_replica_urls_as_a_json_list(monkeypatch):
    monkeypatch.setenv("GATEWAY_DATABASE_REPLICA_URLS", '["mysql://u@r1/airflow"]')
    monkeypatch.setenv("GATEWAY_REPLICA_MAX_LAG_SECONDS", "5")
    settings = Settings()
    assert settings.resolved_replica_urls == ["mysql+aiomysql://u@r1/airflow"]
    assert settings.replica_max_lag_seconds == 5


def test_a_replica_url_of_an_unknown_backend_is_refused(monkeypatch):
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "oracle://u@h/x")
    with pytest.raises(ValueError, match="unsupported"):
        _ = Settings().resolved_replica_urls


def test_subscription_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GATEWAY_LIVE_POLL_SECONDS", "0.5")
    monkeypatch.setenv("GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION", "3")
    monkeypatch.setenv("GATEWAY_MAX_SUBSCRIPTIONS_PER_WORKER", "7")
    monkeypatch.setenv("GATEWAY_LIVE_KEEPALIVE_SECONDS", "4")
    settings = Settings()
    assert (settings.live_poll_seconds, settings.max_subscriptions_per_connection) == (0.5, 3)
    assert (settings.max_subscriptions_per_worker, settings.live_keepalive_seconds) == (7, 4)
    defaults = Settings.model_fields
    assert defaults["live_poll_seconds"].default == 2


def test_a_poll_interval_must_be_positive(monkeypatch):
    monkeypatch.setenv("GATEWAY_LIVE_POLL_SECONDS", "0")
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize(
    ("environment", "size", "overflow"),
    [
        ({}, 20, 0),  # no budget set: pool size plus overflow (a fixed-size pool)
        ({"GATEWAY_PRIMARY_MAX_CONNECTIONS": "15"}, 15, 0),
        ({"GATEWAY_PRIMARY_MAX_CONNECTIONS": "4"}, 4, 0),
        ({"GATEWAY_PRIMARY_MAX_CONNECTIONS": "50"}, 20, 0),  # the pool asks for less
        ({"GATEWAY_POOL_SIZE": "10", "GATEWAY_POOL_MAX_OVERFLOW": "10",
          "GATEWAY_PRIMARY_MAX_CONNECTIONS": "15"}, 10, 5),
        ({"GATEWAY_POOL_SIZE": "10", "GATEWAY_POOL_MAX_OVERFLOW": "10"}, 10, 10),
        ({"GATEWAY_POOL_SIZE": "2", "GATEWAY_POOL_MAX_OVERFLOW": "5",
          "GATEWAY_PRIMARY_MAX_CONNECTIONS": "3"}, 2, 1),
    ],
)
def test_the_primary_budget_caps_the_pool(monkeypatch, environment, size, overflow):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert (settings.primary_pool_size, settings.primary_pool_overflow) == (size, overflow)
    assert settings.primary_connection_budget == size + overflow


def test_the_primary_budget_is_positive(monkeypatch):
    monkeypatch.setenv("GATEWAY_PRIMARY_MAX_CONNECTIONS", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_the_dashboard_is_on_unless_turned_off(monkeypatch):
    assert Settings().dashboard is True
    monkeypatch.setenv("GATEWAY_DASHBOARD", "false")
    assert Settings().dashboard is False
