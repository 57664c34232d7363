"""Bad-input sweep: hypothesis-generated documents, variables, cursors and requests.

Sent to the app over HTTP on every database. Whatever a client sends, the
answer is never a 5xx nor an INTERNAL_SERVER_ERROR (a client mistake is not a
server error), every error has a known `extensions.code`, and no response
carries a stack trace, SQL text or a driver's name unless the request itself
contained those words (error messages may quote the client's own input).

Examples are derandomized so CI runs the same requests every time; the counts
per backend are printed at the end of the session (`pytest -s`).
"""

from __future__ import annotations

import base64
import collections
import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backfill_gateway.db.statements import recording_statements
from backfill_gateway.resolvers.global_ids import encode_global_id

KNOWN_CODES = {
    "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "NOT_FOUND",
    "UNAUTHENTICATED", "FORBIDDEN", "QUERY_TOO_COMPLEX", "SERVICE_UNAVAILABLE",
    # HTTP-level refusals of requests that are not GraphQL-over-HTTP requests
    "BAD_REQUEST", "NOT_ACCEPTABLE", "UNSUPPORTED_MEDIA_TYPE", "METHOD_NOT_ALLOWED",
    "PAYLOAD_TOO_LARGE",
}
LEAK_MARKERS = (
    "Traceback", 'File "', "SELECT ", "FROM backfill", "backfill_dag_run.", "sqlalchemy",
    "asyncpg", "pymysql", "aiosqlite", "sqlite3", "psycopg", "OperationalError",
    "ProgrammingError", "DataError", "IntegrityError", "site-packages",
)
SETTINGS = settings(
    max_examples=70,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

OUTCOMES: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)

# --- strategies ----------------------------------------------------------------------------

SQL_FRAGMENTS = [
    "' OR 1=1 --", "'; DROP TABLE backfill; --", "1; SELECT pg_sleep(10)", "\" OR \"\"=\"",
    "') UNION SELECT * FROM dag_run --", "%", "_", "\\", "\x00", "NULL", "0x7fffffff",
    "SLEEP(10)", "1e309", "--", "/*", "*/",
]
huge_ints = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63, -(2**63) - 1, 10**30]),
)
weird_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(SQL_FRAGMENTS),
    st.sampled_from(["", " ", "é", "😀" * 20, "\u202e", "\ud7ff", "a" * 5000, "2026-09-01T00:00:00",
                     "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00", "1970-01-01", "2038-01-19T03:14:08",
                     "0000-00-00", "2026-02-30T00:00:00", "-1", "1e10", "RUNNING", "running"]),
)
json_scalars = st.one_of(st.none(), st.booleans(), huge_ints, st.floats(allow_nan=False, allow_infinity=False), weird_text)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.sampled_from(["dagIds", "backfillIds", "statuses", "createdAfter",
                                         "createdBefore", "states", "isSkipped", "field", "direction",
                                         "x", "__proto__"]), children, max_size=5),
    ),
    max_leaves=20,
)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


cursors = st.one_of(
    weird_text,
    st.binary(max_size=40).map(_b64),
    st.lists(json_values, max_size=5).map(lambda v: _b64(json.dumps(v).encode())),
    st.tuples(st.sampled_from(["backfill", "slot", "BackfillDagRun", ""]),
              st.sampled_from(["id", "created_at", "sort_ordinal", "x"]),
              json_scalars, json_scalars).map(lambda v: _b64(json.dumps(list(v)).encode())),
)
global_ids = st.one_of(
    cursors,
    st.tuples(st.sampled_from(["Backfill", "DagRun", "BackfillDagRun", "Dag", "Nope", ""]),
              st.one_of(huge_ints.map(str), weird_text)).map(lambda v: encode_global_id(*v)),
)

