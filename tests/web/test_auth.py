"""Token configuration and bearer authentication (web.auth), without HTTP."""

from __future__ import annotations

import hashlib

import pytest

from backfill_gateway.resolvers.context import ANONYMOUS, Caller
from backfill_gateway.resolvers.errors import Unauthenticated
from backfill_gateway.settings import Settings
from backfill_gateway.web.auth import (
    TokenConfigError,
    TokenRegistry,
    authenticate,
    parse_token_entries,
)


def sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def registry(tokens: str = "", tokens_file=None) -> TokenRegistry:
    return TokenRegistry.from_settings(
        Settings(database_url="sqlite:///x", tokens=tokens, tokens_file=tokens_file)
    )


def test_entries_from_the_environment_and_the_file_both_count(tmp_path):
    path = tmp_path / "tokens"
    path.write_text(f"# operators\n\nops:admin:{sha('a')}\n  cron:nightly:reader:{sha('b')}  \n")
    tokens = registry(f"dash:reader:{sha('c')}, ", path)
    assert len(tokens) == 3
    assert tokens.caller_for("a") == Caller("ops", "admin")
    # A name may contain colons: the entry is split from the right.
    assert tokens.caller_for("b") == Caller("cron:nightly", "reader")
    assert tokens.caller_for("c") == Caller("dash", "reader")
    assert tokens.caller_for("d") is None


def test_upper_case_digests_match():
    assert registry(f"ops:admin:{sha('a').upper()}").caller_for("a") == Caller("ops", "admin")


def test_the_token_itself_is_never_accepted_as_its_digest():
    token = sha("a")  # a token that happens to look like a digest
    assert registry(f"ops:admin:{token}").caller_for(token) is None


@pytest.mark.parametrize(
    "entry, complaint",
    [
        ("ops:admin", "is not `name:role:sha256hex`"),
        (f":admin:{sha('a')}", "is not `name:role:sha256hex`"),
        (f"ops:root:{sha('a')}", "has role 'root'"),
        ("ops:admin:abc123", "64 hex digits"),
        (f"ops:admin:{sha('a')[:-1]}g", "64 hex digits"),
        ("ops:admin:s3cret-token-in-clear", "64 hex digits"),
    ],
)
def test_malformed_entries_are_refused_without_echoing_them(entry, complaint):
    with pytest.raises(TokenConfigError, match=complaint) as raised:
        parse_token_entries(entry, "GATEWAY_TOKENS")
    assert "s3cret" not in str(raised.value)


def test_the_same_digest_twice_is_refused():
    with pytest.raises(TokenConfigError, match="same digest"):
        registry(f"a:admin:{sha('x')},b:reader:{sha('x')}")


def test_an_unreadable_tokens_file_stops_start_up(tmp_path):
    with pytest.raises(TokenConfigError, match="cannot be read"):
        registry(tokens_file=tmp_path / "missing")


def test_no_header_is_anonymous_only_when_anonymous_reads_are_allowed():
    tokens = registry(f"ops:admin:{sha('a')}")
    assert authenticate(None, tokens, allow_anonymous_reads=True) is ANONYMOUS
    with pytest.raises(Unauthenticated, match="needs a token"):
        authenticate(None, tokens, allow_anonymous_reads=False)


def test_bearer_scheme_is_case_insensitive():
    tokens = registry(f"ops:admin:{sha('a')}")
    for header in ("Bearer a", "bearer a", "BEARER   a  "):
        assert authenticate(header, tokens, allow_anonymous_reads=False) == Caller("ops", "admin")


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer ", "Basic b3BzOmE=", "a", "Bearer a b", "Token a"]
)
def test_malformed_headers_are_refused_even_when_anonymous_reads_are_allowed(header):
    tokens = registry(f"ops:admin:{sha('a')}")
    with pytest.raises(Unauthenticated, match="Malformed"):
        authenticate(header, tokens, allow_anonymous_reads=True)


def test_unknown_tokens_are_refused_even_when_anonymous_reads_are_allowed():
    tokens = registry(f"ops:admin:{sha('a')}")
    with pytest.raises(Unauthenticated, match="Unknown"):
        authenticate("Bearer b", tokens, allow_anonymous_reads=True)
    with pytest.raises(Unauthenticated, match="Unknown"):
        authenticate("Bearer a", registry(), allow_anonymous_reads=True)
