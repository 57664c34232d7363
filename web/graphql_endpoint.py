"""The `/graphql` endpoint: GraphQL over HTTP (POST JSON and GET), GraphiQL for browsers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from strawberry.types.graphql import OperationType
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from db.engine import recording_statements
from resolvers.context import RequestContext
from resolvers.errors import Unauthenticated
from settings import Settings
from web.auth import TokenRegistry, authenticate

JSON_MEDIA_TYPE = "application/json"


def json_response(payload: Any, status_code: int = 200, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(payload), status_code, headers, media_type=JSON_MEDIA_TYPE)


def request_error(message: str, status_code: int, code: str, headers: dict | None = None):
    return json_response(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code, headers
    )


def is_request_error(result) -> bool:
    """Errors before execution (parse, validation, variables) carry no path and no data;
    once execution started, `data` is part of the response even when it is null."""
    return result.data is None and bool(result.errors) and all(
        error.path is None for error in result.errors
    )


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
        params = await self._params(request)
        if isinstance(params, Response):
            return params
        return await self.execute(request, params)

    def _wants_graphiql(self, request: Request) -> bool:
        return (
            self.graphiql_html is not None
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def _params(self, request: Request) -> dict | Response:
        if request.method == "GET":
            params: dict[str, Any] = dict(request.query_params)
            if "variables" in params:
                try:
                    params["variables"] = orjson.loads(params["variables"])
                except orjson.JSONDecodeError:
                    return request_error("`variables` is not valid JSON.", 400, "BAD_REQUEST")
            return params
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON_MEDIA_TYPE:
            return request_error(
                "Send GraphQL requests as `application/json`.", 415, "UNSUPPORTED_MEDIA_TYPE"
            )
        try:
            params = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return request_error("The request body is not valid JSON.", 400, "BAD_REQUEST")
        if not isinstance(params, dict):
            return request_error("The request body must be a JSON object.", 400, "BAD_REQUEST")
        return params

    async def execute(self, request: Request, params: dict) -> Response:
        query = params.get("query")
        variables = params.get("variables")
        operation_name = params.get("operationName")
        if not isinstance(query, str) or not query:
            return request_error("`query` must be a non-empty string.", 400, "BAD_REQUEST")
        if variables is not None and not isinstance(variables, dict):
            return request_error("`variables` must be a JSON object.", 400, "BAD_REQUEST")
        if operation_name is not None and not isinstance(operation_name, str):
            return request_error("`operationName` must be a string.", 400, "BAD_REQUEST")
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
                error.message, 401, error.code, {"WWW-Authenticate": 'Bearer realm="graphql"'}
            )
        context = RequestContext(
            settings=self.settings, engine=self.engine, now=self.clock(), request=request,
            caller=caller,
        )
        try:
            with recording_statements() as statements:
                request.state.sql_statements = statements
                result = await self.schema.execute(
                    query,
                    variable_values=variables,
                    context_value=context,
                    operation_name=operation_name,
                    allowed_operation_types=allowed,
                )
        except InvalidOperationTypeError:
            return request_error(
                "Mutations are only accepted over POST.", 405, "METHOD_NOT_ALLOWED",
                {"Allow": "POST"},
            )
        except (MissingQueryError, CannotGetOperationTypeError) as error:
            return request_error(str(error), 400, "BAD_REQUEST")
        finally:
            await context.close()
        payload: dict[str, Any] = {}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if not is_request_error(result):
            payload["data"] = result.data
        if result.extensions:
            payload["extensions"] = result.extensions
        return json_response(payload)
