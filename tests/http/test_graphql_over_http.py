"""GraphQL over HTTP: media types, status codes, GET, CSRF and CORS, over real HTTP.

The protocol does not depend on the database, so these run on the SQLite demo.
"""

from __future__ import annotations

import httpx
import pytest

from backfill_gateway.resolvers.global_ids import encode_global_id
from backfill_gateway.web.graphql_endpoint import negotiate
from tests.http.conftest import GRAPHQL_RESPONSE, JSON, codes, post

OK_QUERY = "{ backfills(first: 2) { nodes { backfillId } } }"


@pytest.fixture
def gateway_http(make_gateway):
    return make_gateway()


# --- media types -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (JSON, JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (f"{GRAPHQL_RESPONSE}; charset=utf-8, {JSON}; charset=utf-8", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE}", JSON),
        (f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON),
        (f"*/*;q=0.9, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
        (f"{JSON};q=0, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        ("text/csv", None),
        (f"{JSON};q=0", None),
    ],
)
def test_negotiation(accept, expected):
    assert negotiate(accept) == expected


async def test_answers_graphql_response_json_when_accepted(gateway_http):
    response = await post(gateway_http, OK_QUERY, accept=GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert len(response.json()["data"]["backfills"]["nodes"]) == 2


async def test_answers_json_when_asked_for_json_or_anything(gateway_http):
    for accept in (JSON, "*/*"):
        response = await post(gateway_http, OK_QUERY, accept=accept)
        assert response.status_code == 200
        assert response.headers["content-type"] == f"{JSON}; charset=utf-8"


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
@pytest.mark.parametrize("query", [OK_QUERY, "{ bad"])
async def test_results_carry_their_headers_in_order(gateway_http, accept, query):
    response = await post(gateway_http, query, accept=accept)
    assert response.headers.raw == [
        (b"vary", b"Accept, Authorization"),
        (b"cache-control", b"no-store"),
        (b"content-length", str(len(response.content)).encode()),
        (b"content-type", f"{accept}; charset=utf-8".encode()),
        (b"x-request-id", response.headers["x-request-id"].encode()),
    ]


async def test_without_accept_header_answers_graphql_response_json(gateway_http):
    request = gateway_http.http.build_request("POST", "/graphql", json={"query": "{ bad"})
    del request.headers["accept"]
    response = await gateway_http.http.send(request)
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.status_code == 400


async def test_unacceptable_accept_is_406(gateway_http):
    response = await post(gateway_http, OK_QUERY, accept="text/csv")
    assert response.status_code == 406
    assert codes(response) == ["NOT_ACCEPTABLE"]


# --- status codes: request errors are 4xx without data under graphql-response+json,
# --- 200 under application/json; field errors are 200 with data under both.

REQUEST_ERRORS = [
    pytest.param("{ backfills { nodes { id }", None, None, "GRAPHQL_PARSE_FAILED", id="parse"),
    pytest.param("{ backfillz }", None, None, "GRAPHQL_VALIDATION_FAILED", id="validation"),
    pytest.param(
        "query($n: Int!) { backfills(first: $n) { totalCount } }",
        {"n": "ten"},
        None,
        "BAD_USER_INPUT",
        id="variable-coercion",
    ),
    pytest.param(
        "query($n: Int!) { backfills(first: $n) { totalCount } }",
        {},
        None,
        "BAD_USER_INPUT",
        id="missing-variable",
    ),
    pytest.param("query A { __typename }", None, "B", "BAD_USER_INPUT", id="unknown-operation"),
    pytest.param(
        "query A { __typename } query B { __typename }", None, None, "BAD_USER_INPUT",
        id="operation-not-chosen",
    ),
]


@pytest.mark.parametrize(("query", "variables", "operation", "code"), REQUEST_ERRORS)
async def test_request_errors_are_400_without_data_as_graphql_response_json(
    gateway_http, query, variables, operation, code
):
    extra = {"operationName": operation} if operation else {}
    response = await post(gateway_http, query, variables, accept=GRAPHQL_RESPONSE, **extra)
    assert response.status_code == 400, response.text
    assert "data" not in response.json()
    assert codes(response) == [code]


@pytest.mark.parametrize(("query", "variables", "operation", "code"), REQUEST_ERRORS)
async def test_request_errors_are_200_without_data_as_json(
    gateway_http, query, variables, operation, code
):
    extra = {"operationName": operation} if operation else {}
    response = await post(gateway_http, query, variables, accept=JSON, **extra)
    assert response.status_code == 200, response.text
    assert "data" not in response.json()
    assert codes(response) == [code]


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
async def test_field_errors_are_200_with_data(gateway_http, accept):
    response = await post(
        gateway_http,
        "query($id: ID!) { backfill(id: $id) { id } ok: backfills(first: 1) { totalCount } }",
        {"id": "not-an-id"},
        accept=accept,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["backfill"] is None
    assert body["data"]["ok"]["totalCount"] > 0
    assert codes(response) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["backfill"]


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"NONSENSE", "not valid JSON"),
        (b'{"query":', "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"qeury": "{ __typename }"}', "`query` must be a non-empty string"),
        (b'{"query": 7}', "`query` must be a non-empty string"),
        (b'{"query": "{ __typename }", "variables": [7]}', "`variables` must be a JSON object"),
        (b'{"query": "{ __typename }", "operationName": 1}', "`operationName` must be a string"),
        (b'{"query": "{ __typename }", "extensions": "x"}', "`extensions` must be a JSON object"),
    ],
)
async def test_malformed_requests_are_400_under_both_media_types(gateway_http, accept, body, message):
    response = await gateway_http.http.post(
        "/graphql", content=body, headers={"content-type": JSON, "accept": accept}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(accept)
    assert "data" not in response.json()
    assert codes(response) == ["BAD_REQUEST"]
    assert message in response.json()["errors"][0]["message"]


async def test_null_optional_parameters_are_omitted_parameters(gateway_http):
    response = await gateway_http.http.post(
        "/graphql",
        json={"query": OK_QUERY, "variables": None, "operationName": None, "extensions": None},
    )
    assert response.status_code == 200
    assert "errors" not in response.json()


# --- GET ---------------------------------------------------------------------------------


async def test_queries_over_get(gateway_http, http_database):
    backfill_id = min(row["id"] for row in http_database.dataset.backfills)
    response = await gateway_http.http.get(
        "/graphql",
        params={
            "query": "query One($id: ID!) { backfill(id: $id) { backfillId } }",
            "variables": f'{{"id": "{encode_global_id("Backfill", backfill_id)}"}}',
            "operationName": "One",
        },
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"backfill": {"backfillId": backfill_id}}
    assert response.headers["cache-control"] == "no-store"
    assert "Accept" in response.headers["vary"]


async def test_get_empty_operation_name_means_none(gateway_http):
    response = await gateway_http.http.get(
        "/graphql", params={"query": "{ __typename }", "operationName": ""}
    )
    assert response.json()["data"] == {"__typename": "Query"}


async def test_get_with_invalid_variables_is_400(gateway_http):
    response = await gateway_http.http.get(
        "/graphql", params={"query": "{ __typename }", "variables": "{nope"}
    )
    assert response.status_code == 400
    assert codes(response) == ["BAD_REQUEST"]


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
@pytest.mark.parametrize(
    ("query", "operation"),
    [
        ("mutation { finalizeBackfill(id: 1) { id } }", None),
        ("query Q { __typename } mutation M { doIt }", "M"),
    ],
)
async def test_mutation_over_get_is_405_allow_post(gateway_http, accept, query, operation):
    params = {"query": query}
    if operation:
        params["operationName"] = operation
    response = await gateway_http.http.get("/graphql", params=params, headers={"accept": accept})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert codes(response) == ["METHOD_NOT_ALLOWED"]


async def test_query_of_a_document_with_a_mutation_runs_over_get(gateway_http):
    response = await gateway_http.http.get(
        "/graphql", params={"query": "query Q { __typename } mutation M { doIt }", "operationName": "Q"}
    )
    # The query is chosen, so GET is fine; the document still has to validate.
    assert response.status_code == 200
    assert codes(response) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_get_caching_headers_when_configured(make_gateway):
    client = make_gateway(get_cache_max_age_seconds=30)
    ok = await client.http.get("/graphql", params={"query": OK_QUERY})
    assert ok.headers["cache-control"] == "public, max-age=30"
    failed = await client.http.get("/graphql", params={"query": "{ nope }"})
    assert failed.headers["cache-control"] == "no-store"
    posted = await post(client, OK_QUERY)
    assert posted.headers["cache-control"] == "no-store"


async def test_graphiql_for_browsers_only_when_enabled(make_gateway):
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    on = await make_gateway(graphiql=True).http.get("/graphql", headers=browser)
    assert on.status_code == 200 and on.headers["content-type"].startswith("text/html")
    off = await make_gateway(graphiql=False).http.get("/graphql", headers=browser)
    assert not off.headers["content-type"].startswith("text/html")
    assert off.status_code == 400


# --- CSRF --------------------------------------------------------------------------------

SIMPLE_BODIES = {
    "text/plain": b'{"query": "{ __typename }"}',
    "text/plain;charset=UTF-8": b'{"query": "{ __typename }"}',
    "application/x-www-form-urlencoded": b"query=%7B+__typename+%7D",
    "multipart/form-data; boundary=x": b'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ __typename }\r\n--x--\r\n',
}


@pytest.mark.parametrize("content_type", list(SIMPLE_BODIES))
async def test_simple_content_types_are_refused_without_a_preflight_header(gateway_http, content_type):
    response = await gateway_http.http.post(
        "/graphql", content=SIMPLE_BODIES[content_type], headers={"content-type": content_type}
    )
    assert response.status_code == 400
    assert codes(response) == ["BAD_REQUEST"]
    assert "GraphQL-Require-Preflight" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "header", ["GraphQL-Require-Preflight", "Apollo-Require-Preflight", "X-Apollo-Operation-Name"]
)
@pytest.mark.parametrize(
    "content_type", ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded"]
)
async def test_simple_content_types_pass_with_a_preflight_header(gateway_http, header, content_type):
    response = await gateway_http.http.post(
        "/graphql",
        content=SIMPLE_BODIES[content_type],
        headers={"content-type": content_type, header: "1"},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_multipart_is_unsupported_even_with_a_preflight_header(gateway_http):
    content_type = "multipart/form-data; boundary=x"
    response = await gateway_http.http.post(
        "/graphql",
        content=SIMPLE_BODIES[content_type],
        headers={"content-type": content_type, "GraphQL-Require-Preflight": "1"},
    )
    assert response.status_code == 415


@pytest.mark.parametrize(
    "content_type", [None, "application/xml", "application/graphql", "application/json; charset=latin-1"]
)
async def test_other_content_types_are_415(gateway_http, content_type):
    request = gateway_http.http.build_request(
        "POST", "/graphql", content=b'{"query": "{ __typename }"}',
        headers={"content-type": content_type} if content_type else {},
    )
    if content_type is None:
        request.headers.pop("content-type", None)
    response = await gateway_http.http.send(request)
    assert response.status_code == 415
    assert codes(response) == ["UNSUPPORTED_MEDIA_TYPE"]


async def test_json_with_utf8_charset_is_accepted(gateway_http):
    response = await gateway_http.http.post(
        "/graphql", content=b'{"query": "{ __typename }"}',
        headers={"content-type": "application/json; charset=UTF-8"},
    )
    assert response.status_code == 200


# --- CORS --------------------------------------------------------------------------------

APP_ORIGIN = "https://backfills.example.com"
OTHER_ORIGIN = "https://evil.example.net"


def preflight(client, origin: str) -> httpx.Request:
    return client.http.options(
        "/graphql",
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, authorization",
        },
    )