FIELD_NAMES = [
    "backfills", "backfill", "node", "nodes", "edges", "node", "cursor", "pageInfo", "totalCount",
    "dagRuns", "dagRun", "dag", "progress", "id", "backfillId", "dagId", "status", "conf",
    "__typename", "__schema", "__type", "types", "name", "fields", "ofType", "nope", "password",
]
ARG_NAMES = ["first", "last", "after", "before", "id", "filter", "orderBy", "x"]
graphql_values = st.recursive(
    st.one_of(
        huge_ints.map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        weird_text.map(json.dumps),
        st.sampled_from(["true", "false", "null", "RUNNING", "ASC", "CREATED_AT", "$x", "$first"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda v: "[" + ", ".join(v) + "]"),
        st.lists(st.tuples(st.sampled_from(["dagIds", "statuses", "createdAfter", "field", "q"]), children),
                 max_size=3).map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
    ),
    max_leaves=10,
)


@st.composite
def selections(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["field", "field", "field", "spread", "inline"]))
        if kind == "spread":
            parts.append("..." + draw(st.sampled_from(["F", "G", "Missing"])))
            continue
        if kind == "inline":
            condition = draw(st.sampled_from(["Backfill", "DagRun", "Query", "Nope", ""]))
            inner = draw(selections(depth + 1)) if depth < 6 else "id"
            parts.append(f"... on {condition} {{ {inner} }}" if condition else f"... {{ {inner} }}")
            continue
        name = draw(st.sampled_from(FIELD_NAMES))
        alias = draw(st.sampled_from(["", "", "a: ", "b: ", "x1: "]))
        args = ""
        if draw(st.booleans()):
            pairs = draw(st.lists(st.tuples(st.sampled_from(ARG_NAMES), graphql_values), max_size=3))
            args = "(" + ", ".join(f"{k}: {v}" for k, v in pairs) + ")"
        sub = ""
        if depth < 6 and draw(st.booleans()):
            sub = " { " + draw(selections(depth + 1)) + " }"
        directive = draw(st.sampled_from(["", "", " @skip(if: $b)", " @include(if: true)", " @nope"]))
        parts.append(f"{alias}{name}{args}{directive}{sub}")
    return " ".join(parts)


@st.composite
def documents(draw) -> str:
    style = draw(st.sampled_from(["generated", "generated", "mutated", "noise", "deep"]))
    if style == "noise":
        return draw(st.text(min_size=1, max_size=300))
    if style == "deep":
        depth = draw(st.integers(10, 400))
        field = draw(st.sampled_from(["backfills", "node", "a"]))
        return "{" + f" {field} {{" * depth + " id" + " }" * depth + " }"
    body = draw(selections())
    head = draw(st.sampled_from(["", "query ", "query Q($x: Int, $b: Boolean!, $first: Int) ",
                                 "mutation ", "subscription S ", "query Q($x: [[Nope!]]) "]))
    fragments = draw(st.sampled_from([
        "", " fragment F on Backfill { id backfillId }",
        " fragment F on Query { ...G } fragment G on Query { ...F }",
        " fragment F on Nope { x }", " fragment F on Backfill { dagRuns(first: 100) { ...G } } "
        "fragment G on BackfillDagRunConnection { nodes { dagRun { backfill { id } } } }",
    ]))
    document = f"{head}{{ {body} }}{fragments}"
    if style == "mutated":
        position = draw(st.integers(0, len(document)))
        junk = draw(st.text(min_size=1, max_size=5) | st.sampled_from(list("{}()[]:$@!.\"#")))
        if draw(st.booleans()):
            document = document[:position] + junk + document[position:]
        else:
            document = document[:position] + document[position + len(junk):]
    return document


TEMPLATE = """
query Sweep($first: Int, $last: Int, $after: String, $before: String, $id: ID!,
            $f: BackfillFilter, $order: BackfillOrder, $sf: BackfillDagRunFilter) {
  backfills(first: $first, last: $last, after: $after, before: $before, filter: $f, orderBy: $order) {
    totalCount pageInfo { endCursor }
    edges { cursor node { id status dagRuns(first: $first, after: $after, filter: $sf) {
      totalCount nodes { id dagRun { state } } } } }
  }
  node(id: $id) { id }
  backfill(id: $id) { id }
}
"""


