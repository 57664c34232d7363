"""The compiled fast path is really taken, and steps aside where it must.

Byte-for-byte equality with the standard executor is checked for every query
of the suite by the `executor_twin` fixture (tests/conftest.py): each query a
test sends through `gateway` runs on both executors.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from typing import Optional

import orjson
import pytest
import strawberry
from strawberry.scalars import JSON

from backfill_gateway.resolvers.global_ids import encode_global_id
from tests.conftest import gateway_app, standard_executor_twin
from tests.support.gateway import GatewayClient


def count_paths(monkeypatch, executor_class):
    """Counts how operations run from now on: (fast, fell back, standard from the start).

    Watches the executor's own steps: an operation whose plan is None runs on the
    standard executor, one that reaches `_fall_back` fell back, any other ran fast.
    """
    counts = {"operations": 0, "fallbacks": 0, "standard": 0}
    execute_operation, compiled, fall_back = (
        executor_class.execute_operation, executor_class._compiled, executor_class._fall_back
    )

    def counting_execute(self, *args, **kwargs):
        counts["operations"] += 1
        return execute_operation(self, *args, **kwargs)

    def counting_compiled(self):
        plan = compiled(self)
        counts["standard"] += plan is None
        return plan

    def counting_fall_back(self, *args, **kwargs):
        counts["fallbacks"] += 1
        return fall_back(self, *args, **kwargs)

    monkeypatch.setattr(executor_class, "execute_operation", counting_execute)
    monkeypatch.setattr(executor_class, "_compiled", counting_compiled)
    monkeypatch.setattr(executor_class, "_fall_back", counting_fall_back)

    def paths() -> tuple[int, int, int]:
        fast = counts["operations"] - counts["fallbacks"] - counts["standard"]
        return (fast, counts["fallbacks"], counts["standard"])

    return paths


@pytest.fixture
def stats(gateway, monkeypatch):
    return count_paths(monkeypatch, gateway.app.state.schema.execution_context_class)


async def test_standard_queries_run_on_the_fast_path(gateway, oracle, stats):
    response = await gateway.graphql(
        "{ backfills(first: 50) { totalCount nodes { id status dag { owners } progress { slotCount } "
        "dagRuns(first: 20) { totalCount edges { cursor node { sortOrdinal isSkipped "
        "dagRun { runId state duration conf backfill { backfillId } } } } } } } }"
    )
    response.ok()
    assert stats() == (1, 0, 0)


async def test_fragments_aliases_typename_and_interfaces_run_on_the_fast_path(gateway, oracle, stats):
    response = await gateway.graphql(
        """query($id: ID!) { a: node(id: $id) { __typename ...B } b: backfill(id: $id) { ...B } }
        fragment B on Backfill { x: backfillId ... on Node { id } dagRuns(last: 2) { nodes { __typename } } }""",
        {"id": encode_global_id("Backfill", oracle.case("running"))},
    )
    data = response.ok()
    assert data["a"]["x"] == data["b"]["x"]
    assert stats() == (1, 0, 0)


async def test_errors_fall_back_to_the_standard_executor(gateway, stats):
    response = await gateway.graphql('{ backfills(first: 2) { nodes { dagRuns(after: "x") { totalCount } } } }')
    # The non-null dagRuns nulls its backfill, the non-null list, then data: one error.
    assert response.error_codes == ["BAD_USER_INPUT"]
    assert "data" in response.body and response.data is None
    assert stats() == (0, 1, 0)


@pytest.mark.parametrize(
    "query",
    [
        "query($skip: Boolean!) { backfills(first: 1) { totalCount @skip(if: $skip) } }",
        "{ __schema { queryType { name } } }",
        "{ __type(name: \"Backfill\") { name } }",
    ],
)
async def test_directives_and_introspection_use_the_standard_executor(gateway, stats, query):
    response = await gateway.graphql(query, {"skip": False})
    response.ok()
    assert stats() == (0, 0, 1)


def _field(schema, type_name: str, field_name: str):
    return schema._schema.type_map[type_name].fields[field_name]


def test_plain_resolvers_are_called_directly():
    from backfill_gateway.web.execution.executable_schema import build_schema
    from backfill_gateway.web.execution.fast_path_fields import DirectResolver

    schema = build_schema()
    for type_name, field_name in (("Query", "backfills"), ("Backfill", "dagRuns"), ("Backfill", "progress")):
        direct = DirectResolver.of(_field(schema, type_name, field_name), schema)
        assert direct is not None, (type_name, field_name)


async def test_resolvers_with_permissions_keep_strawberrys_wrapper(monkeypatch):
    """A permission class is a field extension: the fast path must not skip it."""
    import strawberry
    from strawberry.permission import BasePermission

    from backfill_gateway.web.execution.fast_path import fast_executor_class
    from backfill_gateway.web.execution.fast_path_fields import DirectResolver

    class Never(BasePermission):
        message = "not allowed"

        def has_permission(self, source, info, **kwargs) -> bool:
            return False

    @strawberry.type
    class Query:
        @strawberry.field
        def open(self, word: str) -> str:
            return word.upper()

        @strawberry.field(permission_classes=[Never])
        def guarded(self) -> str:
            return "secret"

    executor_class = fast_executor_class()
    paths = count_paths(monkeypatch, executor_class)
    schema = strawberry.Schema(query=Query, execution_context_class=executor_class)
    assert DirectResolver.of(_field(schema, "Query", "open"), schema) is not None
    assert DirectResolver.of(_field(schema, "Query", "guarded"), schema) is None

    result = await schema.execute('{ a: open(word: "x") b: open(word: "y") }')
    assert result.errors is None and result.data == {"a": "X", "b": "Y"}
    assert paths() == (1, 0, 0)
    result = await schema.execute("{ guarded }")
    assert result.data is None and [e.message for e in result.errors] == ["not allowed"]


async def test_every_gateway_query_is_checked_against_the_executor_twin(gateway, executor_twin):
    assert gateway.twin is executor_twin
    assert executor_twin.state.schema.execution_context_class is not (
        gateway.app.state.schema.execution_context_class
    )
    before = gateway.compared
    (await gateway.graphql("{ backfills(first: 2) { totalCount nodes { id } } }")).ok()
    await gateway.graphql("{ backfill(id: 1) { id } }")  # errors are compared too
    assert gateway.compared == before + 2


async def test_the_executor_check_fails_when_the_twin_answers_differently(demo_database):
    client = GatewayClient(
        gateway_app(demo_database.url),
        twin=standard_executor_twin(demo_database.url, default_page_size=1),
    )
    try:
        with pytest.raises(AssertionError, match="differ"):
            await client.graphql("{ backfills { nodes { id } } }")
    finally:
        await client.close()


@strawberry.enum
class InlineColor(Enum):
    RED = "red"
    DARK_BLUE = "dark blue"


def inline_schema_query():
    @strawberry.type
    class Query:
        @strawberry.field
        def times(self) -> list[Optional[datetime]]:  # noqa: UP045 - resolved at runtime
            base = datetime(2026, 11, 30, 6, 5, 4, 321, tzinfo=UTC)
            return [base, base.replace(microsecond=0), base.astimezone(timezone(timedelta(hours=2))), None]

        @strawberry.field
        def colors(self) -> list[InlineColor]:
            return [InlineColor.RED, InlineColor.DARK_BLUE, InlineColor.RED]

    return Query


async def test_inline_timestamps_and_enum_names_equal_the_serializers(monkeypatch):
    """Enum names are written inline for known values and UTC timestamps are left to
    orjson; every other value goes to the serializer, as in the standard executor. The
    JSON written is the same."""
    from strawberry.schema.config import StrawberryConfig

    from backfill_gateway.schema import SCALAR_MAP
    from backfill_gateway.web.execution.fast_path import fast_executor_class

    query_type = inline_schema_query()
    executor_class = fast_executor_class()
    paths = count_paths(monkeypatch, executor_class)
    config = StrawberryConfig(scalar_map=SCALAR_MAP)
    fast = strawberry.Schema(query=query_type, execution_context_class=executor_class, config=config)
    standard = strawberry.Schema(query=query_type, config=config)
    query = "{ times colors }"
    fast_result, standard_result = await fast.execute(query), await standard.execute(query)
    assert paths() == (1, 0, 0)
    assert fast_result.errors is None
    assert orjson.dumps(fast_result.data) == orjson.dumps(standard_result.data)
    assert orjson.loads(orjson.dumps(fast_result.data)) == {
        "times": [
            "2026-11-30T06:05:04.000321+00:00", "2026-11-30T06:05:04+00:00",
            "2026-11-30T06:05:04.000321+00:00", None,
        ],
        "colors": ["RED", "DARK_BLUE", "RED"],
    }


def test_orjson_writes_utc_timestamps_as_the_datetime_scalar():
    """What leaving UTC datetimes to orjson rests on: its RFC 3339 is `isoformat()`, for
    every instant Python has (the extremes, whole seconds, years below 1000, fold)."""
    import random

    from backfill_gateway.schema.scalars import serialize_datetime

    rng = random.Random(14)
    first = datetime(1, 1, 1, tzinfo=UTC)
    span = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) - first) // timedelta(
        microseconds=1
    )
    instants = [
        first, first + timedelta(microseconds=span), datetime(2026, 1, 1, tzinfo=UTC),
        datetime(999, 5, 6, 7, 8, 9, 10, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, 0, 1, tzinfo=UTC, fold=1),
        *(first + timedelta(microseconds=rng.randrange(span)) for _ in range(20_000)),
        *(datetime(2026, 11, 30, rng.randrange(24), rng.randrange(60), tzinfo=UTC)
          for _ in range(1_000)),
    ]  # fmt: skip
    for instant in instants:
        assert orjson.dumps(instant) == orjson.dumps(serialize_datetime(instant)), instant


async def test_arguments_without_variables_are_converted_once_per_plan(gateway, monkeypatch):
    from backfill_gateway.web.execution import fast_path_fields

    conversions = []
    real_convert = fast_path_fields.convert_arguments

    def counting_convert(arguments, *args, **kwargs):
        conversions.append(dict(arguments))
        return real_convert(arguments, *args, **kwargs)

    monkeypatch.setattr(fast_path_fields, "convert_arguments", counting_convert)
    literal = "{ onceLiteral: backfills(first: 2, filter: {statuses: [COMPLETED]}) { nodes { backfillId } } }"
    answers = [(await gateway.graphql(literal)).ok() for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert len(answers[0]["onceLiteral"]["nodes"]) == 2
    assert len(conversions) == 1  # the plan's, reused by the next requests

    conversions.clear()
    variable = (
        "query($n: Int!, $f: BackfillFilter) "
        "{ onceVariable: backfills(first: $n, filter: $f) { nodes { backfillId } } }"
    )
    completed = {"statuses": ["COMPLETED"]}
    for n in (1, 2, 3):
        answer = (await gateway.graphql(variable, {"n": n, "f": completed})).ok()
        assert len(answer["onceVariable"]["nodes"]) == n
    assert [c["first"] for c in conversions] == [1, 2, 3]  # one per request

    # Only nulls besides scalars (the omitted filter and orderBy): renamed, not converted.
    conversions.clear()
    for n in (1, 2, 3):
        answer = (await gateway.graphql(variable, {"n": n, "f": None})).ok()
        assert len(answer["onceVariable"]["nodes"]) == n
    assert conversions == []


def test_scalar_arguments_are_passed_on_as_strawberry_would_convert_them():
    from strawberry.types.arguments import convert_arguments

    from backfill_gateway.web.execution.executable_schema import build_schema
    from backfill_gateway.web.execution.fast_path_fields import plain_argument_names

    schema = build_schema()
    config, scalars = schema.config, schema.schema_converter.scalar_registry

    def definition(type_name, field_name):
        return _field(schema, type_name, field_name).extensions["strawberry-definition"]

    # Scalars: renamed to their Python names, which is all Strawberry's conversion does.
    for type_name, field_name, values in (
        ("Backfill", "dagRuns", [{"first": 5, "after": "abc"}, {"last": 2}, {"first": None}]),
        ("Query", "backfill", [{"id": "QmFja2ZpbGw6MQ=="}]),
    ):
        arguments = definition(type_name, field_name).arguments
        plain = plain_argument_names(arguments, config, scalars)
        for value in values:
            converted = convert_arguments(value, arguments, scalar_registry=scalars, config=config)
            assert {plain[name]: v for name, v in value.items()} == converted
    # A null, whatever the argument's type, is passed on as None (not a Maybe here).
    from backfill_gateway.web.execution.fast_path_fields import nullable_argument_names

    for type_name, field_name in (("Query", "backfills"), ("Backfill", "dagRuns")):
        arguments = definition(type_name, field_name).arguments
        nullable = nullable_argument_names(arguments, config)
        assert {"filter", "first"} <= nullable.keys()
        nulls = dict.fromkeys(nullable)
        converted = convert_arguments(nulls, arguments, scalar_registry=scalars, config=config)
        assert {nullable[name]: None for name in nulls} == converted
    # An input object (a filter) or an enum is Strawberry's to convert.
    assert "filter" not in plain_argument_names(
        definition("Backfill", "dagRuns").arguments, config, scalars
    )
    assert plain_argument_names(definition("Query", "backfills").arguments, config, scalars) == {
        "first": "first", "after": "after", "last": "last", "before": "before",
    }  # fmt: skip


async def test_a_call_with_an_input_argument_is_converted_by_strawberry(gateway, oracle):
    # The same field, with and without its input argument: the input arrives as its
    # Strawberry type (the twin compares the responses with the standard executor).
    query = (
        "query($f: BackfillDagRunFilter) { backfills(first: 3) { nodes { "
        "all: dagRuns(first: 2) { nodes { sortOrdinal } } "
        "skipped: dagRuns(first: 2, filter: $f) { nodes { isSkipped } } } } }"
    )
    nodes = (await gateway.graphql(query, {"f": {"isSkipped": True}})).ok()["backfills"]["nodes"]
    assert nodes and all(n["isSkipped"] for b in nodes for n in b["skipped"]["nodes"])


async def test_json_values_are_left_as_they_are_and_written_as_the_standard_executor(monkeypatch):
    """Strawberry's JSON serializer returns its value: the fast path leaves JSON values
    (a backfill's `dagRunConf`) as they are, and the JSON written is the standard one."""
    from backfill_gateway.web.execution.executable_schema import build_schema
    from backfill_gateway.web.execution.fast_path import fast_executor_class
    from backfill_gateway.web.execution.fast_path_fields import IDENTITY_SERIALIZERS

    # The gateway's JSON scalar is the one the fast path knows.
    gateway_json = build_schema()._schema.get_type("JSON")
    assert gateway_json.coerce_output_value in IDENTITY_SERIALIZERS
    values = [{"a": [1, 2.5, None, {"b": "ç"}], "t": True}, [], "text", 7, -0.5, False, None]

    @strawberry.type
    class Query:
        @strawberry.field
        def confs(self) -> list[Optional[JSON]]:  # noqa: UP045 - resolved at runtime
            return values

        @strawberry.field
        def conf(self) -> JSON:
            return values[0]

    executor_class = fast_executor_class()
    paths = count_paths(monkeypatch, executor_class)
    fast = strawberry.Schema(query=Query, execution_context_class=executor_class)
    standard = strawberry.Schema(query=Query)
    query = "{ confs conf }"
    fast_result, standard_result = await fast.execute(query), await standard.execute(query)
    assert paths() == (1, 0, 0)
    assert fast_result.errors is None
    assert orjson.dumps(fast_result.data) == orjson.dumps(standard_result.data)
    assert fast_result.data == {"confs": values, "conf": values[0]}


def test_argument_recipes_assemble_what_graphql_core_coerces():
    from graphql import build_schema as build_sdl
    from graphql import get_variable_values, parse
    from graphql.execution.values import get_argument_values

    from backfill_gateway.web.execution.fast_path_fields import ArgumentRecipe

    schema = build_sdl(
        """
        enum Color { RED GREEN }
        input Range { low: Int = 1, high: Int }
        type Query {
          f(id: ID!, n: Int = 7, after: String, color: Color = GREEN, range: Range): Int
        }
        """
    )
    field_def = schema.query_type.fields["f"]
    definitions = "$id: ID, $n: Int, $after: String, $c: Color, $r: Range, $high: Int"

    def both(arguments: str, raw: dict):
        document = parse(f"query({definitions}) {{ f({arguments}) }}")
        operation = document.definitions[0]
        node = operation.selection_set.selections[0]
        variables = get_variable_values(schema, operation.variable_definitions, raw)
        assert not isinstance(variables, list), variables
        recipe = ArgumentRecipe.of(field_def, node)
        try:
            expected = get_argument_values(field_def, node, variables)
        except Exception as error:  # noqa: BLE001 - graphql-core reports it
            expected = type(error)
        assembled = recipe.assemble(variables.coerced) if recipe is not None else None
        return recipe, assembled, expected

    # graphql-core's own answer where the recipe answers, key order included.
    for arguments, raw in (
        ("id: $id", {"id": "a"}),
        ("id: $id, n: $n, after: $after", {"id": "a", "n": 3, "after": None}),
        ("id: $id, after: $after, color: RED", {"id": "a", "after": "x"}),
        ("id: $id, range: {high: 3}", {"id": 4}),
        ("id: $id, color: $c, range: $r", {"id": "a", "c": "RED", "r": {"high": 2}}),
    ):
        recipe, assembled, expected = both(arguments, raw)
        assert recipe is not None and assembled is not None, arguments
        assert assembled == expected and list(assembled) == list(expected), arguments

    # Where graphql-core applies a default or reports an error, it decides.
    for arguments, raw in (
        ("id: $id, n: $n", {"id": "a"}),  # absent: n's default
        ("id: $id, color: $c", {"id": "a"}),  # absent: color's default
        ("id: $id", {"id": None}),  # null for a non-null argument: an error
        ("id: $id", {}),
    ):
        recipe, assembled, expected = both(arguments, raw)
        assert recipe is not None and assembled is None, arguments
        assert expected is not None

    # A variable inside a literal: graphql-core coerces it every time.
    recipe, _, expected = both("id: $id, range: {high: $high}", {"id": "a", "high": 9})
    assert recipe is None and expected["range"] == {"low": 1, "high": 9}
    # A literal graphql-core reports (validation would refuse it first): no recipe.
    recipe, _, expected = both('id: $id, n: "x"', {"id": "a"})
    assert recipe is None and isinstance(expected, type)


async def test_arguments_with_variables_are_assembled_without_graphql_core(gateway, oracle, monkeypatch):
    from backfill_gateway.web.execution import fast_path_run

    calls = []
    real = fast_path_run.get_argument_values

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(fast_path_run, "get_argument_values", counting)
    query = (
        "query($id: ID!, $first: Int, $after: String) { backfill(id: $id) { backfillId "
        "dagRuns(first: $first, after: $after) { edges { cursor node { sortOrdinal } } } } }"
    )
    backfill_id = oracle.case("running")
    gid = encode_global_id("Backfill", backfill_id)
    first = (await gateway.graphql(query, {"id": gid, "first": 2, "after": None})).ok()
    edges = first["backfill"]["dagRuns"]["edges"]
    assert len(edges) == 2 and calls == []
    after = edges[0]["cursor"]
    second = (await gateway.graphql(query, {"id": gid, "first": 1, "after": after})).ok()
    assert second["backfill"]["dagRuns"]["edges"] == edges[1:] and calls == []
    # `first` absent: graphql-core leaves it out (no default): the default page size, 20.
    default = (await gateway.graphql(query, {"id": gid})).ok()
    assert len(default["backfill"]["dagRuns"]["edges"]) == min(len(oracle.slots(backfill_id)), 20)
    assert calls  # that request went through graphql-core's coercion


def test_every_resolver_of_the_query_types_has_a_plan():
    """A document of them is planned throughout and runs without resolve infos or
    graphql-core (fast_path.run_planned); a new resolver without a plan would quietly
    take every document using it off that path."""
    from graphql import GraphQLObjectType

    from backfill_gateway.schema.field_plans import plan_of
    from backfill_gateway.web.execution.executable_schema import build_schema
    from backfill_gateway.web.execution.fast_path_fields import DirectResolver

    schema = build_schema()
    without_plan = []
    for type_name, gql_type in schema._schema.type_map.items():
        if type_name.startswith("__") or type_name in ("Mutation", "Subscription"):
            continue
        if not isinstance(gql_type, GraphQLObjectType):
            continue
        for field_name, field in gql_type.fields.items():
            if field.resolve is None or getattr(field.resolve, "_is_default", False):
                continue
            definition = field.extensions["strawberry-definition"]
            if plan_of(definition) is None or DirectResolver.of(field, schema) is None:
                without_plan.append(f"{type_name}.{field_name}")
    assert without_plan == []


async def test_planned_resolvers_are_called_without_resolve_infos(gateway, oracle, monkeypatch):
    executor_class = gateway.app.state.schema.execution_context_class
    infos = []
    real = executor_class.build_resolve_info

    def counting(self, field_def, field_nodes, parent_type, path):
        infos.append((parent_type.name, field_nodes[0].name.value, path))
        return real(self, field_def, field_nodes, parent_type, path)

    monkeypatch.setattr(executor_class, "build_resolve_info", counting)
    paths = count_paths(monkeypatch, executor_class)
    gid = encode_global_id("Backfill", oracle.case("running"))
    everything = (
        "query($id: ID!) { airflow { version } backfill(id: $id) { backfillId "
        "progress { slotCount } taskCounts { success } dag { dagId } "
        "dagRuns(first: 3) { totalCount nodes { backfill { backfillId } blockingRun { runId } "
        "dagRun { runId backfill { backfillId } taskCounts { success } } } } } "
        "backfills(first: 2) { totalCount nodes { backfillId } } }"
    )
    data = (await gateway.graphql(everything, {"id": gid})).ok()
    assert data["backfill"]["dagRuns"]["nodes"]
    assert paths() == (1, 0, 0)
    # Compiling gave each plan the document's view of its field (no response path);
    # running called no resolver with an info.
    planned = {
        ("Query", "airflow"), ("Query", "backfill"), ("Query", "backfills"),
        ("Backfill", "progress"), ("Backfill", "taskCounts"), ("Backfill", "dag"),
        ("Backfill", "dagRuns"), ("BackfillDagRunConnection", "totalCount"),
        ("BackfillDagRun", "backfill"), ("BackfillDagRun", "blockingRun"),
        ("DagRun", "backfill"), ("DagRun", "taskCounts"), ("BackfillConnection", "totalCount"),
    }  # fmt: skip
    assert {(parent, name) for parent, name, _ in infos} == planned
    assert all(path is None for *_, path in infos)
    infos.clear()
    (await gateway.graphql(everything, {"id": gid})).ok()  # prepared: no graphql-core at all
    assert infos == []


async def test_a_resolver_marked_wrongly_as_reading_only_its_context_falls_back(monkeypatch):
    """A resolver planned by `reads_only_context` that reads more of its info raises on
    the stand-in info: the fast path falls back, and the standard executor answers."""
    from backfill_gateway.schema.field_plans import READS_ONLY_CONTEXT
    from backfill_gateway.web.execution.fast_path import fast_executor_class

    @strawberry.type
    class Query:
        @strawberry.field(metadata=READS_ONLY_CONTEXT)
        async def context_word(self, info: strawberry.Info) -> str:
            return info.context["word"]

        @strawberry.field(metadata=READS_ONLY_CONTEXT)
        def field_name(self, info: strawberry.Info) -> str:
            return info.field_name

    executor_class = fast_executor_class()
    paths = count_paths(monkeypatch, executor_class)
    schema = strawberry.Schema(query=Query, execution_context_class=executor_class)
    result = await schema.execute("{ contextWord }", context_value={"word": "planned"})
    assert result.errors is None and result.data == {"contextWord": "planned"}
    assert paths() == (1, 0, 0)
    result = await schema.execute("{ contextWord fieldName }", context_value={"word": "w"})
    assert result.errors is None and result.data == {"contextWord": "w", "fieldName": "fieldName"}
    assert paths() == (1, 1, 0)
