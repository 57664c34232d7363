"""The real ASGI app over HTTP (httpx), with the SQL each request sends.

When given a twin (the same app with the standard executor instead of the fast
path: the `executor_twin` fixture of tests/conftest.py), every query document a
test sends is sent to the twin as well, and the two responses must be byte for
byte the same, errors included.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
from graphql import OperationType, parse
from graphql.error import GraphQLSyntaxError
from graphql.utilities import get_operation_ast

from backfill_gateway.db.statements import recording_statements

# Masked errors carry a fresh random id per response.
ERROR_ID = re.compile(rb'"errorId":"[0-9a-f]+"')


@dataclass
class GraphQLResponse:
    status_code: int
    headers: httpx.Headers
    body: Any
    statements: list[str] = field(default_factory=list)

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict]:
        return self.body.get("errors") or []

    @property
    def error_codes(self) -> list[str]:
        return [error.get("extensions", {}).get("code") for error in self.errors]

    def ok(self) -> Any:
        """The data, after asserting the request succeeded without errors."""
        assert self.status_code == 200, (self.status_code, self.body)
        assert not self.errors, self.errors
        return self.data


class GatewayClient:
    """Sends GraphQL requests to an app and records the SQL of each request."""

    def __init__(self, app, *, twin=None, base_url: str = "http://gateway.test") -> None:
        self.app = app
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
        self.twin = twin
        self.twin_http = (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=twin), base_url=base_url)
            if twin is not None
            else None
        )
        self.compared = 0

    async def ready(self) -> None:
        """Detect the Airflow schema as the app's start-up does (ASGITransport runs no
        lifespan), before any request: its statements are no request's statements."""
        await self.app.state.airflow.get()
        if self.twin is not None:
            await self.twin.state.airflow.get()

    async def graphql(
        self,
        query: str,
        variables: dict | None = None,
        *,
        operation_name: str | None = None,
        headers: dict | None = None,
        method: str = "POST",
    ) -> GraphQLResponse:
        await self.ready()
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        if operation_name is not None:
            payload["operationName"] = operation_name
        with recording_statements() as log:
            response = await self._send(self.http, method, payload, headers)
        if self.twin_http is not None and is_query(query, operation_name):
            standard = await self._send(self.twin_http, method, payload, headers)
            assert (response.status_code, ERROR_ID.sub(b"", response.content)) == (
                standard.status_code,
                ERROR_ID.sub(b"", standard.content),
            ), f"fast path and standard executor differ for {query!r}"
            self.compared += 1
        return GraphQLResponse(response.status_code, response.headers, response.json(), log.statements)

    @staticmethod
    async def _send(http: httpx.AsyncClient, method: str, payload: dict, headers) -> httpx.Response:
        if method == "GET":
            params = {k: json.dumps(v) if k == "variables" else v for k, v in payload.items()}
            return await http.get("/graphql", params=params, headers=headers)
        return await http.post("/graphql", json=payload, headers=headers)

    async def close(self) -> None:
        await self.http.aclose()
        await self.app.state.engine.dispose()
        if self.twin is not None:
            await self.twin_http.aclose()
            await self.twin.state.engine.dispose()


def is_query(document: str, operation_name: str | None) -> bool:
    """Whether the document's operation is a query (re-sending it changes nothing)."""
    try:
        operation = get_operation_ast(parse(document), operation_name)
    except GraphQLSyntaxError:
        return True
    return operation is None or operation.operation is OperationType.QUERY
