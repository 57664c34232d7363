"""The `/graphql` endpoint: GraphQL over HTTP (POST and GET), GraphiQL for browsers.

Follows the GraphQL-over-HTTP specification. Reading the request (content
negotiation, body, parameters) is graphql_request.py's job, writing the
response (status, media type, caching) graphql_response.py's; this module
runs one request through its steps: negotiate, read, authenticate, execute
(with the request timeout and the statement recorder), respond.

GET runs queries only (a mutation answers 405, `Allow: POST`).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from backfill_gateway.db.airflow_schema import (
    UNDETECTED,
    AirflowSchemaError,
    DetectedAirflowSchema,
)
from backfill_gateway.db.errors import DatabaseUnavailable, PoolExhausted, is_unavailable
from backfill_gateway.db.statements import recording_statements
from backfill_gateway.resolvers.context import Caller, RequestContext
from backfill_gateway.resolvers.errors import Unauthenticated
from backfill_gateway.settings import Settings
from backfill_gateway.web.auth import Authenticator, RequestAuthenticator
from backfill_gateway.web.execution.error_tracebacks import forget_tracebacks
from backfill_gateway.web.execution.errors import (
    BAD_REQUEST,
    BAD_USER_INPUT,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    SERVICE_UNAVAILABLE,
    error_code_of,
)
from backfill_gateway.web.graphiql import prefers_html
from backfill_gateway.web.graphql_request import (
    GRAPHQL_RESPONSE_MEDIA_TYPE,
    JSON_MEDIA_TYPE,
    PREFLIGHT_HEADERS,
    GraphQLParams,
    RequestError,
    graphql_params,
    negotiate,
    read_params,
)
from backfill_gateway.web.graphql_response import graphql_response, request_error
from backfill_gateway.web.request_deadline import RequestDeadline
from backfill_gateway.web.request_record import current_request

__all__ = ["PREFLIGHT_HEADERS", "GraphQLEndpoint", "negotiate"]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="graphql"'}
SUBSCRIPTION_OVER_HTTP = (
    "A subscription streams its results: open a WebSocket to this URL (subprotocol "
    "`graphql-transport-ws`), or POST it with `Accept: text/event-stream` (graphql-sse)."
)


def wants_event_stream(request: Request) -> bool:
    """A graphql-sse request: POST accepting `text/event-stream`."""
    return request.method == "POST" and any(
        part.split(";", 1)[0].strip().lower() == "text/event-stream"
        for part in request.headers.get("accept", "").split(",")
    )


@dataclass
class _Execution:
    """What running one operation gave: a result, or the request timed out."""

    result: object = None
    timed_out: bool = False


class GraphQLEndpoint:
    """Parses GraphQL requests, runs them against the schema with a fresh context."""

    def __init__(
        self,
        *,
        schema,
        settings: Settings,
        engine: AsyncEngine,
        clock: Callable[[], datetime],
        graphiql_html: Callable[[Request], Response] | None,
        airflow: DetectedAirflowSchema,
        authenticator: RequestAuthenticator | None = None,
        read_engines: Callable[[], Sequence[AsyncEngine]] | None = None,
    ) -> None:
        self.schema = schema
        self.airflow = airflow
        self.settings = settings
        self.engine = engine
        # Each request's read order (replicas first); None: everything on `engine`.
        self.read_engines = read_engines
        self.clock = clock
        self.graphiql_html = graphiql_html
        # Built once: a malformed token configuration stops the app at start-up.
        # Inside Airflow, Airflow's auth manager authenticates instead (web.airflow_login).
        self.authenticator = authenticator or Authenticator(settings, engine)
        # graphql-sse requests (`Accept: text/event-stream`), handed over by the app.
        self.event_streams: Callable[[Request], Awaitable[Response]] | None = None
        # GraphQL requests of this worker executing now (web.execution runs them).
        self._in_flight = 0

    async def handle(self, request: Request) -> Response:
        if request.method == "GET" and self._wants_graphiql(request):
            return self.graphiql_html(request)
        record = current_request()
        if record is not None:
            record.graphql = True
        if self.event_streams is not None and wants_event_stream(request):
            return await self.event_streams(request)
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            return request_error(
                f"This endpoint answers `{GRAPHQL_RESPONSE_MEDIA_TYPE}` or `{JSON_MEDIA_TYPE}`; "
                "the Accept header allows neither.",
                NOT_ACCEPTABLE,
            )
        try:
            params = graphql_params(await read_params(request, self.settings.max_request_bytes))
        except RequestError as error:
            return request_error(error.message, error.code, error.headers, media_type)
        return await self.execute(request, params, media_type)

    def _wants_graphiql(self, request: Request) -> bool:
        # A browser opening the endpoint, or a GraphiQL link (`?query=...`): the page,
        # which reads the query and variables from its URL. API clients get JSON.
        return self.graphiql_html is not None and prefers_html(request.headers.get("accept"))

    async def execute(
        self, request: Request, params: GraphQLParams, media_type: str = JSON_MEDIA_TYPE
    ) -> Response:
        try:
            caller = await self.authenticator.request_caller(request)
        except Unauthenticated as error:
            return request_error(error.message, error_code_of(error), _CHALLENGE, media_type)
        except DatabaseUnavailable as error:  # Airflow's revocation or FAB tables unreachable
            return request_error(
                error.message, error_code_of(error), self._retry_after(), media_type=media_type
            )
        record = current_request()
        if record is not None:
            record.caller = caller.name
            if params.operation_name:
                record.operation = params.operation_name
        airflow = self.airflow.current
        if airflow is None:  # not detected at start-up (no lifespan, or the database was down)
            try:
                airflow = await self.airflow.get()
            except AirflowSchemaError as error:
                if record is not None:
                    record.outcome = "unavailable"
                return request_error(str(error), SERVICE_UNAVAILABLE, media_type=media_type)
            except Exception as error:
                if not (isinstance(error, TimeoutError) or is_unavailable(error)):
                    raise
                # The database cannot answer now: the request runs as usual, and its first
                # statement reports SERVICE_UNAVAILABLE as any outage does (introspection and
                # invalid documents still get their own answers). Not remembered.
                airflow = UNDETECTED
        context = RequestContext(
            settings=self.settings, engine=self.engine, now=self.clock(), caller=caller,
            airflow=airflow,
            read_engines=self.read_engines() if self.read_engines is not None else None,
            written_nodes_allowed=self._takes_written_nodes(),
        )
        self._in_flight += 1
        try:
            execution = await self._run(request, params, context)
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                return request_error(SUBSCRIPTION_OVER_HTTP, NOT_ACCEPTABLE, media_type=media_type)
            return request_error(
                "Mutations are only accepted over POST.", METHOD_NOT_ALLOWED, {"Allow": "POST"},
                media_type,
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
            self._in_flight -= 1
        if execution.timed_out:
            if record is not None:
                record.outcome = "unavailable"
            return request_error(
                f"The request did not complete within {self.settings.request_timeout_seconds:g} "
                "seconds.",
                SERVICE_UNAVAILABLE, self._retry_after(), media_type=media_type,
            )
        exhausted = _pool_exhausted(execution.result)
        if exhausted is not None:
            # The gateway's connection budget is spent: the request as a whole was not
            # served (like a timeout), whatever the media type; the client may come back.
            if record is not None:
                record.outcome = "unavailable"
            return request_error(
                exhausted.message, SERVICE_UNAVAILABLE, self._retry_after(), media_type=media_type
            )
        response = graphql_response(
            request, execution.result, context.caller.name, self.settings, media_type
        )
        forget_tracebacks(execution.result.errors)
        return response

    async def _run(
        self, request: Request, params: GraphQLParams, context: RequestContext
    ) -> _Execution:
        """Execute within the request timeout, recording the SQL; always releases the
        request's connection (dropping it if a statement may still be running)."""
        execution = _Execution()
        allowed = (
            {OperationType.QUERY}
            if request.method == "GET"
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        try:
            with recording_statements() as statements:
                try:
                    with RequestDeadline(self.settings.request_timeout_seconds):
                        execution.result = await self.schema.execute(
                            params.query,
                            variable_values=params.variables,
                            context_value=context,
                            operation_name=params.operation_name,
                            allowed_operation_types=allowed,
                        )
                except TimeoutError:
                    execution.timed_out = True
        finally:
            await self._release(context, execution.timed_out)
            _note_execution(statements.count, statements.read_retries, context.caller)
        return execution

    def _takes_written_nodes(self) -> bool:
        """Whether a request starting now may take backfill nodes PostgreSQL wrote (its
        response is written by orjson, which splices them): by the setting, under `auto`
        while other requests are in flight. Alone, a request is faster with the rows'
        work in the worker; with others waiting for the worker, moving it to the
        database serves more (bench/README.md)."""
        mode = self.settings.nodes_written_by_database
        return mode == "always" or (mode == "auto" and self._in_flight > 0)

    def _retry_after(self) -> dict[str, str]:
        return {"Retry-After": str(max(1, math.ceil(self.settings.pool_timeout_seconds)))}

    @staticmethod
    async def _release(context: RequestContext, timed_out: bool) -> None:
        if timed_out:
            # Statements may still be running in DataLoader tasks: drop the connection.
            await context.session.abort()
        else:
            await context.close()


def _pool_exhausted(result) -> PoolExhausted | None:
    """The pool-exhaustion error the result carries, if any."""
    for error in getattr(result, "errors", None) or ():
        if isinstance(error.original_error, PoolExhausted):
            return error.original_error
    return None


def _note_execution(statement_count: int, read_retries: int, caller: Caller) -> None:
    record = current_request()
    if record is not None:
        record.sql_statements = statement_count
        record.read_retries = read_retries
        record.caller = caller.name
