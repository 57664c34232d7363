"""Every limit just under and just over, over HTTP, plus the cost calculation itself."""

from __future__ import annotations

from tests.http.conftest import GRAPHQL_RESPONSE, JSON, codes, post


def assert_too_complex(response, *words: str, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert "data" not in body
    assert codes(response) == ["QUERY_TOO_COMPLEX"], body
    for word in words:
        assert word in body["errors"][0]["message"], body["errors"][0]["message"]
    return body["errors"][0]


def assert_runs(response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "QUERY_TOO_COMPLEX" not in codes(response), body
    assert "data" in body
    return body


# --- request body ------------------------------------------------------------------------


async def test_body_size_just_under_and_just_over(make_gateway):
    limit = 2048
    client = make_gateway(max_request_bytes=limit)
    prefix, suffix = b'{"query": "{ __typename }', b'"}'

    def body(size: int) -> bytes:
        return prefix + b" " * (size - len(prefix) - len(suffix)) + suffix

    headers = {"content-type": JSON}
    at_limit = await client.http.post("/graphql", content=body(limit), headers=headers)
    assert at_limit.status_code == 200
    assert at_limit.json()["data"] == {"__typename": "Query"}
    over = await client.http.post("/graphql", content=body(limit + 1), headers=headers)
    assert over.status_code == 413
    assert codes(over) == ["PAYLOAD_TOO_LARGE"]


async def test_body_size_is_counted_without_content_length(make_gateway):
    client = make_gateway(max_request_bytes=2048)

    async def chunks(total: int):
        yield b'{"query": "{ __typename }'
        for _ in range(total // 512):
            yield b" " * 512
        yield b'"}'

    over = await client.http.post(
        "/graphql", content=chunks(4096), headers={"content-type": JSON}
    )
    assert over.status_code == 413
    under = await client.http.post("/graphql", content=chunks(1024), headers={"content-type": JSON})
    assert under.status_code == 200


async def test_get_query_string_over_the_limit_is_414(make_gateway):
    client = make_gateway(max_request_bytes=2048)
    ok = await client.http.get("/graphql", params={"query": "{ __typename }" + " " * 1900})
    assert ok.status_code == 200
    too_long = await client.http.get("/graphql", params={"query": "{ __typename }" + " " * 2100})
    assert too_long.status_code == 414
    assert codes(too_long) == ["PAYLOAD_TOO_LARGE"]


# --- tokens, depth, aliases, root fields -----------------------------------------------------


async def test_tokens_just_under_and_just_over(make_gateway):
    client = make_gateway(max_query_tokens=30, max_root_fields=100)
    # `{`, n times `__typename`, `}`: n + 2 tokens
    at_limit = await post(client, "{" + " __typename" * 28 + " }", accept=GRAPHQL_RESPONSE)
    assert assert_runs(at_limit)["data"] == {"__typename": "Query"}
    over = await post(client, "{" + " __typename" * 29 + " }", accept=GRAPHQL_RESPONSE)
    error = assert_too_complex(over, "more than 30 tokens")
    assert error["extensions"]["maxTokens"] == 30


async def test_depth_just_under_and_just_over(make_gateway):
    client = make_gateway(max_query_depth=4)
    at_limit = await post(client, "{ backfills { nodes { dag { dagId } } } }", accept=GRAPHQL_RESPONSE)
    assert_runs(at_limit)
    over = await post(
        client, "{ backfills { nodes { dagRuns { nodes { id } } } } }", accept=GRAPHQL_RESPONSE
    )
    error = assert_too_complex(over, "5 levels deep", "limit is 4")
    assert error["extensions"]["depth"] == 5


async def test_depth_counts_through_fragments(make_gateway):
    client = make_gateway(max_query_depth=4)
    query = """
      { backfills { ...Page } }
      fragment Page on BackfillConnection { nodes { ... on Backfill { dagRuns { ...Slots } } } }
      fragment Slots on BackfillDagRunConnection { nodes { id } }
    """
    assert_too_complex(await post(client, query, accept=GRAPHQL_RESPONSE), "5 levels deep")


async def test_introspection_is_not_held_to_the_depth_limit(make_gateway):
    client = make_gateway(max_query_depth=2)
    response = await post(client, "{ __schema { types { fields { type { name } } } } }")
    assert response.status_code == 200
    assert not response.json().get("errors")


async def test_aliases_just_under_and_just_over(make_gateway):
    client = make_gateway(max_query_aliases=3)
    at_limit = await post(client, "{ a: __typename b: __typename c: __typename }")
    assert assert_runs(at_limit)["data"] == {"a": "Query", "b": "Query", "c": "Query"}
    over = await post(
        client, "{ a: __typename b: __typename c: __typename d: __typename }", accept=GRAPHQL_RESPONSE
    )
    assert_too_complex(over, "4 aliases", "limit is 3")


async def test_aliases_in_fragments_count_where_spread(make_gateway):
    client = make_gateway(max_query_aliases=3)
    query = """
      { backfills { nodes { ...Ids } } again: backfills { nodes { ...Ids } } }
      fragment Ids on Backfill { a: id b: backfillId }
    """
    assert_too_complex(await post(client, query, accept=GRAPHQL_RESPONSE), "5 aliases")


async def test_root_fields_just_under_and_just_over(make_gateway):
    client = make_gateway(max_root_fields=3)
    at_limit = await post(
        client, "{ a: backfills { totalCount } b: backfills { totalCount } __typename }"
    )
    assert_runs(at_limit)
    over = await post(
        client,
        "{ a: backfills { totalCount } ...More } fragment More on Query { b: backfills { totalCount } "
        "c: backfills { totalCount } __typename }",
        accept=GRAPHQL_RESPONSE,
    )
    assert_too_complex(over, "4 root fields", "limit is 3")


async def test_limit_errors_are_200_without_data_as_json(make_gateway):
    client = make_gateway(max_root_fields=1)
    response = await post(client, "{ a: __typename b: __typename }", accept=JSON)
    assert_too_complex(response, "2 root fields", status=200)


# --- cost --------------------------------------------------------------------------------

NESTED = "{ backfills(first: 10) { nodes { dagRuns(first: 9) { nodes { id } } } } }"  # 10 + 10*9


async def test_cost_just_under_and_just_over(make_gateway):
    at_limit = await post(make_gateway(max_query_cost=100), NESTED, accept=GRAPHQL_RESPONSE)
    body = assert_runs(at_limit)
    assert body["extensions"]["cost"] == {"nodes": 100, "limit": 100}
    over = await post(make_gateway(max_query_cost=99), NESTED, accept=GRAPHQL_RESPONSE)
    error = assert_too_complex(over, "up to 100 nodes", "limit is 99")
    assert error["extensions"]["cost"] == 100
    assert error["extensions"]["maxCost"] == 99


async def test_cost_is_refused_before_any_sql(make_gateway):
    client = make_gateway(max_query_cost=99)
    client_response = await client.graphql(NESTED)
    assert client_response.error_codes == ["QUERY_TOO_COMPLEX"]
    assert client_response.statements == []


async def test_cost_uses_the_default_page_size_when_first_and_last_are_omitted(make_gateway):
    client = make_gateway(max_query_cost=1000, default_page_size=7)
    response = await post(client, "{ backfills { nodes { dagRuns(last: 3) { nodes { id } } } } }")
    assert assert_runs(response)["extensions"]["cost"]["nodes"] == 7 + 7 * 3


async def test_cost_uses_variables_and_their_defaults(make_gateway):
    client = make_gateway(max_query_cost=100)
    query = """
      query($outer: Int, $inner: Int = 9) {
        backfills(first: $outer) { nodes { dagRuns(first: $inner) { nodes { id } } } }
      }
    """
    assert_runs(await post(client, query, {"outer": 10}))
    assert_too_complex(await post(client, query, {"outer": 10, "inner": 10}), "up to 110 nodes", status=200)
    # null means omitted: the default page size (20) applies
    assert_too_complex(await post(client, query, {"outer": None}), "up to 200 nodes", status=200)


async def test_every_executed_response_carries_its_cost(make_gateway):
    client = make_gateway()
    response = await post(client, "{ backfills(first: 3) { totalCount nodes { dagRuns { totalCount } } } }")
    assert response.json()["extensions"]["cost"] == {"nodes": 3 + 3 * 20, "limit": 20000}
    single = await post(client, "{ __typename }")
    assert single.json()["extensions"]["cost"] == {"nodes": 0, "limit": 20000}


async def test_page_size_cap_is_a_setting(make_gateway):
    client = make_gateway(max_page_size=5, default_page_size=5)
    ok = await post(client, "{ backfills(first: 5) { nodes { id } } }")
    assert len(assert_runs(ok)["data"]["backfills"]["nodes"]) == 5
    over = await post(client, "{ backfills(first: 6) { nodes { id } } }")
    assert codes(over) == ["BAD_USER_INPUT"]
    assert "between 1 and 5" in over.json()["errors"][0]["message"]
