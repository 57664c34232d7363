"""`GraphQLRoute`: GraphQL's GET and POST go straight to the endpoint.

Starlette reaches an endpoint through its exception middleware, the router (each
route's path pattern, then the endpoint's method check) and `request_response`,
which wraps `send` once more per layer: ~3% of a small query's instructions
(callgrind, bench/fixed_cost.py, Q3-first-page 1.951M -> 1.892M). None of it does
anything for this endpoint: it raises no HTTPException and the app registers no
exception handlers. So the innermost middleware answers GraphQL's GET and POST
itself, as the route would; any other method, path or scope type goes on to the
router unchanged (a PUT still gets Starlette's 405 with `Allow`, websockets their
route). It sits below ObservabilityMiddleware and CORSMiddleware, which see every
request as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from backfill_gateway.web.route_path import route_path

GRAPHQL_PATH = "/graphql"
_METHODS = frozenset({"GET", "POST"})


class IndexedHeaders(Headers):
    """Starlette's `Headers` whose single lookups (`get`, `[]`, `in`) go through a dict
    of each name's first value (as Starlette's scan finds it), built once: a GraphQL
    request looks up five headers or more, each a scan of the list through
    `Mapping.get` (callgrind: Q3-first -0.5% with four request headers; more with a
    browser's dozen)."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope=scope)
        # ASGI's header names are lowercase, as Starlette's lookups expect them.
        self._first = {name: value for name, value in reversed(scope["headers"])}

    def get(self, key: str, default=None):  # type: ignore[override]
        value = self._first.get(key.lower().encode("latin-1"))
        return default if value is None else value.decode("latin-1")

    def __getitem__(self, key: str) -> str:
        value = self._first.get(key.lower().encode("latin-1"))
        if value is None:
            raise KeyError(key)
        return value.decode("latin-1")

    def __contains__(self, key) -> bool:
        return key.lower().encode("latin-1") in self._first


class GraphQLRequest(Request):
    """A Starlette `Request` with `IndexedHeaders`."""

    @property
    def headers(self) -> Headers:
        headers = self.__dict__.get("_headers")
        if headers is None:
            headers = self._headers = IndexedHeaders(self.scope)
        return headers


class GraphQLRoute:
    """Pure ASGI middleware: HTTP GET and POST of `path` answered by `handle`."""

    def __init__(
        self,
        app: ASGIApp,
        handle: Callable[[Request], Awaitable[Response]],
        path: str = GRAPHQL_PATH,
    ) -> None:
        self.app = app
        self.handle = handle
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in _METHODS
            and route_path(scope) == self.path
        ):
            response = await self.handle(GraphQLRequest(scope, receive, send))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
