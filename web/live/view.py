"""Subscriptions over Strawberry's own transports: `graphql-transport-ws` (WebSocket at the
GraphQL path) and graphql-sse (distinct-connections mode: POST with
`Accept: text/event-stream`).

Strawberry's view runs the protocols; every operation it would execute goes through
`LiveSchema.stream`, which authenticates, applies the per-connection and per-worker
limits, and hands subscriptions to the worker's `LiveHub` (grouped, one execution per
change). Queries over these transports run as over HTTP, with their own context;
mutations are refused (only POST writes).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import suppress
from datetime import timedelta
from typing import Any

import orjson
from graphql import OperationDefinitionNode, parse
from graphql.error import GraphQLError, GraphQLSyntaxError
from starlette.requests import HTTPConnection
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.streaming import SSETransport
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET
from strawberry.utils.aio import aclosing

from backfill_gateway.db.errors import DatabaseUnavailable
from backfill_gateway.resolvers.context import Caller, RequestContext
from backfill_gateway.resolvers.errors import GatewayError, SubscriptionLimit, Unauthenticated
from backfill_gateway.schema.lru import LruCache
from backfill_gateway.web.auth import Authenticator, RequestAuthenticator
from backfill_gateway.web.execution.errors import METHOD_NOT_ALLOWED, error_code_of
from backfill_gateway.web.live.hub import LiveHub, with_error_codes

# connection_init payload keys that may carry the token (`Bearer <token>` or the token).
TOKEN_KEYS = ("Authorization", "authorization", "token")


class LiveConnection:
    """One WebSocket connection or one SSE request: its caller and its subscriptions."""

    def __init__(self, request: HTTPConnection) -> None:
        self.request = request
        self.connection_params: dict[str, Any] | None = None
        self.caller: Caller | None = None
        self.subscriptions = 0


def _pre_execution_error(error: GatewayError) -> PreExecutionError:
    code = error_code_of(error)
    return PreExecutionError(
        data=None, errors=[GraphQLError(error.message, extensions={"code": code.code})]
    )


async def _single(result) -> AsyncIterator[Any]:
    yield result


class OperationTypes(LruCache):
    """A document's operation type by (text, operation name); None when unparseable."""

    def of(self, query: str, operation_name: str | None) -> OperationType | None:
        return self.get_or_compute((query, operation_name), lambda: _operation_type(query, operation_name))


def _operation_type(query: str, operation_name: str | None) -> OperationType | None:
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        if operation_name is None or (operation.name and operation.name.value == operation_name):
            return OperationType(operation.operation.value)
    return None


class LiveSchema:
    """What Strawberry's view sees as the schema: `stream` routes to the hub."""

    def __init__(self, schema, hub: LiveHub, authenticator, settings) -> None:
        self._schema = schema
        self.hub = hub
        self.authenticator = authenticator
        self.settings = settings
        self._types = OperationTypes(256)

    def __getattr__(self, name: str):
        return getattr(self._schema, name)

    async def stream(
        self, query, variable_values=None, context_value: LiveConnection | None = None,
        root_value=None, operation_name=None, operation_extensions=None,
        allowed_operation_types=None,
    ):  # fmt: skip
        connection = context_value
        try:
            caller = connection.caller or await authenticate(self.authenticator, connection)
            connection.caller = caller
        except (Unauthenticated, DatabaseUnavailable) as error:
            return _single(_pre_execution_error(error))
        operation_type = self._types.of(query or "", operation_name)
        if operation_type is OperationType.MUTATION:
            return _single(PreExecutionError(data=None, errors=[GraphQLError(
                "Mutations are only accepted over POST (not over WebSocket or SSE).",
                extensions={"code": METHOD_NOT_ALLOWED.code},
            )]))  # fmt: skip
        if operation_type is not OperationType.SUBSCRIPTION:
            return self._query(query, variable_values, operation_name, caller)
        if connection.subscriptions >= self.settings.max_subscriptions_per_connection:
            return _single(_pre_execution_error(SubscriptionLimit(
                f"This connection holds {self.settings.max_subscriptions_per_connection} "
                "subscriptions, its limit (GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION): complete "
                "one first."
            )))  # fmt: skip
        try:
            results = await self.hub.subscribe(query, variable_values, operation_name, caller)
        except (SubscriptionLimit, DatabaseUnavailable) as error:
            return _single(_pre_execution_error(error))
        return self._counted(connection, results)

    async def _counted(self, connection: LiveConnection, results) -> AsyncIterator[Any]:
        connection.subscriptions += 1
        try:
            async with aclosing(results):
                async for result in results:
                    yield result
        finally:
            connection.subscriptions -= 1

    async def _query(self, query, variables, operation_name, caller: Caller):
        """A query over a streaming transport: one result, as over HTTP."""
        hub = self.hub
        context = RequestContext(
            settings=self.settings, engine=hub.engine, now=hub.clock(), caller=caller,
            read_engines=hub.read_engines(),
            airflow=await hub.airflow.get(),
        )  # fmt: skip
        try:
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                stream = await self._schema.stream(
                    query, variable_values=variables, context_value=context,
                    operation_name=operation_name,
                    allowed_operation_types=(OperationType.QUERY,),
                )  # fmt: skip
                async with aclosing(stream):
                    async for result in stream:
                        yield with_error_codes(result, True, self.settings.max_query_tokens)
        finally:
            await context.session.abort()


