"""A subscription sent as an ordinary GraphQL-over-HTTP request: 406, naming the streaming
transports (it used to answer 405 "Mutations are only accepted over POST")."""

from __future__ import annotations

from tests.http.conftest import JSON, codes, post

SUBSCRIPTION = "subscription { backfillUpdates { backfillId } }"


async def test_a_subscription_posted_as_json_points_at_the_transports(make_gateway):
    gateway = make_gateway()
    response = await post(gateway, SUBSCRIPTION)
    assert response.status_code == 406
    assert codes(response) == ["NOT_ACCEPTABLE"]
    message = response.json()["errors"][0]["message"]
    assert "graphql-transport-ws" in message and "text/event-stream" in message
    assert "Mutations" not in message


async def test_a_subscription_over_get_points_at_the_transports(make_gateway):
    gateway = make_gateway()
    response = await gateway.http.get(
        "/graphql", params={"query": SUBSCRIPTION}, headers={"accept": JSON}
    )
    assert response.status_code == 406
    assert codes(response) == ["NOT_ACCEPTABLE"]


async def test_a_mutation_over_get_is_still_405(make_gateway):
    gateway = make_gateway()
    response = await gateway.http.get(
        "/graphql", params={"query": "mutation { __typename }"}, headers={"accept": JSON}
    )
    assert response.status_code == 405
