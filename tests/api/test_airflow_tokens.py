"""Tokens issued by Airflow 3, over HTTP on every database: keys, refusals, revocation, roles.

The gateway is configured with Airflow's own `[api_auth]` settings; tokens are minted with
Airflow's claims (jti, iss, aud, nbf, exp, iat, sub [, role]) by PyJWT, signed with a shared
secret (HS512), an RSA or Ed25519 key pair, or a key of a JWKS file or URL.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from contextlib import AsyncExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from sqlalchemy import delete, insert

from backfill_gateway.app import create_app
from backfill_gateway.db import airflow_auth
from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.tables import backfill
from tests.conftest import FIXED_NOW, _enter_database, gateway_settings
from tests.support.airflow_auth import bearer, claims, create_auth_tables, insert_fab_users, mint
from tests.support.databases import BACKENDS, create_airflow_schema
from tests.support.finalize import FINALIZE, audit_log, backfill_row, insert_rows
from tests.support.gateway import GatewayClient

SECRET = "airflow-jwt-secret-" + "0123456789abcdef" * 4  # 64+ bytes for HS512
DAGS = ["sales_daily", "sales_hourly", "web_events", "other_dag"]
LISTING = "{ backfills(first: 50) { totalCount nodes { backfillId dagId } } }"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()
REFUSED = "Unknown or revoked token."


def pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )  # fmt: skip


def jwk(key, kid: str, alg: str) -> dict:
    algorithm = jwt.algorithms.RSAAlgorithm if alg == "RS256" else jwt.algorithms.OKPAlgorithm
    return {**json.loads(algorithm.to_jwk(key.public_key())), "kid": kid, "alg": alg, "use": "sig"}


@pytest.fixture(scope="module", params=BACKENDS)
async def database(request, tmp_path_factory):
    """Four DAGs with one old slot-less backfill each, FAB's tables and `revoked_token`."""
    async with AsyncExitStack() as stack:
        database = await _enter_database(request.param, tmp_path_factory, stack)
        engine = await create_airflow_schema(database.url)
        await insert_rows(
            engine, backfills=[backfill_row(i, dag_id=d) for i, d in enumerate(DAGS, 1)]
        )
        await create_auth_tables(engine)
        await insert_fab_users(engine)
        await engine.dispose()
        yield database


@pytest.fixture
async def client_for(database):
    clients = []

    def make(**settings) -> GatewayClient:
        settings.setdefault("allow_anonymous_reads", False)
        app = create_app(gateway_settings(database.url, **settings), clock=lambda: FIXED_NOW)
        clients.append(client := GatewayClient(app))
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def engine(database):
    engine = create_engine(database.url, pool_size=1, max_overflow=1)
    yield engine
    await engine.dispose()


async def dag_ids_seen(client, token) -> list[str]:
    data = (await client.graphql(LISTING, headers=bearer(token))).ok()["backfills"]
    assert data["totalCount"] == len(data["nodes"])
    return sorted(node["dagId"] for node in data["nodes"])


def assert_refused(response) -> None:
    assert response.status_code == 401, response.body
    assert response.error_codes == ["UNAUTHENTICATED"]
    assert response.errors[0]["message"] == REFUSED
    assert "data" not in response.body


# -- keys ---------------------------------------------------------------------------------


async def test_hs512_with_airflows_shared_secret(client_for):
    client = client_for(airflow_jwt_secret=SECRET)
    token = mint(claims("alice", role="VIEWER"), SECRET)
    assert await dag_ids_seen(client, token) == sorted(DAGS)


