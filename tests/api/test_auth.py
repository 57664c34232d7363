"""Who may call, over HTTP: tokens from the settings, on the real app."""

from __future__ import annotations

import hashlib

import pytest

from backfill_gateway.app import create_app
from tests.conftest import FIXED_NOW, gateway_settings
from tests.support.gateway import GatewayClient

ADMIN_TOKEN, READER_TOKEN = "adm-Zx81-token", "rdr-Qe27-token"
TOKENS = (
    f"ops:admin:{hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest()},"
    f"dashboard:reader:{hashlib.sha256(READER_TOKEN.encode()).hexdigest()}"
)
READ = "{ backfills(first: 1) { totalCount } }"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def client_for(demo_database):
    clients = []

    def make(**settings) -> GatewayClient:
        app = create_app(gateway_settings(demo_database.url, **settings), clock=lambda: FIXED_NOW)
        clients.append(client := GatewayClient(app))
        return client

    yield make
    for client in clients:
        await client.close()


async def test_reads_need_no_token_by_default(client_for):
    response = await client_for(tokens=TOKENS).graphql(READ)
    assert response.ok()["backfills"]["totalCount"] > 0


@pytest.mark.parametrize("token", [ADMIN_TOKEN, READER_TOKEN])
async def test_both_roles_may_read(client_for, token):
    for allow in (True, False):
        client = client_for(tokens=TOKENS, allow_anonymous_reads=allow)
        assert (await client.graphql(READ, headers=bearer(token))).ok()


async def test_anonymous_reads_can_be_switched_off(client_for):
    response = await client_for(tokens=TOKENS, allow_anonymous_reads=False).graphql(READ)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.error_codes == ["UNAUTHENTICATED"]
    assert "data" not in response.body
    assert response.statements == []


@pytest.mark.parametrize(
    "headers",
    [bearer("not-a-configured-token"), {"Authorization": "Basic b3BzOmE="}, {"Authorization": ""}],
)
@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_bad_token_is_refused_even_for_reads(client_for, headers, method):
    response = await client_for(tokens=TOKENS).graphql(READ, headers=headers, method=method)
    assert response.status_code == 401
    assert response.error_codes == ["UNAUTHENTICATED"]
    assert response.statements == []


async def test_tokens_file(client_for, tmp_path):
    path = tmp_path / "tokens"
    path.write_text(TOKENS.replace(",", "\n"))
    client = client_for(tokens_file=path, allow_anonymous_reads=False)
    assert (await client.graphql(READ, headers=bearer(READER_TOKEN))).ok()
    assert (await client.graphql(READ)).status_code == 401


async def test_a_malformed_token_configuration_stops_the_app(demo_database):
    with pytest.raises(ValueError, match="role 'root'"):
        create_app(gateway_settings(demo_database.url, tokens="ops:root:" + "0" * 64))
