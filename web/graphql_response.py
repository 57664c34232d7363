"""Writing a GraphQL-over-HTTP response: media type, status, caching, error codes.

The response is `application/graphql-response+json` or `application/json` as
the request's `Accept` header asked. With the former, a request that cannot run
(parse or validation failure, limits, unknown operation, bad variables) answers
4xx without `data`; with `application/json` every well-formed request answers
200 (the spec's legacy rule). Field errors are 200 with `data` either way.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from backfill_gateway.settings import Settings
from backfill_gateway.web.execution.error_codes import ensure_code
from backfill_gateway.web.execution.errors import ErrorCode, failed_request_status, outcome_of
from backfill_gateway.web.graphql_request import GRAPHQL_RESPONSE_MEDIA_TYPE, JSON_MEDIA_TYPE
from backfill_gateway.web.request_record import current_request

_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)
_RESPONSE_HEADERS = {"Vary": "Accept, Authorization", "Cache-Control": "no-store"}


class _ResultResponse(Response):
    """A JSON response with the headers every uncached GraphQL result has, encoded once per
    media type (Response's own encoding of them was ~1% of a small query's CPU)."""

    # The headers before and after content-length, as Response.init_headers orders them.
    _headers_by_media_type: dict[str, tuple[list, list]] = {}

    def __init__(self, body: bytes, status_code: int, media_type: str) -> None:
        self.status_code = status_code
        self.media_type = f"{media_type}; charset=utf-8"
        self.body = body
        self.background = None
        encoded = self._headers_by_media_type.get(media_type)
        if encoded is None:
            self.init_headers(_RESPONSE_HEADERS)
            at = [name for name, _ in self.raw_headers].index(b"content-length")
            encoded = (self.raw_headers[:at], self.raw_headers[at + 1 :])
            self._headers_by_media_type[media_type] = encoded
        before, after = encoded
        length = (b"content-length", str(len(body)).encode("latin-1"))
        self.raw_headers = [*before, length, *after]


def json_response(
    payload: Any, status_code: int = 200, headers: dict | None = None, media_type: str = JSON_MEDIA_TYPE
) -> Response:
    return Response(
        orjson.dumps(payload), status_code, headers, media_type=f"{media_type}; charset=utf-8"
    )


def request_error(
    message: str, code: ErrorCode, headers: dict | None = None,
    media_type: str = JSON_MEDIA_TYPE, *, status_code: int | None = None,
) -> Response:
    record = current_request()
    if record is not None:
        record.error_codes = [code.code]
    return json_response(
        {"errors": [{"message": message, "extensions": {"code": code.code}}]},
        code.status if status_code is None else status_code,
        {"Cache-Control": "no-store", **(headers or {})},
        media_type,
    )


def is_request_error(result) -> bool:
    """Errors before execution (parse, validation, variables) carry no path and no data;
    once execution started, `data` is part of the response even when it is null."""
    return result.data is None and bool(result.errors) and all(
        error.path is None for error in result.errors
    )


def graphql_response(
    request: Request, result, caller_name: str | None, settings: Settings, media_type: str
) -> Response:
    """The response for an execution result."""
    payload: dict[str, Any] = {}
    codes: list[str] = []
    if result.errors:
        errors = [
            ensure_code(error, settings.max_query_tokens).formatted
            for error in result.errors
        ]
        if not settings.introspection:
            # Without introspection, "Did you mean ..." would reveal the schema.
            for error in errors:
                error["message"] = _SUGGESTION.sub("", error["message"])
        payload["errors"] = errors
        codes = [(error.get("extensions") or {}).get("code", "") for error in errors]
    request_failed = is_request_error(result)
    if not request_failed:
        payload["data"] = result.data
    if result.extensions:
        payload["extensions"] = result.extensions
    record = current_request()
    if record is not None:
        record.error_codes = codes
        record.outcome = outcome_of(codes)
    status = 200
    if request_failed and media_type == GRAPHQL_RESPONSE_MEDIA_TYPE:
        status = failed_request_status(codes)
    max_age = settings.get_cache_max_age_seconds
    if request.method == "GET" and max_age and not result.errors:
        scope = "private" if caller_name is not None else "public"
        headers = {**_RESPONSE_HEADERS, "Cache-Control": f"{scope}, max-age={max_age}"}
        return json_response(payload, status, headers, media_type)
    return _ResultResponse(orjson.dumps(payload), status, media_type)