int32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
datetimes_text = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00", "1970-01-01T00:00:00Z",
                     "2038-01-19T03:14:08", "1969-12-31T23:59:59-12:00", "2026-02-30T00:00:00",
                     "2026-09-15", "yesterday", "", "2026-09-15T12:00:00.999999+00:00"]),
)


@st.composite
def template_variables(draw, well_typed: bool) -> dict:
    """Values of the right GraphQL types but odd content (these reach the SQL), or anything."""
    typed_filter = st.fixed_dictionaries({}, optional={
        "dagIds": st.lists(weird_text, max_size=4),
        "backfillIds": st.lists(int32, max_size=4),
        "statuses": st.lists(st.sampled_from(["RUNNING", "PAUSED", "COMPLETED", "ORPHANED",
                                              "INITIALIZING"]), max_size=3),
        "createdAfter": datetimes_text,
        "createdBefore": datetimes_text,
    })
    typed_slot_filter = st.fixed_dictionaries({}, optional={
        "states": st.lists(st.sampled_from(["QUEUED", "RUNNING", "SUCCESS", "FAILED"]), max_size=3),
        "isSkipped": st.booleans()})
    ids = st.tuples(st.sampled_from(["Backfill", "DagRun", "BackfillDagRun", "Dag"]),
                    st.one_of(st.integers(-3, 3000), weird_text)).map(lambda v: encode_global_id(*v))
    if well_typed:
        variables = {
            "first": draw(st.one_of(st.none(), st.integers(1, 100))),
            "id": encode_global_id("Backfill", draw(st.integers(-3, 3000))),
            "f": draw(st.one_of(st.none(), typed_filter)),
            "order": draw(st.one_of(st.none(), st.fixed_dictionaries({
                "field": st.sampled_from(["ID", "CREATED_AT"]),
                "direction": st.sampled_from(["ASC", "DESC"])}))),
            "sf": draw(st.one_of(st.none(), typed_slot_filter)),
        }
        return {k: v for k, v in variables.items() if v is not None}
    variables = {
        "first": draw(st.one_of(st.none(), st.integers(-5, 150), huge_ints, json_values)),
        "last": draw(st.one_of(st.none(), st.integers(-5, 150), json_values)),
        "after": draw(st.one_of(st.none(), cursors, json_values)),
        "before": draw(st.one_of(st.none(), cursors)),
        "id": draw(st.one_of(ids, global_ids, json_values)),
        "f": draw(st.one_of(st.none(), typed_filter, json_values, st.fixed_dictionaries({
            "backfillIds": st.lists(huge_ints, max_size=3), "statuses": st.lists(weird_text, max_size=2)}))),
        "order": draw(st.one_of(st.none(), json_values)),
        "sf": draw(st.one_of(st.none(), typed_slot_filter, json_values)),
    }
    return {k: v for k, v in variables.items() if v is not None or draw(st.booleans())}


accepts = st.sampled_from([
    None, "application/json", "application/graphql-response+json", "*/*",
    "application/graphql-response+json;q=0.1, application/json", "text/html", "image/png;q=1",
])

# --- the checks ------------------------------------------------------------------------------


async def send_and_check(gateway, backend: str, *, method="POST", params=None, content=None,
                         headers=None) -> None:
    with recording_statements() as statements:
        await _send_and_check(gateway.http, backend, method, params, content, headers)
    if statements.count:
        OUTCOMES[backend]["(reached the database)"] += 1


