"""Query.backfill, Query.node and Query.backfills over HTTP, on every database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backfill_gateway.resolvers.global_ids import encode_global_id
from backfill_gateway.resolvers.records import BackfillIdOnly
from tests.support.oracle import iso, json_value

BACKFILL_FIELDS = """
  id backfillId dagId fromDate toDate dagRunConf isPaused reprocessBehavior maxActiveRuns
  createdAt completedAt updatedAt triggeringUserName status
"""


def expected_backfill(oracle, backfill_id: int) -> dict:
    row = oracle.backfills[backfill_id]
    return {
        "id": encode_global_id("Backfill", backfill_id),
        "backfillId": backfill_id,
        "dagId": row["dag_id"],
        "fromDate": iso(row["from_date"]),
        "toDate": iso(row["to_date"]),
        "dagRunConf": json_value(row["dag_run_conf"]),
        "isPaused": bool(row["is_paused"]),
        "reprocessBehavior": row["reprocess_behavior"].upper(),
        "maxActiveRuns": row["max_active_runs"],
        "createdAt": iso(row["created_at"]),
        "completedAt": iso(row["completed_at"]),
        "updatedAt": iso(row["updated_at"]),
        "triggeringUserName": row["triggering_user_name"],
        "status": oracle.status(backfill_id),
    }


async def test_every_backfill_by_global_id_has_every_column(gateway, oracle):
    for backfill_id in oracle.backfills:
        response = await gateway.graphql(
            f"query($id: ID!) {{ backfill(id: $id) {{ {BACKFILL_FIELDS} }} }}",
            {"id": encode_global_id("Backfill", backfill_id)},
        )
        assert response.ok()["backfill"] == expected_backfill(oracle, backfill_id)


async def test_timestamps_are_utc_with_an_offset(gateway, oracle):
    response = await gateway.graphql(
        "query($id: ID!) { backfill(id: $id) { createdAt fromDate } }",
        {"id": encode_global_id("Backfill", oracle.case("running"))},
    )
    for value in response.ok()["backfill"].values():
        assert value.endswith("+00:00")


async def test_null_conf_and_null_is_paused(gateway, oracle):
    null_conf = oracle.case("null_conf")
    paused_null = oracle.case("is_paused_null")
    assert json_value(oracle.backfills[null_conf]["dag_run_conf"]) is None
    assert oracle.backfills[paused_null]["is_paused"] is None
    response = await gateway.graphql(
        "query($a: ID!, $b: ID!) { a: backfill(id: $a) { dagRunConf } "
        "b: backfill(id: $b) { isPaused } }",
        {"a": encode_global_id("Backfill", null_conf), "b": encode_global_id("Backfill", paused_null)},
    )
    assert response.ok() == {"a": {"dagRunConf": None}, "b": {"isPaused": False}}


async def test_unknown_backfill_is_null_without_error(gateway):
    response = await gateway.graphql(
        "query($id: ID!) { backfill(id: $id) { id } node(id: $id) { id } }",
        {"id": encode_global_id("Backfill", 2_000_000_000)},
    )
    assert response.ok() == {"backfill": None, "node": None}


@pytest.mark.parametrize(
    "bad_id", ["not-an-id", "QmFja2ZpbGw6", encode_global_id("DagRun", 1), encode_global_id("Nope", 1)]
)
async def test_malformed_or_foreign_id_is_bad_user_input(gateway, bad_id):
    response = await gateway.graphql("query($id: ID!) { backfill(id: $id) { id } }", {"id": bad_id})
    assert response.status_code == 200
    assert response.data == {"backfill": None}
    assert response.error_codes == ["BAD_USER_INPUT"]
    assert response.errors[0]["path"] == ["backfill"]
    assert "Traceback" not in str(response.body)


async def test_node_fetches_every_type_by_its_id(gateway, oracle):
    backfill_id = oracle.case("running")
    slot = oracle.slots(backfill_id, is_skipped=False)[0]
    dag_id = oracle.backfills[backfill_id]["dag_id"]
    ids = {
        "Backfill": encode_global_id("Backfill", backfill_id),
        "BackfillDagRun": encode_global_id("BackfillDagRun", slot["id"]),
        "DagRun": encode_global_id("DagRun", slot["dag_run_id"]),
        "Dag": encode_global_id("Dag", dag_id),
    }
    for type_name, global_id in ids.items():
        response = await gateway.graphql(
            "query($id: ID!) { node(id: $id) { __typename id } }", {"id": global_id}
        )
        assert response.ok()["node"] == {"__typename": type_name, "id": global_id}


async def test_node_with_malformed_id_is_bad_user_input(gateway):
    response = await gateway.graphql('{ node(id: "@@@") { id } }')
    assert response.error_codes == ["BAD_USER_INPUT"]
    assert response.data == {"node": None}


async def test_listing_in_id_order_with_total_count(gateway, oracle):
    response = await gateway.graphql(
        "{ backfills(first: 100) { totalCount nodes { backfillId } } }"
    )
    listing = response.ok()["backfills"]
    assert listing["totalCount"] == len(oracle.backfills)
    assert [n["backfillId"] for n in listing["nodes"]] == sorted(oracle.backfills)[:100]


async def test_every_status_filter_matches_the_derived_status(gateway, oracle):
    statuses = {oracle.status(i) for i in oracle.backfills}
    assert statuses == {"RUNNING", "PAUSED", "COMPLETED", "INITIALIZING", "ORPHANED"}
    for status in statuses:
        response = await gateway.graphql(
            "query($s: [BackfillStatus!]) { backfills(first: 100, filter: {statuses: $s}) "
            "{ totalCount nodes { backfillId status } } }",
            {"s": [status]},
        )
        listing = response.ok()["backfills"]
        expected = sorted(i for i in oracle.backfills if oracle.status(i) == status)
        assert [n["backfillId"] for n in listing["nodes"]] == expected
        assert {n["status"] for n in listing["nodes"]} == {status}
        assert listing["totalCount"] == len(expected)


async def test_filter_by_dag_ids_and_created_range(gateway, oracle):
    dag_id = oracle.backfills[oracle.case("running")]["dag_id"]
    created = sorted(row["created_at"] for row in oracle.backfills.values())
    low, high = created[len(created) // 4], created[3 * len(created) // 4]
    response = await gateway.graphql(
        "query($d: [String!], $a: DateTime, $b: DateTime) { backfills(first: 100, "
        "filter: {dagIds: $d, createdAfter: $a, createdBefore: $b}) { totalCount nodes { backfillId } } }",
        {"d": [dag_id, "no_such_dag"], "a": iso(low), "b": iso(high)},
    )
    expected = sorted(
        i for i, row in oracle.backfills.items()
        if row["dag_id"] == dag_id and low <= row["created_at"] < high
    )  # fmt: skip
    listing = response.ok()["backfills"]
    assert [n["backfillId"] for n in listing["nodes"]] == expected
    assert listing["totalCount"] == len(expected)


async def test_filter_by_backfill_ids(gateway, oracle):
    wanted = sorted(oracle.backfills)[::3]
    response = await gateway.graphql(
        "query($ids: [Int!]) { backfills(first: 100, filter: {backfillIds: $ids}) "
        "{ nodes { backfillId } } }",
        {"ids": [*wanted, 2_000_000_000]},
    )
    assert [n["backfillId"] for n in response.ok()["backfills"]["nodes"]] == wanted


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_order_by_created_at_pages_through_everything_once(gateway, oracle, direction):
    expected = sorted(oracle.backfills, key=lambda i: (oracle.backfills[i]["created_at"], i))
    if direction == "DESC":
        expected.reverse()
    seen, after = [], None
    while True:
        response = await gateway.graphql(
            "query($after: String, $dir: OrderDirection!) { backfills(first: 7, after: $after, "
            "orderBy: {field: CREATED_AT, direction: $dir}) { pageInfo { hasNextPage endCursor } "
            "nodes { backfillId } } }",
            {"after": after, "dir": direction},
        )
        listing = response.ok()["backfills"]
        seen += [n["backfillId"] for n in listing["nodes"]]
        if not listing["pageInfo"]["hasNextPage"]:
            break
        after = listing["pageInfo"]["endCursor"]
    assert seen == expected


async def test_backward_paging_of_backfills_with_exact_page_info(gateway, oracle):
    ordered = sorted(oracle.backfills)
    first = await gateway.graphql("{ backfills(last: 3) { pageInfo { hasPreviousPage hasNextPage startCursor } nodes { backfillId } } }")
    page = first.ok()["backfills"]
    assert [n["backfillId"] for n in page["nodes"]] == ordered[-3:]
    assert page["pageInfo"]["hasPreviousPage"] and not page["pageInfo"]["hasNextPage"]
    second = await gateway.graphql(
        "query($b: String) { backfills(last: 3, before: $b) { pageInfo { hasPreviousPage hasNextPage } nodes { backfillId } } }",
        {"b": page["pageInfo"]["startCursor"]},
    )
    page2 = second.ok()["backfills"]
    assert [n["backfillId"] for n in page2["nodes"]] == ordered[-6:-3]
    assert page2["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": True}


async def test_empty_page_after_the_last_cursor_still_knows_what_came_before(gateway, oracle):
    response = await gateway.graphql("{ backfills(last: 1) { pageInfo { endCursor } } }")
    end = response.ok()["backfills"]["pageInfo"]["endCursor"]
    after_end = await gateway.graphql(
        "query($a: String) { backfills(first: 5, after: $a) { pageInfo { hasPreviousPage hasNextPage startCursor } nodes { backfillId } } }",
        {"a": end},
    )
    assert after_end.ok()["backfills"] == {
        "pageInfo": {"hasPreviousPage": True, "hasNextPage": False, "startCursor": None},
        "nodes": [],
    }


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ("first: 0", "first"),
        ("first: 101", "first"),
        ("last: -1", "last"),
        ("first: 2, last: 2", "last"),
        ('after: "garbage"', "after"),
        ('before: "WyJzbG90IiwxLDEsMV0="', "before"),  # a dagRuns cursor
    ],
)
async def test_bad_connection_arguments_name_the_argument(gateway, arguments, argument):
    response = await gateway.graphql(f"{{ backfills({arguments}) {{ totalCount }} }}")
    assert response.status_code == 200
    assert response.error_codes == ["BAD_USER_INPUT"]
    assert response.errors[0]["extensions"]["argument"] == argument
    assert f"`{argument}`" in response.errors[0]["message"]


async def test_cursor_of_another_order_is_refused(gateway):
    response = await gateway.graphql("{ backfills(first: 1) { pageInfo { endCursor } } }")
    cursor = response.ok()["backfills"]["pageInfo"]["endCursor"]
    other = await gateway.graphql(
        "query($a: String) { backfills(first: 1, after: $a, orderBy: {field: CREATED_AT}) { totalCount } }",
        {"a": cursor},
    )
    assert other.error_codes == ["BAD_USER_INPUT"]


async def test_dag_of_a_backfill_and_a_missing_dag_row(gateway, oracle):
    with_dag = [i for i, row in oracle.backfills.items() if row["dag_id"] in oracle.dags]
    without_dag = [i for i, row in oracle.backfills.items() if row["dag_id"] not in oracle.dags]
    assert with_dag and without_dag, "the demo has backfills with and without a dag row"
    response = await gateway.graphql(
        "{ backfills(first: 100) { nodes { backfillId dagId dag { dagId displayName isPaused owners } } } }"
    )
    for node in response.ok()["backfills"]["nodes"]:
        dag = oracle.dags.get(node["dagId"])
        if dag is None:
            assert node["dag"] is None
            continue
        owners = [o.strip() for o in (dag["owners"] or "").split(",") if o.strip()]
        assert node["dag"] == {
            "dagId": dag["dag_id"],
            "displayName": dag["dag_display_name"] or dag["dag_id"],
            "isPaused": dag["is_paused"],
            "owners": owners,
        }


async def test_initializing_becomes_orphaned_only_after_the_grace_period(gateway, oracle):
    initializing = oracle.case("initializing")
    orphaned = oracle.case("orphaned")
    row = oracle.backfills[initializing]
    assert oracle.dataset.now - row["created_at"] < timedelta(seconds=600)
    response = await gateway.graphql(
        "query($a: ID!, $b: ID!) { a: backfill(id: $a) { status } b: backfill(id: $b) { status } }",
        {"a": encode_global_id("Backfill", initializing), "b": encode_global_id("Backfill", orphaned)},
    )
    assert response.ok() == {"a": {"status": "INITIALIZING"}, "b": {"status": "ORPHANED"}}


async def test_a_listing_reads_the_status_probes_only_when_the_request_selects_a_status(
    gateway, oracle
):
    listing = "backfills(first: 100) { nodes { backfillId } }"
    response = await gateway.graphql("{ " + listing + " }")
    assert response.ok()["backfills"]["nodes"]
    [statement] = response.statements
    assert "FROM backfill_dag_run" not in statement and "FROM dag_run" not in statement

    # A status anywhere in the request (a fragment, an alias) reads them, and is right.
    for document in (
        "{ backfills(first: 100) { nodes { ...F } } } fragment F on Backfill { backfillId status }",
        "{ backfills(first: 100) { nodes { backfillId s: status } } }",
    ):
        response = await gateway.graphql(document)
        nodes = response.ok()["backfills"]["nodes"]
        assert "FROM backfill_dag_run" in response.statements[0]
        assert {n["backfillId"]: n.get("status", n.get("s")) for n in nodes} == {
            i: oracle.status(i) for i in sorted(oracle.backfills)[:100]
        }


async def test_a_backfill_read_with_its_page_reads_the_status_probes_only_when_selected(
    gateway, oracle
):
    backfill_id = max(oracle.backfills, key=lambda i: len(oracle.slots(i)))
    page = "dagRuns(first: 3) { nodes { sortOrdinal } }"
    response = await gateway.graphql(
        "query($id: ID!) { backfill(id: $id) { backfillId " + page + " } }",
        {"id": encode_global_id("Backfill", backfill_id)},
    )
    assert response.ok()["backfill"]["dagRuns"]["nodes"]
    [statement] = response.statements
    # Only the page reads slots; nothing probes for a slot or an active run.
    assert statement.count("FROM backfill_dag_run") == 1
    assert "dag_run.backfill_id = backfill.id" not in statement

    # A status anywhere in the request (an alias; another field on the same backfill, which
    # shares the record read with the page) reads them, and is right.
    variables = {"id": encode_global_id("Backfill", backfill_id)}
    for document, path in (
        ("query($id: ID!) { backfill(id: $id) { s: status " + page + " } }", ("backfill", "s")),
        (
            "query($id: ID!) { a: backfill(id: $id) { " + page + " } "
            "b: backfill(id: $id) { status } }",
            ("b", "status"),
        ),
    ):
        response = await gateway.graphql(document, variables)
        outer, field = path
        assert response.ok()[outer][field] == oracle.status(backfill_id)
        assert "dag_run.backfill_id = backfill.id" in response.statements[0]


async def test_a_backfill_read_with_its_page_alone_reads_no_column_of_it(gateway, oracle):
    backfill_id = max(oracle.backfills, key=lambda i: len(oracle.slots(i)))
    variables = {"id": encode_global_id("Backfill", backfill_id)}
    page = "dagRuns(first: 3) { nodes { sortOrdinal } }"
    ordinals = [{"sortOrdinal": s["sort_ordinal"]} for s in oracle.slots(backfill_id)[:3]]
    response = await gateway.graphql(
        "query($id: ID!) { backfill(id: $id) { __typename id backfillId " + page + " } }",
        variables,
    )
    assert response.ok()["backfill"] == {
        "__typename": "Backfill", "id": variables["id"], "backfillId": backfill_id,
        "dagRuns": {"nodes": ordinals},
    }  # fmt: skip
    [statement] = response.statements
    assert "backfill.dag_id" not in statement and "backfill.created_at" not in statement

    # An unknown backfill is null, as always.
    response = await gateway.graphql(
        "query($id: ID!) { backfill(id: $id) { backfillId " + page + " } }",
        {"id": encode_global_id("Backfill", 999999)},
    )
    assert response.ok() == {"backfill": None} and len(response.statements) == 1

    # Anything that may read the row reads it, in the same one statement: a column of
    # the same backfill; a row field's name anywhere (a fragment on another type); a
    # backfill below the page, answered from the record read with it.
    row = oracle.backfills[backfill_id]
    for document, path, expected in (
        ("query($id: ID!) { backfill(id: $id) { dagId " + page + " } }",
         ("backfill", "dagId"), row["dag_id"]),
        ("query($id: ID!) { backfill(id: $id) { c: createdAt " + page + " } }",
         ("backfill", "c"), iso(row["created_at"])),
        ("query($id: ID!) { backfill(id: $id) { backfillId dagRuns(first: 3) { nodes { "
         "dagRun { ...R } } } } } fragment R on DagRun { dagId }",
         ("backfill", "backfillId"), backfill_id),
        ("query($id: ID!) { backfill(id: $id) { backfillId dagRuns(first: 1) { nodes { "
         "backfill { backfillId } } } } }",
         ("backfill", "dagRuns", "nodes", 0, "backfill", "backfillId"), backfill_id),
    ):  # fmt: skip
        response = await gateway.graphql(document, variables)
        found = response.ok()
        for key in path:
            found = found[key]
        assert found == expected, document
        [statement] = response.statements
        assert "backfill.dag_id" in statement, document


def test_a_backfill_known_by_its_id_alone_has_no_other_value():
    # Reading any other field fails loudly, never answers null.
    record = BackfillIdOnly(7)
    assert record.backfill_id == 7 and record.id == encode_global_id("Backfill", 7)
    for name in ("dag_id", "created_at", "is_paused", "status", "has_slots"):
        with pytest.raises(AttributeError):
            getattr(record, name)


async def test_records_a_listing_shares_carry_the_status_another_field_selects(gateway, oracle):
    # The listing primes the lookup by id: a slot's backfill comes from the listing's
    # record, which must have read the status although the listing selects none itself.
    # Operation B of the same document selects no status and runs first: its answer is
    # no other operation's.
    document = (
        "query B { backfills(first: 100) { nodes { backfillId } } }\n"
        "query A { backfills(first: 100) { nodes { backfillId "
        "dagRuns(first: 1) { nodes { backfill { backfillId status } } } } } }"
    )
    plain = await gateway.graphql(document, operation_name="B")
    assert len(plain.ok()["backfills"]["nodes"]) == min(100, len(oracle.backfills))
    nodes = (await gateway.graphql(document, operation_name="A")).ok()["backfills"]["nodes"]
    nested = [slot["backfill"] for node in nodes for slot in node["dagRuns"]["nodes"]]
    assert len(nested) == sum(1 for i in sorted(oracle.backfills)[:100] if oracle.slots(i))
    assert nested and all(b["status"] == oracle.status(b["backfillId"]) for b in nested)


async def test_a_documents_only_backfill_root_field_reads_its_page_without_a_batch(
    gateway, oracle, monkeypatch
):
    """No other lookup can share the statement of a document's only `backfill` root
    field: it is read at once, not through a DataLoader batch. Two such root fields
    still share one statement through the batch."""
    from backfill_gateway.resolvers.loaders.backfill_with_slot_page_by_id import (
        BackfillWithSlotPageById,
    )

    loads = []
    real_load = BackfillWithSlotPageById.load

    def counting_load(self, key):
        loads.append(key)
        return real_load(self, key)

    monkeypatch.setattr(BackfillWithSlotPageById, "load", counting_load)
    first, second = sorted(oracle.backfills, key=lambda i: -len(oracle.slots(i)))[:2]
    page = "dagRuns(first: 3) { nodes { sortOrdinal } }"

    def ordinals(backfill_id):
        return [{"sortOrdinal": s["sort_ordinal"]} for s in oracle.slots(backfill_id)[:3]]

    one = "query($a: ID!) { backfill(id: $a) { dagId " + page + " } }"
    variables = {
        "a": encode_global_id("Backfill", first), "b": encode_global_id("Backfill", second),
    }  # fmt: skip
    for _ in range(2):  # the first run and the prepared one
        response = await gateway.graphql(one, {"a": variables["a"]})
        assert response.ok()["backfill"]["dagRuns"]["nodes"] == ordinals(first)
        assert len(response.statements) == 1
    assert loads == []

    two = (
        "query($a: ID!, $b: ID!) { a: backfill(id: $a) { " + page + " } "
        "b: backfill(id: $b) { " + page + " } }"
    )
    response = await gateway.graphql(two, variables)
    data = response.ok()
    assert data["a"]["dagRuns"]["nodes"] == ordinals(first)
    assert data["b"]["dagRuns"]["nodes"] == ordinals(second)
    # (The executor twin of the tests loads them too, in its own app.)
    assert len(response.statements) == 1 and set(loads) == {first, second}


async def test_a_backfill_read_without_a_batch_is_not_read_again_when_the_request_falls_back(
    gateway, oracle
):
    # `node(id: "x")` is refused after the backfill was read: the fast path falls back and
    # the standard executor runs the operation again, the backfill from the loader's cache.
    backfill_id = max(oracle.backfills, key=lambda i: len(oracle.slots(i)))
    response = await gateway.graphql(
        'query($id: ID!) { backfill(id: $id) { dagId dagRuns(first: 2) { nodes { sortOrdinal } } } '
        'node(id: "x") { id } }',
        {"id": encode_global_id("Backfill", backfill_id)},
    )
    assert response.error_codes == ["BAD_USER_INPUT"]
    assert response.body["data"]["backfill"]["dagId"] == oracle.backfills[backfill_id]["dag_id"]
    assert len(response.statements) == 1, response.statements