@pytest.mark.parametrize("key, algorithm", [(RSA_KEY, "RS256"), (ED_KEY, "EdDSA")])
async def test_a_key_pair_from_airflows_private_key_file(client_for, tmp_path, key, algorithm):
    path = tmp_path / "jwt.pem"
    path.write_bytes(pem(key))
    client = client_for(airflow_jwt_private_key_path=path)
    token = mint(claims("alice", role="USER"), key, algorithm, kid="whatever")
    assert await dag_ids_seen(client, token) == sorted(DAGS)
    # A token signed by another key of the same kind is forged.
    other = (
        rsa.generate_private_key(65537, 2048)
        if algorithm == "RS256"
        else ed25519.Ed25519PrivateKey.generate()
    )
    assert_refused(
        await client.graphql(
            LISTING, headers=bearer(mint(claims("a", role="USER"), other, algorithm))
        )
    )
    # The public key used as an HMAC secret (algorithm confusion) is refused.
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    confused = hmac_signed(claims("a", role="ADMIN"), public_pem)
    assert_refused(await client.graphql(LISTING, headers=bearer(confused)))


def hmac_signed(payload: dict, key: bytes) -> str:
    """An HS256 JWT signed with `key` by hand: PyJWT refuses to use a PEM key as a secret."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = part(b'{"alg":"HS256","typ":"JWT"}') + "." + part(json.dumps(payload).encode())
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + part(signature)


def jwks_file(tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text(
        json.dumps({"keys": [jwk(RSA_KEY, "rsa-1", "RS256"), jwk(ED_KEY, "ed-1", "EdDSA")]})
    )
    return path


@pytest.mark.parametrize(
    "key, algorithm, kid", [(RSA_KEY, "RS256", "rsa-1"), (ED_KEY, "EdDSA", "ed-1")]
)
async def test_keys_of_a_jwks_file(client_for, tmp_path, key, algorithm, kid):
    client = client_for(airflow_trusted_jwks_url=str(jwks_file(tmp_path)))
    assert await dag_ids_seen(
        client, mint(claims("bob", role="OP"), key, algorithm, kid)
    ) == sorted(DAGS)
    # Without a kid, or with one the JWKS does not hold, no key vouches for the token.
    assert_refused(
        await client.graphql(LISTING, headers=bearer(mint(claims("b", role="OP"), key, algorithm)))
    )
    wrong_kid = "ed-1" if kid == "rsa-1" else "rsa-1"
    assert_refused(
        await client.graphql(
            LISTING, headers=bearer(mint(claims("b", role="OP"), key, algorithm, wrong_kid))
        )
    )
    assert_refused(
        await client.graphql(
            LISTING, headers=bearer(mint(claims("b", role="OP"), key, algorithm, "nope"))
        )
    )


async def test_keys_of_a_jwks_url_on_loopback(client_for):
    body = json.dumps({"keys": [jwk(RSA_KEY, "rsa-1", "RS256")]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
        client = client_for(airflow_trusted_jwks_url=url)
        token = mint(claims("carol", role="ADMIN"), RSA_KEY, "RS256", "rsa-1")
        assert await dag_ids_seen(client, token) == sorted(DAGS)
    finally:
        server.shutdown()
        await asyncio.to_thread(thread.join)


# -- refusals -----------------------------------------------------------------------------

NOW = time.time()
BAD_TOKENS = {
    "expired": lambda: mint(claims("a", role="ADMIN", now=NOW - 3600, valid_for=60), SECRET),
    "not yet valid": lambda: mint(claims("a", role="ADMIN", nbf=int(NOW) + 3600), SECRET),
    "forged": lambda: mint(claims("a", role="ADMIN"), SECRET + "x"),
    "wrong audience": lambda: mint(
        claims("a", role="ADMIN", aud="urn:airflow.apache.org:task"), SECRET
    ),
    "wrong issuer": lambda: mint(claims("a", role="ADMIN", iss="https://evil.example"), SECRET),
    "other algorithm": lambda: mint(claims("a", role="ADMIN"), SECRET, "HS256"),
    "alg none": lambda: jwt.encode(claims("a", role="ADMIN"), None, algorithm="none"),
    "no exp": lambda: mint(claims("a", role="ADMIN", exp=...), SECRET),
    "no iat": lambda: mint(claims("a", role="ADMIN", iat=...), SECRET),
    "no nbf": lambda: mint(claims("a", role="ADMIN", nbf=...), SECRET),
    "no jti": lambda: mint(claims("a", role="ADMIN", jti=...), SECRET),
    "unknown role": lambda: mint(claims("a", role="SUPERUSER"), SECRET),
    "other shape": lambda: mint(claims("7", scope="dags:all"), SECRET),
    "non-numeric FAB subject": lambda: mint(claims("admin"), SECRET),
    "unknown FAB user": lambda: mint(claims("4242"), SECRET),
    "deactivated FAB user": lambda: mint(claims("8"), SECRET),
    "unparsable": lambda: "eyJhbGciOiJIUzUxMiJ9.bm90IGpzb24.c2ln",
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
async def test_bad_tokens_are_unauthenticated_with_one_message(client_for, kind):
    client = client_for(airflow_jwt_secret=SECRET, airflow_jwt_issuer="https://airflow.example")
    token = BAD_TOKENS[kind]()
    if kind != "wrong issuer":
        token = token if kind in ("unparsable", "alg none") else _with_issuer(kind)
    response = await client.graphql(LISTING, headers=bearer(token))
    assert_refused(response)
    # Anonymous reads do not rescue a bad token either.
    anonymous_ok = client_for(
        airflow_jwt_secret=SECRET, airflow_jwt_issuer="https://airflow.example",
        allow_anonymous_reads=True,
    )  # fmt: skip
    assert_refused(await anonymous_ok.graphql(LISTING, headers=bearer(token)))


def _with_issuer(kind: str) -> str:
    """The same bad token, but with the configured issuer (only one check fails)."""
    original = BAD_TOKENS[kind]
    payload = jwt.decode(original(), options={"verify_signature": False})
    payload["iss"] = "https://airflow.example"
    key = SECRET + "x" if kind == "forged" else SECRET
    return mint(payload, key, "HS256" if kind == "other algorithm" else "HS512")


async def test_a_valid_token_with_the_configured_issuer_is_accepted(client_for):
    client = client_for(airflow_jwt_secret=SECRET, airflow_jwt_issuer="https://airflow.example")
    token = mint(claims("a", role="VIEWER", iss="https://airflow.example"), SECRET)
    assert await dag_ids_seen(client, token) == sorted(DAGS)


async def test_the_leeway_tolerates_a_little_clock_skew(client_for):
    client = client_for(airflow_jwt_secret=SECRET)
    token = mint(claims("a", role="VIEWER", nbf=int(time.time()) + 5), SECRET)
    assert await dag_ids_seen(client, token) == sorted(DAGS)


async def test_airflow_tokens_are_refused_when_no_airflow_key_is_configured(client_for):
    response = await client_for().graphql(
        LISTING, headers=bearer(mint(claims("a", role="ADMIN"), SECRET))
    )
    assert_refused(response)


async def test_bad_airflow_key_settings_stop_start_up(database, tmp_path):
    (tmp_path / "bad.pem").write_text("not a key")
    for settings, complaint in [
        ({"airflow_jwt_private_key_path": tmp_path / "bad.pem"}, "PEM private key"),
        ({"airflow_jwt_private_key_path": tmp_path / "missing.pem"}, "PEM private key"),
        ({"airflow_trusted_jwks_url": str(tmp_path / "missing.json")}, "JWKS file"),
        ({"airflow_jwt_secret": SECRET, "airflow_jwt_algorithm": "RS256"}, "HS\\*"),
        ({"airflow_jwt_secret": SECRET, "airflow_jwt_algorithm": "none"}, "unsupported"),
    ]:
        with pytest.raises(ValueError, match=complaint):
            create_app(gateway_settings(database.url, **settings))


# -- revocation ---------------------------------------------------------------------------


async def test_a_revoked_token_is_refused(client_for, engine):
    client = client_for(airflow_jwt_secret=SECRET, airflow_revocation_cache_seconds=0)
    payload = claims("dave", role="VIEWER")
    token = mint(payload, SECRET)
    assert await dag_ids_seen(client, token) == sorted(DAGS)
    async with engine.begin() as connection:
        await connection.execute(
            insert(airflow_auth.revoked_token), {"jti": payload["jti"], "exp": FIXED_NOW}
        )
    assert_refused(await client.graphql(LISTING, headers=bearer(token)))
    # Other tokens of the same user still work.
    assert await dag_ids_seen(client, mint(claims("dave", role="VIEWER"), SECRET)) == sorted(DAGS)


async def test_the_revocation_check_is_cached_briefly(client_for, engine):
    client = client_for(airflow_jwt_secret=SECRET, airflow_revocation_cache_seconds=5)
    payload = claims("erin", role="VIEWER")
    token = mint(payload, SECRET)
    first = await client.graphql(LISTING, headers=bearer(token))
    first.ok()
    again = await client.graphql(LISTING, headers=bearer(token))
    # The second request asks the database nothing about the token.
    assert any("revoked_token" in statement for statement in first.statements)
    assert not any("revoked_token" in statement for statement in again.statements)
    assert again.statements == first.statements[-len(again.statements) :]
    assert len(again.statements) < len(first.statements)


# -- SimpleAuthManager roles --------------------------------------------------------------


@pytest.mark.parametrize(
    "role, may_finalize", [("ADMIN", True), ("OP", True), ("admin", True), ("USER", False),
                           ("VIEWER", False)],
)  # fmt: skip
async def test_simple_auth_manager_roles(client_for, role, may_finalize):
    client = client_for(airflow_jwt_secret=SECRET)
    token = mint(claims("frank", role=role, teams=None), SECRET)
    assert await dag_ids_seen(client, token) == sorted(DAGS)
    response = await client.graphql(FINALIZE, {"input": {"dryRun": True}}, headers=bearer(token))
    if may_finalize:
        results = response.ok()["finalizeOrphanedBackfills"]["results"]
        assert sorted(r["backfill"]["dagId"] for r in results) == sorted(DAGS)
    else:
        assert response.error_codes == ["FORBIDDEN"]


async def test_a_simple_auth_manager_user_without_a_role_reads_nothing(client_for):
    client = client_for(airflow_jwt_secret=SECRET)
    assert await dag_ids_seen(client, mint(claims("guest", role=None), SECRET)) == []


async def test_the_audit_row_names_the_airflow_user(client_for, engine):
    client = client_for(airflow_jwt_secret=SECRET)
    token = mint(claims("grace", role="ADMIN"), SECRET)
    await insert_rows(engine, backfills=[backfill_row(99, dag_id="other_dag")])
    try:
        response = await client.graphql(
            FINALIZE, {"input": {"backfillIds": [99], "dryRun": False}}, headers=bearer(token)
        )
        [result] = response.ok()["finalizeOrphanedBackfills"]["results"]
        assert result["outcome"] == "FINALIZED"
        assert [row["owner"] for row in await audit_log(engine)][-1] == "grace"
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(backfill).where(backfill.c.id == 99))


async def test_the_access_log_names_the_airflow_user_and_never_a_refused_one(client_for, caplog):
    client = client_for(airflow_jwt_secret=SECRET)
    good = mint(claims("heidi", role="VIEWER"), SECRET)
    bad = mint(claims("mallory", role="ADMIN"), SECRET + "x")
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        (await client.graphql(LISTING, headers=bearer(good))).ok()
        assert_refused(await client.graphql(LISTING, headers=bearer(bad)))
    lines = [r.data for r in caplog.records if r.name == "gateway.access"]
    assert [line["caller"] for line in lines] == ["heidi", None]
    rendered = "\n".join(str(r.__dict__) for r in caplog.records)
    assert good not in rendered and bad not in rendered and "mallory" not in rendered