async def test_no_cross_origin_access_by_default(gateway_http):
    refused = await preflight(gateway_http, APP_ORIGIN)
    assert refused.status_code >= 400
    assert "access-control-allow-origin" not in refused.headers
    response = await post(gateway_http, OK_QUERY, headers={"origin": APP_ORIGIN})
    assert "access-control-allow-origin" not in response.headers


async def test_configured_origin_is_allowed(make_gateway):
    client = make_gateway(cors_allow_origins=f"{APP_ORIGIN}, http://localhost:3000")
    allowed = await preflight(client, APP_ORIGIN)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    allowed_headers = allowed.headers["access-control-allow-headers"].lower()
    assert "content-type" in allowed_headers and "graphql-require-preflight" in allowed_headers
    assert "access-control-allow-credentials" not in allowed.headers
    response = await post(client, OK_QUERY, headers={"origin": APP_ORIGIN})
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


async def test_other_origins_are_refused(make_gateway):
    client = make_gateway(cors_allow_origins=APP_ORIGIN)
    refused = await preflight(client, OTHER_ORIGIN)
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    response = await post(client, OK_QUERY, headers={"origin": OTHER_ORIGIN})
    assert "access-control-allow-origin" not in response.headers


async def test_credentials_only_when_configured(make_gateway):
    client = make_gateway(cors_allow_origins=APP_ORIGIN, cors_allow_credentials=True)
    allowed = await preflight(client, APP_ORIGIN)
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert allowed.headers["access-control-allow-credentials"] == "true"


async def test_any_origin_without_credentials(make_gateway):
    client = make_gateway(cors_allow_origins="*")
    response = await post(client, OK_QUERY, headers={"origin": OTHER_ORIGIN})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
