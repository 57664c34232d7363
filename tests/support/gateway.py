"""The real ASGI app over HTTP (httpx), with the SQL each request sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import event


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

    def __init__(self, app, base_url: str = "http://gateway.test") -> None:
        self.app = app
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
        self._statements: list[str] | None = None
        event.listen(app.state.engine.sync_engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self._statements is not None:
            self._statements.append(statement)

    async def graphql(
        self,
        query: str,
        variables: dict | None = None,
        *,
        operation_name: str | None = None,
        headers: dict | None = None,
        method: str = "POST",
    ) -> GraphQLResponse:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        if operation_name is not None:
            payload["operationName"] = operation_name
        self._statements = statements = []
        try:
            if method == "GET":
                import json

                params = {k: json.dumps(v) if k == "variables" else v for k, v in payload.items()}
                response = await self.http.get("/graphql", params=params, headers=headers)
            else:
                response = await self.http.post("/graphql", json=payload, headers=headers)
        finally:
            self._statements = None
        return GraphQLResponse(response.status_code, response.headers, response.json(), statements)

    async def close(self) -> None:
        event.remove(self.app.state.engine.sync_engine, "before_cursor_execute", self._record)
        await self.http.aclose()
        await self.app.state.engine.dispose()