async def authenticate(authenticator: RequestAuthenticator, connection: LiveConnection) -> Caller:
    """The caller: a token from connection_init's payload (gateway tokens), else the
    upgrade (or SSE) request's own credentials (Authorization header, Airflow's cookie)."""
    params = connection.connection_params or {}
    token = next((params[key] for key in TOKEN_KEYS if isinstance(params.get(key), str)), None)
    if token is not None and isinstance(authenticator, Authenticator):
        if not token.lower().startswith("bearer "):
            token = f"Bearer {token}"
        return await authenticator.caller(token)
    return await authenticator.request_caller(connection.request)


class KeepAliveTransportWSHandler(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws with server pings every `keepalive_seconds` once acknowledged
    (the protocol lets either side ping; the client answers pong)."""

    keepalive_seconds: float = 15.0

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        self._pinger = asyncio.create_task(self._ping_forever())

    async def _ping_forever(self) -> None:
        with suppress(Exception):
            while True:
                await asyncio.sleep(self.keepalive_seconds)
                if self.connection_acknowledged:
                    await self.send_message({"type": "ping"})

    async def shutdown(self) -> None:
        self._pinger.cancel()
        with suppress(asyncio.CancelledError):
            await self._pinger
        await super().shutdown()


class LiveView(GraphQL):
    """Strawberry's ASGI view, for the subscription transports only (no IDE, no GET)."""

    def __init__(self, schema, hub: LiveHub, authenticator, settings) -> None:
        super().__init__(
            LiveSchema(schema, hub, authenticator, settings),
            graphql_ide=None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=None,  # LiveSchema's limit, with a code
            allowed_origins=settings.cors_origins,
        )
        keepalive = settings.live_keepalive_seconds
        self.graphql_transport_ws_handler_class = type(
            "GatewayTransportWSHandler", (KeepAliveTransportWSHandler,),
            {"keepalive_seconds": keepalive},
        )  # fmt: skip

        class Heartbeat(SSETransport):
            def __init__(self) -> None:
                super().__init__(heartbeat_interval=keepalive)

        self.stream_transport_classes_by_protocol = {GRAPHQL_SSE_PROTOCOL: Heartbeat}

    def encode_json(self, data: object) -> str:
        # The HTTP endpoint's encoder (orjson): the fast path leaves UTC timestamps to it
        # (web/execution/fast_path_fields.py, WIRE_VALUES). Text frames, as clients expect.
        return orjson.dumps(data).decode()

    async def get_context(self, request, response) -> LiveConnection:
        return LiveConnection(request)

    async def on_ws_connect(self, context: LiveConnection):
        try:
            context.caller = await authenticate(self.schema.authenticator, context)
        except (Unauthenticated, DatabaseUnavailable) as error:
            raise ConnectionRejectionError({"message": error.message}) from None
        return UNSET  # connection_ack without payload
