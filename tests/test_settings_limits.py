"""Defaults of the limits and the HTTP settings (the README documents these numbers)."""

import pytest
from pydantic import ValidationError

from backfill_gateway.settings import Settings

DEFAULTS = {
    "max_query_tokens": 2000,
    "max_query_depth": 10,
    "max_query_aliases": 15,
    "max_root_fields": 10,
    "max_query_cost": 20000,
    "default_page_size": 20,
    "max_page_size": 100,
    "max_request_bytes": 262144,
    "request_timeout_seconds": 20.0,
    "statement_timeout_seconds": 10.0,
    "db_connect_timeout_seconds": 3.0,
    "readiness_timeout_seconds": 2.0,
    "pool_timeout_seconds": 5.0,
    "cors_allow_origins": "",
    "cors_allow_credentials": False,
    "get_cache_max_age_seconds": 0,
    "introspection": True,
    "graphiql": True,
    "dashboard": True,
    "log_format": "json",
    "otel_tracing": False,
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith("GATEWAY_"):
            monkeypatch.delenv(name)


def test_defaults():
    settings = Settings()
    assert {name: getattr(settings, name) for name in DEFAULTS} == DEFAULTS
    assert settings.cors_origins == []


def test_limits_from_the_environment(monkeypatch):
    monkeypatch.setenv("GATEWAY_MAX_QUERY_COST", "500")
    monkeypatch.setenv("GATEWAY_INTROSPECTION", "false")
    monkeypatch.setenv("GATEWAY_CORS_ALLOW_ORIGINS", "https://a.example, http://localhost:5173")
    settings = Settings()
    assert settings.max_query_cost == 500
    assert settings.introspection is False
    assert settings.cors_origins == ["https://a.example", "http://localhost:5173"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"cors_allow_origins": "*", "cors_allow_credentials": True},
        {"cors_allow_origins": "https://a.example/path"},
        {"cors_allow_origins": "a.example"},
        {"default_page_size": 200},
        {"max_query_depth": 0},
        {"max_request_bytes": 10},
    ],
)
def test_refused(overrides):
    with pytest.raises(ValidationError):
        Settings(**overrides)


def test_any_origin_without_credentials_is_allowed():
    assert Settings(cors_allow_origins="*").cors_origins == ["*"]