async def _send_and_check(http, backend, method, params, content, headers) -> None:
    if method == "GET":
        response = await http.get("/graphql", params=params, headers=headers)
        sent = json.dumps(params)
    else:
        response = await http.post("/graphql", content=content, headers=headers)
        sent = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
    text = response.text
    outcome = f"{response.status_code}"
    assert response.status_code < 500, (response.status_code, text[:500])
    assert response.headers.get("x-request-id")
    if response.headers.get("content-type", "").startswith("text/html"):
        outcome += " graphiql"
    else:
        body = response.json()
        assert "data" in body or "errors" in body, body
        found = sorted({(e.get("extensions") or {}).get("code") for e in body.get("errors", [])})
        assert not set(found) - KNOWN_CODES, (found, text[:500])
        assert "INTERNAL_SERVER_ERROR" not in found
        outcome += " " + ("+".join(found) if found else "ok")
        if body.get("data"):
            outcome += " (with data)"
    for marker in LEAK_MARKERS:
        assert marker not in text or marker in sent, (marker, text[:1000])
    OUTCOMES[backend][outcome] += 1


def post_body(query, variables=None) -> bytes:
    payload = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return json.dumps(payload).encode()


@SETTINGS
@given(document=documents(), accept=accepts, as_get=st.booleans())
async def test_sweep_documents(gateway, demo_database, document, accept, as_get):
    headers = {"accept": accept} if accept else {}
    if as_get and len(document) < 1000:
        await send_and_check(gateway, demo_database.backend, method="GET",
                             params={"query": document, "variables": '{"b": true}'}, headers=headers)
    else:
        await send_and_check(gateway, demo_database.backend,
                             content=post_body(document, {"b": True, "x": 1}),
                             headers={"content-type": "application/json", **headers})


@SETTINGS
@given(variables=template_variables(well_typed=True),
       accept=st.sampled_from(["application/json", "application/graphql-response+json"]))
async def test_sweep_well_typed_odd_values(gateway, demo_database, variables, accept):
    headers = {"content-type": "application/json", "accept": accept}
    await send_and_check(gateway, demo_database.backend, content=post_body(TEMPLATE, variables),
                         headers=headers)


@SETTINGS
@given(variables=template_variables(well_typed=False), accept=accepts)
async def test_sweep_variables_cursors_and_ids(gateway, demo_database, variables, accept):
    headers = {"content-type": "application/json", **({"accept": accept} if accept else {})}
    await send_and_check(gateway, demo_database.backend, content=post_body(TEMPLATE, variables),
                         headers=headers)


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(str.encode),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"query": json_values, "variables": json_values,
                           "operationName": json_values}).map(lambda v: json.dumps(v).encode()),
)
content_types = st.sampled_from([
    "application/json", "application/json; charset=utf-8", "application/json; charset=latin1",
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "application/graphql", "", "garbage/\u00e9", "application/json;;;",
])


@SETTINGS
@given(body=raw_bodies, content_type=content_types, accept=accepts,
       preflight=st.booleans(), request_id=st.text(alphabet=string.printable, max_size=150))
async def test_sweep_raw_requests(gateway, demo_database, body, content_type, accept, preflight, request_id):
    headers = {"content-type": content_type, "x-request-id": request_id}
    if accept:
        headers["accept"] = accept
    if preflight:
        headers["graphql-require-preflight"] = "1"
    headers = {k: v for k, v in headers.items() if v.isascii() and "\n" not in v and "\r" not in v}
    await send_and_check(gateway, demo_database.backend, content=body, headers=headers)


@pytest.fixture(scope="session", autouse=True)
def report_sweep():
    yield
    if OUTCOMES:
        print("\nbad-input sweep outcomes (status code-list: requests):")
        for backend, counter in sorted(OUTCOMES.items()):
            reached = counter.pop("(reached the database)", 0)
            total = sum(counter.values())
            with_data = sum(n for outcome, n in counter.items() if "with data" in outcome)
            print(f"  {backend}: {total} requests, {reached} reached the database, "
                  f"{with_data} answered with data")
            for outcome, count in counter.most_common():
                print(f"    {outcome}: {count}")
