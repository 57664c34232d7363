"""Reading a GraphQL-over-HTTP request: content negotiation, body, parameters.

POST bodies are JSON; the content types a browser may send cross-site without
a CORS preflight (`text/plain`, form encodings) are refused unless the request
carries a header that forces a preflight (CSRF protection). Anything that is
not a well-formed request raises `RequestError` with its code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import ClientDisconnect, Request

from backfill_gateway.web.execution.errors import (
    BAD_REQUEST,
    BODY_TOO_LARGE,
    QUERY_STRING_TOO_LONG,
    UNSUPPORTED_MEDIA_TYPE,
    ErrorCode,
)

JSON_MEDIA_TYPE = "application/json"
GRAPHQL_RESPONSE_MEDIA_TYPE = "application/graphql-response+json"
# Content types a browser sends cross-origin without asking first (CORS "simple" requests).
SIMPLE_CONTENT_TYPES = frozenset(
    {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
)
# Any of these makes a browser send a CORS preflight, which only allowed origins pass.
PREFLIGHT_HEADERS = ("graphql-require-preflight", "apollo-require-preflight", "x-apollo-operation-name")

class RequestError(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request."""

    def __init__(self, message: str, code: ErrorCode, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.headers = headers


# Built per request: not frozen (ARCHITECTURE.md).
@dataclass(slots=True)
class GraphQLParams:
    """A request's GraphQL parameters, checked for their JSON types."""

    query: str
    variables: dict | None
    operation_name: str | None


def graphql_params(params: dict) -> GraphQLParams:
    """The parameters of a parsed request body or query string, or a RequestError."""
    query = params.get("query")
    variables = params.get("variables")
    operation_name = params.get("operationName")
    if not isinstance(query, str) or not query:
        raise RequestError("`query` must be a non-empty string.", BAD_REQUEST)
    if variables is not None and not isinstance(variables, dict):
        raise RequestError("`variables` must be a JSON object.", BAD_REQUEST)
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError("`operationName` must be a string.", BAD_REQUEST)
    if params.get("extensions") is not None and not isinstance(params["extensions"], dict):
        raise RequestError("`extensions` must be a JSON object.", BAD_REQUEST)
    return GraphQLParams(query, variables, operation_name)


def negotiate(accept: str | None) -> str | None:
    """The response media type for an `Accept` header; None when none can be served.

    No header means graphql-response+json (the spec's rule since 2025); `*/*` and
    `application/*` mean application/json, which every client understands. Among
    equal q-values an exact type beats a wildcard and the first listed wins.
    """
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE_MEDIA_TYPE
    best: tuple[float, int, int] | None = None
    chosen = None
    for position, part in enumerate(accept.split(",")):
        media, *params = (item.strip() for item in part.split(";"))
        media = media.lower()
        if media == GRAPHQL_RESPONSE_MEDIA_TYPE or media == JSON_MEDIA_TYPE:
            candidate, exact = media, 1
        elif media in ("*/*", "application/*"):
            candidate, exact = JSON_MEDIA_TYPE, 0
        else:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        rank = (quality, exact, -position)
        if best is None or rank > best:
            best, chosen = rank, candidate
    return chosen


def _content_type(request: Request) -> tuple[str, dict[str, str]]:
    media, *params = (item.strip() for item in request.headers.get("content-type", "").split(";"))
    parameters = {}
    for param in params:
        name, _, value = param.partition("=")
        parameters[name.strip().lower()] = value.strip().strip('"').lower()
    return media.lower(), parameters


def _json_object(raw: bytes | str, what: str) -> dict:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise RequestError(f"{what} is not valid JSON.", BAD_REQUEST) from None
    if not isinstance(value, dict):
        raise RequestError(f"{what} must be a JSON object.", BAD_REQUEST)
    return value


async def read_params(request: Request, limit: int) -> dict:
    """The request's parameters: from the query string (GET) or the body (POST)."""
    if request.method == "GET":
        if len(request.url.query) > limit:
            raise RequestError(
                f"The query string is longer than {limit} bytes; send large documents "
                "with POST.",
                QUERY_STRING_TOO_LONG,
            )
        params: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if name in params:
                params[name] = _json_object(params[name], f"`{name}`")
        if params.get("operationName") == "":
            params["operationName"] = None
        return params
    media, parameters = _content_type(request)
    if parameters.get("charset", "utf-8") != "utf-8":
        raise RequestError("Request bodies must be UTF-8.", UNSUPPORTED_MEDIA_TYPE)
    if media in SIMPLE_CONTENT_TYPES and not any(
        request.headers.get(name) for name in PREFLIGHT_HEADERS
    ):
        raise RequestError(
            f"POST requests with Content-Type `{media}` can be sent by any web page "
            "(cross-site request forgery): send `application/json`, or add a "
            "`GraphQL-Require-Preflight: 1` header.",
            BAD_REQUEST,
        )
    if media not in (JSON_MEDIA_TYPE, "text/plain", "application/x-www-form-urlencoded"):
        raise RequestError(
            "Send GraphQL requests as `application/json`.", UNSUPPORTED_MEDIA_TYPE
        )
    body = await _body(request, limit)
    if media == "application/x-www-form-urlencoded":
        try:
            params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise RequestError("The request body is not UTF-8.", BAD_REQUEST) from None
        for name in ("variables", "extensions"):
            if name in params:
                params[name] = _json_object(params[name], f"`{name}`")
        return params
    return _json_object(body, "The request body")


def _too_large(limit: int) -> RequestError:
    return RequestError(f"The request body is larger than {limit} bytes.", BODY_TOO_LARGE)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise RequestError("Invalid Content-Length.", BAD_REQUEST)
        if int(declared) > limit:
            raise _too_large(limit)
    # The ASGI messages read as Request.stream() reads them, without its async generator
    # (a body is one message, mostly: the generator cost more than reading it).
    receive = request.receive
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
