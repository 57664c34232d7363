"""The `/graphql` endpoint: GraphQL over HTTP (POST and GET), GraphiQL for browsers.

Follows the GraphQL-over-HTTP specification: the response is
`application/graphql-response+json` or `application/json` as the `Accept`
header asks (406 when it asks for neither). With the former, a request that
cannot run (parse or validation failure, limits, unknown operation, bad
variables) answers 4xx without `data`; with `application/json` every
well-formed request answers 200 (the spec's legacy rule). Field errors are
200 with `data` either way.

GET runs queries only (a mutation answers 405, `Allow: POST`). POST bodies
are JSON; the content types a browser may send cross-site without a CORS
preflight (`text/plain`, form encodings) are refused unless the request
carries a header that forces a preflight (CSRF protection).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from backfill_gateway.db.statements import recording_statements
from backfill_gateway.resolvers.context import RequestContext
from backfill_gateway.resolvers.errors import Unauthenticated
from backfill_gateway.settings import Settings
from backfill_gateway.web import observability
from backfill_gateway.web.auth import TokenRegistry, authenticate
from backfill_gateway.web.execution.error_codes import ensure_code
from backfill_gateway.web.execution.errors import (
    BAD_REQUEST,
    BAD_USER_INPUT,
    BODY_TOO_LARGE,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    QUERY_STRING_TOO_LONG,
    SERVICE_UNAVAILABLE,
    UNSUPPORTED_MEDIA_TYPE,
    ErrorCode,
    error_code_of,
    failed_request_status,
    outcome_of,
)

JSON_MEDIA_TYPE = "application/json"
GRAPHQL_RESPONSE_MEDIA_TYPE = "application/graphql-response+json"
# Content types a browser sends cross-origin without asking first (CORS "simple" requests).
SIMPLE_CONTENT_TYPES = frozenset(
    {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
)
# Any of these makes a browser send a CORS preflight, which only allowed origins pass.
PREFLIGHT_HEADERS = ("graphql-require-preflight", "apollo-require-preflight", "x-apollo-operation-name")
_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


class RequestError(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request."""

    def __init__(self, message: str, code: ErrorCode, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.headers = headers


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
    record = observability.current_request()
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


class GraphQLEndpoint:
    """Parses GraphQL requests, runs them against the schema with a fresh context."""

    def __init__(
        self,
        *,
        schema,
        settings: Settings,
        engine: AsyncEngine,
        clock: Callable[[], datetime],
        graphiql_html: Callable[[Request], str] | None,
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.graphiql_html = graphiql_html
        # Parsed once: a malformed token configuration stops the app at start-up.
        self.tokens = TokenRegistry.from_settings(settings)

    async def handle(self, request: Request) -> Response:
        if request.method == "GET" and self._wants_graphiql(request):
            return HTMLResponse(self.graphiql_html(request))
        record = observability.current_request()
        if record is not None:
            record.graphql = True
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            return request_error(
                f"This endpoint answers `{GRAPHQL_RESPONSE_MEDIA_TYPE}` or `{JSON_MEDIA_TYPE}`; "
                "the Accept header allows neither.",
                NOT_ACCEPTABLE,
            )
        try:
            params = await self._params(request)
        except RequestError as error:
            return request_error(error.message, error.code, error.headers, media_type)
        return await self.execute(request, params, media_type)

    def _wants_graphiql(self, request: Request) -> bool:
        return (
            self.graphiql_html is not None
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def _params(self, request: Request) -> dict:
        limit = self.settings.max_request_bytes
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
        body = await self._body(request, limit)
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

    async def _body(self, request: Request, limit: int) -> bytes:
        too_large = RequestError(
            f"The request body is larger than {limit} bytes.", BODY_TOO_LARGE
        )
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise RequestError("Invalid Content-Length.", BAD_REQUEST)
            if int(declared) > limit:
                raise too_large
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    async def execute(
        self, request: Request, params: dict, media_type: str = JSON_MEDIA_TYPE
    ) -> Response:
        query = params.get("query")
        variables = params.get("variables")
        operation_name = params.get("operationName")
        if not isinstance(query, str) or not query:
            return request_error(
                "`query` must be a non-empty string.", BAD_REQUEST, media_type=media_type
            )
        if variables is not None and not isinstance(variables, dict):
            return request_error(
                "`variables` must be a JSON object.", BAD_REQUEST, media_type=media_type
            )
        if operation_name is not None and not isinstance(operation_name, str):
            return request_error(
                "`operationName` must be a string.", BAD_REQUEST, media_type=media_type
            )
        if params.get("extensions") is not None and not isinstance(params["extensions"], dict):
            return request_error(
                "`extensions` must be a JSON object.", BAD_REQUEST, media_type=media_type
            )
        allowed = (
            {OperationType.QUERY}
            if request.method == "GET"
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        try:
            caller = authenticate(
                request.headers.get("authorization"),
                self.tokens,
                allow_anonymous_reads=self.settings.allow_anonymous_reads,
            )
        except Unauthenticated as error:
            return request_error(
                error.message, error_code_of(error), {"WWW-Authenticate": 'Bearer realm="graphql"'},
                media_type,
            )
        record = observability.current_request()
        if record is not None:
            record.caller = caller.name
            if operation_name:
                record.operation = operation_name
        context = RequestContext(
            settings=self.settings, engine=self.engine, now=self.clock(), request=request,
            caller=caller,
        )
        timeout = self.settings.request_timeout_seconds
        timed_out = False
        try:
            with recording_statements() as statements:
                request.state.sql_statements = statements
                try:
                    async with asyncio.timeout(timeout):
                        result = await self.schema.execute(
                            query,
                            variable_values=variables,
                            context_value=context,
                            operation_name=operation_name,
                            allowed_operation_types=allowed,
                        )
                except TimeoutError:
                    timed_out = True
        except InvalidOperationTypeError:
            return request_error(
                "Mutations are only accepted over POST.", METHOD_NOT_ALLOWED,
                {"Allow": "POST"}, media_type,
            )
        except CannotGetOperationTypeError as error:
            # GetOperation() failed: a GraphQL request error in a well-formed request.
            status = 400 if media_type == GRAPHQL_RESPONSE_MEDIA_TYPE else 200
            return request_error(
                error.as_http_error_reason(), BAD_USER_INPUT, media_type=media_type,
                status_code=status,
            )
        except MissingQueryError as error:
            return request_error(str(error), BAD_REQUEST, media_type=media_type)
        finally:
            if timed_out:
                # Statements may still be running in DataLoader tasks: drop the connection.
                await context.session.abort()
            else:
                await context.close()
            if record is not None:
                record.sql_statements = statements.count
                record.caller = context.caller.name
        if timed_out:
            if record is not None:
                record.outcome = "unavailable"
            return request_error(
                f"The request did not complete within {timeout:g} seconds.",
                SERVICE_UNAVAILABLE, media_type=media_type,
            )
        return self._response(request, result, context, media_type)

    def _response(self, request: Request, result, context, media_type: str) -> Response:
        payload: dict[str, Any] = {}
        codes: list[str] = []
        if result.errors:
            errors = [
                ensure_code(error, self.settings.max_query_tokens).formatted
                for error in result.errors
            ]
            if not self.settings.introspection:
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
        record = observability.current_request()
        if record is not None:
            record.error_codes = codes
            record.outcome = outcome_of(codes)
        status = 200
        if request_failed and media_type == GRAPHQL_RESPONSE_MEDIA_TYPE:
            status = failed_request_status(codes)
        headers = {"Vary": "Accept, Authorization", "Cache-Control": "no-store"}
        max_age = self.settings.get_cache_max_age_seconds
        if request.method == "GET" and max_age and not result.errors:
            scope = "private" if context.caller.name is not None else "public"
            headers["Cache-Control"] = f"{scope}, max-age={max_age}"
        return json_response(payload, status, headers, media_type)
