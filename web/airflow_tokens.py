"""Verify JWTs that Airflow 3 issued, configured the way Airflow is (`[api_auth]`).

Signature, `exp`/`nbf`/`iat` (all required, with Airflow's leeway), audience and issuer are
checked by PyJWT, never by hand. The key is chosen as Airflow's own validator chooses it:

1. `AIRFLOW__API_AUTH__TRUSTED_JWKS_URL`: a JWKS at an http(s) URL (fetched by PyJWT's
   client, cached) or a file; the token's `kid` picks the key, and its algorithm comes from
   `JWT_ALGORITHM` or else the key itself (RS256 for RSA, EdDSA for Ed25519 keys).
2. `AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH`: the PEM private key Airflow signs with; its
   public half verifies (algorithm: `JWT_ALGORITHM`, else guessed from the key as Airflow does).
3. `AIRFLOW__API_AUTH__JWT_SECRET`: a shared secret, HS512 unless `JWT_ALGORITHM` says otherwise.

Every failure is `InvalidAirflowToken` without detail: the caller learns nothing about which
check failed, and the log only says that a token was refused.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from backfill_gateway.settings import Settings

REQUIRED_CLAIMS = ("exp", "iat", "nbf")
ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA",
                        "ES256", "ES384", "ES512"})  # fmt: skip
SYMMETRIC = frozenset({"HS256", "HS384", "HS512"})


class InvalidAirflowToken(Exception):
    """The token is not a valid Airflow token. `reason` is for the server log only: the
    client always gets the same message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AirflowTokenConfigError(ValueError):
    """The `[api_auth]` settings cannot verify anything; stops start-up."""


def _algorithms(setting: str | None) -> list[str] | None:
    if not setting or setting.strip().upper() == "GUESS":
        return None
    algorithms = [name.strip() for name in setting.split(",") if name.strip()]
    unknown = [name for name in algorithms if name not in ASYMMETRIC | SYMMETRIC]
    if unknown:
        raise AirflowTokenConfigError(f"AIRFLOW__API_AUTH__JWT_ALGORITHM: unsupported {unknown}")
    return algorithms


def _guess_algorithm(private_key: Any) -> str:
    if isinstance(private_key, RSAPrivateKey):
        return "RS256"
    if isinstance(private_key, Ed25519PrivateKey):
        return "EdDSA"
    raise AirflowTokenConfigError(
        "AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH: only RSA and Ed25519 keys are supported "
        "(as in Airflow); set AIRFLOW__API_AUTH__JWT_ALGORITHM for others"
    )


class AirflowTokenVerifier:
    """Checks a JWT against the configured key, audience, issuer and time claims."""

    def __init__(self, settings: Settings) -> None:
        self.audience = settings.airflow_jwt_audience
        self.issuer = settings.airflow_jwt_issuer or None
        self.leeway = settings.airflow_jwt_leeway_seconds
        algorithms = _algorithms(settings.airflow_jwt_algorithm)
        self._jwks_client: jwt.PyJWKClient | None = None
        self._jwk_set: jwt.PyJWKSet | None = None
        self._key: Any = None
        url = settings.airflow_trusted_jwks_url
        if url:
            self.source = "JWKS"
            if url.startswith(("http://", "https://")):
                self._jwks_client = jwt.PyJWKClient(url, cache_keys=True, lifespan=3600)
            else:
                self._jwk_set = _read_jwks(Path(url.removeprefix("file://")))
        elif settings.airflow_jwt_private_key_path is not None:
            self.source = "private key"
            private_key = _read_private_key(settings.airflow_jwt_private_key_path)
            self._key = private_key.public_key()
            algorithms = algorithms or [_guess_algorithm(private_key)]
        elif settings.airflow_jwt_secret:
            self.source = "secret"
            self._key = settings.airflow_jwt_secret
            algorithms = algorithms or ["HS512"]
            if not set(algorithms) <= SYMMETRIC:
                raise AirflowTokenConfigError(
                    "AIRFLOW__API_AUTH__JWT_SECRET needs an HS* AIRFLOW__API_AUTH__JWT_ALGORITHM"
                )
        else:
            raise AirflowTokenConfigError("no Airflow JWT key configured")
        if self._key is not None and not isinstance(self._key, str):
            if not set(algorithms) <= ASYMMETRIC:
                raise AirflowTokenConfigError(
                    "AIRFLOW__API_AUTH__JWT_ALGORITHM must be asymmetric with a key pair"
                )
        self.algorithms = algorithms

    @staticmethod
    def configured(settings: Settings) -> bool:
        return bool(
            settings.airflow_trusted_jwks_url
            or settings.airflow_jwt_private_key_path
            or settings.airflow_jwt_secret
        )

    async def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of `token`; raises InvalidAirflowToken for anything wrong."""
        try:
            key, algorithms = await self._key_for(token)
            return jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS), "verify_signature": True},
            )
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as error:
            raise InvalidAirflowToken(type(error).__name__) from error

    async def _key_for(self, token: str) -> tuple[Any, list[str]]:
        if self._key is not None:
            return self._key, self.algorithms
        if self._jwks_client is not None:
            # urllib under the hood: keep the event loop free while it fetches.
            jwk = await asyncio.to_thread(self._jwks_client.get_signing_key_from_jwt, token)
        else:
            kid = jwt.get_unverified_header(token).get("kid")
            if not isinstance(kid, str):
                raise InvalidAirflowToken("no kid")
            jwk = self._jwk_set[kid]
        algorithms = self.algorithms or ([jwk.algorithm_name] if jwk.algorithm_name else None)
        if not algorithms or not set(algorithms) <= ASYMMETRIC:
            raise InvalidAirflowToken("no asymmetric algorithm for the JWK")
        return jwk.key, algorithms


def _read_private_key(path: Path) -> Any:
    try:
        return load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise AirflowTokenConfigError(
            f"AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH {path}: not a readable, unencrypted PEM "
            "private key"
        ) from error


def _read_jwks(path: Path) -> jwt.PyJWKSet:
    try:
        return jwt.PyJWKSet.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, jwt.PyJWKSetError) as error:
        raise AirflowTokenConfigError(
            f"AIRFLOW__API_AUTH__TRUSTED_JWKS_URL {path}: not a readable JWKS file"
        ) from error
